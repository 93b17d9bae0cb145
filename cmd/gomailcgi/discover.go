package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// discoverTimeout bounds all the lookups of one discover run.
const discoverTimeout = 20 * time.Second

// srvService is one RFC 6186 (and RFC 8314) service a mail domain may
// publish, and the connection security it stands for.
type srvService struct {
	name     string // e.g. "pop3s", looked up as _pop3s._tcp.DOMAIN
	security string // tls or starttls
}

// The services discover asks for, the implicit-TLS one of each kind first
// (RFC 8314 prefers it).
var (
	popServices  = []srvService{{"pop3s", "tls"}, {"pop3", "starttls"}}
	smtpServices = []srvService{{"submissions", "tls"}, {"submission", "starttls"}}
)

// errNoRecords means the domain publishes none of a kind's services.
var errNoRecords = errors.New("no SRV records")

// runDiscover is `gomailcgi discover DOMAIN`: it prints a [server]
// section for the settings file from the domain's SRV records, and
// returns the exit status: 0 done, 1 nothing (or not all) found, 2 usage.
func runDiscover(args []string, r *net.Resolver, stdout, stderr io.Writer) int {
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, "usage: gomailcgi discover DOMAIN\n\nPrints a [server] section for the settings file from the domain's RFC 6186 SRV records.")
		return 2
	}
	domain := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(args[0])), ".")
	if !validDomain(domain) {
		fmt.Fprintf(stderr, "gomailcgi discover: %q is not a domain name (like example.org)\n", args[0])
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), discoverTimeout)
	defer cancel()
	pop, popSec, popErr := lookupService(ctx, r, domain, popServices)
	smtp, smtpSec, smtpErr := lookupService(ctx, r, domain, smtpServices)
	if errors.Is(popErr, errNoRecords) && errors.Is(smtpErr, errNoRecords) {
		fmt.Fprintf(stderr, "gomailcgi discover: %s publishes no mail servers: none of _pop3s._tcp, _pop3._tcp, "+
			"_submissions._tcp, _submission._tcp has an SRV record (RFC 6186). Ask the domain's provider for its POP3 and SMTP servers.\n", domain)
		return 1
	}
	for _, err := range []error{popErr, smtpErr} {
		if err != nil && !errors.Is(err, errNoRecords) {
			fmt.Fprintf(stderr, "gomailcgi discover: %v\n", err)
			return 1
		}
	}
	fmt.Fprintf(stdout, "# from the SRV records of %s (RFC 6186): check them before use\n", domain)
	fmt.Fprintf(stdout, "[server %s]\nlabel = %s\ndomains = %s\n", domain, domain, domain)
	status := 0
	for _, s := range []struct {
		key, addr, security string
		err                 error
		names               string
	}{
		{"pop", pop, popSec, popErr, "_pop3s._tcp or _pop3._tcp"},
		{"smtp", smtp, smtpSec, smtpErr, "_submissions._tcp or _submission._tcp"},
	} {
		if s.err != nil {
			fmt.Fprintf(stdout, "# %s = ?  (no %s record: fill it in)\n", s.key, s.names)
			fmt.Fprintf(stderr, "gomailcgi discover: %s has no %s record: the section is not complete\n", domain, s.names)
			status = 1
			continue
		}
		fmt.Fprintf(stdout, "%s = %s\n%s-security = %s\n", s.key, s.addr, s.key, s.security)
	}
	fmt.Fprintln(stdout, "login = address  # or local, if the server wants the part before @")
	return status
}

// lookupService finds the first of services the domain publishes: its
// host:port and security. A record whose target is "." says the service
// is not offered (RFC 2782), as does none at all: errNoRecords.
func lookupService(ctx context.Context, r *net.Resolver, domain string, services []srvService) (addr, security string, err error) {
	for _, s := range services {
		_, srvs, err := r.LookupSRV(ctx, s.name, "tcp", domain)
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
			continue
		}
		if err != nil {
			return "", "", fmt.Errorf("looking up _%s._tcp.%s: %v", s.name, domain, err)
		}
		for _, srv := range srvs { // in order of priority, then weight
			if target := strings.TrimSuffix(srv.Target, "."); target != "" {
				return net.JoinHostPort(target, strconv.Itoa(int(srv.Port))), s.security, nil
			}
		}
	}
	return "", "", errNoRecords
}

// validDomain reports whether d looks like a DNS domain name.
func validDomain(d string) bool {
	if d == "" || len(d) > 253 || !strings.Contains(d, ".") {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return false
		}
		for _, r := range label {
			if !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}
