package web

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// w3mDump runs w3m -dump on url (with post data, when given), or skips
// (fails when CI=true) without w3m.
func w3mDump(t *testing.T, link, post string) string {
	t.Helper()
	bin, err := exec.LookPath("w3m")
	if err != nil {
		msg := "*** W3M NOT AVAILABLE: `make test` installs Debian's w3m (scripts/install-deps.sh)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	args := []string{"-dump", "-cols", "100", "-o", "accept_encoding=identity"}
	if post != "" {
		file := filepath.Join(t.TempDir(), "post")
		if err := os.WriteFile(file, []byte(post), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "-post", file)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append(args, link)...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir()) // no w3m settings or cookies of the machine's
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("w3m %s: %v\n%s", redactToken(link), err, out)
	}
	return string(out)
}

// A text browser gets every page whole: the login form posts, and the
// list and the message views show their content, body text included.
func TestTextBrowser(t *testing.T) {
	h := newHarness(t)
	login := w3mDump(t, siteURL(h, "/login"), "")
	for _, want := range []string{"User name", "Password", "Log in"} {
		if !strings.Contains(login, want) {
			t.Errorf("login page lacks %q:\n%s", want, login)
		}
	}
	// w3m posts the form's fields to its action and follows the 303.
	list := w3mDump(t, siteURL(h, "/login"), url.Values{"user": {aliceUser}, "password": {alicePass}, "next": {"list"}}.Encode())
	for _, want := range []string{"Inbox", "Paragraphs that flow", "Delete selected"} {
		if !strings.Contains(list, want) {
			t.Errorf("after logging in, the list lacks %q:\n%s", want, list)
		}
	}
	tok := h.login()
	doc, _ := h.list(tok, 1)
	for _, tt := range []struct{ subject, body string }{
		{"Paragraphs that flow", "flow"}, // plain
		{"A quick tour of the message list", "This message has no plain-text part at all"}, // HTML only
		{"Five tips for getting around", "tips"},                                           // alternative
	} {
		page := w3mDump(t, siteURL(h, doc.viewLink(tt.subject)), "")
		if !strings.Contains(page, tt.subject) || !strings.Contains(strings.ToLower(page), strings.ToLower(tt.body)) {
			t.Errorf("%s: w3m shows:\n%s", tt.subject, page)
		}
	}
}
