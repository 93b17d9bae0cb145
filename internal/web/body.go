package web

import (
	"bufio"
	"bytes"
	"errors"
	"html/template"
	"io"
	"net/http"
	"strconv"

	"gomailcgi/internal/locale"
	"gomailcgi/internal/mailmsg"
	"gomailcgi/internal/render"
)

// body serves a message's sanitized HTML body as a document of its own
// (GET /body?t&m&p&fmt&remote), for a sandboxed iframe of the view page:
// the message's own body, or with p that of the attached message in part
// p. fmt and remote are the view's, so the frame shows the body the view
// chose. Its CSP is the renderer's, which lets the mail's styles and its
// own images show, remote images only with remote=1, and nothing else; it
// may be framed only by this site.
func (s *server) body(w http.ResponseWriter, r *http.Request) error {
	q := params(r.URL.Query())
	at, err := s.readMessageAt(q)
	if err != nil {
		return err
	}
	opt, err := q.viewOptions()
	if err != nil {
		return err
	}
	partID, err := q.part(false)
	if err != nil {
		return err
	}
	var back *render.Back
	if q.ownPage() {
		l := at.login.loc
		back = &render.Back{URL: s.urls.ViewWith(at.login.token, at.ref, at.page, opt),
			Text: l.T("‹ Back to the message"), Label: l.T("Back"), Lang: l.Code, Dir: l.Dir()}
	}
	pop, st, err := s.openStream(r.Context(), at, actPage)
	if err != nil {
		return err
	}
	defer pop.Close() // hangs up on a message left unread
	ro := s.renderOptions(at.login, st.Ref, opt)
	seen := &replay{r: st}
	if partID == "" {
		env, text, ok := htmlOnly(seen)
		seen.done()
		if seen.err != nil {
			return seen.err // nothing is written yet: the page says what went wrong
		}
		if ok {
			return s.streamBody(w, r, at.login.loc, subjectOrNone(at.login.loc, env.Subject), env.Language, back, text, ro)
		}
	}
	seen.done()
	if seen.err != nil {
		return seen.err
	}
	msg, err := mailmsg.Read(io.MultiReader(seen.again(), st), bodyLimits)
	pop.Close()
	if err != nil {
		return err // a transfer cut short: never show half a message
	}
	ro.HTMLOnly = true // a text is not shown here, so never rendered
	v := render.Message(msg, ro)
	if partID != "" {
		if v = v.FindNested(partID); v == nil {
			return &userError{status: http.StatusNotFound, title: "No such message",
				msg: "This message has no attached message there."}
		}
	}
	if !v.IsHTML {
		return &userError{status: http.StatusNotFound, title: "No HTML body", msg: "This message has no HTML body."}
	}
	doc := render.HTMLDocument(subjectOrNone(at.login.loc, v.Header.Subject), v.Header.Language, back, v.HTML)
	h := w.Header()
	h.Set("Content-Security-Policy", bodyCSP(render.HTMLContentSecurityPolicy(opt.Remote)))
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(doc)))
	io.WriteString(w, doc) // a failed write means the client left
	return nil
}

// htmlOnly reads the header of the message r and, when its body is one
// HTML part whose charset can be read as a stream, returns its envelope
// and its text, read on from r. ok is false for every other message, of
// which r has then been read from (replay serves it again).
func htmlOnly(r io.Reader) (env mailmsg.Envelope, text io.Reader, ok bool) {
	walk := mailmsg.NewPartWalker(r)
	h, single := walk.Root()
	if !single {
		return env, nil, false
	}
	part, body, err := walk.Open("1")
	if err != nil || part.ContentType != "text/html" || part.Disposition == "attachment" || part.Filename != "" {
		return env, nil, false // not the body the view shows (mailmsg.Entity.IsTextCandidate)
	}
	if text, ok = render.HTMLText(io.LimitReader(body, mailmsg.MaxTextPart), part.Charset); !ok {
		return env, nil, false
	}
	return h.Envelope(), text, true
}

// streamBody writes the framed document of a message that is one HTML
// body as it reads and sanitizes it, so the browser has its start while
// the rest is still on its way from the POP server. Everything that
// decides the status is known before the first byte: the message passed
// the sync check, and its structure is read. A failure after that cannot
// change the status: under net/http the response is dropped, and the
// browser shows the body cut short as a failed load, never as a whole
// message. CGI and FastCGI cannot drop a response (and a panic there
// would end the program, under FastCGI for every user), so there the
// document ends with a note that says so.
func (s *server) streamBody(w http.ResponseWriter, r *http.Request, l *locale.Locale, title, lang string,
	back *render.Back, text io.Reader, ro render.Options) error {
	h := w.Header()
	h.Set("Content-Security-Policy", bodyCSP(render.HTMLContentSecurityPolicy(ro.AllowRemote)))
	h.Set("Content-Type", "text/html; charset=utf-8")
	bw := bufio.NewWriterSize(flushWriter{w}, bodyChunk)
	err := render.WriteHTMLDocument(bw, title, lang, back, text, ro)
	if err == nil {
		return nil
	}
	if !errors.Is(err, r.Context().Err()) {
		s.log.Warn("HTML body cut short", "path", r.URL.Path, "err", err)
	}
	if r.Context().Value(http.ServerContextKey) != nil {
		panic(http.ErrAbortHandler) // net/http's own way to drop a response
	}
	bw.WriteString(`</main><p role="alert" lang="` + template.HTMLEscapeString(l.Code) + `" dir="` + l.Dir() + `"><strong>` +
		template.HTMLEscapeString(l.T(sayUnavailable)) + " " + template.HTMLEscapeString(l.T(sayLater)) +
		"</strong></p></body></html>\n")
	bw.Flush() // a failed write means the client left
	return nil
}

// bodyChunk is how much of a streamed body is written at once.
const bodyChunk = 32 << 10

// flushWriter sends each write to the client at once, as a chunk of its
// own: the first is the document's start. Where the response cannot be
// flushed, it goes out as the server buffers it.
type flushWriter struct{ w http.ResponseWriter }

func (f flushWriter) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if err == nil {
		if err = http.NewResponseController(f.w).Flush(); errors.Is(err, http.ErrNotSupported) {
			err = nil
		}
	}
	return n, err
}

// replay keeps what is read through it until done, so that a message
// that turns out to need the whole parse can be read again from its
// start: the header and the start of its body, a few KB. It keeps the
// first error other than io.EOF too, which the parse would take for the
// message's end.
type replay struct {
	r    io.Reader
	kept []byte
	off  bool
	err  error
}

func (p *replay) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if !p.off {
		p.kept = append(p.kept, b[:n]...)
		if err != nil && err != io.EOF && p.err == nil { //nolint:errorlint // io.EOF itself ends a message
			p.err = err
		}
	}
	return n, err
}

// done stops keeping.
func (p *replay) done() { p.off = true }

// again reads what was kept.
func (p *replay) again() io.Reader { return bytes.NewReader(p.kept) }

// bodyLimits keep an HTML body whole, of the plain texts in a message
// with HTML no more than the view shows (viewText), and of all the texts
// together no more than one HTML body may be.
var bodyLimits = mailmsg.Limits{MaxPlain: viewText, MaxTotal: mailmsg.MaxTextPart}

// bodyCSP is the renderer's policy for the framed body, with the framing
// and sandbox rules this site needs added.
func bodyCSP(policy string) string {
	return policy + "; frame-ancestors 'self'; sandbox"
}
