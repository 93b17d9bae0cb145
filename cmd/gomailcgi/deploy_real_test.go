package main

import (
	"bytes"
	"cmp"
	"crypto/tls"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/html"

	"gomailcgi/internal/testing/mailstack"
	"gomailcgi/internal/testing/testtls"
	"gomailcgi/internal/testing/webserver"
)

// The [deployment] tests: the binary as each kind of server runs it, in
// front of the real mail stack. In every mode a user logs in, lists,
// views, replies, and the reply arrives; every link and form keeps the
// mode's path.

// Two state keys, for replicas in the middle of a key rotation.
const (
	deployKey1 = "ZGVwbG95LWtleS1vbmUtZGVwbG95LWtleS1vbmUtMDE="
	deployKey2 = "ZGVwbG95LWtleS10d28tZGVwbG95LWtleS10d28tMDI="
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// sharedBinary builds gomailcgi once for the deployment tests.
func sharedBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gomailcgi-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "gomailcgi")
		if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// deploySetup is a user of the real stack with three messages, and a
// settings file for gomailcgi with the given state keys.
type deploySetup struct {
	st         mailstack.Env
	user, pass string
	dir, conf  string
	login      string // what the user types to log in; "" means user
}

// address is the user's own mail address.
func (d *deploySetup) address() string {
	if strings.Contains(d.user, "@") {
		return d.user
	}
	return d.user + "@" + d.st.Domain
}

func newDeploySetup(t *testing.T, name string, keys ...string) *deploySetup {
	t.Helper()
	st := mailstack.Require(t)
	d := &deploySetup{st: st, user: name, pass: "deploy-pw-1", dir: t.TempDir()}
	st.LockUser(t, name)
	st.AddUser(t, name, d.pass)
	st.Fill(t, name, 3)
	if len(keys) == 0 {
		keys = []string{deployKey1}
	}
	d.conf = d.keyedConf(t, "gomailcgi.conf", keys...)
	return d
}

