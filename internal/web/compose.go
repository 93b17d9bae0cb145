package web

import (
	"net/http"
	"strings"

	"gomailcgi/internal/mailmsg"
	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/render"
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
	login, err := s.open(q.Get("t"))
	if err != nil {
		return err
	}
	page, _ := parsePage(q.Get("page"))
	f := &composeForm{Token: login.token, Page: page, Copy: s.cfg.KeepCopy}
	mode := q.Get("mode")
	switch mode {
	case modeNew:
		return s.renderComposeFetching(w, r, http.StatusOK, login, f, "", "")
	case modeReply, modeReplyAll, modeForward, modeDraft:
	default:
		return badRequest("That is not a way to write a message.", nil)
	}
	ref, err := mailtools.ParseRef(q.Get("m"))
	if err != nil {
		return err
	}
	lim := quoteLimits
	if mode == modeDraft {
		lim = mailmsg.Limits{} // a draft's text comes back whole
	}
	o, err := s.read(r.Context(), messageAt{login: login, ref: ref, page: page}, actPrefill, lim)
	if err != nil {
		return err
	}

	env := o.envelope()
	view := renderPlain(o.msg)
	text := plainText(view)
	more := len(view.Shortened) > 0
	self := fromAddress(login.state.User, s.cfg.FromDomain)
	switch mode {
	case modeReply, modeReplyAll:
		text = quotable(text, more)
		to := replyTo(env)
		f.To = addressField(to)
		if mode == modeReplyAll {
			f.Cc = addressField(replyAllCc(env, to, self, login.state.User))
		}
		f.Subject = replySubject(env.Subject)
		f.Body = "\n\n" + quote(attribution(env), text)
		f.InReplyTo = env.MessageID
		f.References = references(env)
	case modeForward:
		text = quotable(text, more)
		f.Subject = forwardSubject(env.Subject)
		f.Body = "\n\n" + forwardedBlock(env, text)
		files := f.carryAll(o.ref, view)
		return s.renderComposeFiles(w, http.StatusOK, login, f, files, "", "")
	case modeDraft:
		if !s.isDraft(login.state.User, env) {
			return badRequest("That message is not a draft saved here, so it cannot be continued. "+
				"You can reply to it or forward it instead.", nil)
		}
		f.To, f.Cc, f.Bcc = addressField(env.To), addressField(env.Cc), addressField(env.DraftBcc)
		f.Subject, f.Body = env.Subject, text
		f.InReplyTo, f.References = env.InReplyTo, strings.Join(env.References, " ")
		f.DraftRef = o.ref.String()
		files := f.carryAll(o.ref, view) // its attachments come along as a forward's do
		return s.renderComposeFiles(w, http.StatusOK, login, f, files, "Continuing your draft. Sending it or saving it again leaves the old draft in your inbox until you delete it.", "")
	}
	return s.renderComposeFetching(w, r, http.StatusOK, login, f, "", "")
}

// renderComposeFetching shows the compose form with what f holds, first
// reading the original of a forward from the mail server:
// its attachments are listed again (a best effort: if the
// original cannot be read now, the list is left out and the alert says so).
func (s *server) renderComposeFetching(w http.ResponseWriter, r *http.Request, status int, login *session, f *composeForm, notice, alert string) error {
	var files []forwardFile
	if f.Forward != "" {
		var err error
		files, err = s.forwardFiles(r, login, f)
		if err != nil {
			s.log.Info("compose: listing forwarded attachments", "err", err)
			if alert == "" {
				alert = "The message you are forwarding can no longer be read from the server, so its attachments cannot be sent along."
			}
		}
	}
	return s.renderComposeFiles(w, status, login, f, files, notice, alert)
}

// renderComposeFiles renders the compose form with the forwarded files
// already listed.
func (s *server) renderComposeFiles(w http.ResponseWriter, status int, login *session, f *composeForm, files []forwardFile, notice, alert string) error {
	f.Token = login.token
	title := "Write a message"
	switch {
	case f.Forward != "":
		title = "Forward a message"
	case f.InReplyTo != "":
		title = "Reply"
	}
	p := &composePage{
		basePage:     login.base(title),
		Form:         *f,
		From:         login.from(s.cfg.FromDomain).String(),
		Action:       s.urls.SendAction(),
		ForwardFiles: files,
		BackURL:      s.urls.List(login.token, f.Page),
		MaxUpload:    humanSize(s.cfg.MaxUpload),
	}
	p.Notice, p.Alert = notice, alert
	return s.render(w, status, "compose", p)
}

// carryAll sends every attachment of the message at ref along, ticked,
// as a forward does, and lists them for the form.
func (f *composeForm) carryAll(ref mailtools.Ref, view *render.View) []forwardFile {
	f.Forward = ref.String()
	var files []forwardFile
	for _, a := range forwardable(view) {
		f.ForwardParts = append(f.ForwardParts, a.ID)
		files = append(files, forwardFile{ID: a.ID, Label: partLabel(a), Checked: true})
	}
	return files
}

// forwardFiles lists the forwarded message's attachments, checked as f says.
func (s *server) forwardFiles(r *http.Request, login *session, f *composeForm) ([]forwardFile, error) {
	ref, err := mailtools.ParseRef(f.Forward)
	if err != nil {
		return nil, err
	}
	o, err := s.read(r.Context(), messageAt{login: login, ref: ref, page: f.Page}, actPage, quoteLimits)
	if err != nil {
		return nil, err
	}
	var files []forwardFile
	for _, a := range forwardable(renderPlain(o.msg)) {
		files = append(files, forwardFile{ID: a.ID, Label: partLabel(a), Checked: f.forwarding(a.ID)})
	}
	return files, nil
}
