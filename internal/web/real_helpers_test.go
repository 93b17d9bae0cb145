package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/seal"
	"gomailcgi/internal/testing/mailstack"
)

// The [real servers] tests drive the whole site against the project's
// throw-away Dovecot and Postfix (scripts/mailstack.sh start). Without the
// stack they skip loudly, and fail when CI=true. Their users are named
// "webreal..." since other packages use the same stack at the same time.

// realPass is every web test user's password; the users are throw-away.
const realPass = "web-real-pw1"

// realUser creates (or resets) a stack user with realPass and empties its
// inbox; it returns the login name. The user is locked to the test until
// it ends, so that two runs of this package at once (several engineers
// share one checkout and one stack) take turns instead of emptying each
// other's mailboxes.
func realUser(t *testing.T, env mailstack.Env, name string) string {
	t.Helper()
	env.LockUser(t, name)
	env.AddUser(t, name, realPass)
	env.Clear(t, name)
	return name
}

// realServer is a mail server address of the stack with its TLS settings.
func realServer(env mailstack.Env, addr string, sec mailtools.Security) mailtools.Server {
	return mailtools.Server{Addr: addr, Security: sec, TLSConfig: env.TLSConfig(),
		DialTimeout: 5 * time.Second, CommandTimeout: 20 * time.Second}
}

// newRealHarness serves the site against the real stack: POP at pop,
// sending through Postfix's submission port (STARTTLS + AUTH). It shares
// the devmail harness's helpers; h.mail stays nil. Web options change the
// site's configuration (mail options do not apply).
func newRealHarness(t *testing.T, env mailstack.Env, pop mailtools.Server, opts ...harnessOption) *harness {
	t.Helper()
	h := &harness{t: t, logs: &syncBuffer{}, now: time.Now()}
	keys, err := seal.RandomKeys()
	if err != nil {
		t.Fatal(err)
	}
	h.sealer = &seal.Sealer{Keys: keys, Now: h.clock}
	cfg := Config{
		POP:        &mailtools.POP{Server: pop},
		SMTP:       &mailtools.SMTP{Server: realServer(env, env.Submission, mailtools.SecuritySTARTTLS)},
		Sealer:     h.sealer,
		FromDomain: env.Domain,
		Logger:     slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:        h.clock,
	}
	for _, o := range opts {
		if o.web != nil {
			o.web(&cfg)
		}
	}
	handler, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.srv = httptest.NewServer(handler)
	t.Cleanup(h.srv.Close)
	jar, _ := cookiejar.New(nil)
	h.client = &http.Client{
		Jar:     jar,
		Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("site log:\n%s", h.logs.String())
		}
	})
	return h
}

// forT is h for a subtest: the same site, failing t rather than the test
// that built it.
func (h *harness) forT(t *testing.T) *harness {
	return &harness{t: t, srv: h.srv, client: h.client, sealer: h.sealer, logs: h.logs, now: h.clock()}
}

// page fetches a site path and parses it, failing unless the status is want.
func (h *harness) page(path string, want int) *doc {
	h.t.Helper()
	res := h.get(path)
	if res.status != want {
		h.t.Fatalf("GET %s: status %d, want %d\n%s", strings.SplitN(path, "?", 2)[0], res.status, want, res.body)
	}
	return parseDoc(h.t, res.body)
}

// formValues is what a browser would submit from the page's form that
// posts to action: its named inputs (checked boxes only, no files or
// buttons) and textareas, with the fields in set replaced.
func formValues(t testing.TB, d *doc, action string, set url.Values) url.Values {
	t.Helper()
	forms := d.all(func(n *html.Node) bool { return n.Data == "form" && attrOf(n, "action") == action })
	if len(forms) == 0 {
		t.Fatalf("no form posting to %q on the page", action)
	}
	v := url.Values{}
	for n := range forms[0].Descendants() {
		name := attrOf(n, "name")
		if n.Type != html.ElementNode || name == "" {
			continue
		}
		switch n.Data {
		case "textarea":
			v.Add(name, rawText(n))
		case "input":
			switch attrOf(n, "type") {
			case "file", "submit", "button":
			case "checkbox", "radio":
				if _, on := attr(n, "checked"); on {
					v.Add(name, attrOf(n, "value"))
				}
			default:
				v.Add(name, attrOf(n, "value"))
			}
		}
	}
	for k, vs := range set {
		v[k] = vs
	}
	return v
}

// viewOn opens the view page of the message listed with subject on list
// page 1 of the login tok.
func (h *harness) viewOn(tok, subject string) *doc {
	h.t.Helper()
	list, res := h.list(tok, 1)
	if res.status != http.StatusOK {
		h.t.Fatalf("list: status %d", res.status)
	}
	return h.page(list.viewLink(subject), http.StatusOK)
}

// source downloads the viewed message as .eml.
func (h *harness) source(view *doc) []byte {
	h.t.Helper()
	res := h.get(view.link("Download (.eml)"))
	if res.status != http.StatusOK {
		h.t.Fatalf("source: status %d", res.status)
	}
	if got := res.header.Get("Content-Type"); got != "message/rfc822" {
		h.t.Errorf("source Content-Type: got %q, want %q", got, "message/rfc822")
	}
	return []byte(res.body)
}

// attachmentHref is the link of the view page's attachment whose label
// starts with name, or "".
func attachmentHref(d *doc, name string) string {
	for _, a := range d.all(func(n *html.Node) bool { return n.Data == "a" && attrOf(n, "href") != "" }) {
		if strings.HasPrefix(attrOf(a, "href"), "/part?") && strings.HasPrefix(text(a), name) {
			return attrOf(a, "href")
		}
	}
	return ""
}

