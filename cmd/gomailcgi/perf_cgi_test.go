package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"gomailcgi/internal/testing/mailstack"
	"gomailcgi/internal/testing/webserver"
)

var (
	perfRun    = flag.Bool("perf", false, "run TestPerfCGI: gomailcgi as a CGI program against a minimal Go CGI program, and under lighttpd against itself standalone (make bench)")
	perfStrict = flag.Bool("perf.strict", false, "make TestPerfCGI fail when a target is missed")
	perfRounds = flag.Int("perf.rounds", 100, "TestPerfCGI rounds per case")
)

// The targets: a CGI request's process start and set-up at most 1.5 times
// a minimal Go CGI program's, and a list page under lighttpd's CGI at
// most 1.3 times the same page served standalone, both at the median.
const (
	cgiStartTarget = 1.5
	cgiListTarget  = 1.3
	perfMailbox    = 1000 // messages in the mailbox the list pages read
)

// TestPerfCGI measures gomailcgi as a CGI program. First as whole
// processes, each started as a web server starts a CGI program, in turns
// with testdata/mincgi, the least a Go CGI program does: the login page
// (no mail server asked) and, on the real mail stack, a list page of a
// mailbox of 1,000 messages, whose extra time is the page's POP3 and
// list work, not the process's start. Then the same list page through
// lighttpd's mod_cgi, in turns with the binary serving it standalone on
// a loopback port. Beside them, testdata/mincgibm against mincgi: the
// start every process of a program linking the sanitizer pays, which
// bounds the first ratio from below. It prints one table, ratios first. It fails on errors
// (a wrong answer, a missing program or mail stack), and on missed
// targets only with -perf.strict. Without -perf it is skipped.
func TestPerfCGI(t *testing.T) {
	if !*perfRun {
		t.Skip("a measurement of whole processes: run with -perf (make bench)")
	}
	dir := t.TempDir()
	bin := sharedBinary(t)
	floor, floorBM := filepath.Join(dir, "mincgi"), filepath.Join(dir, "mincgibm")
	for _, prog := range []string{floor, floorBM} {
		if out, err := exec.Command("go", "build", "-o", prog, "./testdata/"+filepath.Base(prog)).CombinedOutput(); err != nil {
			t.Fatalf("go build testdata/%s: %v\n%s", filepath.Base(prog), err, out)
		}
	}
	keyFile := filepath.Join(dir, "keys")
	if err := os.WriteFile(keyFile, []byte(deployKey1+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rounds := *perfRounds
	rep := cgiReport{rounds: rounds}

	// The login page asks no mail server, so none need be there.
	noMail := writePerfConf(t, dir, "nomail.conf", fmt.Sprintf("pop = 127.0.0.1:1\nsmtp = 127.0.0.1:1\nkey-file = %s\n", keyFile))
	login := cgiRequest{method: http.MethodGet, path: "/login", conf: noMail}
	rep.start = append(rep.start, sideBySide(t, "GET /login", rounds, floor, bin, login, func(out []byte) error {
		return wantPage(out, "200 OK", `name="password"`, 1)
	}))
	rep.bound = sideBySide(t, "GET /login", rounds, floor, floorBM, login, func(out []byte) error {
		return wantPage(out, "200 OK", "Log in", 1)
	})

	env, err := mailstack.Load(mailstack.Dir())
	if err != nil {
		t.Log("\n" + rep.table())
		t.Fatalf("-perf needs the real mail stack for the list pages (make bench starts one of its own): %v", err)
	}
	user, pass := "cgiperf", "cgiperf-pw-1"
	env.LockUser(t, user)
	env.AddUser(t, user, pass)
	env.Fill(t, user, perfMailbox)
	// Plain POP3, as TestPerf's: TLS would add its handshake to both sides.
	conf := writePerfConf(t, dir, "gomailcgi.conf", fmt.Sprintf("pop = %s\npop-security = insecure\nsmtp = %s\nsmtp-security = starttls\nca-file = %s\nkey-file = %s\nfrom-domain = %s\n",
		env.POP3, env.Submission, env.CAFile, keyFile, env.Domain))
	tok := cgiLogin(t, bin, conf, user, pass)
	list := cgiRequest{method: http.MethodGet, path: "/list", query: "t=" + url.QueryEscape(tok), conf: conf}
	rep.start = append(rep.start, sideBySide(t, fmt.Sprintf("GET /list, %d msgs", perfMailbox), rounds, floor, bin, list, func(out []byte) error {
		return wantPage(out, "200 OK", `name="m"`, 50)
	}))

	if !haveProgram("lighttpd") {
		t.Log("\n" + rep.table())
		t.Fatal("-perf needs lighttpd for the list page under CGI: scripts/install-deps.sh installs it")
	}
	rep.served = underLighttpd(t, dir, bin, conf, tok, rounds)
	t.Log("\n" + rep.table())
	rep.check(t, *perfStrict)
}

// haveProgram reports whether the program name is installed, where
// webserver.Require looks for it.
func haveProgram(name string) bool {
	for _, p := range []string{"/usr/sbin/" + name, "/usr/bin/" + name} {
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return true
		}
	}
	_, err := exec.LookPath(name)
	return err == nil
}

// writePerfConf writes a settings file of gomailcgi.
func writePerfConf(t *testing.T, dir, name, text string) string {
	t.Helper()
	file := filepath.Join(dir, name)
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// cgiRequest is one request as a web server hands it to a CGI program.
type cgiRequest struct {
	method, path, query string
	body                string // form-encoded, for a POST
	conf                string // GOMAILCGI_CONFIG
}

// environ is the request's CGI environment (RFC 3875), and nothing more:
// a web server passes no other variable unless told to.
func (r cgiRequest) environ() []string {
	env := []string{
		"GATEWAY_INTERFACE=CGI/1.1", "SERVER_PROTOCOL=HTTP/1.1", "SERVER_SOFTWARE=perf",
		"SERVER_NAME=127.0.0.1", "SERVER_PORT=80", "HTTP_HOST=127.0.0.1", "REMOTE_ADDR=127.0.0.1", "REMOTE_PORT=40000",
		"REQUEST_METHOD=" + r.method, "SCRIPT_NAME=/cgi-bin/gomailcgi", "PATH_INFO=" + r.path,
		"QUERY_STRING=" + r.query, "REQUEST_URI=/cgi-bin/gomailcgi" + r.path + "?" + r.query,
		"GOMAILCGI_CONFIG=" + r.conf,
	}
	if r.method == http.MethodPost {
		env = append(env, "CONTENT_TYPE=application/x-www-form-urlencoded", "CONTENT_LENGTH="+strconv.Itoa(len(r.body)),
			"HTTP_ORIGIN=http://127.0.0.1")
	}
	return env
}

// processRun is what one CGI process took: wall time from start to exit,
// and its CPU time, user and system.
type processRun struct{ wall, cpu time.Duration }

// runCGI runs bin as a CGI program for r and returns what it wrote.
func runCGI(bin string, r cgiRequest) (processRun, []byte, error) {
	cmd := exec.Command(bin)
	cmd.Env = r.environ()
	cmd.Stdin = strings.NewReader(r.body)
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	start := time.Now()
	err := cmd.Run()
	run := processRun{wall: time.Since(start)}
	if cmd.ProcessState != nil {
		run.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	if err != nil {
		return run, nil, fmt.Errorf("%s: %v\n%s", filepath.Base(bin), err, errs.Bytes())
	}
	return run, out.Bytes(), nil
}

// wantPage checks a CGI answer: its status, and at least n of marker in
// its body.
func wantPage(out []byte, status, marker string, n int) error {
	head, body, _ := bytes.Cut(out, []byte("\r\n\r\n"))
	if !bytes.HasPrefix(head, []byte("Status: "+status+"\r\n")) {
		return fmt.Errorf("answer begins %q, want Status: %s", firstLine(head), status)
	}
	if got := bytes.Count(body, []byte(marker)); got < n {
		return fmt.Errorf("%d of %q in the page, want %d", got, marker, n)
	}
	return nil
}

func firstLine(b []byte) []byte {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	return line
}

// cgiLogin logs user in through one CGI process and returns the token of
// the list page it leads to.
func cgiLogin(t *testing.T, bin, conf, user, pass string) string {
	t.Helper()
	form := url.Values{"user": {user}, "password": {pass}, "next": {"list"}}.Encode()
	_, out, err := runCGI(bin, cgiRequest{method: http.MethodPost, path: "/login", body: form, conf: conf})
	if err != nil {
		t.Fatal(err)
	}
	hdr, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(out))).ReadMIMEHeader()
	if err != nil && err != io.EOF {
		t.Fatalf("login answer: %v", err)
	}
	loc, err := url.Parse(hdr.Get("Location"))
	if err != nil || hdr.Get("Status") != "303 See Other" || loc.Query().Get("t") == "" {
		t.Fatalf("login answered %q, Location %q; want a 303 to the list with a token", hdr.Get("Status"), hdr.Get("Location"))
	}
	return loc.Query().Get("t")
}

// startRow is one request run as whole processes: gomailcgi's and the
// floor's runs, taken in turns.
type startRow struct {
	name       string
	ours, base []processRun
}

// sideBySide runs r by the floor and by gomailcgi in turns, rounds times
// each after one run of each to warm the page cache; check judges
// gomailcgi's answer.
func sideBySide(t *testing.T, name string, rounds int, floor, bin string, r cgiRequest, check func([]byte) error) startRow {
	t.Helper()
	row := startRow{name: name}
	for i := -1; i < rounds; i++ {
		base, out, err := runCGI(floor, r)
		if err == nil {
			err = wantPage(out, "200 OK", "Log in", 1)
		}
		if err != nil {
			t.Fatalf("%s, the floor: %v", name, err)
		}
		ours, out, err := runCGI(bin, r)
		if err == nil {
			err = check(out)
		}
		if err != nil {
			t.Fatalf("%s, gomailcgi: %v", name, err)
		}
		if i >= 0 {
			row.ours, row.base = append(row.ours, ours), append(row.base, base)
		}
	}
	return row
}

// servedRow is one page fetched over HTTP from gomailcgi under
// lighttpd's CGI and standalone, in turns.
type servedRow struct {
	name            string
	cgi, standalone []time.Duration
}

// underLighttpd fetches the list page from gomailcgi as lighttpd's CGI
// program and from gomailcgi serving HTTP itself, in turns.
func underLighttpd(t *testing.T, dir, bin, conf, tok string, rounds int) servedRow {
	t.Helper()
	webserver.Require(t, "lighttpd")
	cgiPort, ownPort := webserver.FreePort(t), webserver.FreePort(t)
	if err := os.MkdirAll(filepath.Join(dir, "www"), 0o755); err != nil {
		t.Fatal(err)
	}
	webserver.Lighttpd(t, dir, webserver.Addr(cgiPort), fmt.Sprintf(`
server.document-root = "{DIR}/www"
server.bind = "127.0.0.1"
server.port = %d
server.errorlog = "{DIR}/lighttpd-error.log"
server.modules = ("mod_alias", "mod_cgi", "mod_setenv")
alias.url = ("/cgi-bin/gomailcgi" => "%s")
$HTTP["url"] =~ "^/cgi-bin/gomailcgi" { cgi.assign = ("" => "") }
setenv.add-environment = ("GOMAILCGI_CONFIG" => "%s")
`, cgiPort, bin, conf))
	webserver.Start(t, webserver.Addr(ownPort), []string{"GOMAILCGI_CONFIG=" + conf}, bin, "-listen", webserver.Addr(ownPort))
	client := &http.Client{Timeout: time.Minute}
	t.Cleanup(client.CloseIdleConnections)
	get := func(u string) time.Duration {
		start := time.Now()
		resp, err := client.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		took := time.Since(start)
		if err != nil || resp.StatusCode != http.StatusOK || bytes.Count(body, []byte(`name="m"`)) < 50 {
			t.Fatalf("GET %s: status %d, %d rows (%v); want 200 and 50 rows", strings.SplitN(u, "?", 2)[0], resp.StatusCode, bytes.Count(body, []byte(`name="m"`)), err)
		}
		return took
	}
	query := "?t=" + url.QueryEscape(tok)
	row := servedRow{name: fmt.Sprintf("GET /list, %d msgs", perfMailbox)}
	for i := -1; i < rounds; i++ {
		c := get("http://" + webserver.Addr(cgiPort) + "/cgi-bin/gomailcgi/list" + query)
		s := get("http://" + webserver.Addr(ownPort) + "/list" + query)
		if i >= 0 {
			row.cgi, row.standalone = append(row.cgi, c), append(row.standalone, s)
		}
	}
	return row
}

// cgiReport is TestPerfCGI's measurements.
type cgiReport struct {
	rounds int
	start  []startRow
	// bound is testdata/mincgibm against mincgi: what linking the
	// sanitizer costs every process, before any of gomailcgi's own work.
	bound  startRow
	served servedRow
}

// quantile is the q quantile of ds (nearest rank).
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.5) - 1
	return s[max(0, min(i, len(s)-1))]
}

