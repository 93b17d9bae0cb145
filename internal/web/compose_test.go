package web

import (
	"net/http"
	"strings"
	"testing"
)

// composeFor opens the compose form from a message's view page.
func composeFor(t *testing.T, h *harness, tok, subject, action string) *doc {
	t.Helper()
	list, _ := h.list(tok, 1)
	view := parseDoc(t, h.get(list.viewLink(subject)).body)
	res := h.get(view.link(action))
	if res.status != http.StatusOK {
		t.Fatalf("%s: status %d\n%s", action, res.status, res.body)
	}
	return parseDoc(t, res.body)
}

func TestComposePrefill(t *testing.T) {
	h := newHarness(t)
	h.addMail(bobUser, "Re: RE: re: Plans", "Shall we meet?\r\n\r\n> earlier words",
		"Cc: Dave <dave@example.com>, Bob Again <BOB@example.org>, Erin Example <erin@example.net>",
		"Reply-To: Erin at home <erin@home.example>",
		"To: Bob <bob@example.org>, \"Lee, Carol\" <carol@example.com>")
	tok := h.loginAs(bobUser, bobPass, "")
	const subject = "Re: RE: re: Plans"

	tests := []struct {
		action                string
		wantTo, wantCc        string
		wantSubject           string
		wantBodyParts         []string
		wantInReplyTo, wantFw string
	}{
		{
			action:      "Reply",
			wantTo:      `Erin at home <erin@home.example>`,
			wantSubject: "Re: Plans",
			wantBodyParts: []string{
				"\n\nOn Fri, 27 Mar 2026 at 10:00, Erin Example wrote:\n",
				"> Shall we meet?\n>\n>> earlier words\n",
			},
			wantInReplyTo: "<Re:.RE:.re:.Plans@example.net>",
		},
		{
			action:        "Reply all",
			wantTo:        `Erin at home <erin@home.example>`,
			wantCc:        `"Lee, Carol" <carol@example.com>, Dave <dave@example.com>, Erin Example <erin@example.net>`,
			wantSubject:   "Re: Plans",
			wantBodyParts: []string{"> Shall we meet?"},
			wantInReplyTo: "<Re:.RE:.re:.Plans@example.net>",
		},
		{
			action:      "Forward",
			wantSubject: "Fwd: Re: RE: re: Plans",
			wantBodyParts: []string{
				"---------- Forwarded message ----------\nFrom: Erin Example <erin@example.net>\n",
				"Subject: Re: RE: re: Plans\n",
				"\nShall we meet?\n\n> earlier words\n",
			},
			wantFw: "1.u",
		},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			d := composeFor(t, h, tok, subject, tt.action)
			for _, f := range []struct{ name, got, want string }{
				{"to", d.field("to"), tt.wantTo},
				{"cc", d.field("cc"), tt.wantCc},
				{"bcc", d.field("bcc"), ""},
				{"subject", d.field("subject"), tt.wantSubject},
				{"inreplyto", d.field("inreplyto"), tt.wantInReplyTo},
			} {
				if f.got != f.want {
					t.Errorf("%s: got %q, want %q", f.name, f.got, f.want)
				}
			}
			if got := d.field("fwd"); !strings.HasPrefix(got, tt.wantFw) || (tt.wantFw == "") != (got == "") {
				t.Errorf("fwd: got %q, want it to start %q", got, tt.wantFw)
			}
			body := d.field("body")
			for _, want := range tt.wantBodyParts {
				if !strings.Contains(body, want) {
					t.Errorf("body lacks %q; body:\n%s", want, body)
				}
			}
		})
	}
}

func TestComposeForwardOffersAttachments(t *testing.T) {
	h := newHarness(t)
	tok := h.login()
	d := composeFor(t, h, tok, "Your checklist and a list of pages (2 attachments)", "Forward")
	boxes := d.inputs("fwdpart")
	if len(boxes) != 2 {
		t.Fatalf("forward checkboxes: got %d, want 2", len(boxes))
	}
	for _, b := range boxes {
		if _, checked := attr(b, "checked"); !checked {
			t.Errorf("forward checkbox %q is not ticked", attrOf(b, "value"))
		}
	}
	if got := d.field("subject"); got != "Fwd: Your checklist and a list of pages (2 attachments)" {
		t.Errorf("subject: got %q", got)
	}
}

func TestComposeOriginalGone(t *testing.T) {
	h := newHarness(t)
	uidA := h.addMail(bobUser, "Alpha", "a")
	h.addMail(bobUser, "Beta", "b")
	tok := h.loginAs(bobUser, bobPass, "")
	list, _ := h.list(tok, 1)
	view := parseDoc(t, h.get(list.viewLink("Alpha")).body)
	h.mail.Mailbox(bobUser).Delete(uidA)
	res := h.get(view.link("Reply"))
	if res.status != http.StatusGone {
		t.Fatalf("status %d, want 410", res.status)
	}
	d := parseDoc(t, res.body)
	if got := d.subjects(); len(got) != 1 || got[0] != "Beta" {
		t.Errorf("reloaded list: got %q, want [Beta]", got)
	}
	if !strings.Contains(d.alert(), "no longer on the server") {
		t.Errorf("alert: got %q", d.alert())
	}
}
