package web

import (
	"bytes"
	"io"
	"log/slog"
	"maps"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gomailcgi/internal/devmail"
	"gomailcgi/internal/mailmsg"
	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/seal"
)

// The demo accounts of every end-to-end test. alice's mailbox holds the
// messages in testdata/, oldest first.
const (
	aliceUser = "alice"
	alicePass = "alice-secret-pw"
	bobUser   = "bob"
	bobPass   = "bob-secret-pw"
)

// harness is one site under test: devmail POP3+SMTP, the web handler in an
// httptest server, a settable clock and captured logs.
type harness struct {
	t      testing.TB
	mail   *devmail.Server
	srv    *httptest.Server
	client *http.Client
	sealer *seal.Sealer
	logs   *syncBuffer

	mu  sync.Mutex
	now time.Time
}

// harnessOption changes the mail servers' or the site's configuration.
type harnessOption struct {
	mail   func(*devmail.Config)
	web    func(*Config)
	shared *devmail.Server                 // another harness's mail servers, used as they are
	listen func(net.Listener) net.Listener // wraps the site's listener
}

func webOption(f func(*Config)) harnessOption                      { return harnessOption{web: f} }
func mailOption(f func(*devmail.Config)) harnessOption             { return harnessOption{mail: f} }
func listenOption(f func(net.Listener) net.Listener) harnessOption { return harnessOption{listen: f} }

// sharedMail runs a second site on the mail servers of h, with their
// mailboxes as they are.
func sharedMail(h *harness) harnessOption { return harnessOption{shared: h.mail} }

