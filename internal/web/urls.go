package web

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"gomailcgi/internal/locale"
	"gomailcgi/internal/mailtools"
)

// urls builds every URL the site links to or redirects to, so the base path
// and the parameter names live in one place. params reads them back.
type urls struct {
	base string // "" or e.g. "/mail"
}

// Parameter names, of links and of the forms the templates write alike.
const (
	paramToken   = "t"       // the sealed token
	paramRef     = "m"       // a message reference; a delete form repeats it
	paramPage    = "page"    // a list page (1-based)
	paramPart    = "p"       // a MIME part id
	paramMode    = "mode"    // how compose starts: reply, replyall, forward, draft
	paramNext    = "next"    // where login goes on to; the message a delete shows next
	paramReturn  = "return"  // the page a login leads back to (returnPath)
	paramFormat  = "fmt"     // plain or html: which body the view shows
	paramRemote  = "remote"  // 1: show remote images
	paramInline  = "inline"  // 1: a part shown by the HTML body rather than downloaded
	paramSave    = "save"    // 1: a text part downloaded as a file named after the message
	paramOwn     = "own"     // 1: the HTML body on a page of its own
	paramAll     = "all"     // 1: every box of a list page ticked
	paramSaved   = "saved"   // draft: the list says a draft was saved
	paramFrom    = "from"    // view or list: where a delete form was posted from
	paramConfirm = "confirm" // 1: a delete confirmed
	paramTo      = "to"      // the sent page: a recipient, repeated
	paramCount   = "n"       // the sent page: how many recipients in all
	paramSubject = "subject" // the sent page: the subject
	paramCopy    = "copy"    // the sent page: 1 when a copy was kept
	paramDraft   = "draft"   // the sent page: the draft the message continued; the relogin form: 1 when it carries one
	paramLang    = "lang"    // before login: the code of the language a link chose; after, the token carries it
	paramServer  = "server"  // the login form: the ID of the mail server chosen
	paramWords   = "q"       // a search: the words to find
	paramField   = "in"      // a search: where to look (searchFields)
	paramAfter   = "after"   // a search: the first day (YYYY-MM-DD)
	paramBefore  = "before"  // a search: the last day
	paramOlder   = "older"   // a search: the message it goes on from, older than it
)

// savedDraft is the value of paramSaved after a draft was saved.
const savedDraft = "draft"

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
	pathSearch  = "/search"
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

// params reads back what urls writes, and the forms the templates write:
// each parameter by its name above, parsed one way wherever it is read.
// A repeated parameter counts by its first value, as url.Values.Get has
// it, but for a delete form's references (refs).
type params url.Values

// get is the first value of a parameter, "" when there is none.
func (p params) get(name string) string { return url.Values(p).Get(name) }

// on reports a flag written as 1.
func (p params) on(name string) bool { return p.get(name) == "1" }

// token is the sealed token, for server.open.
func (p params) token() string { return p.get(paramToken) }

// HomeIn is the front page, in the language a link chose before login
// (lang; "" when none did).
func (u urls) HomeIn(lang string) string {
	q := url.Values{}
	if lang != "" {
		q.Set(paramLang, lang)
	}
	return u.with(pathHome, q)
}

// Style is the one stylesheet.
func (u urls) Style() string { return u.path(pathStatic + "style.css") }

// Login is the login form, going on to next ("" means the inbox), in the
// language lang names ("" for the browser's own).
func (u urls) Login(next, lang string) string {
	q := url.Values{}
	if next != "" && next != nextList {
		q.Set(paramNext, next)
	}
	if lang != "" {
		q.Set(paramLang, lang)
	}
	return u.with(pathLogin, q)
}

// lang is the language a Login or HomeIn link (or a form before login)
// chose, or nil.
func (p params) lang(set *locale.Set) *locale.Locale {
	l, _ := set.Lookup(p.get(paramLang))
	return l
}

// next is where login goes on to, as Login writes it: nextCompose, else
// nextList.
func (p params) next() string {
	if p.get(paramNext) == nextCompose {
		return nextCompose
	}
	return nextList
}

// LoginAction is where the login form posts.
func (u urls) LoginAction() string { return u.path(pathLogin) }

// Logout is the page that ends a visit. It carries no token.
// It names the language of the login that ends (lang), so that the page
// saying so speaks it.
func (u urls) Logout(lang string) string {
	q := url.Values{}
	if lang != "" {
		q.Set(paramLang, lang)
	}
	return u.with(pathLogout, q)
}

