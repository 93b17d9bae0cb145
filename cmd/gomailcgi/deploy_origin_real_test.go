package main

import (
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"gomailcgi/internal/testing/webserver"
)

// Under Debian's nginx, whose fastcgi_params pass HTTP_HOST as $host
// (without the port), on a port other than 80: a login form posted by a
// browser that sends Origin but no Sec-Fetch-Site logs in, and the same
// form from another site's page, or from another port of the same host,
// is refused.
func TestDeployFastCGIOriginOnNginxPort(t *testing.T) {
	webserver.Require(t, "nginx")
	dir := t.TempDir()
	bin := sharedBinary(t)
	sock := filepath.Join(dir, "gomailcgi.sock")
	webserver.Start(t, sock, nil, bin, "-demo", "-demo-mail", "../../testdata",
		"-demo-pop", webserver.Addr(webserver.FreePort(t)), "-demo-smtp", webserver.Addr(webserver.FreePort(t)),
		"-fcgi", "unix:"+sock, "-base-path", "/mail")
	port := webserver.FreePort(t)
	webserver.Nginx(t, dir, webserver.Addr(port), nginxConf(port, `
    location /mail/ {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_NAME /mail;
      fastcgi_pass unix:`+sock+`;
    }`, ""))
	checkOriginPosts(t, port, false)
}

// Behind nginx as a reverse proxy on a port other than 80: with Host
// passed as the browser sent it ($http_host), or, where a proxy passes
// $host without the port, with the public origin in -trusted-origins.
func TestDeployProxyOriginOnNginxPort(t *testing.T) {
	webserver.Require(t, "nginx")
	for _, tt := range []struct{ name, host string }{
		{"Host as sent", "$http_host"},
		{"Host without port, origin trusted", "$host"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			port, app := webserver.FreePort(t), webserver.FreePort(t)
			args := []string{"-demo", "-demo-mail", "../../testdata",
				"-demo-pop", webserver.Addr(webserver.FreePort(t)), "-demo-smtp", webserver.Addr(webserver.FreePort(t)),
				"-listen", webserver.Addr(app), "-base-path", "/mail"}
			if tt.host == "$host" {
				args = append(args, "-trusted-origins", "http://"+webserver.Addr(port))
			}
			webserver.Start(t, webserver.Addr(app), nil, sharedBinary(t), args...)
			webserver.Nginx(t, dir, webserver.Addr(port), nginxConf(port, `
    location /mail/ {
      proxy_pass http://`+webserver.Addr(app)+`;
      proxy_set_header Host `+tt.host+`;
    }`, ""))
			checkOriginPosts(t, port, tt.host == "$host")
		})
	}
}

// checkOriginPosts posts the login form to the site on port with the
// headers of a browser on its own page and of others. A trusted origin is
// trusted whatever Sec-Fetch-Site says, as http.CrossOriginProtection
// does: that is for a page of the trusted origin posting to another
// address of the site.
func checkOriginPosts(t *testing.T, port int, trusted bool) {
	t.Helper()
	origin := "http://" + webserver.Addr(port)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	login := url.Values{"user": {demoUser}, "password": {demoPassword}}.Encode()
	tests := []struct {
		name    string
		headers map[string]string
		want    int
	}{
		{"Origin of the site itself, no Sec-Fetch-Site", map[string]string{"Origin": origin}, http.StatusSeeOther},
		{"Sec-Fetch-Site same-origin", map[string]string{"Origin": origin, "Sec-Fetch-Site": "same-origin"}, http.StatusSeeOther},
		{"Origin of another site", map[string]string{"Origin": "http://evil.example"}, http.StatusForbidden},
		{"Origin of another site on the same port", map[string]string{"Origin": fmt.Sprintf("http://evil.example:%d", port)}, http.StatusForbidden},
		{"Origin of another port of the host", map[string]string{"Origin": fmt.Sprintf("http://127.0.0.1:%d", port+1)}, http.StatusForbidden},
		{"Origin of the site, but cross-site by Sec-Fetch-Site", map[string]string{"Origin": origin, "Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
	}
	for _, tt := range tests {
		if trusted && tt.headers["Sec-Fetch-Site"] == "cross-site" {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest("POST", origin+"/mail/login", strings.NewReader(login))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != tt.want {
				t.Fatalf("status: got %d, want %d", res.StatusCode, tt.want)
			}
			if loc := res.Header.Get("Location"); tt.want == http.StatusSeeOther && !strings.HasPrefix(loc, "/mail/list?t=") {
				t.Errorf("Location: got %q, want the inbox under /mail", loc)
			}
		})
	}
}
