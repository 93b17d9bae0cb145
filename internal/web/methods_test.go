package web

import (
	"net/http"
	"strings"
	"testing"
)

// A method a page does not take gets 405 and an Allow header naming the
// ones it does, on every page path; a path the site does not have stays
// 404 whatever the method.
func TestUnlistedMethodsGet405WithAllow(t *testing.T) {
	for _, base := range []string{"", "/mail"} {
		h := newHarness(t, webOption(func(c *Config) { c.BasePath = base }))
		allow := map[string]string{
			pathHome: "GET, HEAD", pathLogin: "GET, HEAD, POST", pathLogout: "GET, HEAD",
			pathList: "GET, HEAD", pathView: "GET, HEAD", pathBody: "GET, HEAD", pathPart: "GET, HEAD",
			pathSource: "GET, HEAD", pathRaw: "GET, HEAD", pathCompose: "GET, HEAD", pathSend: "POST",
			pathSent: "GET, HEAD", pathDelete: "POST", pathHealth: "GET, HEAD", pathStatic + "style.css": "GET, HEAD",
		}
		for path, want := range allow {
			for _, method := range []string{"PUT", "OPTIONS", "TRACE", "DELETE", "PATCH", "PROPFIND"} {
				req, err := http.NewRequest(method, h.srv.URL+base+path, nil)
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Trace-Me", "1")
				res := h.do(req)
				if res.status != http.StatusMethodNotAllowed {
					t.Errorf("%s %s%s: status %d, want 405", method, base, path, res.status)
					continue
				}
				if got := res.header.Get("Allow"); got != want {
					t.Errorf("%s %s%s: Allow got %q, want %q", method, base, path, got, want)
				}
				if got := res.header.Get("Cache-Control"); got != "no-store" {
					t.Errorf("%s %s%s: Cache-Control got %q", method, base, path, got)
				}
				if method == "TRACE" && strings.Contains(res.body, "Trace-Me") {
					t.Errorf("TRACE %s%s echoes the request", base, path)
				}
			}
		}
		for _, path := range []string{"/nope", pathList + "/x", pathSend + "x"} {
			req, err := http.NewRequest("PUT", h.srv.URL+base+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res := h.do(req); res.status != http.StatusNotFound {
				t.Errorf("PUT %s%s: status %d, want 404", base, path, res.status)
			}
		}
	}
}
