package record

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// fixed returns a Recorder whose clock moves 2ms per reading.
func fixed() *Recorder {
	r := New()
	t := time.Unix(0, 0)
	r.now = func() time.Time { t = t.Add(2 * time.Millisecond); return t }
	return r
}

func TestNilRecorderRecordsNothingAndAllocatesNothing(t *testing.T) {
	ctx := context.Background()
	line := []byte("PASS secret\r\n")
	allocs := testing.AllocsPerRun(100, func() {
		r := From(ctx)
		r.POPWrite(line)
		r.POPReply("+OK")
		r.SMTPClient(line)
		r.SMTPServer(line)
		r.SMTPEither(line)
		r.Note("POP3", UIDLSame, Facts{Num: 1, Want: "a", Got: "a"})
		r.SMTPNote(TLS)
		r.Field("body", 12, false)
	})
	if allocs != 0 {
		t.Errorf("a nil recorder allocated %v times per run, want 0", allocs)
	}
	if e, n := From(ctx).Entries(); e != nil || n != 0 {
		t.Errorf("nil recorder has entries %v, %d", e, n)
	}
}

func TestWithAndFrom(t *testing.T) {
	r := New()
	if got := From(With(context.Background(), r)); got != r {
		t.Errorf("From(With(r)) = %p, want %p", got, r)
	}
}

func TestPOPPipelinedWriteIsOneEntry(t *testing.T) {
	r := fixed()
	r.POPReply("+OK ready")
	r.POPWrite([]byte("USER ann\r\nPASS s3cret pass\r\nSTAT\r\nCAPA\r\n"))
	r.POPReply("+OK")
	r.POPReply("+OK logged in")
	got, _ := r.Entries()
	if len(got) != 4 {
		t.Fatalf("got %d entries, want 4: %+v", len(got), got)
	}
	w := got[1]
	if w.Kind != Write || strings.Join(w.Lines, "|") != "USER ann|PASS ••••|STAT|CAPA" {
		t.Errorf("write = %+v, want the four lines with PASS hidden", w)
	}
	if got[2].Kind != Reply || got[2].Text != "+OK" || got[2].Took != 2*time.Millisecond {
		t.Errorf("reply = %+v, want +OK after 2ms", got[2])
	}
}

