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
// next = where login goes on to, fmt = plain|html (which body the view
// shows), remote = 1 (show remote images), inline = 1 (a part shown by the
// HTML body rather than downloaded).
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
	pathRaw     = "/raw"
	pathCompose = "/compose"
	pathSend    = "/send"
	pathSent    = "/sent"
	pathDelete  = "/delete"
	pathStatic  = "/static/"
	pathHealth  = "/healthz"
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
	modeDraft    = "draft" // continue editing a saved draft
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

// ListSaved is the first inbox page, saying a draft was saved.
func (u urls) ListSaved(t string) string {
	return u.with(pathList, url.Values{"t": {t}, "saved": {"draft"}})
}

// ListAll is inbox page n with every box ticked.
func (u urls) ListAll(t string, page int) string {
	return u.with(pathList, url.Values{"t": {t}, "page": {strconv.Itoa(max(page, 1))}, "all": {"1"}})
}

// List is inbox page n (1-based; 0 or 1 is the newest page).
func (u urls) List(t string, page int) string {
	q := url.Values{"t": {t}}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	return u.with(pathList, q)
}

// Body formats the view page can be asked for.
const (
	formatDefault = ""      // HTML when the message has it, else text
	formatPlain   = "plain" // the text/plain alternative when there is one
	formatHTML    = "html"
)

// viewOptions are how the view page shows one message. They travel in the
// view's and the framed body's URLs only, so they hold for that message.
type viewOptions struct {
	Format string // formatDefault, formatPlain or formatHTML
	Remote bool   // show remote images in HTML bodies
}

// set adds the options that differ from the defaults to q.
func (o viewOptions) set(q url.Values) {
	if o.Format != formatDefault {
		q.Set("fmt", o.Format)
	}
	if o.Remote {
		q.Set("remote", "1")
	}
}

// View shows one message; page is the list page to go back to.
func (u urls) View(t string, ref mailtools.Ref, page int) string {
	return u.ViewWith(t, ref, page, viewOptions{})
}

// ViewWith shows one message with display options.
func (u urls) ViewWith(t string, ref mailtools.Ref, page int, o viewOptions) string {
	q := url.Values{"t": {t}, "m": {ref.String()}}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	o.set(q)
	return u.with(pathView, q)
}

// Body is the sanitized HTML body of a message, or with a partID of the
// attached message that part holds, for a sandboxed iframe. It takes the
// view's options so it renders the very body the view page chose.
func (u urls) Body(t string, ref mailtools.Ref, partID string, o viewOptions) string {
	q := url.Values{"t": {t}, "m": {ref.String()}}
	if partID != "" {
		q.Set("p", partID)
	}
	o.set(q)
	return u.with(pathBody, q)
}

// BodyPage is Body on a page of its own, with a link back to the message
// (on list page page).
func (u urls) BodyPage(t string, ref mailtools.Ref, partID string, page int, o viewOptions) string {
	q := url.Values{"t": {t}, "m": {ref.String()}, "own": {"1"}}
	if partID != "" {
		q.Set("p", partID)
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	o.set(q)
	return u.with(pathBody, q)
}

// Part downloads one MIME part of a message.
func (u urls) Part(t string, ref mailtools.Ref, partID string) string {
	return u.with(pathPart, url.Values{"t": {t}, "m": {ref.String()}, "p": {partID}})
}

// InlinePart is a part as the HTML body shows it (cid: images): served
// inline when it is a safe raster image, else as a download.
func (u urls) InlinePart(t string, ref mailtools.Ref, partID string) string {
	return u.with(pathPart, url.Values{"t": {t}, "m": {ref.String()}, "p": {partID}, "inline": {"1"}})
}

// Source downloads the whole message as an .eml file.
func (u urls) Source(t string, ref mailtools.Ref) string {
	return u.with(pathSource, url.Values{"t": {t}, "m": {ref.String()}})
}

// Raw shows the start of a message's source as text in a page; page is
// the list page to go back to.
func (u urls) Raw(t string, ref mailtools.Ref, page int) string {
	q := url.Values{"t": {t}, "m": {ref.String()}}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	return u.with(pathRaw, q)
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
func (u urls) Sent(t string, m sentSummary) string {
	q := url.Values{"t": {t}, "subject": {m.Subject}, "n": {strconv.Itoa(len(m.To))}}
	q["to"] = m.To[:min(len(m.To), maxSentShown)]
	if m.Copy {
		q.Set("copy", "1")
	}
	if m.Draft != "" {
		q.Set("draft", m.Draft)
	}
	return u.with(pathSent, q)
}

// DeleteAction is where delete forms post.
func (u urls) DeleteAction() string { return u.path(pathDelete) }
