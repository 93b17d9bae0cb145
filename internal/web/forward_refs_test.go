package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A forward whose form names the original in a malformed way, or names a
// part of it that is not an attachment, is the sender's form at fault: a
// 400 that says so, the draft kept, nothing sent. Neither is "went wrong
// on our side" nor "changed or is gone".
func TestForwardFormProblems(t *testing.T) {
	const subject = "Your checklist and a list of pages (2 attachments)"
	tests := []struct {
		name      string
		fwd       string // "" is the original's own reference
		parts     []string
		wantAlert string
	}{
		{"malformed reference", "1.zzz", []string{"2"}, "does not name a message"},
		{"reference without a fingerprint", "1", []string{"2"}, "does not name a message"},
		{"the text body", "", []string{"1"}, "not one of its attachments"},
		{"an attachment and the text body", "", []string{"2", "1"}, "not one of its attachments"},
		{"no such part", "", []string{"9"}, "not one of its attachments"},
		{"malformed part", "", []string{"2..x"}, "not one of its attachments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			d := composeFor(t, h, h.login(), subject, "Forward")
			fwd := tt.fwd
			if fwd == "" {
				fwd = d.field("fwd")
			}
			res := h.postMultipart("/send", url.Values{"t": {d.token()}, "to": {"bob@example.org"},
				"subject": {"Fwd"}, "body": {"keep me"}, "fwd": {fwd}, "fwdpart": tt.parts})
			if res.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", res.status)
			}
			c := parseDoc(t, res.body)
			if a := c.alert(); !strings.Contains(a, tt.wantAlert) || strings.Contains(a, "changed or is gone") {
				t.Errorf("alert: got %q, want it to say %q", a, tt.wantAlert)
			}
			if got := c.field("body"); got != "keep me" {
				t.Errorf("body: got %q, want %q", got, "keep me")
			}
			if len(h.mail.Sent()) != 0 {
				t.Error("a message was sent")
			}
		})
	}
}

// The compose page asked to forward a malformed reference is a 400 that
// says the link names no message.
func TestComposeMalformedReference(t *testing.T) {
	h := newHarness(t)
	tok := url.QueryEscape(h.login())
	for _, q := range []string{"mode=forward&m=1.zzz", "mode=forward&m=1", "mode=forward&fwd=1.zzz"} {
		t.Run(q, func(t *testing.T) {
			res := h.get("/compose?t=" + tok + "&" + q)
			if res.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", res.status)
			}
			if a := parseDoc(t, res.body).alert(); strings.Contains(a, "on our side") {
				t.Errorf("alert: got %q", a)
			}
		})
	}
}
