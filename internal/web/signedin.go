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
	loc   *locale.Locale // the language the token carries
}

// loggedOutError means the request's token is missing, expired, tampered with
// or for other servers. The adapter answers "please log in again", 401.
type loggedOutError struct{ reason error }

func (e *loggedOutError) Error() string { return "web: not logged in: " + e.reason.Error() }
func (e *loggedOutError) Unwrap() error { return e.reason }

var errWrongServer = errors.New("token is for other mail servers")

// open checks a token and seals its successor.
func (s *server) open(token string) (*signedIn, error) {
	st, err := s.cfg.Sealer.Open(token)
	if err != nil {
		return nil, &loggedOutError{reason: err}
	}
	if st.Server != s.cfg.ServerID {
		return nil, &loggedOutError{reason: errWrongServer}
	}
	return s.reseal(st)
}

// login seals the first token of a login the POP server just accepted,
// with the language of the login page.
func (s *server) login(cred mailtools.Credentials, name string, l *locale.Locale) (*signedIn, error) {
	return s.reseal(seal.State{User: cred.User, Password: cred.Password, Name: name, Server: s.cfg.ServerID, Lang: l.Code})
}

// from is the user's own address, with the name given at login.
func (login *signedIn) from(domain string) mailmsg.Address {
	return mailmsg.Address{Name: login.state.Name, Addr: fromAddress(login.state.User, domain)}
}

func (s *server) reseal(st seal.State) (*signedIn, error) {
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
	return &signedIn{state: st, token: tok, loc: l}, nil
}

// cred is the login to give the mail servers.
func (login *signedIn) cred() mailtools.Credentials {
	return mailtools.Credentials{User: login.state.User, Password: login.state.Password}
}

// base starts a logged-in page with a title in its language.
func (login *signedIn) base(title string) basePage {
	return basePage{Title: title, Token: login.token, User: login.state.User, loc: login.loc}
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
