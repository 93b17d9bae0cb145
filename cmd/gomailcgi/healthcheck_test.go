package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// -healthcheck URL exits 0 on a 2xx answer and 1 otherwise, with no other
// setting given: the image's HEALTHCHECK runs it so.
func TestHealthcheck(t *testing.T) {
	var status atomic.Int32 // set by the test, read by the server's goroutines
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(int(status.Load()))
	}))
	defer srv.Close()
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	for _, tc := range []struct {
		name   string
		args   []string
		status int
		code   int
		stderr string
	}{
		{"healthy", []string{"-healthcheck", srv.URL + "/healthz"}, 200, 0, ""},
		{"with =", []string{"--healthcheck=" + srv.URL + "/healthz"}, 204, 0, ""},
		{"unhealthy", []string{"-healthcheck", srv.URL + "/healthz"}, 503, 1, "503"},
		{"wrong path", []string{"-healthcheck", srv.URL + "/mail/healthz"}, 200, 1, "404"},
		{"down", []string{"-healthcheck", down.URL + "/healthz"}, 200, 1, "refused"},
		{"no URL", []string{"-healthcheck"}, 200, 2, "wants one http://"},
		{"not http", []string{"-healthcheck", "file:///etc/passwd"}, 200, 2, "wants one http://"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status.Store(int32(tc.status))
			_, stderr, code := runMain(t, tc.args, []string{"GOMAILCGI_POP=", "GOMAILCGI_CONFIG="})
			if code != tc.code {
				t.Errorf("exit status %d, want %d; stderr %q", code, tc.code, stderr)
			}
			if !strings.Contains(stderr, tc.stderr) {
				t.Errorf("stderr %q, want it to name %q", stderr, tc.stderr)
			}
		})
	}
}

// Under CGI a query string can become arguments (Apache's, for one without
// '='): "?-healthcheck+http://..." must not make the program fetch a URL.
func TestHealthcheckNotUnderCGI(t *testing.T) {
	var asked atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { asked.Store(true) }))
	defer srv.Close()
	if _, ok := healthcheckURL([]string{"-healthcheck", srv.URL}, func(k string) string {
		if k == "GATEWAY_INTERFACE" {
			return "CGI/1.1"
		}
		return ""
	}); ok {
		t.Error("-healthcheck is a mode under CGI")
	}
	stdout, _, code := runMain(t, []string{"-healthcheck", srv.URL}, []string{"GATEWAY_INTERFACE=CGI/1.1", "GOMAILCGI_CONFIG="})
	if asked.Load() {
		t.Error("under CGI, -healthcheck URL from the arguments fetched the URL")
	}
	if code == 0 || !strings.Contains(stdout, "Status: 500") {
		t.Errorf("under CGI: exit %d, stdout %q; want the setup error page", code, stdout)
	}
}
