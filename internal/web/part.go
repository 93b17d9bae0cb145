package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"gomailcgi/internal/mailmsg"
)

// part downloads one MIME part, decoded (GET /part?t&m&p&inline&save). It
// streams from the POP server: the message is never held whole. Every type
// but text/plain is served as an attachment, so no mail content runs as a
// page; with inline=1, as the HTML body's cid: images ask, raster images
// are served inline too (see inlineImage). With save=1 text/plain is an
// attachment too, named after the message when it has no name of its own:
// a text too long for the view, which the reader asked to keep. nosniff is set on every
// response (server.go), so a part is never read as another type.
func (s *server) part(w http.ResponseWriter, r *http.Request) error {
	q := params(r.URL.Query())
	at, err := s.readMessageAt(q)
	if err != nil {
		return err
	}
	inline, save := q.inline(), q.save()
	partID, err := q.part(true)
	if err != nil {
		return err
	}
	pop, raw, err := s.openDownload(r.Context(), at)
	if err != nil {
		return err
	}
	defer pop.Close()
	walk := mailmsg.NewPartWalker(raw)
	p, body, err := walk.Open(partID)
	if err != nil {
		return &userError{status: http.StatusNotFound, title: "No such attachment",
			msg: "This message has no such attachment.", err: err}
	}
	ct := safeContentType(p.ContentType)
	name := downloadName(p.Filename, ct, p.ID)
	h := w.Header()
	if ct == "text/plain" {
		if p.Charset != "" {
			ct = mime.FormatMediaType(ct, map[string]string{"charset": p.Charset})
		}
		if ct == "" {
			ct = "text/plain"
		}
		switch {
		case !save:
			h.Set("Content-Disposition", contentDisposition("inline", name))
		case p.Filename == "":
			h.Set("Content-Disposition", contentDisposition("attachment", textFilename(walk.Header().Summary().Subject)))
		default:
			h.Set("Content-Disposition", contentDisposition("attachment", name))
		}
	} else if inline && inlineImage(ct) {
		h.Set("Content-Disposition", contentDisposition("inline", name))
	} else {
		h.Set("Content-Disposition", contentDisposition("attachment", name))
	}
	h.Set("Content-Type", ct)
	h.Set("Content-Security-Policy", downloadCSP)
	if p.Size >= 0 {
		h.Set("Content-Length", strconv.FormatInt(p.Size, 10))
	}
	s.stream(w, r, body)
	return nil
}

// downloadCSP is the policy of a download: should a browser show one as a
// page after all, it runs nothing and loads nothing.
const downloadCSP = "default-src 'none'; sandbox"

// inlineImage reports whether a part of this media type may be served
// inline: raster formats browsers decode as pictures only. Never SVG (it
// can carry scripts) nor anything that renders as a document.
func inlineImage(mediaType string) bool {
	switch mediaType {
	case "image/png", "image/jpeg", "image/gif", "image/webp":
		return true
	}
	return false
}

// streamChunk is how much of a download is written at once. A decoder
// hands out a few KB per Read; written as they come, each piece is a
// chunk and a system call of its own.
const streamChunk = 64 << 10

// stream copies a download to the client in streamChunk writes. Once
// bytes are out a failure can only be logged: the status line has gone.
func (s *server) stream(w http.ResponseWriter, r *http.Request, body io.Reader) {
	buf := make([]byte, streamChunk)
	for {
		n, err := io.ReadFull(body, buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				err = werr
			}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return
		}
		if err != nil {
			if !errors.Is(err, r.Context().Err()) {
				s.log.Warn("download cut short", "path", r.URL.Path, "err", err)
			}
			return
		}
	}
}