// ListSaved is the first inbox page, saying a draft was saved.
func (u urls) ListSaved(t string) string {
	return u.with(pathList, url.Values{paramToken: {t}, paramSaved: {savedDraft}})
}

// draftSaved reports a list page asked to say a draft was saved (ListSaved).
func (p params) draftSaved() bool { return p.get(paramSaved) == savedDraft }

// ListAll is inbox page n with every box ticked.
func (u urls) ListAll(t string, page int) string {
	return u.with(pathList, url.Values{paramToken: {t}, paramPage: {strconv.Itoa(max(page, 1))}, paramAll: {"1"}})
}

// allSelected reports a list page with every box ticked (ListAll).
func (p params) allSelected() bool { return p.on(paramAll) }

// List is inbox page n (1-based; 0 or 1 is the newest page).
func (u urls) List(t string, page int) string {
	q := url.Values{paramToken: {t}}
	if page > 1 {
		q.Set(paramPage, strconv.Itoa(page))
	}
	return u.with(pathList, q)
}

// page is the list page, as List and every link back to it write it:
// absent or empty is 1, below 1 is 1; one that is not a number is a 400
// (and 0).
func (p params) page() (int, error) {
	s := p.get(paramPage)
	if s == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, badRequest("That page number is not a number.", err)
	}
	return max(n, 1), nil
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
		q.Set(paramFormat, o.Format)
	}
	if o.Remote {
		q.Set(paramRemote, "1")
	}
}

// viewOptions reads what set writes; any other format or remote setting
// is a 400.
func (p params) viewOptions() (viewOptions, error) {
	var o viewOptions
	switch f := p.get(paramFormat); f {
	case formatDefault, formatPlain, formatHTML:
		o.Format = f
	default:
		return o, badRequest("That link asks for a format of the message that does not exist.", nil)
	}
	switch p.get(paramRemote) {
	case "":
	case "1":
		o.Remote = true
	default:
		return o, badRequest("That link has a remote-images setting gomailcgi does not know.", nil)
	}
	return o, nil
}

// View shows one message; page is the list page to go back to.
func (u urls) View(t string, ref mailtools.Ref, page int) string {
	return u.ViewWith(t, ref, page, viewOptions{})
}

// viewLinks writes View's links for the rows of one list page: what
// every row's link shares, the page and the token, is encoded once.
type viewLinks struct{ head, tail string }

// viewLinks are View(t, ·, page) for the rows of list page page.
func (u urls) viewLinks(t string, page int) viewLinks {
	q := url.Values{paramToken: {t}}
	if page > 1 {
		q.Set(paramPage, strconv.Itoa(page))
	}
	// url.Values.Encode sorts by name: m, then page and t
	return viewLinks{head: u.path(pathView) + "?" + paramRef + "=", tail: "&" + q.Encode()}
}

// to is the link to the message ref: View(t, ref, page).
func (v viewLinks) to(ref mailtools.Ref) string {
	return v.head + url.QueryEscape(ref.String()) + v.tail
}

// ViewWith shows one message with display options.
func (u urls) ViewWith(t string, ref mailtools.Ref, page int, o viewOptions) string {
	q := url.Values{paramToken: {t}, paramRef: {ref.String()}}
	if page > 1 {
		q.Set(paramPage, strconv.Itoa(page))
	}
	o.set(q)
	return u.with(pathView, q)
}

// ref is the message reference a link names.
func (p params) ref() (mailtools.Ref, error) { return mailtools.ParseRef(p.get(paramRef)) }

// Body is the sanitized HTML body of a message, or with a partID of the
// attached message that part holds, for a sandboxed iframe. It takes the
// view's options so it renders the very body the view page chose.
func (u urls) Body(t string, ref mailtools.Ref, partID string, o viewOptions) string {
	q := url.Values{paramToken: {t}, paramRef: {ref.String()}}
	if partID != "" {
		q.Set(paramPart, partID)
	}
	o.set(q)
	return u.with(pathBody, q)
}

// BodyPage is Body on a page of its own, with a link back to the message
// (on list page page).
func (u urls) BodyPage(t string, ref mailtools.Ref, partID string, page int, o viewOptions) string {
	q := url.Values{paramToken: {t}, paramRef: {ref.String()}, paramOwn: {"1"}}
	if partID != "" {
		q.Set(paramPart, partID)
	}
	if page > 1 {
		q.Set(paramPage, strconv.Itoa(page))
	}
	o.set(q)
	return u.with(pathBody, q)
}

// ownPage reports the body asked for on a page of its own (BodyPage).
func (p params) ownPage() bool { return p.on(paramOwn) }