// headerSection is the header of a raw message, lower-cased, starting with
// a line break so that "\nname:" finds any field.
func headerSection(raw []byte) string {
	raw = bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))
	head, _, _ := bytes.Cut(raw, []byte("\n\n"))
	return "\n" + strings.ToLower(string(head))
}

// boxSubjects lists user's inbox, newest first, over POP3 with mailtools
// itself: the truth the site's pages are checked against.
func boxSubjects(t *testing.T, env mailstack.Env, user string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	pop := &mailtools.POP{Server: realServer(env, env.POP3, mailtools.SecuritySTARTTLS)}
	sess, err := pop.Dial(ctx, mailtools.Credentials{User: user, Password: realPass})
	if err != nil {
		t.Fatalf("POP login as %s: %v", user, err)
	}
	defer sess.Close()
	l, err := sess.List(ctx, 0, mailtools.MaxPageSize)
	if err != nil {
		t.Fatalf("POP list: %v", err)
	}
	out := make([]string, 0, len(l.Messages))
	for _, m := range l.Messages {
		out = append(out, m.Envelope.Subject)
	}
	return out
}

// otherClientDeletes deletes the message with subject from user's inbox
// as another mail program would: its own POP3 session, committed at QUIT.
func otherClientDeletes(t *testing.T, env mailstack.Env, user, subject string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	pop := &mailtools.POP{Server: realServer(env, env.POP3, mailtools.SecuritySTARTTLS)}
	sess, err := pop.Dial(ctx, mailtools.Credentials{User: user, Password: realPass})
	if err != nil {
		t.Fatalf("other client: POP login: %v", err)
	}
	defer sess.Close()
	l, err := sess.List(ctx, 0, mailtools.MaxPageSize)
	if err != nil {
		t.Fatalf("other client: list: %v", err)
	}
	for _, m := range l.Messages {
		if m.Envelope.Subject == subject {
			if _, err := sess.Delete(ctx, []mailtools.Ref{m.Ref}); err != nil {
				t.Fatalf("other client: delete %q: %v", subject, err)
			}
			return
		}
	}
	t.Fatalf("other client: no message %q", subject)
}

// fillSubjects are the subjects of mailstack's Fill(n), newest first, less
// the message numbers in without.
func fillSubjects(n int, without ...int) []string {
	skip := map[int]bool{}
	for _, i := range without {
		skip[i] = true
	}
	var out []string
	for i := n; i >= 1; i-- {
		if !skip[i] {
			out = append(out, fillSubject(i, n))
		}
	}
	return out
}

// fillSubject is the subject of message i of a Fill(n).
func fillSubject(i, n int) string {
	return "Test message " + strconv.Itoa(i) + " of " + strconv.Itoa(n)
}

// fillAttachment is the content of data-i.bin, the attachment of every
// 5th message of a Fill (see scripts/mailstack/fill.py).
func fillAttachment(i int) []byte {
	b := make([]byte, 600)
	for k := range b {
		b[k] = byte((i*7 + k*13) % 256)
	}
	return b
}

// textBody is the text of the view page's plain body.
func textBody(d *doc) string {
	var b strings.Builder
	for _, n := range d.all(func(n *html.Node) bool { return attrOf(n, "class") == "textbody" }) {
		b.WriteString(rawText(n))
	}
	return b.String()
}

// hasClip reports whether the listed message with subject is marked as
// having attachments.
func hasClip(d *doc, subject string) bool {
	for _, td := range d.all(func(n *html.Node) bool { return n.Data == "td" && attrOf(n, "class") == "subject" }) {
		links := 0
		clip := false
		for c := range td.Descendants() {
			if c.Type != html.ElementNode {
				continue
			}
			if c.Data == "a" && text(c) == subject {
				links++
			}
			if attrOf(c, "class") == "clip" {
				clip = true
			}
		}
		if links > 0 {
			return clip
		}
	}
	return false
}

// deletedNames reads the list's notice after a delete: the subjects it
// says went for good, in order.
func deletedNames(t *testing.T, res response) []string {
	t.Helper()
	if res.status != http.StatusOK {
		t.Fatalf("delete: status %d, want 200\n%s", res.status, res.body)
	}
	notice := ""
	d := parseDoc(t, res.body)
	for _, n := range d.all(func(n *html.Node) bool { return attrOf(n, "role") == "status" }) {
		notice = text(n)
	}
	rest, ok := strings.CutPrefix(notice, "Deleted for good: ")
	if !ok {
		t.Fatalf("no notice of what was deleted; notice %q", notice)
	}
	var names []string
	for _, q := range strings.Split(strings.TrimSuffix(rest, "."), ", ") {
		names = append(names, strings.TrimSuffix(strings.TrimPrefix(q, "“"), "”"))
	}
	return names
}

// deleteConfirmed posts a delete form; when the site asks to confirm, it
// checks that the page names the messages and presses Delete for good.
// It returns the last answer.
func (h *harness) deleteConfirmed(form url.Values) response {
	h.t.Helper()
	res := h.post("/delete", form)
	if res.status != http.StatusOK {
		return res
	}
	asked := parseDoc(h.t, res.body)
	if !strings.Contains(asked.title(), "for good?") {
		h.t.Fatalf("delete did not ask first; page %q", asked.title())
	}
	return h.post("/delete", formValues(h.t, asked, "/delete", nil))
}
