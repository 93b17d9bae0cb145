package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"

	"gomailcgi/internal/locale"
)

// userError is an error whose text is fixed, friendly and safe to show.
// Its title and message are catalog keys, the message formatted with args.
type userError struct {
	status int
	title  string
	msg    string
	args   []any
	err    error // the cause, for the log only; may be nil
}

func (e *userError) Error() string {
	msg := fmt.Sprintf(e.msg, e.args...)
	if e.err != nil {
		return msg + ": " + e.err.Error()
	}
	return msg
}

// catalogKey is an argument of a userError that is itself a catalog key,
// shown in the page's language ("To" in "The To field holds …").
type catalogKey string

// text is the userError's message in language l.
func (e *userError) text(l *locale.Locale) string {
	args := make([]any, len(e.args))
	for i, a := range e.args {
		if k, ok := a.(catalogKey); ok {
			a = l.T(string(k))
		}
		args[i] = a
	}
	return l.T(e.msg, args...)
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
	Login  loginFields
	Draft  *composeForm
	Action string
}

// fail is the one place errors become responses: the error table
// (problems) names the answer to the error's kind and what the user was
// doing, and fail renders it, keeping what the row says. The text of an
// unknown error never reaches the page.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	act := actPage
	var during *actionError
	if errors.As(err, &during) {
		act = during.act
	}
	kind := kindOf(err)
	row := problemFor(kind, act)
	l, _ := s.language(r)
	switch {
	case during != nil && during.login != nil:
		l = during.login.loc // a form's token, read where the form was
	case during != nil && during.form != nil:
		if fl, ok := s.locales.Lookup(during.form.Lang); ok {
			l = fl // the language of a form whose login ran out
		}
	}
	status, title, msg := row.answer(err, act, &s.cfg, l)
	level := slog.LevelInfo
	switch {
	case status >= 500 && (row.keep == keepNothing || kind == kindUnknown):
		level = slog.LevelError
	case status >= 500:
		level = slog.LevelWarn // the mail server's trouble, answered in the form
	}
	s.log.Log(r.Context(), level, "request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)

	switch row.keep {
	case keepRelogin:
		s.failLoggedOut(w, r, msg)
		return
	case keepList:
		if err := s.reloadList(w, r, during.login, during.page, status, msg); err != nil {
			s.fail(w, r, err)
		}
		return
	case keepLogin:
		if err := s.renderLoginAgain(w, r, status, *during.form, during.draft, msg); err != nil {
			s.fail(w, r, err)
		}
		return
	case keepDraft:
		if during.draft.HadFiles {
			msg += " " + l.T("Files you had attached must be chosen again.")
		}
		if err := s.renderComposeFetching(w, r, status, during.login, during.draft, "", msg); err != nil {
			s.fail(w, r, err)
		}
		return
	}
	p := &errorPage{basePage: s.page(r, "")}
	if login, err := s.open(requestToken(r)); err == nil {
		p.basePage = login.base("")
		p.Back = s.urls.List(login.token, 1)
	}
	p.Title, p.Alert = title, msg
	s.renderFailure(w, r, status, "error", p)
}

// reloadList answers with the list as it is now, saying why: what the
// user asked for could not be done on the list they saw.
func (s *server) reloadList(w http.ResponseWriter, r *http.Request, login *signedIn, page, status int, why string) error {
	return s.showList(w, r, login, page, listOpts{status: status, alert: why})
}

// failLoggedOut answers a request whose login no longer holds: 401 and a
// login form that leads back to where the user was going.
func (s *server) failLoggedOut(w http.ResponseWriter, r *http.Request, msg string) {
	next := nextList
	if strings.HasSuffix(r.URL.Path, pathCompose) {
		next = nextCompose
	}
	b := s.page(r, "Please log in again")
	b.Alert = msg
	p := &reloginPage{
		basePage: b,
		Login:    loginFields{Next: next, Return: s.returnPath(r), Lang: b.lang, Address: s.several()},
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
