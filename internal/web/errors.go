package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"

	"gomailcgi/internal/mailmsg"
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

// handle adapts a handlerFunc: any error it returns becomes a page, and so
// does a panic, as a logged 500 with its stack.
func (s *server) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v) // the server's own way to drop a response
				}
				s.fail(w, r, &panicError{value: v, stack: debug.Stack()})
			}
		}()
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// panicError is a handler's panic, for the log; the page says only that
// something went wrong.
type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("panic: %v\n%s", e.value, e.stack) }

// inboxChanged is a failed sync check on a page reached from the list: the
// adapter answers with the list as it is now, saying what was not done.
type inboxChanged struct {
	login   *session
	page    int
	outcome string // e.g. "It was not shown."
	err     error  // a *mailtools.SyncError
}

func (e *inboxChanged) Error() string { return "inbox changed: " + e.err.Error() }
func (e *inboxChanged) Unwrap() error { return e.err }

// errorPage shows one problem and the way on.
type errorPage struct {
	basePage
	Message string
	Back    string // the inbox when the token still opens, else ""
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
	var changed *inboxChanged
	switch {
	case errors.As(err, &lo), errors.Is(err, mailtools.ErrBadCredentials):
		s.failLoggedOut(w, r, err)
		return
	case errors.As(err, &changed):
		status, alert, _ := syncProblem(changed.err, changed.outcome)
		s.log.Info("request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
		if err := s.showList(w, r, changed.login, changed.page, listOpts{status: status, alert: alert}); err != nil {
			s.fail(w, r, err)
		}
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
	if login, err := s.open(requestToken(r)); err == nil {
		p.basePage = login.base(title)
		p.Alert = msg
		p.Back = s.urls.List(login.token, 1)
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
		Login:    loginForm{Next: next, Return: s.returnPath(r)},
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
	if t := params(r.URL.Query()).token(); t != "" {
		return t
	}
	if r.PostForm != nil {
		return params(r.PostForm).token()
	}
	return ""
}

// syncProblem maps a failed sync check to a status and an alert for the
// reloaded list; ok is false for any other error.
func syncProblem(err error, outcome string) (status int, alert string, ok bool) {
	switch {
	case errors.Is(err, mailtools.ErrMessageGone):
		return http.StatusGone, "That message is no longer on the server; it may have been deleted by another mail program. " +
			outcome + " Here is your inbox as it is now.", true
	case errors.Is(err, mailtools.ErrInboxChanged):
		return http.StatusConflict, "Your inbox changed since the list was shown (another mail program may have deleted or moved messages). " +
			outcome + " Here is your inbox as it is now.", true
	}
	return 0, "", false
}

// loginProblem maps a failed login to a status and an alert for the login
// form; ok is false for an error the adapter answers instead.
func loginProblem(log *slog.Logger, err error) (status int, alert string, ok bool) {
	var unav *mailtools.UnavailableError
	var proto *mailtools.ProtocolError
	switch {
	case errors.Is(err, mailtools.ErrBadCredentials):
		return http.StatusUnauthorized,
			"The mail server did not accept that user name and password. Please check them and try again.", true
	case errors.As(err, &unav):
		log.Warn("login: POP server unavailable", "err", err)
		return http.StatusServiceUnavailable,
			"The mail server could not be reached just now, so you could not be logged in. Please try again in a minute.", true
	case errors.As(err, &proto):
		log.Warn("login: POP server protocol error", "err", err)
		return http.StatusBadGateway,
			"The mail server gave an answer gomailcgi did not expect, so you could not be logged in. Please try again later.", true
	}
	return 0, "", false
}

// sendProblem maps a failure to send to a status and a friendly alert;
// nil is no problem.
func sendProblem(log *slog.Logger, err error) (int, string) {
	var (
		input *mailtools.InputError
		refus *mailtools.SMTPError
		unav  *mailtools.UnavailableError
		proto *mailtools.ProtocolError
	)
	switch {
	case err == nil:
		return 0, ""
	case errors.As(err, &input):
		msg := input.Problem
		if input.Value != "" {
			msg += " (" + input.Value + ")"
		}
		return http.StatusUnprocessableEntity, msg + " Nothing was sent."
	case errors.Is(err, mailmsg.ErrBadAddress):
		return http.StatusUnprocessableEntity, "An address cannot be read. Nothing was sent."
	case errors.As(err, &refus):
		msg := "The mail server refused the message"
		if refus.Recipient != "" {
			msg += " for " + refus.Recipient
		}
		msg += fmt.Sprintf(": %d %s. Nothing was sent.", refus.Code, strings.TrimSpace(refus.EnhancedCode+" "+refus.Message))
		if refus.Temporary() {
			msg += " This may pass; try again in a few minutes."
		}
		return http.StatusBadGateway, msg
	case errors.Is(err, mailtools.ErrBadCredentials):
		return http.StatusUnauthorized, "The mail server refused your login for sending. Nothing was sent."
	case errors.As(err, &unav):
		log.Warn("send: mail server unavailable", "err", err)
		return http.StatusServiceUnavailable, "The mail server could not be reached just now. Nothing was sent; please try again in a minute."
	case errors.As(err, &proto):
		log.Warn("send: protocol error", "err", err)
		return http.StatusBadGateway, "The mail server gave an answer gomailcgi did not expect. The message may not have been sent."
	}
	log.Error("send failed", "err", err)
	return http.StatusInternalServerError, "Something went wrong on our side, so the message was not sent. Please try again."
}
