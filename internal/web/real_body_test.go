package web

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/testing/mailstack"
)

// TestRealBodyStreamed opens a 1 MB HTML newsletter in a real Dovecot
// mailbox: the framed body comes as a stream (no length known before),
// whole, every story in it, its remote pictures blocked, and its first
// story before the document's end.
func TestRealBodyStreamed(t *testing.T) {
	env := mailstack.Require(t)
	user := realUser(t, env, "webrealbody")
	file := filepath.Join(t.TempDir(), "news.eml")
	raw := bigHTMLMessage("A real 1 MB newsletter", 1<<20)
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	env.Put(t, user, file)
	site := newRealHarness(t, env, realServer(env, env.POP3, mailtools.SecurityInsecure))
	tok := site.loginAs(user, realPass, "")
	list, _ := site.list(tok, 1)
	view := site.page(list.viewLink("A real 1 MB newsletter"), http.StatusOK)
	res, err := site.client.Get(site.srv.URL + attrOf(view.tag("iframe")[0], "src"))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	doc, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || res.ContentLength != -1 {
		t.Fatalf("status %d, length %d; want 200 and a stream", res.StatusCode, res.ContentLength)
	}
	stories := bytes.Count(raw, []byte("<h2>Story "))
	if got := bytes.Count(doc, []byte("<h2>Story ")); got != stories || stories < 100 {
		t.Errorf("%d stories, want %d", got, stories)
	}
	s := string(doc)
	if !strings.HasSuffix(s, "</main></body></html>\n") || !strings.Contains(s, ">Unsubscribe</a>") ||
		strings.Contains(s, "news.example.com/img") || strings.Index(s, "<h2>Story 1:") > strings.Index(s, "Unsubscribe") {
		t.Errorf("document of %d bytes ending %q", len(s), s[max(0, len(s)-120):])
	}
}
