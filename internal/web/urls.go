package web

import (
	"net/url"
	"strconv"

	"gomailcgi/internal/mailtools"
)

// urls builds every URL the site links to or redirects to, so the base path
// and the parameter names live in one place.
//
// Parameters: t = the sealed token, m = a message reference, page = a list
// page (1-based), p = a MIME part id, mode = reply|replyall|forward,
// next = where login goes on to.
type urls struct {
	base string // "" or e.g. "/mail"
}

// Route paths, relative to the base path. server.go registers them.
const (
	pathHome    = "/"
	pathLogin   = "/login"
	pathLogout  = "/logout"
	pathList    = "/list"
	pathView    = "/view"
	pathBody    = "/body"
	pathPart    = "/part"
	pathSource  = "/source"
	pathCompose = "/compose"
	pathSend    = "/send"
	pathSent    = "/sent"
	pathDelete  = "/delete"
	pathStatic  = "/static/"
)

// Where login goes on to.
const (
	nextList    = "list"
	nextCompose = "compose"
)

// Compose modes.
const (
	modeNew      = ""
	modeReply    = "reply"
	modeReplyAll = "replyall"
	modeForward  = "forward"
)

func (u urls) path(p string) string { return u.base + p }

func (u urls) with(p string, q url.Values) string {
	if len(q) == 0 {
		return u.base + p
	}
	return u.base + p + "?" + q.Encode()
}

// Home is the front page.
func (u urls) Home() string { return u.path(pathHome) }

// Style is the one stylesheet.
func (u urls) Style() string { return u.path(pathStatic + "style.css") }

// Login is the login form, going on to next ("" means the inbox).
func (u urls) Login(next string) string {
	q := url.Values{}
	if next != "" && next != nextList {
		q.Set("next", next)
	}
	return u.with(pathLogin, q)
}

// LoginAction is where the login form posts.
func (u urls) LoginAction() string { return u.path(pathLogin) }

// Logout is the page that ends a visit. It carries no token.
func (u urls) Logout() string { return u.path(pathLogout) }

// List is inbox page n (1-based; 0 or 1 is the newest page).
func (u urls) List(t string, page int) string {
	q := url.Values{"t": {t}}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	return u.with(pathList, q)
}

// View shows one message; page is the list page to go back to.
func (u urls) View(t string, ref mailtools.Ref, page int) string {
	q := url.Values{"t": {t}, "m": {ref.String()}}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	return u.with(pathView, q)
}

// Body is the sanitized HTML body of a message, for the sandboxed iframe.
func (u urls) Body(t string, ref mailtools.Ref) string {
	return u.with(pathBody, url.Values{"t": {t}, "m": {ref.String()}})
}

// Part downloads one MIME part of a message.
func (u urls) Part(t string, ref mailtools.Ref, partID string) string {
	return u.with(pathPart, url.Values{"t": {t}, "m": {ref.String()}, "p": {partID}})
}

// Source downloads the whole message as an .eml file.
func (u urls) Source(t string, ref mailtools.Ref) string {
	return u.with(pathSource, url.Values{"t": {t}, "m": {ref.String()}})
}

// Compose is the form for a new message, or a reply to or forward of ref.
func (u urls) Compose(t, mode string, ref mailtools.Ref, page int) string {
	q := url.Values{"t": {t}}
	if mode != modeNew {
		q.Set("mode", mode)
		q.Set("m", ref.String())
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	return u.with(pathCompose, q)
}

// SendAction is where the compose form posts.
func (u urls) SendAction() string { return u.path(pathSend) }

// Sent confirms a message went out.
func (u urls) Sent(t string) string { return u.with(pathSent, url.Values{"t": {t}}) }

// DeleteAction is where delete forms post.
func (u urls) DeleteAction() string { return u.path(pathDelete) }
