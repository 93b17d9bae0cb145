package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/testing/mailstack"
)

// TestRealAnotherClientDeletes: another POP client deletes message 3 of 6
// between the list and a view or delete. With UIDL the site finds moved
// messages; through the relay that hides UIDL it must refuse (409) rather
// than show or delete the wrong message. The mailbox is checked afterwards.
func TestRealAnotherClientDeletes(t *testing.T) {
	env := mailstack.Require(t)
	t.Parallel()
	type outcome struct {
		status int
		alert  []string // fragments of the alert, any case
		gone   []int    // deleted by the site
	}
	var (
		shown   = outcome{status: http.StatusOK}
		gone    = outcome{http.StatusGone, []string{"no longer on the server"}, nil}
		changed = outcome{http.StatusConflict, []string{"inbox changed"}, nil}
		goneDel = outcome{http.StatusGone, []string{"no longer on the server", "nothing was deleted"}, nil}
		chDel   = outcome{http.StatusConflict, []string{"inbox changed", "nothing was deleted"}, nil}
		multi   = func(status int) outcome {
			return outcome{status, []string{"no longer where the list showed it", "nothing was deleted"}, nil}
		}
	)
	tests := []struct {
		name         string
		del          bool  // delete, else view
		pick         []int // messages of the list acted on
		uidl, noUIDL outcome
	}{
		{"view the deleted message", false, []int{3}, gone, changed},
		{"view a message that moved", false, []int{5}, shown, changed},
		{"view a message that stayed", false, []int{2}, shown, shown},
		{"delete a message that moved", true, []int{5}, outcome{http.StatusOK, nil, []int{5}}, chDel},
		{"delete the deleted message", true, []int{3}, goneDel, chDel},
		{"delete two, one moved", true, []int{2, 5}, outcome{http.StatusOK, nil, []int{2, 5}}, multi(http.StatusConflict)},
		{"delete two, one deleted", true, []int{5, 3}, multi(http.StatusGone), multi(http.StatusConflict)},
	}
	const n = 6
	variants := []struct {
		name, user, addr, idPrefix string
	}{
		{"UIDL", "webreal5", env.POP3, "u"},
		{"no UIDL", "webreal6", env.POP3NoUIDL, "h"},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			realUser(t, env, v.user)
			site := newRealHarness(t, env, realServer(env, v.addr, mailtools.SecuritySTARTTLS))
			tok := site.forT(t).loginAs(v.user, realPass, "")
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					h := site.forT(t)
					want := tt.uidl
					if v.idPrefix == "h" {
						want = tt.noUIDL
					}
					env.Fill(t, v.user, n)
					list, _ := h.list(tok, 1)
					var refs []string
					for _, i := range tt.pick {
						refs = append(refs, refOf(t, list.viewLink(fillSubject(i, n))))
					}
					if _, id, _ := strings.Cut(refs[0], "."); !strings.HasPrefix(id, v.idPrefix) {
						t.Fatalf("reference %q: want a fingerprint starting %q", refs[0], v.idPrefix)
					}
					otherClientDeletes(t, env, v.user, fillSubject(3, n))

					var res response
					if tt.del {
						res = h.deleteConfirmed(url.Values{"t": {list.token()}, "page": {"1"}, "m": refs})
					} else {
						res = h.get(list.viewLink(fillSubject(tt.pick[0], n)))
					}
					if res.status != want.status {
						t.Fatalf("status %d, want %d\n%s", res.status, want.status, res.body)
					}
					d := parseDoc(t, res.body)
					for _, frag := range want.alert {
						if !strings.Contains(strings.ToLower(d.alert()), frag) {
							t.Errorf("alert %q lacks %q", d.alert(), frag)
						}
					}
					left := fillSubjects(n, append([]int{3}, want.gone...)...)
					switch {
					case want.status != http.StatusOK:
						if got := d.subjects(); !slices.Equal(got, left) {
							t.Errorf("reloaded list: got %q, want %q", got, left)
						}
					case !tt.del:
						if got := headerValues(d)["Subject"]; got != fillSubject(tt.pick[0], n) {
							t.Errorf("shown: got %q, want %q", got, fillSubject(tt.pick[0], n))
						}
					}
					if got := boxSubjects(t, env, v.user); !slices.Equal(got, left) {
						t.Errorf("mailbox afterwards: got %q, want %q", got, left)
					}
				})
			}
		})
	}
}

// TestRealSendRefused: Postfix refuses a recipient; the compose form comes
// back as typed with the refusal explained, and nobody gets the message.
func TestRealSendRefused(t *testing.T) {
	env := mailstack.Require(t)
	t.Parallel()
	sender, local := realUser(t, env, "webreal7"), realUser(t, env, "webreal8")
	h := newRealHarness(t, env, realServer(env, env.POP3, mailtools.SecuritySTARTTLS))
	tok := h.loginAs(sender, realPass, "")
	tests := []struct {
		name, to  string
		wantAlert []string
	}{
		{"relay to another domain", "someone@elsewhere.example", []string{"554", "Relay access denied", "someone@elsewhere.example"}},
		{"a local and a foreign recipient", local + "@" + env.Domain + ", someone@elsewhere.example", []string{"554", "Relay access denied"}},
		{"unknown local user", "nosuchwebreal@" + env.Domain, []string{"550", "nosuchwebreal@" + env.Domain}},
	}
	const body = "Dear someone,\n\nthis must not leave the machine.\n"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := h.forT(t)
			compose := h.page("/compose?t="+url.QueryEscape(tok), http.StatusOK)
			subject := "Refused: " + tt.name
			form := formValues(t, compose, "/send", url.Values{"to": {tt.to}, "subject": {subject}, "body": {strings.ReplaceAll(body, "\n", "\r\n")}})
			res := h.postMultipart("/send", form, fileField{"attach", "note.txt", "text/plain", []byte("note")})
			if res.status != http.StatusBadGateway {
				t.Fatalf("status %d, want 502\n%s", res.status, res.body)
			}
			d := parseDoc(t, res.body)
			for _, want := range append(tt.wantAlert, "refused", "Nothing was sent", "must be chosen again") {
				if !strings.Contains(d.alert(), want) {
					t.Errorf("alert %q lacks %q", d.alert(), want)
				}
			}
			for field, want := range map[string]string{"to": tt.to, "subject": subject, "body": body} {
				if got := d.field(field); got != want {
					t.Errorf("%s: got %q, want %q", field, got, want)
				}
			}
		})
	}
	env.Drain(t)
	if got := boxSubjects(t, env, local); len(got) != 0 {
		t.Errorf("%s received %q, want nothing", local, got)
	}
}
