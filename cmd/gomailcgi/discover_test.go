package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// fakeDNS answers SRV questions on loopback UDP from its table; every
// other name is NXDOMAIN, and a name in fail gets SERVFAIL. It records
// the questions asked.
type fakeDNS struct {
	conn net.PacketConn
	srv  map[string][]dnsmessage.SRVResource // by name, with the final dot
	fail map[string]bool

	mu    sync.Mutex
	asked []string
}

func startFakeDNS(t *testing.T, srv map[string][]dnsmessage.SRVResource, fail ...string) *fakeDNS {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d := &fakeDNS{conn: conn, srv: srv, fail: map[string]bool{}}
	for _, f := range fail {
		d.fail[f] = true
	}
	t.Cleanup(func() { conn.Close() })
	go d.serve()
	return d
}

func (d *fakeDNS) serve() {
	buf := make([]byte, 1500)
	for {
		n, from, err := d.conn.ReadFrom(buf)
		if err != nil {
			return
		}
		var p dnsmessage.Parser
		h, err := p.Start(buf[:n])
		if err != nil {
			continue
		}
		q, err := p.Question()
		if err != nil {
			continue
		}
		name := q.Name.String()
		d.mu.Lock()
		d.asked = append(d.asked, name)
		d.mu.Unlock()
		records, found := d.srv[name]
		rh := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired}
		switch {
		case d.fail[name]:
			rh.RCode = dnsmessage.RCodeServerFailure
		case !found:
			rh.RCode = dnsmessage.RCodeNameError
		}
		b := dnsmessage.NewBuilder(nil, rh)
		b.EnableCompression()
		b.StartQuestions()
		b.Question(q)
		b.StartAnswers()
		if q.Type == dnsmessage.TypeSRV && !d.fail[name] {
			for _, r := range records {
				b.SRVResource(dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 60}, r)
			}
		}
		msg, err := b.Finish()
		if err != nil {
			continue
		}
		d.conn.WriteTo(msg, from)
	}
}

// resolver asks only d, never the machine's own DNS servers.
func (d *fakeDNS) resolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var dialer net.Dialer
		return dialer.DialContext(ctx, "udp", d.conn.LocalAddr().String())
	}}
}

func srvRecord(target string, port, priority uint16) dnsmessage.SRVResource {
	return dnsmessage.SRVResource{Priority: priority, Weight: 1, Port: port, Target: dnsmessage.MustNewName(target)}
}

func TestDiscover(t *testing.T) {
	dns := startFakeDNS(t, map[string][]dnsmessage.SRVResource{
		// pop3s: the backup at a lower priority (a higher number) listed first
		"_pop3s._tcp.example.org.": {srvRecord("backup.example.org.", 995, 20), srvRecord("pop.example.org.", 995, 10)},
		"_pop3._tcp.example.org.":  {srvRecord("plain.example.org.", 110, 0)},
		// submissions is not offered ("."), submission is
		"_submissions._tcp.example.org.": {srvRecord(".", 0, 0)},
		"_submission._tcp.example.org.":  {srvRecord("smtp.example.org.", 587, 0)},
	})
	var out, errOut bytes.Buffer
	if code := runDiscover([]string{"Example.org"}, dns.resolver(), &out, &errOut); code != 0 {
		t.Fatalf("exit status %d, want 0; stderr: %s", code, errOut.String())
	}
	// what it prints is a section the settings file takes as it is
	file := filepath.Join(t.TempDir(), "gomailcgi.conf")
	if err := os.WriteFile(file, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := parseConfig([]string{"-config", file}, env(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatalf("the printed section does not parse: %v\n%s", err, out.String())
	}
	ws := c.webConfig().Servers
	if len(ws) != 1 {
		t.Fatalf("got %d servers, want 1:\n%s", len(ws), out.String())
	}
	s := ws[0]
	for _, tt := range []struct{ name, got, want string }{
		{"id", s.ID, "example.org"},
		{"domains", strings.Join(s.Domains, " "), "example.org"},
		{"pop", s.POP.Server.Addr, "pop.example.org:995"},
		{"pop security", string(s.POP.Server.Security), "tls"},
		{"smtp", s.SMTP.Server.Addr, "smtp.example.org:587"},
		{"smtp security", string(s.SMTP.Server.Security), "starttls"},
	} {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q\n%s", tt.name, tt.got, tt.want, out.String())
		}
	}
}

func TestDiscoverNothing(t *testing.T) {
	dns := startFakeDNS(t, map[string][]dnsmessage.SRVResource{
		"_pop3._tcp.half.example.": {srvRecord("pop.half.example.", 110, 0)},
	}, "_pop3s._tcp.broken.example.")
	for _, tt := range []struct {
		domain string
		code   int
		stderr string
		stdout bool
	}{
		{"unknown.example", 1, "unknown.example publishes no mail servers", false},
		{"half.example", 1, "half.example has no _submissions._tcp or _submission._tcp record", true},
		{"broken.example", 1, "looking up _pop3s._tcp.broken.example", false},
		{"not a domain", 2, "is not a domain name", false},
	} {
		t.Run(tt.domain, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := runDiscover([]string{tt.domain}, dns.resolver(), &out, &errOut)
			if code != tt.code || !strings.Contains(errOut.String(), tt.stderr) {
				t.Errorf("got status %d, stderr %q; want %d, %q", code, errOut.String(), tt.code, tt.stderr)
			}
			if got := out.Len() > 0; got != tt.stdout {
				t.Errorf("printed a section: %v, want %v:\n%s", got, tt.stdout, out.String())
			}
		})
	}
	dns.mu.Lock()
	defer dns.mu.Unlock()
	if len(dns.asked) == 0 {
		t.Error("the fake DNS server was never asked")
	}
}

// The program takes `discover` as a command, but never under CGI, where
// its arguments may come from a query string.
func TestDiscoverCommand(t *testing.T) {
	_, stderr, code := runMain(t, []string{"discover"}, nil)
	if code != 2 || !strings.Contains(stderr, "usage: gomailcgi discover DOMAIN") {
		t.Errorf("discover without a domain: status %d, stderr %q; want 2 and the usage", code, stderr)
	}
	stdout, stderr, _ := runMain(t, []string{"discover", "example.org"}, []string{"GATEWAY_INTERFACE=CGI/1.1", "GOMAILCGI_CONFIG="})
	if strings.Contains(stdout+stderr, "SRV") || strings.Contains(stdout, "[server") {
		t.Errorf("under CGI discover ran: stdout %q, stderr %q", stdout, stderr)
	}
}
