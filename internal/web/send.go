package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"gomailcgi/internal/mailmsg"
	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/seal"
)

// formSlack is room for the form's text fields and multipart framing on
// top of MaxUpload's attachments.
const formSlack = 1 << 20

// send submits the compose form (POST /send). Success redirects (303) to
// the confirmation page; any failure shows the form again, as typed, with a
// role="alert" message and a fitting status.
//
// The token is the form's first field, and nothing past it is read before
// it opens: a form without a login is answered "log in again" at once and
// takes no upload slot. An expired login of this site gets its text back
// in the login form, its files unread. A logged-in form is read in one of
// the upload slots, which are counted in all and per user.
func (s *server) send(w http.ResponseWriter, r *http.Request) error {
	limit := s.cfg.MaxUpload + formSlack
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	form, err := openComposeForm(r)
	if err != nil {
		return formHeadProblem(err)
	}
	login, err := s.open(form.token)
	if err != nil {
		if !errors.Is(err, seal.ErrExpired) {
			return err // "log in again", the rest unread
		}
		form.allow(maxFormText + formSlack)
		f, _ := form.read(true)
		return &actionError{act: sendAction(&f), form: &loginFields{Next: nextCompose, Lang: f.Lang}, draft: &f, err: err}
	}
	if r.ContentLength > limit {
		// Said to be too large: only the text fields before the files are
		// read, to show the form again; the files are never read.
		form.allow(maxFormText + formSlack)
		f, _ := form.read(true)
		return &actionError{act: sendAction(&f), login: login, draft: &f, err: &http.MaxBytesError{Limit: limit}}
	}
	release, err := s.uploads.take(login.state.User)
	if err != nil {
		w.Header().Set("Retry-After", "10")
		return err
	}
	defer release()
	form.allow(limit)
	f, err := form.read(false)
	if err != nil {
		f.Files = nil // the form comes back without them: chosen again
		return &actionError{act: sendAction(&f), login: login, draft: &f, err: readProblem(err)}
	}

	act := sendAction(&f)
	out, err := s.outgoing(r, login, &f)
	var shown []string // the recipients the sent page names
	if err == nil {
		if !f.SaveDraft {
			shown = out.Recipients()
			if f.Copy {
				// an envelope recipient only, as Bcc is: no header names it
				out.Bcc = append(out.Bcc, out.From)
			}
		}
		_, err = login.srv.SMTP.Send(r.Context(), ptr(login.cred()), out)
		closeForwarded(out.Attachments)
	}
	if err != nil {
		f.Files = nil // the form comes back without them: chosen again
		return &actionError{act: act, login: login, draft: &f, err: err}
	}
	if f.SaveDraft {
		http.Redirect(w, r, s.urls.ListSaved(login.token), http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, s.urls.Sent(login.token, sentSummary{To: shown, Subject: out.Subject, Copy: f.Copy, Draft: f.DraftRef}), http.StatusSeeOther)
	return nil
}

// sendAction is what the user was doing with the form: sending it, or
// saving it as a draft.
func sendAction(f *composeForm) action {
	if f.SaveDraft {
		return actSaveDraft
	}
	return actSend
}

// readProblem names a problem reading the form past its token: one the
// reader does not name is a form cut short.
func readProblem(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) || errors.Is(err, errTooManyFields) || errors.Is(err, errFieldTooLong) ||
		errors.Is(err, errSlowBody) {
		return err
	}
	return fmt.Errorf("%w: %w", errCutShort, err)
}

func ptr[T any](v T) *T { return &v }

// outgoing builds the message from the form: addresses parsed, uploads and
// the forwarded message's attachments attached. A problem in what was
// typed comes back as a *userError.
func (s *server) outgoing(r *http.Request, login *signedIn, f *composeForm) (*mailtools.Outgoing, error) {
	out := &mailtools.Outgoing{
		From:       login.from(),
		Subject:    f.Subject,
		Body:       f.Body,
		InReplyTo:  f.InReplyTo,
		References: strings.Fields(f.References),
	}
	for _, field := range []struct {
		name  string
		value string
		dst   *[]mailmsg.Address
	}{{"To", f.To, &out.To}, {"Cc", f.Cc, &out.Cc}, {"Bcc", f.Bcc, &out.Bcc}} {
		list, err := mailmsg.ParseAddressList(field.value)
		if err != nil {
			return nil, unprocessable("The %s field holds an address that cannot be read. Separate addresses with commas, like: Ann Lee <ann@example.org>, bob@example.org.",
				catalogKey(field.name))
		}
		*field.dst = list
	}
	n := len(out.To) + len(out.Cc) + len(out.Bcc)
	if f.SaveDraft {
		out.Draft = true // kept in the sender's inbox: no recipient needed, none written to
		out.DraftMark = func(env mailmsg.Envelope) (string, error) { return s.draftMark(login.state.User, env) }
	} else if n == 0 {
		return nil, unprocessable("Please give at least one recipient in To, Cc or Bcc.")
	}
	if n > s.cfg.MaxRecipients {
		return nil, unprocessable(
			"This message has %d recipients, and this site sends one message to at most %d. Nothing was sent.", n, s.cfg.MaxRecipients)
	}
	for _, u := range f.Files {
		out.Attachments = append(out.Attachments, mailtools.Attachment{
			Filename: u.Filename, ContentType: u.ContentType, Body: bytes.NewReader(u.Data),
		})
	}
	if f.Forward != "" && len(f.ForwardParts) > 0 {
		atts, err := s.forwardAttachments(r, login, f)
		if err != nil {
			return nil, err
		}
		out.Attachments = append(out.Attachments, atts...)
	}
	return out, nil // checked by SMTP.Send before it connects
}

// unprocessable is a problem in what the compose form holds; the form
// comes back with it.
func unprocessable(msg string, args ...any) error {
	return &userError{status: http.StatusUnprocessableEntity, title: "Not sent", msg: msg, args: args}
}

// formHeadProblem answers a form whose token could not be read: one that
// does not begin with a token is answered "log in again", as a page whose
// token does not open is. Nothing of the form is kept: without its login
// it cannot come back.
func formHeadProblem(err error) error {
	switch {
	case errors.Is(err, errNoToken):
		return &loggedOutError{reason: err}
	case errors.Is(err, errSlowBody):
		return err
	}
	return badRequest("The message form could not be read.", err)
}

// sentPage confirms a message went out, and says what went where.
type sentPage struct {
	basePage
	Sent                 sentSummary
	More                 int // recipients past maxSentShown, only counted
	InboxURL, ComposeURL string
	DeleteAction         string // where "Delete the draft" posts
}

// sentSummary is what the sent page says of a message: it travels in the
// redirect's query (to, subject, copy), so that reloading the page sends
// nothing again.
type sentSummary struct {
	To      []string
	Subject string
	Copy    bool
	Draft   string // the reference of the draft this message continued, offered for deleting
}

// maxSentShown bounds the recipients the sent page names.
const maxSentShown = 20

// sent is the confirmation after a send (GET /sent?t&to&subject&copy).
func (s *server) sent(w http.ResponseWriter, r *http.Request) error {
	q := params(r.URL.Query())
	login, err := s.open(q.token())
	if err != nil {
		return err
	}
	p := &sentPage{
		basePage:     login.base(login.T("Message sent")),
		DeleteAction: s.urls.DeleteAction(),
		InboxURL:     s.urls.List(login.token, 1),
		ComposeURL:   s.urls.Compose(login.token, modeNew, mailtools.Ref{}, 0),
	}
	p.Sent, p.More = q.sent()
	return s.render(w, http.StatusOK, "sent", p)
}
