package web

import (
	"errors"
	"strings"

	"gomailcgi/internal/locale"
	"gomailcgi/internal/mailmsg"
	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/seal"
)

// signedIn is one request's login: the state opened from the token the
// request carried, and a fresh token sealed from it for every link and form
// of the page this request answers with (so idle expiry slides).
type signedIn struct {
	state seal.State
	token string
	srv   *MailServer    // the server the token names, one of the site's
	label string         // its label for the page header; "" on a site of one
	loc   *locale.Locale // the language the token carries
}

// loggedOutError means the request's token is missing, expired, tampered with
// or for other servers. The adapter answers "please log in again", 401.
type loggedOutError struct{ reason error }

func (e *loggedOutError) Error() string { return "web: not logged in: " + e.reason.Error() }
func (e *loggedOutError) Unwrap() error { return e.reason }

var errWrongServer = errors.New("token is for a mail server this site does not serve")

// open checks a token, and that the server it names is one of the site's
// as loaded now, and seals its successor.
func (s *server) open(token string) (*signedIn, error) {
	st, err := s.cfg.Sealer.Open(token)
	if err != nil {
		return nil, &loggedOutError{reason: err}
	}
	srv := s.serverByID(st.Server)
	if srv == nil {
		return nil, &loggedOutError{reason: errWrongServer}
	}
	return s.reseal(st, srv)
}

// login seals the first token of a login srv's POP server just accepted,
// with the language of the login page; user is the name as typed,
// cred.User what the server was given.
func (s *server) login(srv *MailServer, user, password, name string, l *locale.Locale) (*signedIn, error) {
	return s.reseal(seal.State{User: user, Password: password, Name: name, Server: srv.ID, Lang: l.Code}, srv)
}

// from is the user's own address, with the name given at login.
func (login *signedIn) from() mailmsg.Address {
	return mailmsg.Address{Name: login.state.Name, Addr: login.address()}
}

// address is the user's own address: the login name with its server's
// From domain when it has no '@'.
func (login *signedIn) address() string {
	return fromAddress(login.state.User, login.srv.FromDomain)
}

func (s *server) reseal(st seal.State, srv *MailServer) (*signedIn, error) {
	tok, err := s.cfg.Sealer.Seal(st)
	if err != nil {
		if errors.Is(err, seal.ErrExpired) {
			return nil, &loggedOutError{reason: err}
		}
		return nil, err
	}
	l, ok := s.locales.Lookup(st.Lang)
	if !ok {
		l = s.locales.Default()
	}
	return &signedIn{state: st, token: tok, srv: srv, label: s.label(srv), loc: l}, nil
}

// cred is the login to give the mail servers.
func (login *signedIn) cred() mailtools.Credentials {
	return mailtools.Credentials{User: login.srv.popUser(login.state.User), Password: login.state.Password}
}

// base starts a logged-in page with a title in its language.
func (login *signedIn) base(title string) basePage {
	return basePage{Title: title, Token: login.token, User: login.state.User, Server: login.label, loc: login.loc}
}

// T is the text of key in the login's language.
func (login *signedIn) T(key string, args ...any) string { return login.loc.T(key, args...) }

// fromAddress is the user's own address: the login name when it has an '@',
// else the login name at domain.
func fromAddress(user, domain string) string {
	if strings.Contains(user, "@") {
		return user
	}
	return user + "@" + domain
}
