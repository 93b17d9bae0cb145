package web

import (
	"net/http"
	"strings"
	"testing"
)

// The answers that used to come from the standard library without this
// site's headers: a too large request header and a missing static file.
// Downloads carry a sandbox policy as a second line of defence.
func TestEdgeResponsesCarryTheHeaders(t *testing.T) {
	h := newHarness(t)
	tok := h.login()
	list, _ := h.list(tok, 1)
	view := parseDoc(t, h.get(list.viewLink("Your checklist and a list of pages (2 attachments)")).body)

	big, _ := http.NewRequest("GET", h.srv.URL+"/list", nil)
	big.Header.Set("Cookie", "c="+strings.Repeat("x", 100<<10))
	tests := []struct {
		name       string
		res        response
		wantStatus int
		wantCSP    string
	}{
		{"header too large", h.do(big), http.StatusRequestHeaderFieldsTooLarge, wantPageCSP},
		{"static file missing", h.get("/static/missing.css"), http.StatusNotFound, wantPageCSP},
		{"static folder", h.get("/static/"), http.StatusNotFound, wantPageCSP},
		{"attachment", h.get(view.link("aperçu des pages.csv")), http.StatusOK, "default-src 'none'; sandbox"},
		{"source", h.get(view.link("Download (.eml)")), http.StatusOK, "default-src 'none'; sandbox"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.res.status != tt.wantStatus {
				t.Fatalf("status: got %d, want %d", tt.res.status, tt.wantStatus)
			}
			for k, want := range map[string]string{"Cache-Control": "no-store", "Content-Security-Policy": tt.wantCSP,
				"X-Content-Type-Options": "nosniff"} {
				if got := tt.res.header.Get(k); got != want {
					t.Errorf("%s: got %q, want %q", k, got, want)
				}
			}
		})
	}
}
