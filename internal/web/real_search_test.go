package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/testing/mailstack"
)

// TestRealSearch searches a Dovecot mailbox of 120 messages in steps of
// 50, over POP3 with STLS and PIPELINING: each step finds what it should,
// and the continuation goes on after another mail program deleted a
// message the first step had shown and an older one.
func TestRealSearch(t *testing.T) {
	env := mailstack.Require(t)
	t.Parallel()
	user := realUser(t, env, "websearch1")
	const n = 120
	env.Fill(t, user, n)
	h := newRealHarness(t, env, realServer(env, env.POP3, mailtools.SecuritySTARTTLS),
		webOption(func(c *Config) { c.SearchMessages = 50 }))
	tok := h.loginAs(user, realPass, "")

	// "10" is in the subjects of messages 10, 100 to 109 and 110.
	has10 := func() []string {
		var out []string
		for i := n; i >= 1; i-- {
			if strings.Contains(strconv.Itoa(i), "10") {
				out = append(out, fillSubject(i, n))
			}
		}
		return out
	}
	d := h.page("/search?"+url.Values{"t": {tok}, "q": {"MESSAGE 10"}, "in": {"subject"}}.Encode(), http.StatusOK)
	got := d.subjects()
	if want := has10()[:11]; !slices.Equal(got, want) {
		t.Fatalf("first step: %q, want %q", got, want)
	}
	if s := searchSummary(d); s != "50 messages searched, 11 found." {
		t.Errorf("first step says %q", s)
	}
	// A result opens, sync-checked, and leads back to the results.
	view := h.page(d.viewLink(fillSubject(105, n)), http.StatusOK)
	if back := parseDoc(t, h.get(view.link("‹ Back to the results")).body); !slices.Equal(back.subjects(), got) {
		t.Errorf("back at the results: %q", back.subjects())
	}

	// Another client deletes a result shown (105) and an older message
	// (30): the message the search goes on from moves down a number.
	otherClientDeletes(t, env, user, fillSubject(105, n))
	otherClientDeletes(t, env, user, fillSubject(30, n))
	older := d.link("Search older messages")
	for step := 2; older != ""; step++ {
		d = h.page(older, http.StatusOK)
		if moved := strings.Contains(text(d.root), "Your inbox changed since the last results"); moved != (step == 2) {
			t.Errorf("step %d: says the inbox changed: %v", step, moved)
		}
		got = append(got, d.subjects()...)
		older = ""
		if d.hasLink("Search older messages") {
			older = d.link("Search older messages")
		}
	}
	// 105 was found before it was deleted; nothing is found twice.
	if want := has10(); !slices.Equal(got, want) {
		t.Errorf("all steps: %q, want %q", got, want)
	}
}
