package web

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"gomailcgi/internal/mailtools"
)

// MailServer is one mail server of the site's allowlist: where the users of
// its domains read and send mail. A login never names a host, only an ID.
type MailServer struct {
	// ID names the server in the token and in the login form's choice;
	// short and stable: changing it logs its users out.
	ID string
	// Label is the server's name for people, in the login form's choice
	// and the page header.
	Label string
	// Domains are the mail domains it serves, lower case; "*" serves every
	// domain no other server names.
	Domains []string
	POP     *mailtools.POP  // where mail is read and logins are checked
	SMTP    *mailtools.SMTP // where mail is sent
	// FromDomain completes a login name without '@' into a From address;
	// empty means the first of Domains, else the POP server's host name.
	FromDomain string
	// LocalLogin gives the POP and SMTP servers the part of an address
	// before '@' as the login name; false gives the whole address.
	LocalLogin bool
}

// AnyDomain in Domains serves every domain no other server names.
const AnyDomain = "*"

// serverSetting is the Setting of a ConfigError about field of Servers[i].
func serverSetting(i int, field string) string {
	return "Servers[" + strconv.Itoa(i) + "]." + field
}

// ServerSetting splits the Setting of a ConfigError about one of
// Config.Servers into the server's index and its field.
func ServerSetting(setting string) (i int, field string, ok bool) {
	rest, ok := strings.CutPrefix(setting, "Servers[")
	if !ok {
		return 0, "", false
	}
	n, field, ok := strings.Cut(rest, "].")
	if !ok {
		return 0, "", false
	}
	i, err := strconv.Atoi(n)
	return i, field, err == nil
}

// setServerDefaults makes the one-entry allowlist of POP and SMTP when
// Servers is empty, and fills each server's From domain.
func (c *Config) setServerDefaults() error {
	if len(c.Servers) == 0 {
		switch {
		case c.POP == nil:
			return fmt.Errorf("web: Config.POP is required")
		case c.SMTP == nil:
			return fmt.Errorf("web: Config.SMTP is required")
		}
		id := c.ServerID
		if id == "" {
			id = "pop=" + c.POP.Server.Addr
		}
		c.Servers = []MailServer{{ID: id, Domains: []string{AnyDomain}, POP: c.POP, SMTP: c.SMTP, FromDomain: c.FromDomain}}
	} else if c.POP != nil || c.SMTP != nil || c.ServerID != "" || c.FromDomain != "" {
		return fmt.Errorf("web: Config.Servers and Config.POP, SMTP, ServerID or FromDomain do not go together")
	}
	c.Servers = append([]MailServer(nil), c.Servers...) // the caller's slice stays as it was
	for i := range c.Servers {
		ms := &c.Servers[i]
		if ms.FromDomain != "" {
			continue
		}
		for _, d := range ms.Domains {
			if d != AnyDomain {
				ms.FromDomain = d
				break
			}
		}
		if ms.FromDomain == "" && ms.POP != nil {
			host, _, err := net.SplitHostPort(ms.POP.Server.Addr)
			if err != nil {
				host = ms.POP.Server.Addr
			}
			ms.FromDomain = host
		}
	}
	return nil
}

// checkServers reports the first server that cannot work, or two that
// claim one ID or one domain, as a *ConfigError.
func checkServers(servers []MailServer) error {
	ids, domains := map[string]bool{}, map[string]bool{}
	for i, ms := range servers {
		switch {
		case !validServerID(ms.ID):
			return &ConfigError{serverSetting(i, "ID"), strconv.Quote(ms.ID), "want letters, digits, '.', '_' or '-'"}
		case ms.POP == nil:
			return &ConfigError{serverSetting(i, "POP"), strconv.Quote(ms.ID), "want the POP3 server's host:port"}
		case ms.SMTP == nil:
			return &ConfigError{serverSetting(i, "SMTP"), strconv.Quote(ms.ID), "want the SMTP server's host:port"}
		case len(ms.Domains) == 0:
			return &ConfigError{serverSetting(i, "Domains"), strconv.Quote(ms.ID), "want the mail domains it serves, or * for any other"}
		case len(servers) > 1 && strings.TrimSpace(ms.Label) == "":
			return &ConfigError{serverSetting(i, "Label"), strconv.Quote(ms.ID), "want a name for people to choose it by"}
		}
		if ids[ms.ID] {
			return &ConfigError{serverSetting(i, "ID"), strconv.Quote(ms.ID), "want an ID of its own: another server has it too"}
		}
		ids[ms.ID] = true
		for _, d := range ms.Domains {
			if d != strings.ToLower(d) || d == "" || d != AnyDomain && strings.ContainsAny(d, "*@ \t") {
				return &ConfigError{serverSetting(i, "Domains"), strconv.Quote(d), "want lower-case domain names, or *"}
			}
			if domains[d] {
				return &ConfigError{serverSetting(i, "Domains"), strconv.Quote(d),
					"want each domain served by one server (and one * at most): another server serves it too"}
			}
			domains[d] = true
		}
	}
	return nil
}

// validServerID reports whether id can name a server in a token and a
// form: short, and plain enough to read in a log.
func validServerID(id string) bool {
	if id == "" || len(id) > 300 {
		return false
	}
	for _, r := range id {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("._-=:[]", r)) {
			return false
		}
	}
	return true
}

// serverByID is the server named id, or nil.
func (s *server) serverByID(id string) *MailServer {
	for i := range s.cfg.Servers {
		if s.cfg.Servers[i].ID == id {
			return &s.cfg.Servers[i]
		}
	}
	return nil
}

// serverFor is the one server that serves the domain of user, or nil
// when none or several do and the user must choose. A site of one server
// serves every login.
func (s *server) serverFor(user string) *MailServer {
	if len(s.cfg.Servers) == 1 {
		return &s.cfg.Servers[0]
	}
	at := strings.LastIndexByte(user, '@')
	if at < 0 {
		return nil
	}
	domain := strings.ToLower(user[at+1:])
	var exact, any []*MailServer
	for i := range s.cfg.Servers {
		for _, d := range s.cfg.Servers[i].Domains {
			switch d {
			case domain:
				exact = append(exact, &s.cfg.Servers[i])
			case AnyDomain:
				any = append(any, &s.cfg.Servers[i])
			}
		}
	}
	switch {
	case len(exact) == 1:
		return exact[0]
	case len(exact) == 0 && len(any) == 1:
		return any[0]
	}
	return nil
}

// several reports whether the site has more than one server, so that
// pages name the one a user is on.
func (s *server) several() bool { return len(s.cfg.Servers) > 1 }

// label is the server's name for the page header: empty on a site of one.
func (s *server) label(ms *MailServer) string {
	if !s.several() {
		return ""
	}
	return ms.Label
}

// serverChoice is one option of the login form's choice of server.
type serverChoice struct {
	ID, Label string
	Selected  bool
}

// choices are the options of the login form's choice, selected marking
// the one chosen before, if any.
func (s *server) choices(selected string) []serverChoice {
	out := make([]serverChoice, len(s.cfg.Servers))
	for i, ms := range s.cfg.Servers {
		out[i] = serverChoice{ID: ms.ID, Label: ms.Label, Selected: ms.ID == selected}
	}
	return out
}

// popUser is the login name ms's servers are given for the user as typed.
func (ms *MailServer) popUser(user string) string {
	if ms.LocalLogin {
		if at := strings.LastIndexByte(user, '@'); at >= 0 {
			return user[:at]
		}
	}
	return user
}
