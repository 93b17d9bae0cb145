package web

import (
	"errors"
	"net/http"

	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/render"
)

// viewPage shows one message.
type viewPage struct {
	basePage
	Subject, From, ReplyTo, To, Cc, Date string
	Text                                 []textBlock // the body, when shown as text
	BodyURL                              string      // the HTML body, for the sandboxed iframe
	Attachments                          []attachmentLink
	Problems                             []string
	Ref                                  string
	Page                                 int
	ReplyURL, ReplyAllURL, ForwardURL    string
	BackURL, SourceURL, DeleteAction     string
}

// attachmentLink is one downloadable part.
type attachmentLink struct {
	Label string
	URL   string
}

// view shows one message (GET /view?t&m&page), sync-checked: if the inbox
// changed or the message is gone, the reloaded list says so (409/410).
func (s *server) view(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	ss, err := s.open(q.Get("t"))
	if err != nil {
		return err
	}
	ref, err := mailtools.ParseRef(q.Get("m"))
	if err != nil {
		return err
	}
	page, err := parsePage(q.Get("page"))
	if err != nil {
		return err
	}
	sess, err := s.cfg.POP.Dial(r.Context(), ss.cred())
	if err != nil {
		return err
	}
	defer sess.Close()
	msg, err := sess.Fetch(r.Context(), ref)
	switch {
	case errors.Is(err, mailtools.ErrTooLarge):
		return s.render(w, http.StatusOK, "error", &errorPage{
			basePage: withAlert(ss.base("Message too large to show"),
				"This message is too large to show here. You can download it whole and open it with a mail program."),
			Back:     s.urls.List(ss.token, page),
			Download: s.urls.Source(ss.token, ref),
		})
	case err != nil:
		if status, alert, ok := syncProblem(err, "It was not shown."); ok {
			return s.showListIn(w, r, ss, sess, page, status, alert)
		}
		return err
	}
	sess.Close()
	ref = msg.Ref

	env := msg.Envelope
	v := render.Render(msg.Raw, render.Options{
		CIDURL: func(partID string) string { return s.urls.Part(ss.token, ref, partID) },
	})
	p := &viewPage{
		basePage:     ss.base(subjectOrNone(env.Subject)),
		Subject:      subjectOrNone(env.Subject),
		From:         mailtools.FormatAddresses(env.From),
		To:           mailtools.FormatAddresses(env.To),
		Cc:           mailtools.FormatAddresses(env.Cc),
		Date:         longDate(env.Date),
		Problems:     v.Problems,
		Ref:          ref.String(),
		Page:         page,
		ReplyURL:     s.urls.Compose(ss.token, modeReply, ref, page),
		ReplyAllURL:  s.urls.Compose(ss.token, modeReplyAll, ref, page),
		ForwardURL:   s.urls.Compose(ss.token, modeForward, ref, page),
		BackURL:      s.urls.List(ss.token, page),
		SourceURL:    s.urls.Source(ss.token, ref),
		DeleteAction: s.urls.DeleteAction(),
	}
	if len(env.ReplyTo) > 0 {
		p.ReplyTo = mailtools.FormatAddresses(env.ReplyTo)
	}
	if v.IsHTML {
		p.BodyURL = s.urls.Body(ss.token, ref)
	} else {
		p.Text = textBlocks(v.Text)
	}
	for _, a := range v.Attachments {
		p.Attachments = append(p.Attachments, attachmentLink{Label: partLabel(a), URL: s.urls.Part(ss.token, ref, a.ID)})
	}
	return s.render(w, http.StatusOK, "view", p)
}

// withAlert sets a page's alert.
func withAlert(b basePage, alert string) basePage {
	b.Alert = alert
	return b
}

// textBlock is a run of body text at one quote level; Quotes has one entry
// per level, so the template nests that many blockquotes.
type textBlock struct {
	Quotes []struct{}
	Lines  []render.TextLine
}

func textBlocks(in []render.TextBlock) []textBlock {
	out := make([]textBlock, len(in))
	for i, b := range in {
		out[i] = textBlock{Quotes: make([]struct{}, min(b.Level, 10)), Lines: b.Lines}
	}
	return out
}
