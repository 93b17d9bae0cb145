package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// multipartBody writes the text fields in order, "t" first as the compose
// page does, then one file of n bytes.
func multipartBody(t *testing.T, fields [][2]string, file string, n int) (body []byte, contentType string, fileAt int) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		mw.WriteField(f[0], f[1])
	}
	w, err := mw.CreateFormFile("attach", file)
	if err != nil {
		t.Fatal(err)
	}
	fileAt = buf.Len()
	w.Write(bytes.Repeat([]byte("x"), n))
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType(), fileAt
}

// sendRaw posts body to /send as a form of this content type, declaring
// length bytes whether or not that many come.
func (h *harness) sendRaw(body io.Reader, contentType string, length int64) response {
	h.t.Helper()
	req, err := http.NewRequest("POST", h.srv.URL+"/send", body)
	if err != nil {
		h.t.Fatal(err)
	}
	req.ContentLength = length
	req.Header.Set("Content-Type", contentType)
	return h.do(req)
}

// countingBody counts what has been read of a request body.
type countingBody struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingBody) Close() error { return nil }

// Opening a form reads its token and nothing past it; the rest is read
// only when asked, the files kept or, for text only, left unread.
func TestComposeFormReadsTheTokenFirst(t *testing.T) {
	fields := [][2]string{{"t", "TOKEN"}, {"to", "bob@example.org"}, {"body", "my words"}}
	raw, ct, fileAt := multipartBody(t, fields, "big.bin", 1<<20)
	for _, textOnly := range []bool{false, true} {
		t.Run(fmt.Sprint("text only ", textOnly), func(t *testing.T) {
			body := &countingBody{r: bytes.NewReader(raw)}
			r, _ := http.NewRequest("POST", "/send", body)
			r.Header.Set("Content-Type", ct)
			form, err := openComposeForm(r)
			if err != nil {
				t.Fatal(err)
			}
			if form.token != "TOKEN" {
				t.Errorf("token: got %q, want %q", form.token, "TOKEN")
			}
			if n := body.n.Load(); n > maxFormHead {
				t.Errorf("opening the form read %d bytes, want at most %d", n, maxFormHead)
			}
			form.allow(int64(len(raw)))
			f, err := form.read(textOnly)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(f.Files) == 1, !textOnly; got != want {
				t.Errorf("files kept: got %d, want kept=%v", len(f.Files), want)
			}
			if n := body.n.Load(); textOnly && n > int64(fileAt)+8192 {
				t.Errorf("text only read %d bytes, the file starts at %d", n, fileAt)
			}
			if !f.HadFiles || f.Body != "my words" || f.To != "bob@example.org" || f.Token != "TOKEN" {
				t.Errorf("form: got %+v", f)
			}
		})
	}
}

// A form that does not begin with a token is refused after its first
// part, however long that part is.
func TestComposeFormWithoutTokenFirst(t *testing.T) {
	const boundary = "b0undary"
	part := func(header, content string) string {
		return "--" + boundary + "\r\n" + header + "\r\n\r\n" + content + "\r\n"
	}
	tests := []struct {
		name, body, contentType string
		want                    error
	}{
		{"file first", part(`Content-Disposition: form-data; name="attach"; filename="a.bin"`, strings.Repeat("x", 1<<20)), "", errNoToken},
		{"another field first", part(`Content-Disposition: form-data; name="to"`, "bob@example.org") + part(`Content-Disposition: form-data; name="t"`, "TOKEN"), "", errNoToken},
		{"token as a file", part(`Content-Disposition: form-data; name="t"; filename="t"`, "TOKEN"), "", errNoToken},
		{"token too long", part(`Content-Disposition: form-data; name="t"`, strings.Repeat("A", 1<<20)), "", errNoToken},
		{"long preamble", strings.Repeat("a line before the form\r\n", 50000) + part(`Content-Disposition: form-data; name="t"`, "TOKEN"), "", errNoToken},
		{"no parts", "--" + boundary + "--\r\n", "", errNoToken},
		{"urlencoded", "t=TOKEN&to=bob%40example.org", "application/x-www-form-urlencoded", errNotMultipart},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := &countingBody{r: strings.NewReader(tt.body)}
			r, _ := http.NewRequest("POST", "/send", body)
			ct := tt.contentType
			if ct == "" {
				ct = "multipart/form-data; boundary=" + boundary
			}
			r.Header.Set("Content-Type", ct)
			_, err := openComposeForm(r)
			if !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
			if n := body.n.Load(); n > maxFormHead {
				t.Errorf("read %d bytes, want at most %d", n, maxFormHead)
			}
		})
	}
}

