package web

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"gomailcgi/internal/locale"
	"gomailcgi/internal/record"
)

// The explain panel ("How this page was made", Config.Explain) shows at
// the foot of every page what the request did: the request, its token
// decoded, the mail conversation as record wrote it down while it
// happened, and where the page's links and forms lead. It is built from
// the request, the record and the page as rendered, never written by hand.
// It never holds a password, a key or a whole token.

// explainWriter carries one request's record to render, which adds the
// panel to the page.
type explainWriter struct {
	http.ResponseWriter
	r        *http.Request
	rec      *record.Recorder
	status   int
	location string // of a redirect
	wrote    bool   // a body was written
}

func (w *explainWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *explainWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		if code >= 300 && code < 400 {
			// A redirect of a POST has no body of its own: it gets one
			// with the panel, which curl -i shows.
			w.location = w.Header().Get("Location")
			if w.Header().Get("Content-Type") == "" {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
			}
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *explainWriter) Write(p []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(p)
}

// explain gives every request a record when the panel is on; with it off
// it is not in the chain at all, and nothing is recorded.
func (s *server) explain(next http.Handler) http.Handler {
	if !s.cfg.Explain {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := record.New()
		r = r.WithContext(record.With(r.Context(), rec))
		ew := &explainWriter{ResponseWriter: w, r: r, rec: rec}
		next.ServeHTTP(ew, r)
		if ew.location != "" && !ew.wrote && r.Method != http.MethodHead {
			s.writeRedirectPanel(ew)
		}
	})
}

// explainOf finds the request's explainWriter under w, or nil.
func explainOf(w http.ResponseWriter) *explainWriter {
	for {
		if ew, ok := w.(*explainWriter); ok {
			return ew
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return nil
		}
		w = u.Unwrap()
	}
}

// explainPanel is what the panel shows.
type explainPanel struct {
	Method, Path string
	Params       []explainParam
	Body         string // a form read as it streams, described
	State        string // the state of docs/FLOW.md this page is, by its name there
	Six          string // which of the six states of the classic CGI webmail; "" for none
	Status       int
	StatusText   string // the protocol's reason phrase, English as HTTP writes it
	Location     string // a redirect, its token shortened
	Sent         *tokenInfo
	SentProblem  string
	Fresh        *tokenInfo
	Talk         []talkStep
	Dropped      int
	Ways         []way // Kind in words
}

// explainParam is one parameter or form field: its name, its size, and
// its value only when it is one of the few that are safe to show.
type explainParam struct {
	Name  string
	Size  int
	Value string
	Note  string
}

// tokenInfo is a token decoded, without its password.
type tokenInfo struct {
	Size                                   int
	Short                                  string
	User, Name, Server                     string
	LoginAt, SealedAt, IdleUntil, AbsUntil string
}

// talkStep is one step of the mail conversation.
type talkStep struct {
	Proto string
	Kind  string   // "write", "reply" or "note"
	Lines []string // protocol lines; a note's sentence
	Data  string   // a message body written, in words
	More  int
	Total int // the lines of a write, kept or not
	Took  string
}

// shownParams are the parameters whose values the panel shows: short,
// made by the site, and never holding what a user typed.
var shownParams = map[string]bool{
	paramRef: true, paramPage: true, paramPart: true, paramMode: true, paramNext: true,
	paramFormat: true, paramRemote: true, paramInline: true, paramOwn: true, paramAll: true,
	paramSaved: true, paramFrom: true, paramConfirm: true, paramCopy: true, paramCount: true,
	"action": true,
}

// maxShownParams bounds the parameters the panel lists one by one.
const maxShownParams = 40

// shortToken is the start of a token, enough to tell two apart.
func shortToken(t string) string {
	if len(t) <= 12 {
		return "…"
	}
	return t[:8] + "…"
}

