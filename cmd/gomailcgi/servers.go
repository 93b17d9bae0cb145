package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"

	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/web"
)

// serverKeys are the settings of a [server ID] section, named as the flags
// they stand for on a site of one server.
var serverKeys = []string{"label", "domains", "pop", "pop-security", "smtp", "smtp-security", "ca-file", "login", "from-domain"}

// serverSection is one [server ID] section of the settings file: a mail
// server of the site's allowlist.
type serverSection struct {
	file   string
	line   int               // of the [server ID] line
	id     string            // as the line names it
	values map[string]string // by key
	lines  map[string]int    // the line of each key
}

// where names the section's line of key in an error, or its own line when
// the key is not set.
func (s *serverSection) where(key string) string {
	line := s.lines[key]
	if line == 0 {
		line = s.line
	}
	return fmt.Sprintf("%s:%d", s.file, line)
}

// sectionStart reads a "[server ID]" line; ok is false for a line that is
// no section header. A header of anything else is an error.
func sectionStart(line string) (id string, ok bool, err error) {
	inner, isHeader := strings.CutPrefix(line, "[")
	if !isHeader {
		return "", false, nil
	}
	inner, closed := strings.CutSuffix(inner, "]")
	kind, id, _ := strings.Cut(strings.TrimSpace(inner), " ")
	id = strings.TrimSpace(id)
	if !closed || kind != "server" || id == "" || strings.ContainsAny(id, " \t") {
		return "", true, errors.New("want a section as [server ID]")
	}
	return id, true, nil
}

// set reads one "key = value" line of the section. A '#' after a blank
// starts a comment, so that a value can be explained on its line.
func (s *serverSection) set(line string, n int) error {
	if i := strings.Index(line, " #"); i >= 0 {
		line = line[:i]
	}
	if i := strings.Index(line, "\t#"); i >= 0 {
		line = line[:i]
	}
	key, value, ok := strings.Cut(line, "=")
	key, value = strings.TrimSpace(key), strings.TrimSpace(value)
	known := false
	for _, k := range serverKeys {
		known = known || k == key
	}
	switch {
	case !ok:
		return errors.New("want name = value")
	case !known:
		return fmt.Errorf("unknown setting of a server (it takes %s)", strings.Join(serverKeys, ", "))
	case s.lines[key] != 0:
		return fmt.Errorf("%s set again (first on line %d)", key, s.lines[key])
	}
	s.values[key], s.lines[key] = value, n
	return nil
}

// check rejects what the section alone shows cannot work: a missing or
// malformed address, an unknown security or login. What needs the other
// sections too (an ID or a domain taken twice) web's Config.Check finds.
func (s *serverSection) check() error {
	for _, key := range []string{"pop", "smtp"} {
		addr, ok := s.values[key]
		if !ok {
			return fmt.Errorf("%s: this server section needs %s = host:port", s.where(key), key)
		}
		if host, port, err := net.SplitHostPort(addr); err != nil || host == "" || port == "" {
			return fmt.Errorf("%s: %s: want host:port", s.where(key), key)
		}
	}
	for _, key := range []string{"pop-security", "smtp-security"} {
		if v, ok := s.values[key]; ok {
			if _, err := mailtools.ParseSecurity(v); err != nil {
				return fmt.Errorf("%s: %s: want tls, starttls or insecure", s.where(key), key)
			}
		}
	}
	if v := s.values["login"]; v != "" && v != "local" && v != "address" {
		return fmt.Errorf("%s: login: want local (the part before @) or address (the whole address)", s.where("login"))
	}
	if _, ok := s.values["domains"]; !ok {
		return fmt.Errorf("%s: this server section needs domains = the mail domains it serves, or * for any other", s.where("domains"))
	}
	return nil
}

// mailServer is the section as web takes it, without TLS settings: they
// read the CA file, which run does.
func (s *serverSection) mailServer() web.MailServer {
	security := func(key, def string) mailtools.Security {
		v, ok := s.values[key]
		if !ok {
			v = def
		}
		sec, _ := mailtools.ParseSecurity(v)
		return sec
	}
	return web.MailServer{
		ID:         s.id,
		Label:      s.values["label"],
		Domains:    strings.Fields(strings.ToLower(strings.ReplaceAll(s.values["domains"], ",", " "))),
		POP:        &mailtools.POP{Server: mailtools.Server{Addr: s.values["pop"], Security: security("pop-security", "tls")}},
		SMTP:       &mailtools.SMTP{Server: mailtools.Server{Addr: s.values["smtp"], Security: security("smtp-security", "starttls")}},
		FromDomain: s.values["from-domain"],
		LocalLogin: s.values["login"] == "local",
	}
}

// webServers is the site's allowlist from its server sections; nil when
// the file has none and -pop and -smtp name the one server.
func (c *Config) webServers() []web.MailServer {
	if len(c.Servers) == 0 {
		return nil
	}
	out := make([]web.MailServer, len(c.Servers))
	for i := range c.Servers {
		out[i] = c.Servers[i].mailServer()
	}
	return out
}

// checkServers checks each server section, then the sections together,
// by web's own check; an error names the file and line, never a value.
func (c *Config) checkServers() error {
	if len(c.Servers) == 0 {
		return nil
	}
	switch {
	case c.Demo:
		return fmt.Errorf("%s: -demo and [server] sections do not go together", c.Servers[0].where(""))
	case c.POP != "" || c.SMTP != "":
		return fmt.Errorf("%s: -pop and -smtp name the one server of a site without [server] sections; give them in a section instead", c.Servers[0].where(""))
	}
	for i := range c.Servers {
		if err := c.Servers[i].check(); err != nil {
			return err
		}
	}
	return nil
}

// error is web's complaint about field of the section, named by the line
// of its key; the value is not repeated (see applyFile).
func (s *serverSection) error(field, want string) error {
	key := map[string]string{"Label": "label", "Domains": "domains", "POP": "pop", "SMTP": "smtp"}[field]
	name := key
	if name == "" {
		name = "server ID"
	}
	return fmt.Errorf("%s: %s: %s", s.where(key), name, want)
}

// serverTLS gives each server of servers the roots it trusts: its
// section's ca-file's, else -ca-file's, with the system's.
func (c *Config) serverTLS(servers []web.MailServer) error {
	made := map[string]func() *x509.CertPool{}
	for i := range servers {
		s := &c.Servers[i]
		caFile, ok := s.values["ca-file"]
		if !ok {
			caFile = c.CAFile
		}
		roots, seen := made[caFile]
		if !seen {
			var err error
			if roots, err = rootsFor(caFile); err != nil {
				return fmt.Errorf("%s: %v", s.where("ca-file"), err)
			}
			made[caFile] = roots
		}
		servers[i].POP.Server.Roots, servers[i].SMTP.Server.Roots = roots, roots
	}
	return nil
}
