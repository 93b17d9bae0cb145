package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gomailcgi/internal/testing/webserver"
)

// The [deployment] tests under Apache 2.4's mod_cgi, as docs/DEPLOY.md
// sets it up. Apache starts as root and runs the program as nobody, and it
// passes a query string without '=' to the program as command-line
// arguments (the CGI search-string rule): GET ...?-config+/etc/passwd runs
// gomailcgi -config /etc/passwd.

// cgiSite is a folder a CGI web server serves gomailcgi from: the binary in
// cgi-bin, a settings file and a key file, all readable by the web
// server's user, nothing more.
type cgiSite struct {
	dir  string // mode 0755, reachable by every user
	bin  string // dir/cgi-bin/gomailcgi
	keys string // the key file: 0640, group nogroup when run as root
	conf string // the settings file, naming keys
}

// newCGISite makes a site whose settings are settings plus the key file.
func newCGISite(t *testing.T, settings string) *cgiSite {
	t.Helper()
	s := &cgiSite{dir: filepath.Join(t.TempDir(), "site")}
	for _, d := range []string{s.dir, filepath.Join(s.dir, "cgi-bin"), filepath.Join(s.dir, "www")} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	webserver.OpenToAll(t, s.dir)
	s.bin = filepath.Join(s.dir, "cgi-bin", "gomailcgi")
	copyFile(t, sharedBinary(t), s.bin, 0o755)
	s.keys = filepath.Join(s.dir, "keys")
	if err := os.WriteFile(s.keys, []byte(deployKey1+"\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		// The recommended setup: owner root, group the web server's, 0640.
		g, err := user.LookupGroup("nogroup")
		if err != nil {
			t.Fatal(err)
		}
		gid, _ := strconv.Atoi(g.Gid)
		if err := os.Chown(s.keys, 0, gid); err != nil {
			t.Fatal(err)
		}
	}
	s.conf = filepath.Join(s.dir, "gomailcgi.conf")
	if err := os.WriteFile(s.conf, []byte(settings+"key-file = "+s.keys+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return s
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, mode); err != nil {
		t.Fatal(err)
	}
}

// apacheConf is an httpd.conf serving site's gomailcgi at /cgi-bin/gomailcgi
// on port, with extra at the end.
func apacheConf(port int, site *cgiSite, extra string) string {
	return fmt.Sprintf(`
ServerRoot {DIR}
PidFile {DIR}/httpd.pid
Listen 127.0.0.1:%d
ServerName 127.0.0.1
LoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
LoadModule cgi_module /usr/lib/apache2/modules/mod_cgi.so
LoadModule env_module /usr/lib/apache2/modules/mod_env.so
# A CGI program that runs wild (one that read /dev/zero) stops at 2 GB of
# address space, not at the machine's memory. Go's runtime needs more than 1 GB.
RLimitMEM 2147483648
User nobody
Group nogroup
ErrorLog {DIR}/error.log
DocumentRoot {DIR}/www
ScriptAlias /cgi-bin/ {DIR}/cgi-bin/
SetEnv GOMAILCGI_CONFIG %s
<Directory {DIR}/cgi-bin>
  Require all granted
</Directory>
%s
`, port, site.conf, extra)
}

// The whole flow through Apache: log in, list, view, reply, and the reply
// arrives. Each page is a new process, run as nobody, reading a key file
// it may read only through its group.
func TestDeployCGIUnderApache(t *testing.T) {
	webserver.Require(t, "apache2")
	d := newDeploySetup(t, "deployapache")
	site := newCGISite(t, "")
	ca := filepath.Join(site.dir, "ca.pem")
	copyFile(t, d.st.CAFile, ca, 0o644)
	settings := fmt.Sprintf("pop = %s\npop-security = starttls\nsmtp = %s\nsmtp-security = starttls\nca-file = %s\nfrom-domain = %s\n",
		d.st.POP3, d.st.Submission, ca, d.st.Domain)
	if err := os.WriteFile(site.conf, []byte(settings+"key-file = "+site.keys+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	port := webserver.FreePort(t)
	webserver.Apache(t, site.dir, webserver.Addr(port), apacheConf(port, site, ""))
	newWalker(t, "http://"+webserver.Addr(port), "/cgi-bin/gomailcgi", nil).flow(d)
	if log, _ := os.ReadFile(filepath.Join(site.dir, "error.log")); strings.Contains(string(log), "key file is open") {
		t.Errorf("a key file of mode 0640 was warned about:\n%s", log)
	}
}

// The attacker's requests of issue 19 under Apache: the query string
// becomes arguments, which gomailcgi ignores under CGI; and a settings
// file that is not one is a plain 500 page.
func TestCGIArgumentsUnderApache(t *testing.T) {
	webserver.Require(t, "apache2")
	site := newCGISite(t, "pop = 127.0.0.1:1\nsmtp = 127.0.0.1:1\n")
	bad := misconfigured(t, site)
	var extra strings.Builder
	for _, b := range bad {
		fmt.Fprintf(&extra, "ScriptAlias /%s %s\n<Location /%s>\n  SetEnv GOMAILCGI_CONFIG %s\n</Location>\n", b.path, site.bin, b.path, b.config)
	}
	port := webserver.FreePort(t)
	webserver.Apache(t, site.dir, webserver.Addr(port), apacheConf(port, site, extra.String()))
	checkCGIAttacks(t, "http://"+webserver.Addr(port), site, bad, filepath.Join(site.dir, "error.log"))
}

// badSetup is a CGI path whose GOMAILCGI_CONFIG names what is not a
// settings file, and the reason the error log must give.
type badSetup struct{ path, config, logged string }

func misconfigured(t *testing.T, site *cgiSite) []badSetup {
	keyIsPasswd := filepath.Join(site.dir, "key-is-passwd.conf")
	if err := os.WriteFile(keyIsPasswd, []byte("pop = 127.0.0.1:1\nsmtp = 127.0.0.1:1\nkey-file = /etc/passwd\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return []badSetup{
		{"bad-passwd", "/etc/passwd", "/etc/passwd:1: want name = value"},
		{"bad-keys", site.keys, site.keys + ":1: unknown setting"},
		{"bad-zero", "/dev/zero", "/dev/zero: not a regular file"},
		{"bad-keyfile", keyIsPasswd, "/etc/passwd:1: not valid standard base64"},
	}
}

// checkCGIAttacks sends the requests of issue 19 to a web server serving
// site at /cgi-bin/gomailcgi and bad's paths, and reads its error log.
func checkCGIAttacks(t *testing.T, origin string, site *cgiSite, bad []badSetup, errorLog string) {
	t.Helper()
	passwd, err := os.ReadFile("/etc/passwd")
	if err != nil {
		t.Fatal(err)
	}
	// Any line of these files, or a run of the key, is a leak.
	secrets := []string{"root:x:0:0", deployKey1[:12], deployKey1[16:28], "deploy-key-one"}
	secrets = append(secrets, strings.Split(strings.TrimSpace(string(passwd)), "\n")...)
	get := func(path string) (int, string) {
		t.Helper()
		res, err := http.Get(origin + path) // sent as written: the query keeps its '+' and '-'
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		for _, s := range secrets {
			if s != "" && strings.Contains(string(body), s) {
				t.Errorf("GET %s shows %q:\n%s", path, s, body)
			}
		}
		return res.StatusCode, string(body)
	}
	_, home := get("/cgi-bin/gomailcgi/")
	if !strings.Contains(home, "<title>Welcome") {
		t.Fatalf("GET /cgi-bin/gomailcgi/: not the home page:\n%s", home)
	}
	for _, q := range []string{"-config+/etc/passwd", "-config+/dev/zero", "-config+" + site.keys,
		"-key-file+/etc/passwd", "-config+/etc/passwd+-h"} {
		// Arguments are ignored: the answer is the home page, as without them.
		if code, body := get("/cgi-bin/gomailcgi/?" + q); code != http.StatusOK || body != home {
			t.Errorf("GET /cgi-bin/gomailcgi/?%s: %d, want 200 and the home page:\n%s", q, code, body)
		}
	}
	want := cgiSetupError[strings.Index(cgiSetupError, "\r\n\r\n")+4:]
	for _, b := range bad {
		if code, body := get("/" + b.path + "/"); code != http.StatusInternalServerError || body != want {
			t.Errorf("GET /%s/ (settings %s): %d %q, want 500 %q", b.path, b.config, code, body, want)
		}
	}
	log, err := os.ReadFile(errorLog)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bad {
		if !strings.Contains(string(log), b.logged) {
			t.Errorf("the error log does not say %q:\n%s", b.logged, log)
		}
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(string(log), s) {
			t.Errorf("the error log shows %q:\n%s", s, log)
		}
	}
}
