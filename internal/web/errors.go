package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/seal"
)

// userError is an error whose text is fixed, friendly and safe to show.
type userError struct {
	status int
	title  string
	msg    string
	err    error // the cause, for the log only; may be nil
}

func (e *userError) Error() string {
	if e.err != nil {
		return e.msg + ": " + e.err.Error()
	}
	return e.msg
}

func (e *userError) Unwrap() error { return e.err }

// badRequest is a userError for a malformed request.
func badRequest(msg string, cause error) error {
	return &userError{status: http.StatusBadRequest, title: "Bad request", msg: msg, err: cause}
}

// handlerFunc is a handler that reports failure instead of writing it.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle adapts a handlerFunc: any error it returns becomes a page.
func (s *server) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// errorPage shows one problem and the way on.
type errorPage struct {
	basePage
	Message  string
	Back     string // the inbox when the token still opens, else ""
	Download string // the whole message as .eml, when it cannot be shown
	Source   string // the page showing the start of its source, likewise
}

// reloginPage asks to log in again; a draft the user was writing comes
// back in the form so nothing typed is lost.
type reloginPage struct {
	basePage
	Login  loginForm
	Draft  *composeForm
	Action string
}

// fail is the one place errors become responses. Typed errors get their
// fixed friendly text and status; anything else is logged and answered
// with a generic 500. The text of an unknown error never reaches the page.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var (
		ue     *userError
		lo     *errLoggedOut
		unav   *mailtools.UnavailableError
		proto  *mailtools.ProtocolError
		tooBig *http.MaxBytesError
	)
	status, title, msg := http.StatusInternalServerError, "Something went wrong",
		"Something went wrong on our side. Please try again; if it keeps happening, tell the site's administrator."
	switch {
	case errors.As(err, &lo), errors.Is(err, mailtools.ErrBadCredentials):
		s.failLoggedOut(w, r, err)
		return
	case errors.As(err, &ue):
		status, title, msg = ue.status, ue.title, ue.msg
	case errors.As(err, &unav):
		status, title, msg = http.StatusServiceUnavailable, "Mail server unreachable",
			"The mail server could not be reached just now. Please try again in a minute."
	case errors.As(err, &proto):
		status, title, msg = http.StatusBadGateway, "Mail server problem",
			"The mail server gave an answer gomailcgi did not expect. Please try again later."
	case errors.Is(err, mailtools.ErrMessageGone):
		status, title, msg = http.StatusGone, "Message gone",
			"That message is no longer on the server. It may have been deleted from another mail program."
	case errors.Is(err, mailtools.ErrInboxChanged):
		status, title, msg = http.StatusConflict, "Inbox changed",
			"Your inbox changed since the list was shown, so gomailcgi did nothing. Please look at the list again."
	case errors.Is(err, mailtools.ErrTooLarge):
		status, title, msg = http.StatusUnprocessableEntity, "Message too large",
			"This message is too large to be shown or quoted here. You can still download it from its page."
	case errors.Is(err, mailtools.ErrBadRef):
		status, title, msg = http.StatusBadRequest, "Bad request", "That link does not name a message."
	case errors.As(err, &tooBig):
		status, title, msg = http.StatusRequestEntityTooLarge, "Too large", "What was sent is larger than this site accepts."
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	s.log.Log(r.Context(), level, "request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)

	p := &errorPage{basePage: basePage{Title: title, Alert: msg}}
	if ss, err := s.open(requestToken(r)); err == nil {
		p.basePage = ss.base(title)
		p.Alert = msg
		p.Back = s.urls.List(ss.token, 1)
	}
	s.renderFailure(w, r, status, "error", p)
}

// failLoggedOut answers a request whose login no longer holds: 401 and a
// login form that leads back to where the user was going.
func (s *server) failLoggedOut(w http.ResponseWriter, r *http.Request, err error) {
	msg := "Your login has expired or is not valid. Please log in again."
	if errors.Is(err, mailtools.ErrBadCredentials) {
		msg = "The mail server no longer accepts your login. Please log in again."
	}
	if errors.Is(err, seal.ErrExpired) {
		msg = "Your login expired after a while without use. Please log in again."
	}
	s.log.Info("request failed", "method", r.Method, "path", r.URL.Path, "status", http.StatusUnauthorized, "err", err)
	next := nextList
	if strings.HasSuffix(r.URL.Path, pathCompose) {
		next = nextCompose
	}
	p := &reloginPage{
		basePage: basePage{Title: "Please log in again", Alert: msg},
		Login:    loginForm{Next: next},
		Action:   s.urls.LoginAction(),
	}
	s.renderFailure(w, r, http.StatusUnauthorized, "relogin", p)
}

// renderFailure renders an error page; if even that fails, plain text.
func (s *server) renderFailure(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	if err := s.render(w, status, name, p); err != nil {
		s.log.Error("rendering error page", "path", r.URL.Path, "err", err)
		http.Error(w, http.StatusText(status), status)
	}
}

// requestToken is the token a request carries, read without parsing a
// body that was not parsed already (so an error page never reads uploads).
func requestToken(r *http.Request) string {
	if t := r.URL.Query().Get("t"); t != "" {
		return t
	}
	if r.PostForm != nil {
		return r.PostForm.Get("t")
	}
	return ""
}
