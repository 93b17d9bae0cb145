package web

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"gomailcgi/internal/mailmsg"
)

// maxRawShown bounds how much of a message the source page shows; the
// whole message is a download away.
const maxRawShown = 1 << 20

// rawPage shows the start of a message's source as text.
type rawPage struct {
	basePage
	Source      string // the message as text, at most maxRawShown bytes of it
	Truncated   bool
	Shown, Size string // human sizes of what is shown and of the whole
	DownloadURL string
	ViewURL     string
	BackURL     string
}

// source downloads the whole message as an .eml file (GET /source?t&m),
// streamed as the POP server sends it.
func (s *server) source(w http.ResponseWriter, r *http.Request) error {
	at, err := s.readMessageAt(params(r.URL.Query()))
	if err != nil {
		return err
	}
	pop, raw, err := s.openDownload(r.Context(), at)
	if err != nil {
		return err
	}
	defer pop.Close()
	h := w.Header()
	h.Set("Content-Type", "message/rfc822")
	h.Set("Content-Security-Policy", downloadCSP)
	h.Set("Content-Disposition", contentDisposition("attachment", "message-"+strconv.Itoa(at.ref.Num)+".eml"))
	s.stream(w, r, raw)
	return nil
}

// raw shows a message's source in a page (GET /raw?t&m&page): the first
// megabyte as escaped text, with a link to download the whole. It reads
// no more than it shows, so a message too large to view still opens here.
// Sync-checked like the view.
func (s *server) raw(w http.ResponseWriter, r *http.Request) error {
	at, err := s.readMessageAt(params(r.URL.Query()))
	if err != nil {
		return err
	}
	login, ref, page := at.login, at.ref, at.page
	pop, body, err := s.openStream(r.Context(), at, actSource)
	if err != nil {
		return err
	}
	defer pop.Close()
	buf := make([]byte, maxRawShown+1)
	n, err := io.ReadFull(body, buf)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF { //nolint:errorlint // ReadFull's own values
		return err
	}
	buf = buf[:n]
	pop.Close() // ends a transfer cut short, too
	truncated := len(buf) > maxRawShown
	if truncated {
		buf = buf[:maxRawShown]
	}
	subject := subjectOrNone(login.loc, mailmsg.ParseEnvelope(buf).Subject)
	p := &rawPage{
		basePage:    login.base(login.T("Source of “%s”", subject)),
		Source:      sourceText(buf),
		Truncated:   truncated,
		Shown:       login.loc.Size(int64(len(buf))),
		Size:        login.loc.Size(max(body.Size, int64(len(buf)))),
		DownloadURL: s.urls.Source(login.token, ref),
		ViewURL:     s.urls.View(login.token, ref, page),
		BackURL:     s.urls.List(login.token, page),
	}
	return s.render(w, http.StatusOK, "raw", p)
}

// sourceText is raw message bytes as text for a page: line ends as "\n",
// each run of bytes that are not UTF-8 as one U+FFFD. The template
// escapes the rest. It copies the megabyte shown once, not once a step.
func sourceText(b []byte) string {
	var s strings.Builder
	s.Grow(len(b))
	bad := false // in a run of bytes that are not UTF-8
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && n == 1:
			if !bad {
				s.WriteString("\uFFFD")
			}
			bad = true
			b = b[1:]
			continue
		case r == '\r' && len(b) > 1 && b[1] == '\n':
			// the line end is the "\n" that follows
		default:
			s.Write(b[:n])
		}
		bad = false
		b = b[n:]
	}
	return s.String()
}
