package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestComposeSuggestsAddresses opens the compose form over a mailbox of
// 66 messages: the <datalist> offers the senders, and the recipients of
// the user's own sent copy, most frequent first, newest first among
// equals, at most 50, never the user's own address, escaped.
func TestComposeSuggestsAddresses(t *testing.T) {
	h := newHarness(t)
	box := h.mail.Mailbox(bobUser)
	add := func(from, to, cc string) {
		raw := "From: " + from + "\r\nTo: " + to + "\r\n"
		if cc != "" {
			raw += "Cc: " + cc + "\r\n"
		}
		box.Add([]byte(raw + "Subject: s\r\nDate: Fri, 27 Mar 2026 10:00:00 +0000\r\n\r\nx\r\n"))
	}
	for i := 60; i >= 1; i-- { // the oldest, each from someone else
		add(fmt.Sprintf("Old %d <old%d@example.net>", i, i), "bob@example.org", "")
	}
	erin := "Erin Example <erin@example.net>"
	add(erin, "bob@example.org", "")
	add("Zed <zed@example.net>", "bob@example.org", "")
	add(erin, "bob@example.org", "")
	add("Bob <BOB@example.org>", "Ann <ann@example.org>, "+erin+", bob@example.org", "carol@example.net") // a copy of bob's own
	add(erin, "bob@example.org", "")
	add("\"<script>\" <x@example.net>", "bob@example.org", "")

	tok := h.loginAs(bobUser, bobPass, "")
	res := h.get("/compose?t=" + url.QueryEscape(tok))
	if res.status != http.StatusOK {
		t.Fatalf("status %d", res.status)
	}
	if strings.Contains(res.body, "<script>") {
		t.Error("a display name reached the page unescaped")
	}
	d := parseDoc(t, res.body)
	var got []string
	for _, o := range d.all(func(n *html.Node) bool { return n.Data == "option" && n.Parent.Data == "datalist" }) {
		got = append(got, attrOf(o, "value"))
	}
	want := []string{erin, `"<script>" <x@example.net>`, "Ann <ann@example.org>", "carol@example.net", "Zed <zed@example.net>"}
	for i := 1; len(want) < addressesMax; i++ {
		want = append(want, fmt.Sprintf("Old %d <old%d@example.net>", i, i))
	}
	if !slices.Equal(got, want) {
		t.Errorf("suggestions:\n got %q\nwant %q", got, want)
	}
	for _, id := range []string{"to", "cc", "bcc"} {
		in := d.all(func(n *html.Node) bool { return attrOf(n, "id") == id })
		if len(in) != 1 || attrOf(in[0], "list") != "known-addresses" {
			t.Errorf("#%s does not offer the suggestions", id)
		}
	}

	// The form that comes back after a failed send reads nothing.
	res = h.postMultipart("/send", url.Values{"t": {tok}, "to": {"not an address"}, "subject": {"x"}, "body": {"y"}})
	if d := parseDoc(t, res.body); len(d.tag("datalist")) != 0 {
		t.Errorf("the form sent back (status %d) has suggestions", res.status)
	}
}
