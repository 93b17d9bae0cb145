package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/render"
)

// body serves a message's sanitized HTML body as a document of its own
// (GET /body?t&m), for the view page's sandboxed iframe. Its CSP is the
// renderer's, which lets the mail's styles and inline images show and
// nothing else; it may be framed only by this site.
func (s *server) body(w http.ResponseWriter, r *http.Request) error {
	ss, ref, err := s.downloadRequest(r)
	if err != nil {
		return err
	}
	sess, err := s.cfg.POP.Dial(r.Context(), ss.cred())
	if err != nil {
		return err
	}
	defer sess.Close()
	msg, err := sess.Fetch(r.Context(), ref)
	if err != nil {
		if errors.Is(err, mailtools.ErrTooLarge) {
			return &userError{status: http.StatusNotFound, title: "Message too large", msg: "This message is too large to show."}
		}
		return err
	}
	sess.Close()
	v := render.Render(msg.Raw, render.Options{
		CIDURL: func(partID string) string { return s.urls.Part(ss.token, msg.Ref, partID) },
	})
	if !v.IsHTML {
		return &userError{status: http.StatusNotFound, title: "No HTML body", msg: "This message has no HTML body."}
	}
	doc := render.HTMLDocument(v.HTML)
	h := w.Header()
	h.Set("Content-Security-Policy", bodyCSP(render.HTMLContentSecurityPolicy(false)))
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(doc)))
	io.WriteString(w, doc) // a failed write means the client left
	return nil
}

// bodyCSP is the renderer's policy for the framed body, with the framing
// and sandbox rules this site needs added.
func bodyCSP(policy string) string {
	return policy + "; frame-ancestors 'self'; sandbox"
}