// A body said to be over the limit is answered 413 at once with the text
// typed, and its files are never read: here they never even arrive.
func TestSendDeclaredTooLargeIsRefusedUnread(t *testing.T) {
	h := newHarness(t)
	tok := freshComposeToken(t, h, h.login())
	raw, ct, fileAt := multipartBody(t, [][2]string{{"t", tok}, {"to", "bob@example.org"}, {"body", "keep this"}}, "huge.bin", 0)
	pr, pw := io.Pipe()
	go func() {
		// The text fields and the file's header, then file bytes for as
		// long as anyone reads them: the server reads none of them but
		// what it discards before it closes the connection.
		if _, err := pw.Write(raw[:fileAt]); err != nil {
			return
		}
		chunk := bytes.Repeat([]byte("x"), 32<<10)
		for range 200 << 20 / len(chunk) {
			if _, err := pw.Write(chunk); err != nil {
				return
			}
		}
	}()
	defer pr.Close()
	body := &countingBody{r: pr}
	res := h.sendRaw(body, ct, 200<<20)
	if res.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", res.status)
	}
	d := parseDoc(t, res.body)
	if got := d.field("body"); got != "keep this" {
		t.Errorf("body: got %q", got)
	}
	if !strings.Contains(d.alert(), "larger than") {
		t.Errorf("alert: got %q", d.alert())
	}
	if n := body.n.Load(); n > 16<<20 { // socket buffers hold a few MB
		t.Errorf("%d bytes of the body were sent before the answer, want the text and what the socket buffers hold, not the 200 MB", n)
	}
}

// Message forms are read MaxUploads at a time; one more is answered 503
// at once, not queued in memory.
func TestSendUploadsAreBounded(t *testing.T) {
	h := newHarness(t, webOption(func(c *Config) { c.MaxUploads, c.MaxUpload = 1, 32<<20 }))
	tok := freshComposeToken(t, h, h.login())
	// More than the socket buffers hold between the two ends goes out
	// before the second form (the sender's is 4 MB at most here, and the
	// receiver's grows only as the handler reads): the handler must have
	// been reading, so it holds the slot.
	const file, ahead = 24 << 20, 16 << 20
	raw, ct, fileAt := multipartBody(t, [][2]string{{"t", tok}, {"to", "bob@example.org"}}, "slow.bin", file)
	pr, pw := io.Pipe()
	holding := make(chan struct{})
	go func() {
		pw.Write(raw[:fileAt+ahead])
		close(holding)
	}()
	// The first upload runs in a goroutine, where a failure must not call
	// t.Fatal (the test would wait for it forever): its client reports the
	// error instead, and waits longer than the harness's, since 24 MB
	// through the race detector on a busy machine can take a while.
	first := make(chan response, 1)
	go func() {
		req, err := http.NewRequest("POST", h.srv.URL+"/send", pr)
		if err != nil {
			first <- response{body: err.Error()}
			return
		}
		req.ContentLength = int64(len(raw))
		req.Header.Set("Content-Type", ct)
		c := *h.client
		c.Timeout = 2 * time.Minute
		res, err := c.Do(req)
		if err != nil {
			pr.CloseWithError(err) // the writes below end too
			first <- response{body: err.Error()}
			return
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		first <- response{status: res.StatusCode, header: res.Header}
	}()
	<-holding
	res := h.postMultipart("/send", url.Values{"t": {tok}, "to": {"bob@example.org"}})
	if res.status != http.StatusServiceUnavailable || res.header.Get("Retry-After") == "" {
		t.Errorf("second upload: status %d Retry-After %q, want 503 and a Retry-After", res.status, res.header.Get("Retry-After"))
	}
	pw.Write(raw[fileAt+ahead:])
	pw.Close()
	if r := <-first; r.status != http.StatusSeeOther {
		t.Errorf("first upload: status %d (%s), want 303", r.status, r.body)
	}
	if res := h.postMultipart("/send", url.Values{"t": {tok}, "to": {"bob@example.org"}}); res.status != http.StatusSeeOther {
		t.Errorf("after the first: status %d, want 303 (the slot is free again)", res.status)
	}
}

// A form that arrives cut short is not "login expired": it says what
// happened and keeps what was typed.
func TestSendCutShortKeepsTheDraft(t *testing.T) {
	h := newHarness(t)
	tok := freshComposeToken(t, h, h.login())
	raw, ct, fileAt := multipartBody(t, [][2]string{{"t", tok}, {"to", "bob@example.org"}, {"body", "keep this too"}}, "cut.bin", 100)
	cut := raw[:fileAt+50] // no closing boundary
	res := h.sendRaw(bytes.NewReader(cut), ct, int64(len(cut)))
	if res.status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", res.status)
	}
	d := parseDoc(t, res.body)
	if got := d.field("body"); got != "keep this too" {
		t.Errorf("body: got %q", got)
	}
	if a := d.alert(); !strings.Contains(a, "did not reach the site whole") {
		t.Errorf("alert: got %q", a)
	}
	if len(h.mail.Sent()) != 0 {
		t.Error("a message was sent")
	}
}