func walls(rs []processRun) []time.Duration {
	ds := make([]time.Duration, len(rs))
	for i, r := range rs {
		ds[i] = r.wall
	}
	return ds
}

func cpus(rs []processRun) []time.Duration {
	ds := make([]time.Duration, len(rs))
	for i, r := range rs {
		ds[i] = r.cpu
	}
	return ds
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond)) }

// startRatio is the row's wall-time ratio at the median.
func (r startRow) startRatio() float64 {
	return ratio(quantile(walls(r.ours), .5), quantile(walls(r.base), .5))
}

// servedRatio is the row's CGI to standalone ratio at the median.
func (r servedRow) servedRatio() float64 {
	return ratio(quantile(r.cgi, .5), quantile(r.standalone, .5))
}

// table is the report: the ratios first, then the times in ms.
func (rep cgiReport) table() string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "CGI process, against mincgi\twall ratio p50\tCPU ratio p50\tits wall p50\tp99\tmincgi wall p50\tp99\tits CPU p50\tmincgi CPU p50\t")
	rows := rep.start
	if rep.bound.ours != nil {
		rows = append(slices.Clone(rows), rep.bound)
	}
	for i, r := range rows {
		target := fmt.Sprintf("gomailcgi, %s (target ≤%.1f)", r.name, cgiStartTarget)
		switch {
		case i == len(rep.start):
			target = "mincgibm, mincgi linking bluemonday, " + r.name
		case i > 0:
			target = "gomailcgi, " + r.name + " (" + ms(quantile(walls(r.ours), .5)-quantile(walls(rep.start[0].ours), .5)) + " ms more than /login: POP3 and the rows)"
		}
		fmt.Fprintf(w, "%s\t%.2f\t%.2f\t%s\t%s\t%s\t%s\t%s\t%s\t\n", target, r.startRatio(),
			ratio(quantile(cpus(r.ours), .5), quantile(cpus(r.base), .5)),
			ms(quantile(walls(r.ours), .5)), ms(quantile(walls(r.ours), .99)),
			ms(quantile(walls(r.base), .5)), ms(quantile(walls(r.base), .99)),
			ms(quantile(cpus(r.ours), .5)), ms(quantile(cpus(r.base), .5)))
	}
	if s := rep.served; s.cgi != nil {
		fmt.Fprintln(w, "\t\t\t\t\t\t\t\t\t")
		fmt.Fprintln(w, "over HTTP\tratio p50\tratio p99\tlighttpd CGI p50\tp99\tstandalone p50\tp99\t\t\t")
		fmt.Fprintf(w, "%s (target ≤%.1f)\t%.2f\t%.2f\t%s\t%s\t%s\t%s\t\t\t\n", s.name, cgiListTarget, s.servedRatio(),
			ratio(quantile(s.cgi, .99), quantile(s.standalone, .99)),
			ms(quantile(s.cgi, .5)), ms(quantile(s.cgi, .99)), ms(quantile(s.standalone, .5)), ms(quantile(s.standalone, .99)))
	}
	w.Flush()
	fmt.Fprintf(&b, "times in ms, %d rounds each, taken in turns; CPU is user+system of the process\n", rep.rounds)
	return b.String()
}

// check reports missed targets: errors with strict, else notes.
func (rep cgiReport) check(t *testing.T, strict bool) {
	t.Helper()
	miss := t.Logf
	if strict {
		miss = t.Errorf
	}
	if len(rep.start) > 0 {
		if r := rep.start[0]; r.startRatio() > cgiStartTarget {
			miss("missed: %s as a CGI process is %.2f× the minimal Go CGI program at p50, target ≤%.1f (the same program linking bluemonday: %.2f×)", r.name, r.startRatio(), cgiStartTarget, rep.bound.startRatio())
		}
	}
	if s := rep.served; s.cgi != nil && s.servedRatio() > cgiListTarget {
		miss("missed: %s under lighttpd's CGI is %.2f× standalone at p50, target ≤%.1f", s.name, s.servedRatio(), cgiListTarget)
	}
}
