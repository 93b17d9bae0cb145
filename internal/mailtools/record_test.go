package mailtools

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"gomailcgi/internal/devmail"
	"gomailcgi/internal/record"
	"gomailcgi/internal/testing/testtls"
)

// transcript flattens a record: "C: " for a write (its lines joined by
// " | ", a message body by its size), "S: " for a reply, "N: " for a
// note, named as below with its values.
func transcript(rec *record.Recorder) []string {
	entries, _ := rec.Entries()
	var out []string
	for _, e := range entries {
		switch e.Kind {
		case record.Write:
			if e.Data {
				out = append(out, fmt.Sprintf("C: (%d bytes of message, then .)", e.Bytes))
				continue
			}
			out = append(out, "C: "+strings.Join(e.Lines, " | "))
		case record.Reply:
			out = append(out, "S: "+e.Text)
		case record.Note:
			f := e.Facts
			out = append(out, fmt.Sprintf("N: %s num=%d at=%d count=%d want=%s got=%s", saidNames[e.Said], f.Num, f.At, f.Count, f.Want, f.Got))
		}
	}
	return out
}

var saidNames = map[record.Said]string{
	record.TLS: "TLS", record.UIDLSame: "UIDLSame", record.UIDLNone: "UIDLNone", record.UIDLOther: "UIDLOther",
	record.UIDLPast: "UIDLPast", record.UIDLMoved: "UIDLMoved", record.UIDLGone: "UIDLGone",
	record.PrintPast: "PrintPast", record.PrintSame: "PrintSame", record.PrintRefused: "PrintRefused", record.PrintOther: "PrintOther",
}

func TestRecordOfAPOPRequest(t *testing.T) {
	const password = "Tr0ub4dor-secret"
	srv, err := devmail.Start(devmail.Config{Users: map[string]string{"ann": password}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	for i := 1; i <= 5; i++ {
		srv.Mailbox("ann").Add(numbered(i))
	}
	pop := &POP{Server: Server{Addr: srv.POPAddr(), Security: SecurityInsecure}}
	cred := Credentials{User: "ann", Password: password}

	// The list page's request.
	rec := record.New()
	ctx := record.With(context.Background(), rec)
	s, err := pop.Dial(ctx, cred)
	if err != nil {
		t.Fatal(err)
	}
	l, err := s.List(ctx, 0, 5)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	got := transcript(rec)
	want := []string{
		"S: +OK",
		"C: CAPA",
		"S: +OK",
		"C: USER ann | PASS •••• | STAT | CAPA", // pipelined: one write
		"S: +OK",
		"S: +OK",
		"S: +OK 5",
		"S: +OK",
	}
	if len(got) < len(want)+2 {
		t.Fatalf("record too short:\n%s", strings.Join(got, "\n"))
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w) {
			t.Errorf("entry %d = %q, want it to start %q", i, got[i], w)
		}
	}
	if last := got[len(got)-1]; last != "C: QUIT" {
		t.Errorf("last entry %q, want C: QUIT", last)
	}
	if w := got[len(want)]; !strings.Contains(w, "UIDL 5 | LIST 5 | TOP 5 0 | UIDL 4") {
		t.Errorf("the list's write is %q, want the rows' commands in one write", w)
	}

	// Another client deletes message 2; the view of message 4 finds it
	// at 3, and says so.
	srv.Mailbox("ann").Delete(srv.Mailbox("ann").UIDs()[1])
	var four Ref
	for _, m := range l.Messages {
		if m.Ref.Num == 4 {
			four = m.Ref
		}
	}
	rec = record.New()
	ctx = record.With(context.Background(), rec)
	s, err = pop.Dial(ctx, cred)
	if err != nil {
		t.Fatal(err)
	}
	st, _, _, err := s.OpenAround(ctx, four)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, st)
	s.Close()
	text := strings.Join(transcript(rec), "\n")
	uid := four.ID[1:]
	for _, w := range []string{
		"N: UIDLOther num=4 at=0 count=0 want=" + uid + " got=",
		"N: UIDLMoved num=0 at=3 count=0 want=" + uid + " got=\n",
	} {
		if !strings.Contains(text, w) {
			t.Errorf("the record does not say %q:\n%s", w, text)
		}
	}
	if strings.Contains(text, password) {
		t.Errorf("the password is in the record:\n%s", text)
	}
}

