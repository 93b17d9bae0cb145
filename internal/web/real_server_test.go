package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/testing/mailstack"
)

// TestRealFullFlow walks the whole site over POP3+STLS and submission
// (STARTTLS + AUTH): login, list, view, send with Bcc and attachment,
// reply, forward with the original's attachment, delete; every delivered
// message is read back through the recipient's own pages.
func TestRealFullFlow(t *testing.T) {
	env := mailstack.Require(t)
	t.Parallel()
	alice, bob, carol := realUser(t, env, "webreal1"), realUser(t, env, "webreal2"), realUser(t, env, "webreal3")
	const n = 120
	env.Fill(t, alice, n)
	site := newRealHarness(t, env, realServer(env, env.POP3, mailtools.SecuritySTARTTLS))
	addr := func(user string) string { return user + "@" + env.Domain }
	subject := fmt.Sprintf("Plans for the web flow %d", time.Now().UnixNano())
	var aliceTok, bobTok, origID string

	step := func(name string, f func(t *testing.T, h *harness)) {
		if !t.Run(name, func(t *testing.T) { f(t, site.forT(t)) }) {
			t.FailNow()
		}
	}
	step("bad password", func(t *testing.T, h *harness) {
		res := h.post("/login", url.Values{"user": {alice}, "password": {"not-" + realPass}})
		if res.status != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", res.status)
		}
		d := parseDoc(t, res.body)
		if got := d.alert(); !strings.Contains(got, "did not accept that user name and password") {
			t.Errorf("alert: got %q", got)
		}
		if got := d.field("user"); got != alice {
			t.Errorf("user field: got %q, want %q", got, alice)
		}
		if got := d.field("password"); got != "" {
			t.Errorf("password field: got %q, want it empty", got)
		}
	})
	step("login", func(t *testing.T, h *harness) {
		aliceTok = h.loginAs(alice, realPass, "")
		bobTok = h.loginAs(bob, realPass, "")
	})
	step("list pages", func(t *testing.T, h *harness) {
		all := fillSubjects(n)
		d := h.page("/list?t="+url.QueryEscape(aliceTok), http.StatusOK)
		tests := []struct {
			follow    string // link followed from the page before
			page      int
			lo, hi    int // rows shown: all[lo:hi]
			wantCount string
			noLinks   []string
		}{
			{"", 1, 0, 50, "Messages 1–50 of 120", []string{"« Newest", "‹ Newer"}},
			{"Older ›", 2, 50, 100, "Messages 51–100 of 120", nil},
			{"Older ›", 3, 100, 120, "Messages 101–120 of 120", []string{"Older ›", "Oldest »"}},
			{"‹ Newer", 2, 50, 100, "Messages 51–100 of 120", nil},
			{"« Newest", 1, 0, 50, "Messages 1–50 of 120", []string{"« Newest", "‹ Newer"}},
			{"Oldest »", 3, 100, 120, "Messages 101–120 of 120", []string{"Older ›", "Oldest »"}},
		}
		for _, tt := range tests {
			if tt.follow != "" {
				d = h.page(d.link(tt.follow), http.StatusOK)
			}
			if got, want := d.subjects(), all[tt.lo:tt.hi]; !slices.Equal(got, want) {
				t.Errorf("after %q: subjects %q…, want %q…", tt.follow, got[:min(3, len(got))], want[:3])
			}
			page := text(d.root)
			for _, want := range []string{tt.wantCount, fmt.Sprintf("Page %d of 3", tt.page)} {
				if !strings.Contains(page, want) {
					t.Errorf("after %q: page lacks %q", tt.follow, want)
				}
			}
			for _, l := range tt.noLinks {
				if d.hasLink(l) {
					t.Errorf("after %q: link %q should not be there", tt.follow, l)
				}
			}
		}
		first, _ := h.list(aliceTok, 1)
		for _, tt := range []struct {
			i    int
			want bool
		}{{120, true}, {119, false}, {115, true}} {
			if got := hasClip(first, fillSubject(tt.i, n)); got != tt.want {
				t.Errorf("message %d marked with an attachment: got %v, want %v", tt.i, got, tt.want)
			}
		}
	})
	step("view", func(t *testing.T, h *harness) {
		tests := []struct {
			i        int
			wantFrom string
			wantText []string
			html     bool
			attach   bool
		}{
			{119, "Jürgen Müller 0", []string{"Grüß Gott! äöü € 5", "this is generated message 119."}, false, false},
			{120, "Sender 1", []string{"this is generated message 120."}, false, true},
			{99, "Sender 14", []string{"Message 99"}, true, false},
		}
		for _, tt := range tests {
			t.Run(fmt.Sprint(tt.i), func(t *testing.T) {
				h := h.forT(t)
				d := h.viewOn(aliceTok, fillSubject(tt.i, n))
				hv := headerValues(d)
				if got, want := hv["Subject"], fillSubject(tt.i, n); got != want {
					t.Errorf("Subject: got %q, want %q", got, want)
				}
				if got := hv["From"]; !strings.Contains(got, tt.wantFrom) {
					t.Errorf("From: got %q, want it to hold %q", got, tt.wantFrom)
				}
				body := textBody(d)
				if tt.html {
					frames := d.tag("iframe")
					if len(frames) != 1 {
						t.Fatalf("iframes: got %d, want 1", len(frames))
					}
					body = h.get(attrOf(frames[0], "src")).body
				}
				for _, want := range tt.wantText {
					if !strings.Contains(body, want) {
						t.Errorf("body lacks %q: %q", want, body)
					}
				}
				href := attachmentHref(d, fmt.Sprintf("data-%d.bin", tt.i))
				if (href != "") != tt.attach {
					t.Fatalf("attachment link: got %q, want one: %v", href, tt.attach)
				}
				if href != "" {
					if got := h.get(href).body; got != string(fillAttachment(tt.i)) {
						t.Errorf("attachment: got %d bytes, not the %d filled", len(got), 600)
					}
				}
			})
		}
	})
	blob := []byte{0, 1, 2, 0xff, '\r', '\n', '.', '\n'}
	step("send with Bcc and attachment", func(t *testing.T, h *harness) {
		compose := h.page("/compose?t="+url.QueryEscape(aliceTok), http.StatusOK)
		form := formValues(t, compose, "/send", url.Values{
			"to": {addr(bob)}, "bcc": {addr(carol)}, "subject": {subject},
			"body": {"Hello Bob,\r\n\r\nthe plan is attached.\r\n"},
		})
		res := h.postMultipart("/send", form,
			fileField{"attach", "plan.txt", "text/plain", []byte("step one\nstep two\n")},
			fileField{"attach", "blob.bin", "application/octet-stream", blob})
		if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/sent?") {
			t.Fatalf("status %d to %q, want 303 to /sent\n%s", res.status, res.header.Get("Location"), res.body)
		}
		env.Drain(t)
	})
	step("delivered to To and Bcc", func(t *testing.T, h *harness) {
		for _, user := range []string{bob, carol} {
			t.Run(user, func(t *testing.T) {
				h := h.forT(t)
				d := h.viewOn(h.loginAs(user, realPass, ""), subject)
				hv := headerValues(d)
				if hv["From"] != addr(alice) || hv["To"] != addr(bob) || hv["Cc"] != "" {
					t.Errorf("headers: got From %q To %q Cc %q", hv["From"], hv["To"], hv["Cc"])
				}
				if !strings.Contains(textBody(d), "the plan is attached.") {
					t.Errorf("body: got %q", textBody(d))
				}
				if href := attachmentHref(d, "plan.txt"); href == "" || h.get(href).body != "step one\nstep two\n" {
					t.Errorf("plan.txt: link %q or content wrong", href)
				}
				raw := h.source(d)
				if strings.Contains(headerSection(raw), "\nbcc:") {
					t.Errorf("the delivered message has a Bcc header:\n%s", headerSection(raw))
				}
				m := readSent(t, nil, raw)
				if got := m.attachments["blob.bin"]; got != string(blob) {
					t.Errorf("blob.bin: got %q, want %q", got, blob)
				}
				origID = m.header.Get("Message-Id")
			})
		}
		if origID == "" {
			t.Fatal("the delivered message has no Message-ID")
		}
	})
	step("reply", func(t *testing.T, h *harness) {
		view := h.viewOn(bobTok, subject)
		compose := h.page(view.link("Reply"), http.StatusOK)
		for field, want := range map[string]string{"subject": "Re: " + subject, "to": addr(alice), "inreplyto": origID} {
			if got := compose.field(field); got != want {
				t.Errorf("%s: got %q, want %q", field, got, want)
			}
		}
		body := compose.field("body")
		if !strings.Contains(body, "\n> the plan is attached.\n") {
			t.Errorf("the reply does not quote the original: %q", body)
		}
		form := formValues(t, compose, "/send", url.Values{"body": {"Sounds good.\n" + body}})
		if res := h.postMultipart("/send", form); res.status != http.StatusSeeOther {
			t.Fatalf("send: status %d\n%s", res.status, res.body)
		}
		env.Drain(t)

		list, _ := h.list(aliceTok, 1)
		if got := list.subjects(); len(got) == 0 || got[0] != "Re: "+subject {
			t.Fatalf("alice's newest: got %q, want %q", got[:min(1, len(got))], "Re: "+subject)
		}
		d := h.page(list.viewLink("Re: "+subject), http.StatusOK)
		m := readSent(t, nil, h.source(d))
		if got := m.header.Get("In-Reply-To"); got != origID {
			t.Errorf("In-Reply-To: got %q, want %q", got, origID)
		}
		if got := m.header.Get("References"); !strings.Contains(got, origID) {
			t.Errorf("References: got %q, want it to hold %q", got, origID)
		}
		if text := strings.ReplaceAll(m.text, "\r\n", "\n"); !strings.Contains(text, "Sounds good.\n") ||
			!strings.Contains(text, "\n> the plan is attached.\n") {
			t.Errorf("reply text: got %q", text)
		}
		again := h.page(d.link("Reply"), http.StatusOK)
		if got := again.field("subject"); got != "Re: "+subject {
			t.Errorf("replying to the reply: subject %q, want %q", got, "Re: "+subject)
		}
	})
	step("forward with attachment", func(t *testing.T, h *harness) {
		orig := fillSubject(120, n)
		compose := h.page(h.viewOn(aliceTok, orig).link("Forward"), http.StatusOK)
		if got := compose.field("subject"); got != "Fwd: "+orig {
			t.Errorf("subject: got %q, want %q", got, "Fwd: "+orig)
		}
		form := formValues(t, compose, "/send", url.Values{"to": {addr(bob)}})
		if got := form["fwdpart"]; len(got) != 1 {
			t.Fatalf("forwarded parts offered and checked: got %q, want one", got)
		}
		if res := h.postMultipart("/send", form); res.status != http.StatusSeeOther {
			t.Fatalf("send: status %d\n%s", res.status, res.body)
		}
		env.Drain(t)

		d := h.viewOn(bobTok, "Fwd: "+orig)
		href := attachmentHref(d, "data-120.bin")
		if href == "" {
			t.Fatal("the forward has no data-120.bin")
		}
		if got := h.get(href).body; got != string(fillAttachment(120)) {
			t.Errorf("data-120.bin: got %d bytes, not the original's", len(got))
		}
		m := readSent(t, nil, h.source(d))
		if got := m.attachments["data-120.bin"]; got != string(fillAttachment(120)) {
			t.Errorf(".eml data-120.bin: got %d bytes, not the original's", len(got))
		}
		for _, want := range []string{"---------- Forwarded message ----------", "this is generated message 120."} {
			if !strings.Contains(m.text, want) {
				t.Errorf("forward text lacks %q: %q", want, m.text)
			}
		}
	})
	step("delete", func(t *testing.T, h *harness) {
		view := h.viewOn(aliceTok, fillSubject(118, n))
		res := h.deleteConfirmed(formValues(t, view, "/delete", nil))
		if got := deletedNames(t, res); !slices.Equal(got, []string{fillSubject(118, n)}) {
			t.Errorf("deleted from the view: got %q", got)
		}
		list, _ := h.list(aliceTok, 1)
		pick := []string{fillSubject(117, n), fillSubject(110, n), fillSubject(95, n)}
		res = h.deleteConfirmed(url.Values{"t": {list.token()}, "page": {"1"}, "m": refsFor(t, list, pick...)})
		if got := deletedNames(t, res); !slices.Equal(got, pick) {
			t.Errorf("deleted from the list: got %q, want %q", got, pick)
		}
		want := append([]string{"Re: " + subject}, fillSubjects(n, 118, 117, 110, 95)...)
		if got := boxSubjects(t, env, alice); !slices.Equal(got, want) {
			t.Errorf("alice's mailbox: got %d messages, want %d; first %q", len(got), len(want), got[:min(5, len(got))])
		}
		list, _ = h.list(aliceTok, 1)
		if got := text(list.root); !strings.Contains(got, "Messages 1–50 of 117") {
			t.Error("the list does not say 1–50 of 117")
		}
		if got, want := boxSubjects(t, env, bob), []string{"Fwd: " + fillSubject(120, n), subject}; !slices.Equal(got, want) {
			t.Errorf("bob's mailbox: got %q, want %q", got, want)
		}
		if got := boxSubjects(t, env, carol); !slices.Equal(got, []string{subject}) {
			t.Errorf("carol's mailbox: got %q, want %q", got, []string{subject})
		}
	})
}

