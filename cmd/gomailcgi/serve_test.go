package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gomailcgi/internal/devmail"
	"gomailcgi/internal/testing/testtls"
)

// buildBinary builds gomailcgi into the test's folder.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gomailcgi")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// The binary run by a web server as a CGI program, set up only through
// GOMAILCGI_CONFIG: it logs in and lists, and every link keeps the
// script's path. The demo is refused with a page that says why.
func TestServesAsCGI(t *testing.T) {
	bin := buildBinary(t)
	mail, err := devmail.Start(devmail.Config{Users: map[string]string{"ann": "pw"}, Seed: os.DirFS("../../testdata"), SeedUser: "ann"})
	if err != nil {
		t.Fatal(err)
	}
	defer mail.Close()
	dir := t.TempDir()
	keys := filepath.Join(dir, "keys")
	os.WriteFile(keys, []byte("dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC0=\n"), 0o600)
	conf := filepath.Join(dir, "gomailcgi.conf")
	os.WriteFile(conf, []byte("pop = "+mail.POPAddr()+"\npop-security = insecure\nsmtp = "+mail.SMTPAddr()+
		"\nsmtp-security = insecure\nkey-file = "+keys+"\nfrom-domain = example.org\n"), 0o600)
	srv := httptest.NewServer(&cgi.Handler{Path: bin, Root: "/cgi-bin/gomailcgi", Env: []string{"GOMAILCGI_CONFIG=" + conf}})
	defer srv.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	res, err := client.PostForm(srv.URL+"/cgi-bin/gomailcgi/login", url.Values{"user": {"ann"}, "password": {"pw"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/cgi-bin/gomailcgi/list?") {
		t.Fatalf("login: %d to %q, want 303 to /cgi-bin/gomailcgi/list", res.StatusCode, loc)
	}
	res, err = client.Get(srv.URL + loc)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "Paragraphs that flow") {
		t.Fatalf("list: %d\n%s", res.StatusCode, body)
	}
	for _, m := range regexp.MustCompile(`(?:href|action|src)="(/[^"]*)"`).FindAllStringSubmatch(string(body), -1) {
		if !strings.HasPrefix(m[1], "/cgi-bin/gomailcgi/") {
			t.Errorf("a link leaves the script's path: %q", m[1])
		}
	}

	demo := httptest.NewServer(&cgi.Handler{Path: bin, Root: "/cgi-bin/gomailcgi", Env: []string{"GOMAILCGI_DEMO=1"}})
	defer demo.Close()
	res, err = http.Get(demo.URL + "/cgi-bin/gomailcgi/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusInternalServerError || !strings.HasSuffix(cgiSetupError, "\r\n\r\n"+string(body)) {
		t.Errorf("demo under CGI: %d %q, want 500 and the plain setup error", res.StatusCode, body)
	}

	// Apache's mod_cgi makes command-line arguments of a query string
	// without '=': they are ignored, and the page is the home page.
	const passwdLine = "root:x:0:0:root:/root:/bin/bash"
	passwd := filepath.Join(dir, "passwd")
	os.WriteFile(passwd, []byte(passwdLine+"\n"), 0o600)
	for _, file := range []string{passwd, keys, "/dev/zero"} {
		h := &cgi.Handler{Path: bin, Root: "/cgi-bin/gomailcgi", Env: []string{"GOMAILCGI_CONFIG=" + conf}, Args: []string{"-config", file}}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/cgi-bin/gomailcgi/?-config+"+file, nil))
		body := rec.Body.String()
		if rec.Code != http.StatusOK || !strings.Contains(body, "<title>Welcome") ||
			strings.Contains(body, "root:x") || strings.Contains(body, "dGVzdC1r") {
			t.Errorf("?-config+%s: %d %q, want the home page", file, rec.Code, body)
		}
	}
}

// HTTPS on its own: HSTS on every answer, /healthz without a mail server,
// and a renewed certificate served without a restart.
func TestServesHTTPS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	certPEM, keyPEM, client := testtls.PEM(t)
	os.WriteFile(certFile, certPEM, 0o600)
	os.WriteFile(keyFile, keyPEM, 0o600)
	cfg, err := parseConfig([]string{"-pop", "127.0.0.1:1", "-smtp", "127.0.0.1:1", "-listen", "127.0.0.1:0",
		"-tls-cert", certFile, "-tls-key", keyFile}, env(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var out syncWriter
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, slog.New(slog.DiscardHandler), &out) }()
	defer func() { cancel(); <-done }()
	var addr string
	for range 200 {
		if m := regexp.MustCompile(`https://([0-9.:]+)/`).FindStringSubmatch(out.String()); m != nil {
			addr = m[1]
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if addr == "" {
		t.Fatalf("no address announced: %q", out.String())
	}
	get := func(tc *tls.Config) *http.Response {
		t.Helper()
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: tc, DisableKeepAlives: true}}
		res, err := c.Get("https://" + addr + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	res := get(client)
	if res.StatusCode != http.StatusOK || res.Header.Get("Strict-Transport-Security") != "max-age=31536000" {
		t.Errorf("healthz: %d, HSTS %q", res.StatusCode, res.Header.Get("Strict-Transport-Security"))
	}
	first := res.TLS.PeerCertificates[0].SerialNumber

	certPEM, keyPEM, client = testtls.PEM(t) // a renewal
	os.WriteFile(keyFile, keyPEM, 0o600)
	os.WriteFile(certFile, certPEM, 0o600)
	res = get(client)
	if got := res.TLS.PeerCertificates[0].SerialNumber; got.Cmp(first) == 0 {
		t.Error("the renewed certificate is not served")
	}
}

// syncWriter is a buffer safe to read while run writes to it.
type syncWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