// keyedConf writes a settings file whose key file holds keys, first
// sealing.
func (d *deploySetup) keyedConf(t *testing.T, name string, keys ...string) string {
	t.Helper()
	keyFile := filepath.Join(d.dir, name+".keys")
	if err := os.WriteFile(keyFile, []byte(strings.Join(keys, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(d.dir, name)
	text := fmt.Sprintf("# gomailcgi against the test mail stack\npop = %s\npop-security = starttls\n"+
		"smtp = %s\nsmtp-security = starttls\nca-file = %s\nkey-file = %s\nfrom-domain = %s\n",
		d.st.POP3, d.st.Submission, d.st.CAFile, keyFile, d.st.Domain)
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return conf
}

// withServers makes d's settings file one of two [server] sections, one
// per domain of the stack, and returns a user of the second domain with
// the same name on the same site, with three messages of their own.
func (d *deploySetup) withServers(t *testing.T) *deploySetup {
	t.Helper()
	second := &deploySetup{st: d.st, user: d.user + "@" + d.st.Domain2, pass: d.pass, dir: d.dir, conf: d.conf}
	d.st.LockUser(t, second.user)
	d.st.AddUser(t, second.user, second.pass)
	d.st.Fill(t, second.user, 3)
	text := fmt.Sprintf("# gomailcgi serving the test mail stack's two domains\nkey-file = %s\nca-file = %s\n\n"+
		"[server home]\nlabel = Home mail\ndomains = %s\npop = %s\npop-security = starttls\nsmtp = %s\nsmtp-security = starttls\n"+
		"login = local  # the POP login is the part before @\n\n"+
		"[server second]\nlabel = Second\ndomains = %s\npop = %s\npop-security = tls\nsmtp = %s\nsmtp-security = starttls\n",
		filepath.Join(d.dir, "gomailcgi.conf.keys"), d.st.CAFile,
		d.st.Domain, d.st.POP3, d.st.Submission, d.st.Domain2, d.st.POP3S, d.st.Submission)
	if err := os.WriteFile(d.conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	d.login = d.address()
	return second
}

// walker follows the site's own links and forms, as a browser would.
type walker struct {
	t      *testing.T
	client *http.Client
	origin string // scheme://host:port
	base   string // the mode's path, e.g. /mail
	seen   []*http.Response
}

func newWalker(t *testing.T, origin, base string, tlsConf *tls.Config) *walker {
	return &walker{t: t, origin: origin, base: base, client: &http.Client{
		Transport:     &http.Transport{TLSClientConfig: tlsConf},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (w *walker) do(req *http.Request) (*http.Response, *html.Node) {
	w.t.Helper()
	res, err := w.client.Do(req)
	if err != nil {
		w.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	w.seen = append(w.seen, res)
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	w.checkPaths(req.URL.Path, doc)
	return res, doc
}

func (w *walker) get(path string) (*http.Response, *html.Node) {
	w.t.Helper()
	req, _ := http.NewRequest("GET", w.origin+path, nil)
	res, doc := w.do(req)
	if res.StatusCode != http.StatusOK {
		w.t.Fatalf("GET %s: status %d", strings.SplitN(path, "?", 2)[0], res.StatusCode)
	}
	return res, doc
}

// checkPaths fails for a link, form or resource of the page that leaves
// the mode's path.
func (w *walker) checkPaths(page string, doc *html.Node) {
	w.t.Helper()
	for n := range doc.Descendants() {
		for _, a := range n.Attr {
			if (a.Key == "href" || a.Key == "action" || a.Key == "src") && strings.HasPrefix(a.Val, "/") &&
				!strings.HasPrefix(a.Val, w.base+"/") {
				w.t.Errorf("page %s: <%s %s=%q> leaves %s/", page, n.Data, a.Key, a.Val, w.base)
			}
		}
	}
}

// flow logs in, lists, views the newest message, replies to ourselves
// and sees the reply arrive.
func (w *walker) flow(d *deploySetup) {
	w.t.Helper()
	req, _ := http.NewRequest("POST", w.origin+w.base+"/login",
		strings.NewReader(url.Values{"user": {cmp.Or(d.login, d.user)}, "password": {d.pass}, "next": {"list"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, _ := w.do(req)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, w.base+"/list?") {
		w.t.Fatalf("login: status %d to %q", res.StatusCode, loc)
	}
	_, list := w.get(loc)
	view := firstHref(list, func(n *html.Node) bool { return n.Data == "a" && hasAncestorClass(n, "subject") })
	_, page := w.get(view)
	reply := firstHref(page, func(n *html.Node) bool { return n.Data == "a" && textOf(n) == "Reply" })
	_, compose := w.get(reply)
	form, fields := formOf(compose)
	subject := fields["subject"]
	if !strings.HasPrefix(subject, "Re: Test message") {
		w.t.Fatalf("reply subject: got %q", subject)
	}
	fields["to"] = d.address()
	fields["body"] = "A reply through " + w.base + "\n\n" + fields["body"]
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("t", fields["t"])
	for k, v := range fields {
		if k != "t" {
			mw.WriteField(k, v)
		}
	}
	mw.Close()
	req, _ = http.NewRequest("POST", w.origin+form, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, _ = w.do(req)
	loc = res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, w.base+"/sent?") {
		w.t.Fatalf("send: status %d to %q", res.StatusCode, loc)
	}
	_, sent := w.get(loc)
	inbox := firstHref(sent, func(n *html.Node) bool { return n.Data == "a" && strings.Contains(textOf(n), "inbox") })
	d.st.Drain(w.t)
	_, list = w.get(inbox)
	var subjects []string
	for n := range list.Descendants() {
		if n.Data == "a" && hasAncestorClass(n, "subject") {
			subjects = append(subjects, textOf(n))
		}
	}
	found := false
	for _, s := range subjects {
		found = found || s == subject
	}
	if !found {
		w.t.Errorf("the reply %q did not arrive; the inbox lists %q", subject, subjects)
	}
}

func firstHref(doc *html.Node, match func(*html.Node) bool) string {
	for n := range doc.Descendants() {
		if match(n) {
			for _, a := range n.Attr {
				if a.Key == "href" {
					return a.Val
				}
			}
		}
	}
	panic("no such link")
}

func hasAncestorClass(n *html.Node, class string) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		for _, a := range p.Attr {
			if a.Key == "class" && a.Val == class {
				return true
			}
		}
	}
	return false
}

func textOf(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// formOf is the page's first POST form: its action and its fields.
func formOf(doc *html.Node) (string, map[string]string) {
	fields := map[string]string{}
	var action string
	for n := range doc.Descendants() {
		if n.Data == "form" && attr(n, "method") == "post" && action == "" {
			action = attr(n, "action")
			for c := range n.Descendants() {
				switch {
				case c.Data == "input" && attr(c, "type") != "file" && attr(c, "type") != "checkbox" && attr(c, "name") != "":
					fields[attr(c, "name")] = attr(c, "value")
				case c.Data == "textarea":
					fields[attr(c, "name")] = strings.TrimPrefix(textOfRaw(c), "\n")
				}
			}
		}
	}
	return action, fields
}

func textOfRaw(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// CGI under lighttpd's mod_cgi, set up only through GOMAILCGI_CONFIG, a
// file of two servers: a user of each domain walks the site.
func TestDeployCGIUnderLighttpd(t *testing.T) {
	webserver.Require(t, "lighttpd")
	d := newDeploySetup(t, "deploycgi")
	second := d.withServers(t)
	bin := sharedBinary(t)
	port := webserver.FreePort(t)
	os.MkdirAll(filepath.Join(d.dir, "www"), 0o755)
	webserver.Lighttpd(t, d.dir, webserver.Addr(port), fmt.Sprintf(`
server.document-root = "{DIR}/www"
server.bind = "127.0.0.1"
server.port = %d
server.errorlog = "{DIR}/lighttpd-error.log"
server.modules = ("mod_alias", "mod_cgi", "mod_setenv")
alias.url = ("/cgi-bin/gomailcgi" => "%s")
$HTTP["url"] =~ "^/cgi-bin/gomailcgi" { cgi.assign = ("" => "") }
setenv.add-environment = ("GOMAILCGI_CONFIG" => "%s")
`, port, bin, d.conf))
	newWalker(t, "http://"+webserver.Addr(port), "/cgi-bin/gomailcgi", nil).flow(d)
	newWalker(t, "http://"+webserver.Addr(port), "/cgi-bin/gomailcgi", nil).flow(second)
}

// The attacker's requests of issue 19 under lighttpd's mod_cgi, which makes
// no arguments of a query string: the same answers as under Apache.
func TestCGIArgumentsUnderLighttpd(t *testing.T) {
	webserver.Require(t, "lighttpd")
	site := newCGISite(t, "pop = 127.0.0.1:1\nsmtp = 127.0.0.1:1\n")
	bad := misconfigured(t, site)
	aliases := fmt.Sprintf("%q => %q", "/cgi-bin/gomailcgi", site.bin)
	var envs strings.Builder
	for _, b := range bad {
		aliases += fmt.Sprintf(", %q => %q", "/"+b.path, site.bin)
		fmt.Fprintf(&envs, "$HTTP[\"url\"] =~ \"^/%s/\" { setenv.set-environment = (\"GOMAILCGI_CONFIG\" => %q) }\n", b.path, b.config)
	}
	port := webserver.FreePort(t)
	webserver.Lighttpd(t, site.dir, webserver.Addr(port), fmt.Sprintf(`
server.document-root = "{DIR}/www"
server.bind = "127.0.0.1"
server.port = %d
server.errorlog = "{DIR}/lighttpd-error.log"
server.breakagelog = "{DIR}/error.log"
server.modules = ("mod_alias", "mod_cgi", "mod_setenv")
alias.url = (%s)
$HTTP["url"] =~ "^/(cgi-bin/gomailcgi|bad-)" { cgi.assign = ("" => "") }
setenv.set-environment = ("GOMAILCGI_CONFIG" => %q)
%s`, port, aliases, site.conf, envs.String()))
	checkCGIAttacks(t, "http://"+webserver.Addr(port), site, bad, filepath.Join(site.dir, "error.log"))
}

// FastCGI under nginx's fastcgi_pass, on a unix socket, under /mail,
// with a file of two servers: a user of each domain walks the site.
func TestDeployFastCGIUnderNginx(t *testing.T) {
	webserver.Require(t, "nginx")
	d := newDeploySetup(t, "deployfcgi")
	second := d.withServers(t)
	bin := sharedBinary(t)
	sock := filepath.Join(d.dir, "gomailcgi.sock")
	webserver.Start(t, sock, nil, bin, "-config", d.conf, "-fcgi", "unix:"+sock, "-base-path", "/mail")
	port := webserver.FreePort(t)
	webserver.Nginx(t, d.dir, webserver.Addr(port), nginxConf(port, `
    location /mail/ {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_NAME /mail;
      fastcgi_pass unix:`+sock+`;
    }`, ""))
	newWalker(t, "http://"+webserver.Addr(port), "/mail", nil).flow(d)
	newWalker(t, "http://"+webserver.Addr(port), "/mail", nil).flow(second)
}

// FastCGI without -base-path, under nginx's two ways of saying where the
// site is: the standard split of the path into SCRIPT_NAME and PATH_INFO,
// and a fixed SCRIPT_NAME. Each request's SCRIPT_NAME is its base path,
// and every link and form keeps it.
func TestDeployFastCGIScriptNameUnderNginx(t *testing.T) {
	webserver.Require(t, "nginx")
	for _, tc := range []struct {
		name, base, location string
	}{
		{"split_path_info", "/fcgi", `
    location /fcgi/ {
      fastcgi_split_path_info ^(/fcgi)(/.*)$;
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_NAME $fastcgi_script_name;
      fastcgi_param PATH_INFO $fastcgi_path_info;
      fastcgi_pass unix:{SOCK};
    }`},
		{"fixed SCRIPT_NAME", "/webmail", `
    location /webmail/ {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_NAME /webmail;
      fastcgi_pass unix:{SOCK};
    }`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDeploySetup(t, "deployfcgisn")
			sock := filepath.Join(d.dir, "gomailcgi.sock")
			webserver.Start(t, sock, nil, sharedBinary(t), "-config", d.conf, "-fcgi", "unix:"+sock)
			port := webserver.FreePort(t)
			webserver.Nginx(t, d.dir, webserver.Addr(port), nginxConf(port, strings.ReplaceAll(tc.location, "{SOCK}", sock), ""))
			newWalker(t, "http://"+webserver.Addr(port), tc.base, nil).flow(d)
		})
	}
}

// A FastCGI request outside -base-path, as when nginx's location and the
// setting differ, gets a page that names the setting and links to the
// site's front page.
func TestFastCGIOutsideBasePathUnderNginx(t *testing.T) {
	webserver.Require(t, "nginx")
	dir := t.TempDir()
	sock := filepath.Join(dir, "gomailcgi.sock")
	webserver.Start(t, sock, nil, sharedBinary(t), "-pop", "127.0.0.1:1", "-smtp", "127.0.0.1:1",
		"-fcgi", "unix:"+sock, "-base-path", "/mail")
	port := webserver.FreePort(t)
	webserver.Nginx(t, dir, webserver.Addr(port), nginxConf(port, `
    location /fcgi/ {
      fastcgi_split_path_info ^(/fcgi)(/.*)$;
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_NAME $fastcgi_script_name;
      fastcgi_param PATH_INFO $fastcgi_path_info;
      fastcgi_pass unix:`+sock+`;
    }`, ""))
	res, err := http.Get("http://" + webserver.Addr(port) + "/fcgi/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var alert, home string
	for n := range doc.Descendants() {
		if attr(n, "role") == "alert" && alert == "" {
			alert = textOf(n)
		}
		if n.Data == "a" && attr(n, "href") == "/mail/" {
			home = textOf(n)
		}
	}
	if res.StatusCode != http.StatusNotFound || !strings.Contains(alert, "-base-path") || !strings.Contains(alert, "/mail/") {
		t.Errorf("GET /fcgi/login with -base-path /mail: status %d, the page says %q; want 404 naming -base-path and /mail/",
			res.StatusCode, alert)
	}
	if home == "" {
		t.Error("the page has no link to the front page /mail/")
	}
}

// Two replicas behind nginx's round robin under /mail, in the middle of a
// key rotation: each seals with its own first key and opens both, and
// consecutive requests land on different replicas.
func TestDeployReplicasBehindNginx(t *testing.T) {
	webserver.Require(t, "nginx")
	d := newDeploySetup(t, "deployrepl")
	bin := sharedBinary(t)
	confA := d.keyedConf(t, "a.conf", deployKey2, deployKey1) // already sealing with the new key
	confB := d.keyedConf(t, "b.conf", deployKey1, deployKey2) // not yet
	pa, pb := webserver.FreePort(t), webserver.FreePort(t)
	webserver.Start(t, webserver.Addr(pa), nil, bin, "-config", confA, "-listen", webserver.Addr(pa), "-base-path", "/mail")
	webserver.Start(t, webserver.Addr(pb), nil, bin, "-config", confB, "-listen", webserver.Addr(pb), "-base-path", "/mail")
	port := webserver.FreePort(t)
	webserver.Nginx(t, d.dir, webserver.Addr(port), nginxConf(port, `
    location /mail/ {
      proxy_pass http://replicas;
      proxy_set_header Host $host;
      add_header X-Replica $upstream_addr always;
    }`, fmt.Sprintf("upstream replicas { server %s; server %s; }", webserver.Addr(pa), webserver.Addr(pb))))
	w := newWalker(t, "http://"+webserver.Addr(port), "/mail", nil)
	w.flow(d)
	served := map[string]bool{}
	for i, res := range w.seen {
		r := res.Header.Get("X-Replica")
		served[r] = true
		if i > 0 && r == w.seen[i-1].Header.Get("X-Replica") {
			t.Errorf("requests %d and %d both went to %s", i, i+1, r)
		}
	}
	if len(served) != 2 {
		t.Errorf("replicas that served: %v, want both", served)
	}
}

// nginxConf is an nginx.conf for one server on port with locations, and
// extra at http level.
func nginxConf(port int, locations, extra string) string {
	return fmt.Sprintf(`
user root;
worker_processes 1;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path {DIR}/tmp/body;
  proxy_temp_path {DIR}/tmp/proxy;
  fastcgi_temp_path {DIR}/tmp/fastcgi;
  uwsgi_temp_path {DIR}/tmp/uwsgi;
  scgi_temp_path {DIR}/tmp/scgi;
  client_max_body_size 30m;
  %s
  server {
    listen 127.0.0.1:%d;
    %s
  }
}
`, extra, port, locations)
}

// Standalone HTTPS: HSTS on every answer, /healthz, and a renewed
// certificate served without a restart.
func TestDeployStandaloneHTTPS(t *testing.T) {
	d := newDeploySetup(t, "deployhttps")
	bin := sharedBinary(t)
	certFile, keyFile := filepath.Join(d.dir, "cert.pem"), filepath.Join(d.dir, "key.pem")
	certPEM, keyPEM, client := testtls.PEM(t)
	os.WriteFile(certFile, certPEM, 0o600)
	os.WriteFile(keyFile, keyPEM, 0o600)
	port := webserver.FreePort(t)
	webserver.Start(t, webserver.Addr(port), nil, bin, "-config", d.conf, "-listen", webserver.Addr(port),
		"-tls-cert", certFile, "-tls-key", keyFile)
	w := newWalker(t, "https://"+webserver.Addr(port), "", client)
	w.flow(d)
	for i, res := range w.seen {
		if got := res.Header.Get("Strict-Transport-Security"); got != "max-age=31536000" {
			t.Errorf("response %d: HSTS %q", i+1, got)
		}
	}
	health := func(c *tls.Config) *http.Response {
		cl := &http.Client{Transport: &http.Transport{TLSClientConfig: c, DisableKeepAlives: true}}
		res, err := cl.Get("https://" + webserver.Addr(port) + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	res := health(client)
	if res.StatusCode != http.StatusOK {
		t.Errorf("/healthz: %d", res.StatusCode)
	}
	before := res.TLS.PeerCertificates[0].SerialNumber
	certPEM, keyPEM, client = testtls.PEM(t)
	os.WriteFile(keyFile, keyPEM, 0o600)
	os.WriteFile(certFile, certPEM, 0o600)
	if got := health(client).TLS.PeerCertificates[0].SerialNumber; got.Cmp(before) == 0 {
		t.Error("the renewed certificate is not served")
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}