func TestSendCapsRecipients(t *testing.T) {
	h := newHarness(t, webOption(func(c *Config) { c.MaxRecipients = 5 }))
	tok := freshComposeToken(t, h, h.login())
	var to []string
	for i := range 6 {
		to = append(to, fmt.Sprintf("r%d@example.org", i))
	}
	res := h.postMultipart("/send", url.Values{"t": {tok}, "to": {strings.Join(to[:3], ", ")},
		"bcc": {strings.Join(to[3:], ", ")}, "body": {"hello all"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", res.status)
	}
	d := parseDoc(t, res.body)
	if a := d.alert(); !strings.Contains(a, "6 recipients") || !strings.Contains(a, "at most 5") {
		t.Errorf("alert: got %q", a)
	}
	if got := d.field("bcc"); got != strings.Join(to[3:], ", ") {
		t.Errorf("bcc: got %q", got)
	}
	if len(h.mail.Sent()) != 0 {
		t.Error("a message was sent")
	}
}

// Forwarded parts: each once, and their bytes count toward the limit
// (only the original's attachments: forward_refs_test.go).
func TestForwardPartsAreCheckedAndCounted(t *testing.T) {
	const subject = "Your checklist and a list of pages (2 attachments)"
	t.Run("repeated", func(t *testing.T) {
		h := newHarness(t)
		d := composeFor(t, h, h.login(), subject, "Forward")
		parts := make([]string, 200)
		for i := range parts {
			parts[i] = "2"
		}
		res := h.postMultipart("/send", url.Values{"t": {d.token()}, "to": {"bob@example.org"},
			"subject": {"Fwd"}, "body": {"see"}, "fwd": {d.field("fwd")}, "fwdpart": parts})
		if res.status != http.StatusSeeOther {
			t.Fatalf("status %d, want 303\n%s", res.status, res.body)
		}
		sent := h.mail.Sent()
		if len(sent) != 1 {
			t.Fatalf("sent %d messages", len(sent))
		}
		if m := readSent(t, sent[0].To, sent[0].Data); len(m.attachments) != 1 {
			t.Errorf("attachments: got %d, want 1", len(m.attachments))
		}
		if n := len(sent[0].Data); n > 20<<10 {
			t.Errorf("the message is %d bytes", n)
		}
	})
	t.Run("too large", func(t *testing.T) {
		h := newHarness(t, webOption(func(c *Config) { c.MaxUpload = 100 }))
		d := composeFor(t, h, h.login(), subject, "Forward")
		res := h.postMultipart("/send", url.Values{"t": {d.token()}, "to": {"bob@example.org"},
			"subject": {"Fwd"}, "body": {"keep me"}, "fwd": {d.field("fwd")}, "fwdpart": {"2", "3"}})
		if res.status != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413", res.status)
		}
		if a := parseDoc(t, res.body).alert(); !strings.Contains(a, "forwards") {
			t.Errorf("alert: got %q", a)
		}
		if len(h.mail.Sent()) != 0 {
			t.Error("a message was sent")
		}
	})
}

// A file whose type names a charset other than UTF-8 goes out with its
// bytes as they are; it used to be a 500.
func TestSendFileWithACharset(t *testing.T) {
	h := newHarness(t)
	tok := freshComposeToken(t, h, h.login())
	data := []byte("P\xf8\xedli\xb9 \x9elu\x9dou\xe8k\xfd k\xf9\xf2\n") // windows-1250
	res := h.postMultipart("/send", url.Values{"t": {tok}, "to": {"bob@example.org"}, "body": {"see the file"}},
		fileField{"attach", "cz.txt", "text/plain; charset=windows-1250", data})
	if res.status != http.StatusSeeOther {
		t.Fatalf("status %d, want 303\n%s", res.status, res.body)
	}
	sent := h.mail.Sent()
	if len(sent) != 1 {
		t.Fatalf("sent %d", len(sent))
	}
	if got := readSent(t, sent[0].To, sent[0].Data).attachments["cz.txt"]; got != string(data) {
		t.Errorf("the file arrived as %q, want its bytes as they were", got)
	}
}

// A form of too many fields is not "login expired": it keeps the draft.
func TestSendTooManyFieldsKeepsTheDraft(t *testing.T) {
	h := newHarness(t)
	tok := freshComposeToken(t, h, h.login())
	fields := [][2]string{{"t", tok}, {"to", "bob@example.org"}, {"body", "my draft"}}
	for i := range 2000 {
		fields = append(fields, [2]string{"x" + strconv.Itoa(i), "y"})
	}
	raw, ct, _ := multipartBody(t, fields, "f.txt", 1)
	res := h.sendRaw(bytes.NewReader(raw), ct, int64(len(raw)))
	if res.status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", res.status)
	}
	d := parseDoc(t, res.body)
	if got := d.field("body"); got != "my draft" {
		t.Errorf("body: got %q", got)
	}
	if a := d.alert(); !strings.Contains(a, "more fields") {
		t.Errorf("alert: got %q", a)
	}
	if len(h.mail.Sent()) != 0 {
		t.Error("a message was sent")
	}
}