// Part downloads one MIME part of a message.
func (u urls) Part(t string, ref mailtools.Ref, partID string) string {
	return u.with(pathPart, url.Values{paramToken: {t}, paramRef: {ref.String()}, paramPart: {partID}})
}

// InlinePart is a part as the HTML body shows it (cid: images): served
// inline when it is a safe raster image, else as a download.
func (u urls) InlinePart(t string, ref mailtools.Ref, partID string) string {
	return u.with(pathPart, url.Values{paramToken: {t}, paramRef: {ref.String()}, paramPart: {partID}, paramInline: {"1"}})
}

// SavePart downloads a text part as a .txt file named after the message,
// rather than showing it in the browser as Part does.
func (u urls) SavePart(t string, ref mailtools.Ref, partID string) string {
	return u.with(pathPart, url.Values{paramToken: {t}, paramRef: {ref.String()}, paramPart: {partID}, paramSave: {"1"}})
}

// maxPartID bounds a part id: longer than any a message of ours has.
const maxPartID = 100

// part is the part id a link names, "" for none; a 400 when it is longer
// than maxPartID, or when it is required and there is none.
func (p params) part(required bool) (string, error) {
	id := p.get(paramPart)
	if len(id) > maxPartID || (required && id == "") {
		return "", badRequest("That link does not name a part of a message.", nil)
	}
	return id, nil
}

// inline reports a part asked for as the HTML body shows it (InlinePart).
func (p params) inline() bool { return p.on(paramInline) }

// save reports a text part asked for as a file (SavePart).
func (p params) save() bool { return p.on(paramSave) }

// Source downloads the whole message as an .eml file.
func (u urls) Source(t string, ref mailtools.Ref) string {
	return u.with(pathSource, url.Values{paramToken: {t}, paramRef: {ref.String()}})
}

// Raw shows the start of a message's source as text in a page; page is
// the list page to go back to.
func (u urls) Raw(t string, ref mailtools.Ref, page int) string {
	q := url.Values{paramToken: {t}, paramRef: {ref.String()}}
	if page > 1 {
		q.Set(paramPage, strconv.Itoa(page))
	}
	return u.with(pathRaw, q)
}

// Compose is the form for a new message, or a reply to or forward of ref.
func (u urls) Compose(t, mode string, ref mailtools.Ref, page int) string {
	q := url.Values{paramToken: {t}}
	if mode != modeNew {
		q.Set(paramMode, mode)
		q.Set(paramRef, ref.String())
	}
	if page > 1 {
		q.Set(paramPage, strconv.Itoa(page))
	}
	return u.with(pathCompose, q)
}

// mode is how the compose form starts, as Compose writes it; any other is
// a 400.
func (p params) mode() (string, error) {
	switch m := p.get(paramMode); m {
	case modeNew, modeReply, modeReplyAll, modeForward, modeDraft:
		return m, nil
	}
	return "", badRequest("That is not a way to write a message.", nil)
}

// place is where a link leads, as it was written: the first value of each
// of the message, the list page and the compose mode, unchecked (the page
// checks them when it is asked for). It is all a login's return path
// keeps, never how the page shows it (remote images, ticked boxes, a
// notice), which a login link from anyone could otherwise turn on.
func (p params) place() url.Values {
	out := url.Values{}
	for _, k := range []string{paramRef, paramPage, paramMode} {
		if v := p[k]; len(v) > 0 {
			out.Set(k, v[0])
		}
	}
	return out
}

// SendAction is where the compose form posts.
func (u urls) SendAction() string { return u.path(pathSend) }

// Sent confirms a message went out.
func (u urls) Sent(t string, m sentSummary) string {
	q := url.Values{paramToken: {t}, paramSubject: {m.Subject}, paramCount: {strconv.Itoa(len(m.To))}}
	q[paramTo] = m.To[:min(len(m.To), maxSentShown)]
	if m.Copy {
		q.Set(paramCopy, "1")
	}
	if m.Draft != "" {
		q.Set(paramDraft, m.Draft)
	}
	return u.with(pathSent, q)
}

// sent is what the sent page says, as Sent writes it, naming at most
// maxSentShown recipients; more is how many it only counts.
func (p params) sent() (m sentSummary, more int) {
	m = sentSummary{To: p[paramTo], Subject: oneLine(p.get(paramSubject)), Copy: p.on(paramCopy), Draft: p.get(paramDraft)}
	if len(m.To) > maxSentShown {
		m.To = m.To[:maxSentShown]
	}
	if n, err := strconv.Atoi(p.get(paramCount)); err == nil && n > len(m.To) {
		more = n - len(m.To)
	}
	return m, more
}