func TestPOPRedaction(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"PASS hunter2", "PASS ••••"},
		{"pass hunter2 with spaces", "pass ••••"},
		{"PASS", "PASS ••••"},
		{"APOP ann 0123456789abcdef", "APOP ann ••••"},
		{"AUTH PLAIN AGFubgBodW50ZXIy", "AUTH PLAIN ••••"},
		{"AUTH", "AUTH"},
		{"RETR 7", "RETR 7"},
		{"USER ann", "USER ann"},
	} {
		if got := redactPOP(tc.in); got != tc.want {
			t.Errorf("redactPOP(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSMTPConversation(t *testing.T) {
	body := "Subject: hunter2\r\n\r\nthe password is hunter2\r\n..dot-stuffed\r\n"
	r := fixed()
	server := func(s string) { r.SMTPServer([]byte(s)) }
	client := func(s string) { r.SMTPClient([]byte(s)) }
	server("220 mx ready\r\n")
	client("EHLO localhost\r\n")
	server("250-mx\r\n250-AUTH PLAIN LOGIN\r\n250 SIZE 100\r\n")
	client("AUTH LOGIN\r\n")
	server("334 VXNlcm5hbWU6\r\n")
	client("YW5u\r\n")
	server("334 UGFzc3dvcmQ6\r\n")
	client("aHVudGVyMg==\r\n")
	server("235 ok\r\n")
	client("AUTH PLAIN AGFubgBodW50ZXIy\r\n")
	server("503 already\r\n")
	client("MAIL FROM:<ann@example.org>\r\n")
	server("250 ok\r\n")
	client("DATA\r\n")
	server("354 go on\r\n")
	// The body in odd chunks, split inside lines.
	for i := 0; i < len(body); i += 7 {
		client(body[i:min(i+7, len(body))])
	}
	client(".\r\n")
	server("250 2.0.0 queued\r\n")
	got, _ := r.Entries()
	var lines []string
	for _, e := range got {
		switch e.Kind {
		case Write:
			if e.Data {
				lines = append(lines, fmt.Sprintf("C: (%d bytes of message, then .)", e.Bytes))
				continue
			}
			lines = append(lines, "C: "+strings.Join(e.Lines, "|"))
		case Reply:
			lines = append(lines, "S: "+e.Text)
		}
	}
	want := []string{
		"S: 220 mx ready", "C: EHLO localhost", "S: 250-mx",
		"C: AUTH LOGIN", "S: 334 VXNlcm5hbWU6", "C: ••••", "S: 334 UGFzc3dvcmQ6", "C: ••••", "S: 235 ok",
		"C: AUTH PLAIN ••••", "S: 503 already",
		"C: MAIL FROM:<ann@example.org>", "S: 250 ok", "C: DATA", "S: 354 go on",
		fmt.Sprintf("C: (%d bytes of message, then .)", len(body)), "S: 250 2.0.0 queued",
	}
	if g, w := strings.Join(lines, "\n"), strings.Join(want, "\n"); g != w {
		t.Errorf("got\n%s\nwant\n%s", g, w)
	}
	for _, e := range got {
		for _, s := range append(e.Lines, e.Text) {
			if strings.Contains(s, "hunter2") || strings.Contains(s, "aHVudGVyMg") || strings.Contains(s, "AGFubgBodW50ZXIy") {
				t.Errorf("secret in the record: %q", s)
			}
		}
	}
}

func TestSMTPEitherTellsSidesByTurn(t *testing.T) {
	r := fixed()
	r.SMTPNote(TLS)
	r.SMTPEither([]byte("EHLO me\r\n"))
	r.SMTPEither([]byte("250-mx\r\n"))
	r.SMTPEither([]byte("250 AUTH PLAIN\r\n"))
	r.SMTPEither([]byte("AUTH PLAIN AGFubgBodW50ZXIy\r\n"))
	r.SMTPEither([]byte("235 ok\r\n"))
	got, _ := r.Entries()
	kinds := ""
	for _, e := range got {
		kinds += fmt.Sprint(e.Kind)
	}
	if kinds != "20101" {
		t.Errorf("kinds = %s, want 20101 (note, write, reply, write, reply): %+v", kinds, got)
	}
	if got[3].Lines[0] != "AUTH PLAIN ••••" {
		t.Errorf("AUTH recorded as %q", got[3].Lines[0])
	}
}

func TestRecordIsBounded(t *testing.T) {
	r := fixed()
	var cmds strings.Builder
	for i := range MaxLines + 5 {
		fmt.Fprintf(&cmds, "UIDL %d\r\n", i+1)
	}
	r.POPWrite([]byte(cmds.String()))
	long := "+OK " + strings.Repeat("x", 10*MaxLine)
	for range MaxEntries + 10 {
		r.POPReply(long)
	}
	got, dropped := r.Entries()
	if len(got) != MaxEntries || dropped != 11 {
		t.Errorf("kept %d entries, dropped %d; want %d and 11", len(got), dropped, MaxEntries)
	}
	if len(got[0].Lines) != MaxLines || got[0].More != 5 {
		t.Errorf("write kept %d lines, %d more; want %d and 5", len(got[0].Lines), got[0].More, MaxLines)
	}
	if n := len([]rune(got[1].Text)); n > MaxLine+1 {
		t.Errorf("reply kept %d runes, want at most %d", n, MaxLine+1)
	}
}

func TestClipReplacesControls(t *testing.T) {
	if got := clip("+OK a\x1b[31mb\x00"); got != "+OK a·[31mb·" {
		t.Errorf("clip = %q", got)
	}
}

func TestFieldsAreNamesAndSizes(t *testing.T) {
	r := New()
	r.Field("t", 120, false)
	r.Field("attach", 2048, true)
	for range MaxFields {
		r.Field("to", 3, false)
	}
	got := r.Fields()
	if len(got) != MaxFields || got[0] != (Field{Name: "t", Size: 120}) || got[1] != (Field{Name: "attach", Size: 2048, File: true}) {
		t.Errorf("fields = %+v", got[:2])
	}
}

// A note keeps what it says and its values, in no language; a server's
// UIDL in it is clipped like a reply.
func TestNoteIsSaidAndFacts(t *testing.T) {
	r := fixed()
	long := strings.Repeat("x", MaxLine+50)
	r.Note("POP3", UIDLOther, Facts{Num: 4, Want: "abc", Got: long})
	got, _ := r.Entries()
	if len(got) != 1 || got[0].Kind != Note || got[0].Said != UIDLOther || got[0].Facts.Num != 4 || got[0].Facts.Want != "abc" {
		t.Fatalf("entries = %+v", got)
	}
	if n := len([]rune(got[0].Facts.Got)); n != MaxLine+1 {
		t.Errorf("a long UIDL kept %d runes, want %d", n, MaxLine+1)
	}
	if got[0].Text != "" {
		t.Errorf("a note has text %q: a record holds no language", got[0].Text)
	}
}