func newHarness(t testing.TB, opts ...harnessOption) *harness {
	t.Helper()
	mcfg := devmail.Config{
		Users:    map[string]string{aliceUser: alicePass, bobUser: bobPass},
		Seed:     os.DirFS("../../testdata"),
		SeedUser: aliceUser,
	}
	for _, o := range opts {
		if o.mail != nil {
			o.mail(&mcfg)
		}
	}
	var mail *devmail.Server
	for _, o := range opts {
		if o.shared != nil {
			mail = o.shared
		}
	}
	if mail == nil {
		var err error
		if mail, err = devmail.Start(mcfg); err != nil {
			t.Fatalf("devmail.Start: %v", err)
		}
		t.Cleanup(func() { mail.Close() })
	}
	h := &harness{t: t, mail: mail, logs: &syncBuffer{}, now: time.Date(2026, 3, 28, 10, 0, 0, 0, time.UTC)}
	keys, err := seal.RandomKeys()
	if err != nil {
		t.Fatal(err)
	}
	h.sealer = &seal.Sealer{Keys: keys, Now: h.clock}
	cfg := Config{
		POP: &mailtools.POP{Server: mailtools.Server{
			Addr: mail.POPAddr(), Security: mailtools.SecurityInsecure,
			DialTimeout: 2 * time.Second, CommandTimeout: 5 * time.Second,
		}},
		SMTP: &mailtools.SMTP{Server: mailtools.Server{
			Addr: mail.SMTPAddr(), Security: mailtools.SecurityInsecure,
			DialTimeout: 2 * time.Second, CommandTimeout: 5 * time.Second,
		}},
		Sealer:     h.sealer,
		ServerID:   "test",
		FromDomain: "example.org",
		Logger:     slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:        h.clock,
		Location:   time.UTC,
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
	h.srv = httptest.NewUnstartedServer(handler)
	for _, o := range opts {
		if o.listen != nil {
			h.srv.Listener = o.listen(h.srv.Listener)
		}
	}
	h.srv.Start()
	t.Cleanup(h.srv.Close)
	jar, _ := cookiejar.New(nil)
	h.client = &http.Client{
		Jar:     jar, // must stay empty: the site sets no cookies
		Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	return h
}

func (h *harness) clock() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now
}

func (h *harness) advance(d time.Duration) {
	h.mu.Lock()
	h.now = h.now.Add(d)
	h.mu.Unlock()
}

// closedAddr is a loopback address where nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// response is a finished response with its body read.
type response struct {
	status int
	header http.Header
	body   string
}

func (h *harness) do(req *http.Request) response {
	h.t.Helper()
	res, err := h.client.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		h.t.Fatalf("reading %s: %v", req.URL.Path, err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(body)}
}

// get fetches a site path (with query), e.g. "/list?t=...".
func (h *harness) get(path string) response {
	h.t.Helper()
	req, err := http.NewRequest("GET", h.srv.URL+path, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	return h.do(req)
}

// post submits an urlencoded form.
func (h *harness) post(path string, form url.Values) response {
	h.t.Helper()
	req, err := http.NewRequest("POST", h.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return h.do(req)
}

// fileField is one file for postMultipart.
type fileField struct {
	name, filename, contentType string
	data                        []byte
}

// postMultipart submits a multipart form, as the compose page does: the
// token first, then the other fields by name, then the files.
func (h *harness) postMultipart(path string, form url.Values, files ...fileField) response {
	h.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	names := slices.Sorted(maps.Keys(form))
	if i := slices.Index(names, "t"); i > 0 {
		names = slices.Concat([]string{"t"}, names[:i], names[i+1:])
	}
	for _, k := range names {
		for _, v := range form[k] {
			mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		hdr := make(map[string][]string)
		hdr["Content-Disposition"] = []string{`form-data; name="` + f.name + `"; filename="` + f.filename + `"`}
		hdr["Content-Type"] = []string{f.contentType}
		w, err := mw.CreatePart(hdr)
		if err != nil {
			h.t.Fatal(err)
		}
		w.Write(f.data)
	}
	mw.Close()
	req, err := http.NewRequest("POST", h.srv.URL+path, &buf)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return h.do(req)
}

// expiredToken is a token of alice's login that this site sealed an hour
// ago, so it has expired, without moving the harness's clock.
func (h *harness) expiredToken() string {
	h.t.Helper()
	old := *h.sealer
	old.Now = func() time.Time { return h.clock().Add(-time.Hour) }
	tok, err := old.Seal(seal.State{User: aliceUser, Password: alicePass, Server: "test"})
	if err != nil {
		h.t.Fatal(err)
	}
	return tok
}

// login logs alice in and returns the first token.
func (h *harness) login() string {
	h.t.Helper()
	return h.loginAs(aliceUser, alicePass, "")
}

func (h *harness) loginAs(user, pass, next string) string {
	h.t.Helper()
	form := url.Values{"user": {user}, "password": {pass}}
	if next != "" {
		form.Set("next", next)
	}
	res := h.post("/login", form)
	if res.status != http.StatusSeeOther {
		h.t.Fatalf("login: status %d, want 303; body:\n%s", res.status, res.body)
	}
	loc, err := url.Parse(res.header.Get("Location"))
	if err != nil {
		h.t.Fatal(err)
	}
	tok := loc.Query().Get("t")
	if tok == "" {
		h.t.Fatalf("login redirect %q carries no token", loc.Path)
	}
	return tok
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// addMail puts a message into user's mailbox, as a delivery would, and
// returns its UIDL.
func (h *harness) addMail(user, subject, body string, headers ...string) string {
	h.t.Helper()
	raw := "From: Erin Example <erin@example.net>\r\n"
	if !slices.ContainsFunc(headers, func(h string) bool { return strings.HasPrefix(h, "To:") }) {
		raw += "To: " + user + "@example.org\r\n"
	}
	raw += "Subject: " + subject + "\r\nDate: Fri, 27 Mar 2026 10:00:00 +0000\r\n" +
		"Message-ID: <" + strings.ReplaceAll(subject, " ", ".") + "@example.net>\r\n"
	for _, hd := range headers {
		raw += hd + "\r\n"
	}
	raw += "\r\n" + body + "\r\n"
	return h.mail.Mailbox(user).Add([]byte(raw))
}

// subjectsIn lists the subjects in user's mailbox, oldest first.
func (h *harness) subjectsIn(user string) []string {
	h.t.Helper()
	box := h.mail.Mailbox(user)
	var out []string
	for _, uid := range box.UIDs() {
		raw, _ := box.Raw(uid)
		env := mailmsg.ParseEnvelope(raw)
		out = append(out, env.Subject)
	}
	return out
}

// listPage logs in as bob (or reuses tok) and returns the parsed list.
func (h *harness) list(tok string, page int) (*doc, response) {
	h.t.Helper()
	path := "/list?t=" + url.QueryEscape(tok)
	if page > 0 {
		path += "&page=" + strconv.Itoa(page)
	}
	res := h.get(path)
	return parseDoc(h.t, res.body), res
}