// DeleteAction is where delete forms post.
func (u urls) DeleteAction() string { return u.path(pathDelete) }

// refs are the references a delete form posts (m, one or more times),
// each once, in order; one that is malformed is an error.
func (p params) refs() ([]mailtools.Ref, error) {
	var refs []mailtools.Ref
	seen := map[mailtools.Ref]bool{}
	for _, v := range p[paramRef] {
		ref, err := mailtools.ParseRef(v)
		if err != nil {
			return nil, err
		}
		if !seen[ref] {
			seen[ref] = true
			refs = append(refs, ref)
		}
	}
	return refs, nil
}

// fromView reports a delete form posted from a message's page.
func (p params) fromView() bool { return p.get(paramFrom) == "view" }

// confirmed reports a delete confirmed (the confirmation page's form).
func (p params) confirmed() bool { return p.on(paramConfirm) }

// nextRef is the message a delete form asks to show after, nil when it
// names none that can be read.
func (p params) nextRef() *mailtools.Ref {
	ref, err := mailtools.ParseRef(p.get(paramNext))
	if err != nil {
		return nil
	}
	return &ref
}

// searchFields are where a search looks, by their paramField value; ""
// is SearchAny.
var searchFields = map[string]mailtools.SearchField{
	"": mailtools.SearchAny, "any": mailtools.SearchAny, "from": mailtools.SearchFrom,
	"to": mailtools.SearchTo, "subject": mailtools.SearchSubject,
}

// searchDay is how a search's dates are written (an <input type="date">).
const searchDay = "2006-01-02"

// Bounds of what a search link may ask.
const (
	maxSearchText  = 200
	maxSearchWords = 10
)

// searchState is a search as its links carry it: the words, field and
// days as typed, and the message it goes on from (nil: the newest).
type searchState struct {
	Words, Field  string
	After, Before string
	Older         *mailtools.Ref
}

// set adds the search to q.
func (st searchState) set(q url.Values) {
	for k, v := range map[string]string{paramWords: st.Words, paramField: st.Field, paramAfter: st.After, paramBefore: st.Before} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if st.Older != nil {
		q.Set(paramOlder, st.Older.String())
	}
}

// SearchAction is where the search form goes (GET: a link can hold a
// search).
func (u urls) SearchAction() string { return u.path(pathSearch) }

// Search is the results of a search.
func (u urls) Search(t string, st searchState) string {
	q := url.Values{paramToken: {t}}
	st.set(q)
	return u.with(pathSearch, q)
}

// ViewFound shows a message a search found, with a way back to the
// results.
func (u urls) ViewFound(t string, ref mailtools.Ref, st searchState) string {
	q := url.Values{paramToken: {t}, paramRef: {ref.String()}}
	st.set(q)
	return u.with(pathView, q)
}

// search reads what Search and the search form write; nil when the link
// holds no search. Too many words, an unknown field, a date that is not
// one, or a bad reference is a 400.
func (p params) search() (*searchState, error) {
	st := searchState{Words: strings.TrimSpace(p.get(paramWords)), Field: p.get(paramField),
		After: p.get(paramAfter), Before: p.get(paramBefore)}
	_, older := p[paramOlder]
	if st == (searchState{}) && !older {
		if _, asked := p[paramWords]; !asked {
			return nil, nil
		}
	}
	if len(st.Words) > maxSearchText || len(strings.Fields(st.Words)) > maxSearchWords {
		return nil, badRequest("That search is too long: look for at most ten words.", nil)
	}
	if _, ok := searchFields[st.Field]; !ok {
		return nil, badRequest("That search looks in a place gomailcgi does not know.", nil)
	}
	for _, d := range []string{st.After, st.Before} {
		if _, err := time.Parse(searchDay, d); d != "" && err != nil {
			return nil, badRequest("A date of that search is not a date; write it as 2026-03-31.", err)
		}
	}
	if older {
		ref, err := mailtools.ParseRef(p.get(paramOlder))
		if err != nil {
			return nil, err
		}
		st.Older = &ref
	}
	return &st, nil
}

// query is the search as mailtools runs it, its days in loc: After from
// the start of its day, Before to the end of its.
func (st searchState) query(loc *time.Location) mailtools.Query {
	q := mailtools.Query{Words: strings.Fields(st.Words), Field: searchFields[st.Field]}
	if d, err := time.ParseInLocation(searchDay, st.After, loc); err == nil {
		q.After = d
	}
	if d, err := time.ParseInLocation(searchDay, st.Before, loc); err == nil {
		q.Before = d.AddDate(0, 0, 1)
	}
	return q
}
