package web

import (
	"io"
	"net/http"
	"strconv"

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
	o, err := s.read(r.Context(), at, actPage, bodyLimits)
	if err != nil {
		return err
	}
	ro := s.renderOptions(at.login, o.ref, opt)
	ro.HTMLOnly = true // a text is not shown here, so never rendered
	v := render.Message(o.msg, ro)
	if partID != "" {
		if v = v.FindNested(partID); v == nil {
			return &userError{status: http.StatusNotFound, title: "No such message",
				msg: "This message has no attached message there."}
		}
	}
	if !v.IsHTML {
		return &userError{status: http.StatusNotFound, title: "No HTML body", msg: "This message has no HTML body."}
	}
	var back *render.Back
	if q.ownPage() {
		l := at.login.loc
		back = &render.Back{URL: s.urls.ViewWith(at.login.token, at.ref, at.page, opt),
			Text: l.T("‹ Back to the message"), Label: l.T("Back"), Lang: l.Code, Dir: l.Dir()}
	}
	doc := render.HTMLDocument(subjectOrNone(at.login.loc, v.Header.Subject), v.Header.Language, back, v.HTML)
	h := w.Header()
	h.Set("Content-Security-Policy", bodyCSP(render.HTMLContentSecurityPolicy(opt.Remote)))
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(doc)))
	io.WriteString(w, doc) // a failed write means the client left
	return nil
}

// bodyLimits keep an HTML body whole, of the plain texts in a message
// with HTML no more than the view shows (viewText), and of all the texts
// together no more than one HTML body may be.
var bodyLimits = mailmsg.Limits{MaxPlain: viewText, MaxTotal: mailmsg.MaxTextPart}

// bodyCSP is the renderer's policy for the framed body, with the framing
// and sandbox rules this site needs added.
func bodyCSP(policy string) string {
	return policy + "; frame-ancestors 'self'; sandbox"
}