// requestParams lists the query's and the form's fields by name.
func requestParams(r *http.Request, l *locale.Locale) []explainParam {
	var out []explainParam
	add := func(vals url.Values) {
		names := make([]string, 0, len(vals))
		for n := range vals {
			names = append(names, n)
		}
		slices.Sort(names)
		if i := slices.Index(names, paramToken); i > 0 {
			names = append(append([]string{paramToken}, names[:i]...), names[i+1:]...)
		}
		for _, n := range names {
			for _, v := range vals[n] {
				if len(out) >= maxShownParams {
					return
				}
				p := explainParam{Name: clipName(n), Size: len(v)}
				switch {
				case n == "password":
					p.Size, p.Note = -1, l.T("never shown, nor its length")
				case n == paramToken:
					p.Value, p.Note = shortToken(v), l.T("the sealed token, shortened")
				case shownParams[n] && len(v) <= 80:
					p.Value = v
				}
				out = append(out, p)
			}
		}
	}
	add(r.URL.Query())
	if r.PostForm != nil {
		add(r.PostForm)
	}
	return out
}

func clipName(n string) string {
	if len(n) > 40 {
		return n[:40] + "…"
	}
	return n
}

// inspect decodes a token for the panel.
func (s *server) inspect(token string) (*tokenInfo, error) {
	st, at, err := s.cfg.Sealer.Inspect(token)
	if err != nil {
		return nil, err
	}
	when := func(t time.Time) string { return t.In(s.cfg.Location).Format("2006-01-02 15:04:05 MST") }
	return &tokenInfo{Size: len(token), Short: shortToken(token), User: st.User, Name: st.Name, Server: st.Server,
		LoginAt: when(at.LoginAt), SealedAt: when(at.SealedAt), IdleUntil: when(at.IdleUntil), AbsUntil: when(at.AbsoluteUntil)}, nil
}

// panel gathers what the panel shows of one response.
func (s *server) panel(ew *explainWriter, l *locale.Locale, status int, name string, b *basePage, page []byte) *explainPanel {
	r := ew.r
	p := &explainPanel{Method: r.Method, Path: r.URL.Path, Params: requestParams(r, l),
		Status: status, StatusText: http.StatusText(status)}
	if r.PostForm == nil && r.Method == http.MethodPost {
		p.Body = l.T("a form of %d bytes, read field by field as it arrives, the token first (so a large upload is never held whole)", r.ContentLength)
		for _, f := range ew.rec.Fields() {
			ep := explainParam{Name: f.Name, Size: int(f.Size)}
			switch {
			case f.Name == paramToken:
				ep.Note = l.T("the sealed token, opened before anything else is read")
			case f.File:
				ep.Note = l.T("a file")
			}
			p.Params = append(p.Params, ep)
		}
	}
	p.State, p.Six = pageState(name, status), sixState(s.trimBase(r.URL.Path))
	if ew.location != "" {
		p.Location = describeURL(ew.location, l)
	}
	if t := requestToken(r); t != "" {
		info, err := s.inspect(t)
		if err != nil {
			p.SentProblem = tokenProblem(err, l)
			p.Sent = &tokenInfo{Size: len(t), Short: shortToken(t)}
		} else {
			p.Sent = info
		}
	}
	fresh := ""
	if b != nil {
		fresh = b.Token
	} else if pu, err := url.Parse(ew.location); err == nil {
		fresh = pu.Query().Get(paramToken)
	}
	if fresh != "" {
		p.Fresh, _ = s.inspect(fresh)
	}
	entries, dropped := ew.rec.Entries()
	p.Dropped = dropped
	for _, e := range entries {
		st := talkStep{Proto: e.Proto}
		switch e.Kind {
		case record.Write:
			st.Kind, st.Lines, st.More, st.Total = "write", e.Lines, e.More, len(e.Lines)+e.More
			if e.Data {
				st.Data, st.Total = l.T("… %d bytes of message, then \".\"", e.Bytes), 1
			}
		case record.Reply:
			st.Kind, st.Lines, st.Took = "reply", []string{e.Text}, took(e.Took, l)
		case record.Note:
			st.Kind, st.Lines = "note", []string{noteText(e.Said, e.Facts, l)}
		}
		p.Talk = append(p.Talk, st)
	}
	p.Ways = s.waysFrom(page)
	for i := range p.Ways {
		p.Ways[i].Kind = wayKind(p.Ways[i].Kind, l)
	}
	return p
}

