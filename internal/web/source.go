package web

import (
	"gomailcgi/internal/mailmsg"
	"io"
	"net/http"
	"strconv"
	"strings"
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
	at, err := s.readMessageAt(r.URL.Query())
	if err != nil {
		return err
	}
	pop, raw, err := s.openStream(r.Context(), at, "")
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
	at, err := s.readMessageAt(r.URL.Query())
	if err != nil {
		return err
	}
	login, ref, page := at.login, at.ref, at.page
	pop, body, err := s.openStream(r.Context(), at, "Its source was not shown.")
	if err != nil {
		return err
	}
	defer pop.Close()
	buf, err := io.ReadAll(io.LimitReader(body, maxRawShown+1))
	if err != nil {
		return err
	}
	pop.Close() // ends a transfer cut short, too
	truncated := len(buf) > maxRawShown
	if truncated {
		buf = buf[:maxRawShown]
	}
	subject := subjectOrNone(mailmsg.ParseEnvelope(buf).Subject)
	p := &rawPage{
		basePage:    login.base("Source of “" + subject + "”"),
		Source:      sourceText(buf),
		Truncated:   truncated,
		Shown:       humanSize(int64(len(buf))),
		Size:        humanSize(max(body.Size, int64(len(buf)))),
		DownloadURL: s.urls.Source(login.token, ref),
		ViewURL:     s.urls.View(login.token, ref, page),
		BackURL:     s.urls.List(login.token, page),
	}
	return s.render(w, http.StatusOK, "raw", p)
}

// sourceText is raw message bytes as text for a page: line ends as "\n",
// bytes that are not UTF-8 as U+FFFD. The template escapes the rest.
func sourceText(b []byte) string {
	s := strings.ReplaceAll(string(b), "\r\n", "\n")
	return strings.ToValidUTF8(s, "\uFFFD")
}
