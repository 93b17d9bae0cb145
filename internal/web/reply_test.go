package web

import (
	"strings"
	"testing"
	"time"

	"gomailcgi/internal/mailmsg"
)

func TestReplySubject(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Hello", "Re: Hello"},
		{"Re: Hello", "Re: Hello"},
		{"RE: re:Re:  Hello", "Re: Hello"},
		{"  Hello  ", "Re: Hello"},
		{"", "Re: "},
		{"Reply needed", "Re: Reply needed"},
		{"Fwd: Hello", "Re: Fwd: Hello"},
	}
	for _, tt := range tests {
		if got := replySubject(tt.in); got != tt.want {
			t.Errorf("replySubject(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestForwardSubject(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Hello", "Fwd: Hello"},
		{"Fwd: Hello", "Fwd: Hello"},
		{"FW: Hello", "FW: Hello"},
		{"Re: Hello", "Fwd: Re: Hello"},
	}
	for _, tt := range tests {
		if got := forwardSubject(tt.in); got != tt.want {
			t.Errorf("forwardSubject(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestQuote(t *testing.T) {
	got := quote("On X, Y wrote:", "one\r\n\r\n> two\nthree\n\n")
	want := "On X, Y wrote:\n> one\n>\n>> two\n> three\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestAttribution(t *testing.T) {
	env := mailmsg.Envelope{
		From: []mailmsg.Address{{Name: "Ann Lee", Addr: "ann@example.org"}},
		Date: time.Date(2026, 3, 5, 9, 7, 0, 0, time.FixedZone("", 3600)),
	}
	// The sender wrote at 09:07 +0100; the reply says when in the site's
	// zone, as the view showed it.
	if got, want := attribution(english(t), env, time.UTC), "On Thu, 5 Mar 2026 at 08:07, Ann Lee wrote:"; got != want {
		t.Errorf("UTC: got %q, want %q", got, want)
	}
	tokyo := time.FixedZone("JST", 9*3600)
	if got, want := attribution(english(t), env, tokyo), "On Thu, 5 Mar 2026 at 17:07, Ann Lee wrote:"; got != want {
		t.Errorf("+0900: got %q, want %q", got, want)
	}
	env.Date = time.Time{}
	env.From[0].Name = ""
	if got, want := attribution(english(t), env, time.UTC), "ann@example.org wrote:"; got != want {
		t.Errorf("no date: got %q, want %q", got, want)
	}
}

func TestReplyAllCc(t *testing.T) {
	a := func(name, addr string) mailmsg.Address { return mailmsg.Address{Name: name, Addr: addr} }
	env := mailmsg.Envelope{
		From: []mailmsg.Address{a("Erin", "erin@example.net")},
		To:   []mailmsg.Address{a("Me", "Me@Example.org"), a("Carol", "carol@example.com")},
		Cc:   []mailmsg.Address{a("", "dave@example.com"), a("Carol again", "CAROL@example.com"), a("", "erin@example.net"), a("me", "me")},
	}
	got := addressField(replyAllCc(env, replyTo(env), "me@example.org", "me"))
	want := `Carol <carol@example.com>, dave@example.com`
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestAddressFieldParsesBack(t *testing.T) {
	list := []mailmsg.Address{{Name: "Lee, Ann", Addr: "ann@example.org"}, {Name: "Jürgen", Addr: "j@example.de"}, {Addr: "x@y.example"}}
	back, err := mailmsg.ParseAddressList(addressField(list))
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != len(list) {
		t.Fatalf("got %d addresses, want %d", len(back), len(list))
	}
	for i := range list {
		if back[i] != list[i] {
			t.Errorf("address %d: got %+v, want %+v", i, back[i], list[i])
		}
	}
}

// A reply quotes the start of a long text in whole lines, and says so;
// also when the text is short only because the rest was never read.
func TestQuotable(t *testing.T) {
	const rest = "[…the rest of the original is not included here]\n"
	long := strings.Repeat("0123456789abcde\n", maxQuoted/16+10)
	for _, c := range []struct {
		name, text string
		more       bool
		want       string
	}{
		{"short", "hello\n", false, "hello\n"},
		{"short, the rest unread", "hello\n", true, "hello\n" + rest},
		{"cut mid-line, the rest unread", "hello\nwor", true, "hello\n" + rest},
		{"long", long, false, long[:maxQuoted] + rest},
		{"long, the rest unread", long, true, long[:maxQuoted] + rest},
	} {
		if got := quotable(english(t), c.text, c.more); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got[max(0, len(got)-80):], c.want[max(0, len(c.want)-80):])
		}
	}
}

// TestMailWordsInLanguages: what a reply and a forward write into the
// mail is in the writer's language, the date in its conventions; the
// subject prefixes stay Re: and Fwd:.
func TestMailWordsInLanguages(t *testing.T) {
	set := testLocales(t)
	env := mailmsg.Envelope{
		From:    []mailmsg.Address{{Name: "Ann Lee", Addr: "ann@example.org"}},
		To:      []mailmsg.Address{{Addr: "bob@example.org"}},
		Subject: "Plans",
		Date:    time.Date(2026, 3, 5, 9, 7, 0, 0, time.UTC),
	}
	for _, tc := range []struct {
		lang, attribution string
		block             []string
	}{
		{"de", "Am Do., 5. März 2026 um 09:07 schrieb Ann Lee:",
			[]string{"---------- Weitergeleitete Nachricht ----------", "Von: Ann Lee <ann@example.org>", "Betreff: Plans", "An: bob@example.org"}},
		{"fr", "Le jeu. 5 mars 2026 à 09:07, Ann Lee a écrit\u00a0:",
			[]string{"---------- Message transféré ----------", "De\u00a0: Ann Lee <ann@example.org>", "Objet\u00a0: Plans"}},
		{"ja", "2026年3月5日(木) 09:07、Ann Lee さんは書きました:",
			[]string{"---------- 転送メッセージ ----------", "差出人: Ann Lee <ann@example.org>", "件名: Plans"}},
		{"ar", "في الخميس، ٥ مارس ٢٠٢٦ الساعة ٠٩:٠٧، كتب Ann Lee:",
			[]string{"---------- رسالة مُعاد توجيهها ----------", "من: Ann Lee <ann@example.org>"}},
	} {
		l, ok := set.Lookup(tc.lang)
		if !ok {
			t.Errorf("%s is not offered", tc.lang)
			continue
		}
		if got := attribution(l, env, time.UTC); got != tc.attribution {
			t.Errorf("%s: attribution %q, want %q", tc.lang, got, tc.attribution)
		}
		block := forwardedBlock(l, env, "text\n")
		for _, line := range tc.block {
			if !strings.Contains(block, line+"\n") {
				t.Errorf("%s: the forwarded block lacks %q:\n%s", tc.lang, line, block)
			}
		}
	}
	if got := replySubject("Plans"); got != "Re: Plans" {
		t.Errorf("replySubject: %q", got)
	}
	if got := forwardSubject("Plans"); got != "Fwd: Plans" {
		t.Errorf("forwardSubject: %q", got)
	}
}
