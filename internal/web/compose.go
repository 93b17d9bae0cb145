package web

import (
	"net/http"
	"strings"

	"gomailcgi/internal/locale"
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
	Addresses    []string // suggestions for To, Cc and Bcc (knownAddresses)
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
	q := params(r.URL.Query())
	login, err := s.open(q.token())
	if err != nil {
		return err
	}
	page, _ := q.page() // 0 when it is not a number
	f := &composeForm{Token: login.token, Page: page, Copy: s.cfg.KeepCopy}
	mode, err := q.mode()
	if err != nil {
		return err
	}
	f.addresses = s.knownAddresses(r.Context(), login)
	if mode == modeNew {
		return s.renderComposeFetching(w, r, http.StatusOK, login, f, "", "")
	}
	ref, err := q.ref()
	if err != nil {
		return err
	}
	at := messageAt{login: login, ref: ref, page: page}
	if mode == modeDraft {
		return s.continueDraft(w, r, at, f)
	}
	o, err := s.read(r.Context(), at, actPrefill, quoteLimits)
	if err != nil {
		return err
	}

	env := o.envelope()
	view := renderPlain(o.msg)
	text := plainText(view)
	more := len(view.Shortened) > 0
	self := login.address()
	switch mode {
	case modeReply, modeReplyAll:
		text = quotable(login.loc, text, more)
		to := replyTo(env)
		f.To = addressField(to)
		if mode == modeReplyAll {
			f.Cc = addressField(replyAllCc(env, to, self, login.state.User))
		}
		f.Subject = replySubject(env.Subject)
		f.Body = "\n\n" + quote(attribution(login.loc, env, s.cfg.Location), text)
		f.InReplyTo = env.MessageID
		f.References = references(env)
	case modeForward:
		text = quotable(login.loc, text, more)
		f.Subject = forwardSubject(env.Subject)
		f.Body = "\n\n" + forwardedBlock(login.loc, env, text)
		files := f.carryAll(at.login.loc, o.ref, view)
		return s.renderComposeFiles(w, http.StatusOK, login, f, files, "", "")
	}
	return s.renderComposeFetching(w, r, http.StatusOK, login, f, "", "")
}

// continueDraft fills the form with the draft at at (compose mode
// draft), a message the site saved whose mark checks (isDraft): its
// header, its text as it was written, and its attachments, which come
// along as a forward's do. The text comes back whole up to what one text
// part keeps (mailmsg.MaxTextPart), in one string with no structure per
// line: the mark covers the header, not the body, so a copy of the draft
// may come back with any body. A longer text is cut, and the notice says
// so.
func (s *server) continueDraft(w http.ResponseWriter, r *http.Request, at messageAt, f *composeForm) error {
	o, err := s.read(r.Context(), at, actPrefill, mailmsg.Limits{MaxTotal: mailmsg.MaxTextPart})
	if err != nil {
		return err
	}
	env := o.envelope()
	if !s.isDraft(at.login.state.User, env) {
		return badRequest("That message is not a draft saved here, so it cannot be continued. You can reply to it or forward it instead.", nil)
	}
	view := render.Message(o.msg, render.Options{PreferPlain: true, Written: true})
	f.To, f.Cc, f.Bcc = addressField(env.To), addressField(env.Cc), addressField(env.DraftBcc)
	f.Subject, f.Body = env.Subject, view.Written
	f.InReplyTo, f.References = env.InReplyTo, strings.Join(env.References, " ")
	f.DraftRef = o.ref.String()
	files := f.carryAll(at.login.loc, o.ref, view)
	l := at.login.loc
	notice := l.T("Continuing your draft.") + " "
	if len(view.Shortened) > 0 {
		notice += l.T("Its text is longer than the %s that can be read back: the form holds its start, and the rest of it is not in the form.", l.Size(mailmsg.MaxTextPart)) + " "
	}
	notice += l.T("Sending it or saving it again leaves the old draft in your inbox until you delete it.")
	return s.renderComposeFiles(w, http.StatusOK, at.login, f, files, notice, "")
}

// renderComposeFetching shows the compose form with what f holds, first
// reading the original of a forward from the mail server:
// its attachments are listed again (a best effort: if the
// original cannot be read now, the list is left out and the alert says so).
func (s *server) renderComposeFetching(w http.ResponseWriter, r *http.Request, status int, login *signedIn, f *composeForm, notice, alert string) error {
	var files []forwardFile
	if f.Forward != "" {
		var err error
		files, err = s.forwardFiles(r, login, f)
		if err != nil {
			s.log.Info("compose: listing forwarded attachments", "err", err)
			if alert == "" {
				alert = login.T("The message you are forwarding can no longer be read from the server, so its attachments cannot be sent along.")
			}
		}
	}
	return s.renderComposeFiles(w, status, login, f, files, notice, alert)
}

// renderComposeFiles renders the compose form with the forwarded files
// already listed.
func (s *server) renderComposeFiles(w http.ResponseWriter, status int, login *signedIn, f *composeForm, files []forwardFile, notice, alert string) error {
	f.Token = login.token
	title := "Write a message"
	switch {
	case f.Forward != "":
		title = "Forward a message"
	case f.InReplyTo != "":
		title = "Reply"
	}
	p := &composePage{
		basePage:     login.base(login.T(title)),
		Form:         *f,
		From:         login.from().String(),
		Action:       s.urls.SendAction(),
		ForwardFiles: files,
		BackURL:      s.urls.List(login.token, f.Page),
		MaxUpload:    login.loc.Size(s.cfg.MaxUpload),
		Addresses:    f.addresses,
	}
	p.text = f.Body // written into the textarea by render
	p.Notice, p.Alert = notice, alert
	return s.render(w, status, "compose", p)
}

// carryAll sends every attachment of the message at ref along, ticked,
// as a forward does, and lists them for the form.
func (f *composeForm) carryAll(l *locale.Locale, ref mailtools.Ref, view *render.View) []forwardFile {
	f.Forward = ref.String()
	var files []forwardFile
	for _, a := range forwardable(l, view) {
		f.ForwardParts = append(f.ForwardParts, a.ID)
		files = append(files, forwardFile{ID: a.ID, Label: partLabel(l, a), Checked: true})
	}
	return files
}

// forwardFiles lists the forwarded message's attachments, checked as f says.
func (s *server) forwardFiles(r *http.Request, login *signedIn, f *composeForm) ([]forwardFile, error) {
	ref, err := mailtools.ParseRef(f.Forward)
	if err != nil {
		return nil, err
	}
	o, err := s.read(r.Context(), messageAt{login: login, ref: ref, page: f.Page}, actPage, quoteLimits)
	if err != nil {
		return nil, err
	}
	var files []forwardFile
	for _, a := range forwardable(login.loc, renderPlain(o.msg)) {
		files = append(files, forwardFile{ID: a.ID, Label: partLabel(login.loc, a), Checked: f.forwarding(a.ID)})
	}
	return files, nil
}
