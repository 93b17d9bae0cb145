package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"gomailcgi/internal/mailmsg"
	"gomailcgi/internal/mailtools"
)

// formSlack is room for the form's text fields and multipart framing on
// top of MaxUpload's attachments.
const formSlack = 1 << 20

// send submits the compose form (POST /send). Success redirects (303) to
// the confirmation page; any failure shows the form again, as typed, with a
// role="alert" message and a fitting status.
func (s *server) send(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxUpload+formSlack)
	f, perr := parseComposeForm(r)
	ss, err := s.open(f.Token)
	if err != nil {
		return s.sendLoggedOut(w, r, &f, err)
	}
	if perr != nil {
		var tooBig *http.MaxBytesError
		if errors.As(perr, &tooBig) {
			return s.renderCompose(w, r, http.StatusRequestEntityTooLarge, ss, &f, "",
				fmt.Sprintf("Your message and its attachments are larger than the %s this site accepts, so it was not sent. Please attach fewer or smaller files (they must be chosen again).", humanSize(s.cfg.MaxUpload)))
		}
		if errors.Is(perr, errFieldTooLong) {
			return s.renderCompose(w, r, http.StatusRequestEntityTooLarge, ss, &f, "",
				"One of the fields is too long, so the message was not sent.")
		}
		return badRequest("The message form could not be read.", perr)
	}

	out, status, alert := s.outgoing(r, ss, &f)
	if alert == "" {
		_, err = s.cfg.SMTP.Send(r.Context(), ptr(ss.cred()), out)
		status, alert = s.sendProblem(err)
	}
	if alert != "" {
		if f.HadFiles {
			alert += " Files you had attached must be chosen again."
		}
		return s.renderCompose(w, r, status, ss, &f, "", alert)
	}
	http.Redirect(w, r, s.urls.Sent(ss.token), http.StatusSeeOther)
	return nil
}

func ptr[T any](v T) *T { return &v }

// outgoing builds the message from the form: addresses parsed, uploads and
// the forwarded message's attachments attached. A problem comes back as a
// status and a friendly alert.
func (s *server) outgoing(r *http.Request, ss *session, f *composeForm) (*mailtools.Outgoing, int, string) {
	out := &mailtools.Outgoing{
		From:       mailmsg.Address{Addr: fromAddress(ss.state.User, s.cfg.FromDomain)},
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
			return nil, http.StatusUnprocessableEntity,
				"The " + field.name + " field holds an address that cannot be read. Separate addresses with commas, like: Ann Lee <ann@example.org>, bob@example.org."
		}
		*field.dst = list
	}
	if len(out.To)+len(out.Cc)+len(out.Bcc) == 0 {
		return nil, http.StatusUnprocessableEntity, "Please give at least one recipient in To, Cc or Bcc."
	}
	for _, u := range f.Files {
		out.Attachments = append(out.Attachments, mailtools.Attachment{
			Filename: u.Filename, ContentType: u.ContentType, Body: bytes.NewReader(u.Data),
		})
	}
	if f.Forward != "" && len(f.ForwardParts) > 0 {
		atts, err := s.forwardAttachments(r, ss, f)
		if err != nil {
			if errors.Is(err, mailtools.ErrMessageGone) || errors.Is(err, mailtools.ErrInboxChanged) ||
				errors.Is(err, mailmsg.ErrPartNotFound) || errors.Is(err, mailmsg.ErrBadPartID) {
				return nil, http.StatusConflict, "The message you are forwarding changed or is gone from the server, " +
					"so its attachments could not be sent along. Nothing was sent. Press Send again to send your message without them."
			}
			status, alert := s.sendProblem(err)
			return nil, status, alert
		}
		out.Attachments = append(out.Attachments, atts...)
	}
	if err := out.Validate(); err != nil {
		status, alert := s.sendProblem(err)
		return nil, status, alert
	}
	return out, 0, ""
}

// forwardAttachments fetches the forwarded message again, sync-checked,
// and opens the selected parts. Nothing is written to disk: the message is
// held in memory for as long as the send takes.
func (s *server) forwardAttachments(r *http.Request, ss *session, f *composeForm) ([]mailtools.Attachment, error) {
	msg, err := s.fetchMessage(r, ss, f.Forward)
	if err != nil {
		return nil, err
	}
	var atts []mailtools.Attachment
	for _, id := range f.ForwardParts {
		part, body, err := mailmsg.OpenPart(bytes.NewReader(msg.Raw), id)
		if err != nil {
			return nil, fmt.Errorf("forwarded part %q: %w", id, err)
		}
		atts = append(atts, mailtools.Attachment{Filename: part.Filename, ContentType: part.ContentType, Body: body})
	}
	return atts, nil
}

// sendProblem maps a failure to send to a status and a friendly alert;
// nil is no problem.
func (s *server) sendProblem(err error) (int, string) {
	var (
		input *mailtools.InputError
		refus *mailtools.SMTPError
		unav  *mailtools.UnavailableError
		proto *mailtools.ProtocolError
	)
	switch {
	case err == nil:
		return 0, ""
	case errors.As(err, &input):
		msg := input.Problem
		if input.Value != "" {
			msg += " (" + input.Value + ")"
		}
		return http.StatusUnprocessableEntity, msg + " Nothing was sent."
	case errors.Is(err, mailmsg.ErrBadAddress):
		return http.StatusUnprocessableEntity, "An address cannot be read. Nothing was sent."
	case errors.As(err, &refus):
		msg := "The mail server refused the message"
		if refus.Recipient != "" {
			msg += " for " + refus.Recipient
		}
		msg += fmt.Sprintf(": %d %s. Nothing was sent.", refus.Code, strings.TrimSpace(refus.EnhancedCode+" "+refus.Message))
		if refus.Temporary() {
			msg += " This may pass; try again in a few minutes."
		}
		return http.StatusBadGateway, msg
	case errors.Is(err, mailtools.ErrBadCredentials):
		return http.StatusUnauthorized, "The mail server refused your login for sending. Nothing was sent."
	case errors.As(err, &unav):
		s.log.Warn("send: mail server unavailable", "err", err)
		return http.StatusServiceUnavailable, "The mail server could not be reached just now. Nothing was sent; please try again in a minute."
	case errors.As(err, &proto):
		s.log.Warn("send: protocol error", "err", err)
		return http.StatusBadGateway, "The mail server gave an answer gomailcgi did not expect. The message may not have been sent."
	}
	s.log.Error("send failed", "err", err)
	return http.StatusInternalServerError, "Something went wrong on our side, so the message was not sent. Please try again."
}

// sendLoggedOut answers a send whose login no longer holds: 401 and the
// login form with the draft in it, so logging in brings it back.
func (s *server) sendLoggedOut(w http.ResponseWriter, r *http.Request, f *composeForm, cause error) error {
	s.log.Info("send: not logged in", "status", http.StatusUnauthorized, "err", cause)
	return s.renderLoginAgain(w, http.StatusUnauthorized, loginForm{Next: nextCompose}, f,
		"Your login has expired, so the message was not sent. Log in again below and it comes back, ready to send.")
}

// sentPage confirms a message went out.
type sentPage struct {
	basePage
	InboxURL, ComposeURL string
}

// sent is the confirmation after a send (GET /sent?t).
func (s *server) sent(w http.ResponseWriter, r *http.Request) error {
	ss, err := s.open(r.URL.Query().Get("t"))
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "sent", &sentPage{
		basePage:   ss.base("Message sent"),
		InboxURL:   s.urls.List(ss.token, 1),
		ComposeURL: s.urls.Compose(ss.token, modeNew, mailtools.Ref{}, 0),
	})
}
