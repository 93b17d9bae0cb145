package web

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"

	"gomailcgi/internal/locale"
	"gomailcgi/internal/mailtools"
	"gomailcgi/templates"
)

// pageNames lists every page; each is parsed from base.html, parts.html
// and its own file. A test parses every page in every language, so a
// broken template fails the tests, not a request.
var pageNames = []string{
	"home", "login", "logout", "relogin", "error",
	"list", "view", "raw", "compose", "sent", "confirmdelete", "search",
}

// pageTemplate is one page's parsed template set.
type pageTemplate = template.Template

// langPages are every page's template set in one language: the template
// function t is the language's catalog ({{t "Inbox"}}), lang and dir its
// code and writing direction. Each page's set is parsed when that page is
// first rendered in the language, once however many ask at the same time:
// a CGI process answers one request, with one page in one language, and
// parsing every page would cost it more than the rest of the request.
type langPages struct {
	l     *locale.Locale
	pages map[string]func() (*pageTemplate, error) // by page name, and panelName
	// parsed counts the template sets parsed so far.
	parsed atomic.Int32
}

// parsePages readies every page in every language of langs; none is parsed
// until it is rendered.
func parsePages(langs []*locale.Locale) map[string]*langPages {
	all := make(map[string]*langPages, len(langs))
	for _, l := range langs {
		lp := &langPages{l: l, pages: make(map[string]func() (*pageTemplate, error), len(pageNames)+1)}
		for _, name := range pageNames {
			lp.pages[name] = sync.OnceValues(func() (*pageTemplate, error) { return lp.parse(name) })
		}
		lp.pages[panelName] = sync.OnceValues(lp.parsePanel)
		all[l.Code] = lp
	}
	return all
}

// get is the template set of the page name, parsed on first use.
func (lp *langPages) get(name string) (*pageTemplate, error) {
	parse, ok := lp.pages[name]
	if !ok {
		return nil, fmt.Errorf("web: no page %q", name)
	}
	return parse()
}

// funcs are the template functions of every page in the language.
func (lp *langPages) funcs() template.FuncMap {
	l := lp.l
	return template.FuncMap{
		"t":    l.T,
		"lang": func() string { return l.Code },
		"dir":  l.Dir,
		// bdi isolates text from mail inside a sentence of the catalog,
		// as <bdi> does around an element: FIRST STRONG ISOLATE … POP
		// DIRECTIONAL ISOLATE.
		"bdi": func(s string) string { return "\u2068" + s + "\u2069" },
	}
}

// parse parses the page name's template set.
func (lp *langPages) parse(name string) (*pageTemplate, error) {
	lp.parsed.Add(1)
	t, err := template.New(name).Funcs(lp.funcs()).ParseFS(templates.FS, "base.html", "parts.html", name+".html")
	if err != nil {
		return nil, fmt.Errorf("web: parsing page %s: %w", name, err)
	}
	if t.Lookup("content") == nil {
		return nil, fmt.Errorf("web: page %s defines no content", name)
	}
	return t, nil
}

// parsePanel parses the explain panel's templates.
func (lp *langPages) parsePanel() (*pageTemplate, error) {
	lp.parsed.Add(1)
	t, err := template.New(panelName).Funcs(lp.funcs()).Funcs(panelFuncs(lp.l)).ParseFS(templates.FS, "explain.html")
	if err != nil {
		return nil, fmt.Errorf("web: parsing the explain panel: %w", err)
	}
	return t, nil
}

// basePage is what every page shows around its content.
type basePage struct {
	Title  string // the page's own title; the site name is added
	Notice string // a calm message, role="status"
	Alert  string // a problem, role="alert"
	Token  string // the fresh sealed token; empty when not logged in
	User   string // the logged-in user, for the header
	Server string // the label of the user's mail server, on a site of several
	Nav    navLinks
	text   string         // the page's long text, for its textarea (TextSlot)
	loc    *locale.Locale // the page's language; nil means the site's default
	// lang is the language a link chose before login (?lang=), carried on
	// in the page's links and forms until the token carries it.
	lang string
}

// Lang is the lang parameter the page's login links and forms carry.
func (b *basePage) Lang() string { return b.lang }

// navLinks are the header's links, filled in by render.
type navLinks struct {
	Home, Style, Login, Logout, Inbox, Compose string
}

func (b *basePage) base() *basePage { return b }

// page is any page's data: a struct embedding basePage.
type page interface{ base() *basePage }