// TestRealPOP3S: login, list and view over implicit TLS, logging in by
// name and by address.
func TestRealPOP3S(t *testing.T) {
	env := mailstack.Require(t)
	t.Parallel()
	user := realUser(t, env, "webreal4")
	const n = 12
	env.Fill(t, user, n)
	site := newRealHarness(t, env, realServer(env, env.POP3S, mailtools.SecurityTLS))
	for _, login := range []string{user, user + "@" + env.Domain} {
		t.Run(login, func(t *testing.T) {
			h := site.forT(t)
			tok := h.loginAs(login, realPass, "")
			list, _ := h.list(tok, 1)
			if got := list.subjects(); !slices.Equal(got, fillSubjects(n)) {
				t.Errorf("list: got %q", got)
			}
			if !strings.Contains(text(list.root), "Messages 1–12 of 12") {
				t.Error("the list does not say 1–12 of 12")
			}
			d := h.page(list.viewLink(fillSubject(10, n)), http.StatusOK)
			if got := headerValues(d)["Subject"]; got != fillSubject(10, n) {
				t.Errorf("Subject: got %q", got)
			}
			if !strings.Contains(textBody(d), "this is generated message 10.") {
				t.Errorf("body: got %q", textBody(d))
			}
			if href := attachmentHref(d, "data-10.bin"); href == "" || h.get(href).body != string(fillAttachment(10)) {
				t.Errorf("data-10.bin: link %q or content wrong", href)
			}
		})
	}
}