func TestRecordSameMessageInWords(t *testing.T) {
	_, pop := startDevmail(t, false, 3)
	rows := listAll(t, pop)
	rec := record.New()
	ctx := record.With(context.Background(), rec)
	s, err := pop.Dial(ctx, Credentials{"ann", "pw"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := fetchAll(ctx, s, rows[1].Ref); err != nil {
		t.Fatal(err)
	}
	uid := rows[1].Ref.ID[1:]
	want := "N: UIDLSame num=2 at=0 count=0 want=" + uid + " got=" + uid + "\n"
	if text := strings.Join(transcript(rec), "\n"); !strings.Contains(text, want) {
		t.Errorf("the record does not say %q:\n%s", want, text)
	}
}

func TestRecordOfASend(t *testing.T) {
	serverTLS, clientTLS := testtls.New(t)
	okTail := []string{"250 2.1.0 ok", "250 2.1.5 ok", "250 2.1.5 ok", "250 2.1.5 ok", "354 go ahead", "250 2.0.0 queued", "221 bye"}
	for _, c := range []struct {
		name     string
		sec      Security
		implicit bool
		replies  []string
		want     []string
	}{
		{
			name:    "insecure",
			sec:     SecurityInsecure,
			replies: append([]string{smtpGreeting, "250-fake.example\r\n250 AUTH PLAIN", "235 2.7.0 ok"}, okTail...),
			want:    []string{"S: " + smtpGreeting, "C: EHLO client.example", "S: 250-fake.example", "C: AUTH PLAIN ••••", "S: 235 2.7.0 ok"},
		},
		{
			name: "starttls",
			sec:  SecuritySTARTTLS,
			replies: append([]string{smtpGreeting, "250-fake.example\r\n250 STARTTLS", "220 2.0.0 ready",
				smtpEHLOAuth, "235 2.7.0 ok"}, okTail...),
			want: []string{"S: " + smtpGreeting, "C: EHLO localhost", "S: 250-fake.example", "C: STARTTLS", "S: 220 2.0.0 ready",
				"N: TLS num=0 at=0 count=0 want= got=",
				"C: EHLO client.example", "S: 250-fake.example", "C: AUTH PLAIN ••••", "S: 235 2.7.0 ok"},
		},
		{
			name:     "implicit tls",
			sec:      SecurityTLS,
			implicit: true,
			replies:  append([]string{smtpGreeting, smtpEHLOAuth, "235 2.7.0 ok"}, okTail...),
			want:     []string{"S: " + smtpGreeting, "C: EHLO client.example", "S: 250-fake.example", "C: AUTH PLAIN ••••", "S: 235 2.7.0 ok"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeSMTP(t, serverTLS, c.implicit, c.replies...)
			rec := record.New()
			ctx := record.With(context.Background(), rec)
			if _, err := sendWithin(t, ctx, testSMTP(f.addr(), c.sec, clientTLS), smtpCred, sendOutgoing()); err != nil {
				t.Fatalf("Send: %v", err)
			}
			raw, _ := f.message()
			tail := []string{
				"C: MAIL FROM:<ann@example.org>", "S: 250 2.1.0 ok",
				"C: RCPT TO:<bob@example.net>", "S: 250 2.1.5 ok",
				"C: RCPT TO:<carol@example.com>", "S: 250 2.1.5 ok",
				"C: RCPT TO:<dave@example.com>", "S: 250 2.1.5 ok",
				"C: DATA", "S: 354 go ahead",
				"C: (" + strconv.Itoa(len(raw)) + " bytes of message, then .)", "S: 250 2.0.0 queued",
				"C: QUIT", "S: 221 bye",
			}
			got := transcript(rec)
			checkCommands(t, got, append(c.want, tail...))
			for _, line := range got {
				if strings.Contains(line, "AHVzZXIAcGFzcw") || strings.Contains(line, "Hi Bob") {
					t.Errorf("a secret or the body is in the record: %q", line)
				}
			}
		})
	}
}

// Without UIDL the check is by header fingerprint, in the record too.
func TestRecordFingerprintCheckInWords(t *testing.T) {
	srv, pop := startDevmail(t, true, 3)
	rows := listAll(t, pop)
	srv.Mailbox("ann").Delete(srv.Mailbox("ann").UIDs()[0]) // message 1: 2 and 3 move down
	for _, c := range []struct {
		row  int
		want string
	}{
		{1, "N: PrintOther num=2 at=0 count=0 want="}, // another message is at 2 now
		{2, "N: PrintPast num=3 at=0 count=2 want="},
	} {
		rec := record.New()
		ctx := record.With(context.Background(), rec)
		s, err := pop.Dial(ctx, Credentials{"ann", "pw"})
		if err != nil {
			t.Fatal(err)
		}
		ref := rows[c.row].Ref
		if _, err := s.Open(ctx, ref); !errors.Is(err, ErrInboxChanged) {
			t.Errorf("Open %v: %v, want ErrInboxChanged", ref, err)
		}
		s.Close()
		text := strings.Join(transcript(rec), "\n")
		if want := c.want + ref.ID[:13] + "…"; !strings.Contains(text, want) {
			t.Errorf("the record does not say %q:\n%s", want, text)
		}
	}
}
