package web

import (
	"errors"
	"net/http"

	"gomailcgi/internal/mailtools"
)

// composePage is the compose form: new, reply, reply all or forward.
type composePage struct {
	basePage
	Form         composeForm
	From         string
	Action       string
	ForwardFiles []forwardFile // the forwarded message's attachments
	BackURL      string
	MaxUpload    string
}

// forwardFile is one attachment of a forwarded message, offered as a
// checkbox; it is fetched again, sync-checked, when the message is sent.
type forwardFile struct {
	ID      string
	Label   string
	Checked bool
}

// compose shows the compose form (GET /compose?t[&mode&m&page]), prefilled
// from the original message for a reply or forward.
func (s *server) compose(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	ss, err := s.open(q.Get("t"))
	if err != nil {
		return err
	}
	page, _ := parsePage(q.Get("page"))
	f := &composeForm{Token: ss.token, Page: page}
	mode := q.Get("mode")
	switch mode {
	case modeNew:
		return s.renderCompose(w, r, http.StatusOK, ss, f, "", "")
	case modeReply, modeReplyAll, modeForward:
	default:
		return badRequest("That is not a way to write a message.", nil)
	}
	ref, err := mailtools.ParseRef(q.Get("m"))
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
		if status, alert, ok := syncProblem(err, "Nothing was prefilled."); ok {
			return s.showListIn(w, r, ss, sess, page, status, alert)
		}
		return err
	}
	sess.Close()

	env := msg.Envelope
	view := renderPlain(msg.Raw)
	text := plainText(view)
	self := fromAddress(ss.state.User, s.cfg.FromDomain)
	switch mode {
	case modeReply, modeReplyAll:
		to := replyTo(env)
		f.To = addressField(to)
		if mode == modeReplyAll {
			f.Cc = addressField(replyAllCc(env, to, self, ss.state.User))
		}
		f.Subject = replySubject(env.Subject)
		f.Body = "\n\n" + quote(attribution(env), text)
		f.InReplyTo = env.MessageID
		f.References = references(env)
	case modeForward:
		f.Subject = forwardSubject(env.Subject)
		f.Body = "\n\n" + forwardedBlock(env, text)
		f.Forward = msg.Ref.String()
		var files []forwardFile
		for _, a := range view.Attachments {
			f.ForwardParts = append(f.ForwardParts, a.ID)
			files = append(files, forwardFile{ID: a.ID, Label: partLabel(a), Checked: true})
		}
		return s.renderComposePage(w, http.StatusOK, ss, f, files, "", "")
	}
	return s.renderCompose(w, r, http.StatusOK, ss, f, "", "")
}

// renderCompose shows the compose form with what f holds. For a forward,
// the original's attachments are listed again (a best effort: if the
// original cannot be read now, the list is left out and the alert says so).
func (s *server) renderCompose(w http.ResponseWriter, r *http.Request, status int, ss *session, f *composeForm, notice, alert string) error {
	var files []forwardFile
	if f.Forward != "" {
		var err error
		files, err = s.forwardFiles(r, ss, f)
		if err != nil {
			s.log.Info("compose: listing forwarded attachments", "err", err)
			if alert == "" {
				alert = "The message you are forwarding can no longer be read from the server, so its attachments cannot be sent along."
			}
		}
	}
	return s.renderComposePage(w, status, ss, f, files, notice, alert)
}

// renderComposePage renders the compose form as given.
func (s *server) renderComposePage(w http.ResponseWriter, status int, ss *session, f *composeForm, files []forwardFile, notice, alert string) error {
	f.Token = ss.token
	title := "Write a message"
	switch {
	case f.Forward != "":
		title = "Forward a message"
	case f.InReplyTo != "":
		title = "Reply"
	}
	p := &composePage{
		basePage:     ss.base(title),
		Form:         *f,
		From:         fromAddress(ss.state.User, s.cfg.FromDomain),
		Action:       s.urls.SendAction(),
		ForwardFiles: files,
		BackURL:      s.urls.List(ss.token, f.Page),
		MaxUpload:    humanSize(s.cfg.MaxUpload),
	}
	p.Notice, p.Alert = notice, alert
	return s.render(w, status, "compose", p)
}

// forwardFiles lists the forwarded message's attachments, checked as f says.
func (s *server) forwardFiles(r *http.Request, ss *session, f *composeForm) ([]forwardFile, error) {
	msg, err := s.fetchMessage(r, ss, f.Forward)
	if err != nil {
		return nil, err
	}
	var files []forwardFile
	for _, a := range renderPlain(msg.Raw).Attachments {
		files = append(files, forwardFile{ID: a.ID, Label: partLabel(a), Checked: f.forwarding(a.ID)})
	}
	return files, nil
}

// syncProblem maps a failed sync check to a status and an alert for the
// reloaded list; ok is false for any other error.
func syncProblem(err error, outcome string) (status int, alert string, ok bool) {
	switch {
	case errors.Is(err, mailtools.ErrMessageGone):
		return http.StatusGone, "That message is no longer on the server; it may have been deleted by another mail program. " +
			outcome + " Here is your inbox as it is now.", true
	case errors.Is(err, mailtools.ErrInboxChanged):
		return http.StatusConflict, "Your inbox changed since the list was shown (another mail program may have deleted or moved messages). " +
			outcome + " Here is your inbox as it is now.", true
	}
	return 0, "", false
}