// describeURL is a URL as the panel shows it: the path, and each
// parameter by name, with its value only when it is safe to show (the
// token shortened), so a subject typed into a form never shows.
func describeURL(u string, l *locale.Locale) string {
	pu, err := url.Parse(u)
	if err != nil {
		return l.T("(a URL)")
	}
	var b strings.Builder
	b.WriteString(pu.Path)
	for i, p := range requestParams(&http.Request{URL: pu}, l) {
		b.WriteString(map[bool]string{true: "?", false: "&"}[i == 0])
		b.WriteString(p.Name)
		if p.Value != "" {
			b.WriteString("=" + p.Value)
		} else {
			b.WriteString("=" + l.T("(%d bytes)", p.Size))
		}
	}
	return b.String()
}

func (s *server) trimBase(path string) string {
	if b := s.cfg.BasePath; b != "" && len(path) >= len(b) && path[:len(b)] == b {
		return path[len(b):]
	}
	return path
}

// pageState is the state of docs/FLOW.md a rendered page is.
func pageState(name string, status int) string {
	switch name {
	case "list":
		if status == http.StatusConflict || status == http.StatusGone {
			return "Changed"
		}
		return "List"
	case "raw":
		return "Source"
	case "confirmdelete":
		return "Confirm"
	case "error":
		return "Error"
	}
	if name == "" {
		return ""
	}
	return string(name[0]-'a'+'A') + name[1:]
}

// sixState is which of the six states of the classic CGI webmail a path
// belongs to: login, list, view, compose, send, delete.
func sixState(path string) string {
	switch path {
	case pathHome, pathLogin, pathLogout:
		return "login"
	case pathList, pathSearch: // a search's results are list rows
		return "list"
	case pathView, pathRaw, pathBody, pathPart, pathSource:
		return "view"
	case pathCompose:
		return "compose"
	case pathSend, pathSent:
		return "send"
	case pathDelete:
		return "delete"
	}
	return "" // none: no such page
}

// addPanel puts the panel into a rendered page, before </body>; with the
// panel off it does nothing.
func (s *server) addPanel(w http.ResponseWriter, status int, name string, b *basePage, page *bytes.Buffer) error {
	ew := explainOf(w)
	if ew == nil {
		return nil
	}
	at := bytes.LastIndex(page.Bytes(), []byte("</body>"))
	if at < 0 {
		return errors.New("no </body>")
	}
	l := s.locales.Default()
	if b != nil && b.loc != nil {
		l = b.loc
	}
	t, err := s.panelIn(l)
	if err != nil {
		return err
	}
	var panel bytes.Buffer
	if err := t.ExecuteTemplate(&panel, "explain", s.panel(ew, l, status, name, b, page.Bytes())); err != nil {
		return err
	}
	tail := bytes.Clone(page.Bytes()[at:])
	page.Truncate(at)
	page.Write(panel.Bytes())
	page.Write(tail)
	return nil
}

// writeRedirectPanel writes the body of a redirect: where it goes, and
// the panel.
func (s *server) writeRedirectPanel(ew *explainWriter) {
	l, carry := s.language(ew.r)
	if carry == "" && requestToken(ew.r) == "" {
		// A form read as it streams (a send) hid its token from the
		// request: the token the redirect carries names the language.
		if u, err := url.Parse(ew.location); err == nil {
			if st, err := s.cfg.Sealer.Open(u.Query().Get(paramToken)); err == nil {
				if tl, ok := s.locales.Lookup(st.Lang); ok {
					l = tl
				}
			}
		}
	}
	t, err := s.panelIn(l)
	if err != nil {
		s.log.Error("explain: parsing the panel", "err", err)
		return
	}
	p := s.panel(ew, l, ew.status, "", nil, nil)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "redirect", p); err != nil {
		s.log.Error("explain: rendering a redirect's panel", "err", err)
		return
	}
	ew.ResponseWriter.Write(buf.Bytes())
}