// render executes a page into a buffer and only then writes it, so a
// failing template never sends half a page.
func (s *server) render(w http.ResponseWriter, status int, name string, data page) error {
	buf, err := s.execute(name, data)
	if err != nil {
		return err
	}
	defer s.reuse(buf)
	b := data.base()
	if err := s.addPanel(w, status, name, b, buf); err != nil {
		return fmt.Errorf("web: rendering the panel of page %s: %w", name, err)
	}
	before, after := buf.Bytes(), []byte(nil)
	size := len(before)
	if i := bytes.Index(before, []byte(textSlot)); i >= 0 {
		before, after = before[:i], before[i+len(textSlot):]
		size += escapeTextarea(b.text, nil) - len(textSlot)
	} else if b.text != "" {
		return fmt.Errorf("web: page %s has no place for its text", name)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", b.loc.Code)
	h.Add("Vary", "Accept-Language") // a page without a token is in the browser's language
	h.Set("Content-Length", strconv.Itoa(size))
	w.WriteHeader(status)
	// A failed write means the client left; nothing to do
	if _, err := w.Write(before); err != nil || after == nil {
		return nil
	}
	bw := bufio.NewWriterSize(w, 32<<10)
	escapeTextarea(b.text, bw)
	bw.Write(after)
	bw.Flush()
	return nil
}

// execute fills in the page's header links and runs its template, in the
// page's language, into a buffer.
func (s *server) execute(name string, data page) (*bytes.Buffer, error) {
	b := data.base()
	if b.loc == nil {
		b.loc = s.locales.Default()
	}
	lp, ok := s.pages[b.loc.Code]
	if !ok {
		return nil, fmt.Errorf("web: no pages in %q", b.loc.Code)
	}
	t, err := lp.get(name)
	if err != nil {
		return nil, err
	}
	b.Nav = navLinks{
		Home:   s.urls.HomeIn(b.lang),
		Style:  s.urls.Style(),
		Login:  s.urls.Login("", b.lang),
		Logout: s.urls.Logout(b.loc.Code),
	}
	if b.Token != "" {
		b.Nav.Inbox = s.urls.List(b.Token, 1)
		b.Nav.Compose = s.urls.Compose(b.Token, modeNew, mailtools.Ref{}, 0)
	}
	buf := s.pageBuffer()
	if err := t.ExecuteTemplate(buf, "base", data); err != nil {
		s.reuse(buf)
		return nil, fmt.Errorf("web: rendering page %s: %w", name, err)
	}
	return buf, nil
}

// maxReusedPage bounds the buffers render keeps for the next page: a
// list page is some 40 KB; a view may be megabytes, once.
const maxReusedPage = 256 << 10

// pageBuffer is an empty buffer to render a page into: one a page before
// left (reuse), already grown to a page's size, or a new one.
func (s *server) pageBuffer() *bytes.Buffer {
	if s.buffers != nil {
		if b, ok := s.buffers.Get().(*bytes.Buffer); ok {
			return b
		}
	}
	return new(bytes.Buffer)
}

// reuse keeps a page's buffer, once written, for the next page.
func (s *server) reuse(b *bytes.Buffer) {
	if s.buffers != nil && b.Cap() <= maxReusedPage {
		b.Reset()
		s.buffers.Put(b)
	}
}

// A page may hold a long text in a textarea, a draft's body, which
// html/template would hold escaped three times over (the escaped text,
// fmt's buffer and the page), each up to five times the text's size. So
// the template writes TextSlot there instead, and render writes the text,
// escaped as html/template escapes a textarea, straight to the response
// in its place. The slot is random, so no text on a page can be taken
// for it.
var textSlot = "\ue000" + rand.Text() + "\ue001"

// TextSlot marks where render writes the page's text (basePage.text).
func (b *basePage) TextSlot() template.HTML { return template.HTML(textSlot) } //nolint:gosec // random, not user text

// textareaEscapes are the escapes html/template writes in a textarea
// (RCDATA), by the byte they replace.
var textareaEscapes = [256]string{0: "\uFFFD", '"': "&#34;", '&': "&amp;", '\'': "&#39;", '+': "&#43;", '<': "&lt;", '>': "&gt;"}

// escapeTextarea writes text to w (when not nil) escaped for a textarea,
// with each CRLF as the LF a browser reads it as, and returns the length
// of the escaped text.
func escapeTextarea(text string, w io.StringWriter) int {
	n, last := 0, 0
	put := func(s string) {
		n += len(s)
		if w != nil {
			w.WriteString(s) //nolint:errcheck // the writer keeps its error
		}
	}
	for i := range len(text) {
		e := textareaEscapes[text[i]]
		crlf := text[i] == '\r' && i+1 < len(text) && text[i+1] == '\n'
		if e == "" && !crlf {
			continue
		}
		put(text[last:i])
		put(e)
		last = i + 1
	}
	put(text[last:])
	return n
}
