package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"gomailcgi/internal/locale"
	"gomailcgi/internal/mailmsg"
	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/seal"
)

// errKind is what went wrong, as the error table tells errors apart.
type errKind int

const (
	kindUnknown         errKind = iota // a bug or an error nobody named: a logged 500
	kindUser                           // a *userError: its own status and words
	kindLoggedOut                      // the token does not open
	kindExpired                        // the token expired after a while without use
	kindBadCredentials                 // the mail server refused the login
	kindGone                           // the sync check: the message is gone
	kindChanged                        // the sync check: the inbox changed
	kindPartGone                       // a forwarded part is no longer in the original
	kindBadRef                         // a malformed message reference
	kindNotAttachment                  // errNotAttachment
	kindForwardTooLarge                // errForwardTooLarge
	kindRefused                        // the SMTP server refused for good
	kindRefusedForNow                  // the SMTP server refused for now (4xx)
	kindInput                          // a *mailtools.InputError
	kindBadAddress                     // mailmsg.ErrBadAddress
	kindUnavailable                    // a *mailtools.UnavailableError
	kindProtocol                       // a *mailtools.ProtocolError
	kindTooLarge                       // an *http.MaxBytesError
	kindTooManyFields                  // errTooManyFields: a form with more parts than a message has
	kindFieldTooLong                   // errFieldTooLong
	kindSlow                           // errSlowBody: a body too slow or past its deadline
	kindCutShort                       // errCutShort: a form that did not arrive whole
)

// kindOf names err's kind. The order matters where one error is two kinds:
// an SMTP refusal of the login is answered as a refusal, and a forward's
// original gone during a send as a forward problem.
func kindOf(err error) errKind {
	var (
		ue     *userError
		lo     *loggedOutError
		refus  *mailtools.SMTPError
		input  *mailtools.InputError
		unav   *mailtools.UnavailableError
		proto  *mailtools.ProtocolError
		tooBig *http.MaxBytesError
	)
	switch {
	case errors.As(err, &ue):
		return kindUser
	case errors.As(err, &lo) && errors.Is(err, seal.ErrExpired):
		return kindExpired
	case errors.As(err, &lo):
		return kindLoggedOut
	case errors.Is(err, mailtools.ErrMessageGone):
		return kindGone
	case errors.Is(err, mailtools.ErrInboxChanged):
		return kindChanged
	case errors.Is(err, mailmsg.ErrPartNotFound), errors.Is(err, mailmsg.ErrBadPartID):
		return kindPartGone
	case errors.Is(err, mailtools.ErrBadRef):
		return kindBadRef
	case errors.Is(err, errNotAttachment):
		return kindNotAttachment
	case errors.Is(err, errForwardTooLarge):
		return kindForwardTooLarge
	case errors.As(err, &refus) && refus.Temporary():
		return kindRefusedForNow
	case errors.As(err, &refus):
		return kindRefused
	case errors.As(err, &input):
		return kindInput
	case errors.Is(err, mailmsg.ErrBadAddress):
		return kindBadAddress
	case errors.Is(err, mailtools.ErrBadCredentials):
		return kindBadCredentials
	case errors.As(err, &unav):
		return kindUnavailable
	case errors.As(err, &proto):
		return kindProtocol
	case errors.As(err, &tooBig):
		return kindTooLarge
	case errors.Is(err, errTooManyFields):
		return kindTooManyFields
	case errors.Is(err, errFieldTooLong):
		return kindFieldTooLong
	case errors.Is(err, errSlowBody):
		return kindSlow
	case errors.Is(err, errCutShort):
		return kindCutShort
	}
	return kindUnknown
}

// action is what the user was doing when the error came.
type action int

const (
	actPage       action = iota // following a link: the error page
	actView                     // viewing a message from the list
	actSource                   // viewing a message's source
	actPrefill                  // replying to or forwarding a message
	actDelete                   // deleting one message
	actDeleteMany               // deleting several messages
	actLogin                    // logging in
	actSend                     // sending the compose form
	actSaveDraft                // saving the compose form as a draft
	actSearch                   // searching the mailbox
)

// notDone is what each action's message says was not done, and unsure
// what it says when that is not known. actDeleteMany's rows say it in
// their cause.
var notDone = map[action]struct{ sure, unsure string }{
	actView:      {sure: "It was not shown."},
	actSource:    {sure: "Its source was not shown."},
	actPrefill:   {sure: "Nothing was prefilled."},
	actDelete:    {sure: "Nothing was deleted."},
	actLogin:     {sure: "You were not logged in."},
	actSend:      {sure: "Nothing was sent.", unsure: "The message may not have been sent."},
	actSaveDraft: {sure: "The draft was not saved.", unsure: "The draft may not have been saved."},
	actSearch:    {sure: "Not every message was searched."},
}

// kept is what the answer to an error shows besides its message.
type kept int

const (
	keepNothing kept = iota // the error page, with a way back to the inbox
	keepRelogin             // the login form, leading back to the page asked for
	keepList                // the list, reloaded: "here is your inbox as it is now"
	keepLogin               // the login form as typed, and any draft it carries
	keepDraft               // the compose form as typed
)

// problem is one row of the error table: how one kind of error is
// answered while the user does one thing. The message is cause, then
// what was not done (the action's), then advice.
type problem struct {
	status int
	title  string // the error page's title
	cause  string
	say    func(err error, c *Config, l *locale.Locale) string // the cause, where it names the error's details
	unsure bool                                                // whether the action was done is not known
	advice string
	keep   kept
	own    bool // a *userError: its status, title and text
}

// problemKey is a row's key in the error table.
type problemKey struct {
	kind errKind
	act  action
}

// Sentences more than one row says.
const (
	sayGone        = "That message is no longer on the server; it may have been deleted by another mail program."
	sayChanged     = "Your inbox changed since the list was shown (another mail program may have deleted or moved messages)."
	sayUnavailable = "The mail server could not be reached just now."
	sayProtocol    = "The mail server gave an answer gomailcgi did not expect."
	sayOurSide     = "Something went wrong on our side."
	sayTryAgain    = "Please try again; if it keeps happening, tell the site's administrator."
	sayInboxNow    = "Here is your inbox as it is now."
	sayInAMinute   = "Please try again in a minute."
	sayLater       = "Please try again later."
	sayForwardGone = "The message you are forwarding changed or is gone from the server, so its attachments could not be sent along."
	saySendAgain   = "Press Send again to send your message without them."
	sayCheckIt     = "Please check it below and press Send again."
)

// problems is the error table. An error whose (kind, action) has no row
// is answered by the row of (kindUnknown, action), else by the row of
// (kind, actPage), else as an unknown error on a page.
var problems = func() map[problemKey]problem {
	t := map[problemKey]problem{
		{kindUnknown, actPage}: {status: http.StatusInternalServerError, title: "Something went wrong",
			cause: sayOurSide, advice: sayTryAgain},
		{kindUser, actPage}: {own: true},
		{kindLoggedOut, actPage}: {status: http.StatusUnauthorized, keep: keepRelogin,
			cause: "Your login has expired or is not valid.", advice: "Please log in again."},
		{kindExpired, actPage}: {status: http.StatusUnauthorized, keep: keepRelogin,
			cause: "Your login expired after a while without use.", advice: "Please log in again."},
		{kindBadCredentials, actPage}: {status: http.StatusUnauthorized, keep: keepRelogin,
			cause: "The mail server no longer accepts your login.", advice: "Please log in again."},
		{kindUnavailable, actPage}: {status: http.StatusServiceUnavailable, title: "Mail server unreachable",
			cause: sayUnavailable, advice: sayInAMinute},
		{kindProtocol, actPage}: {status: http.StatusBadGateway, title: "Mail server problem",
			cause: sayProtocol, advice: sayLater},
		{kindGone, actPage}: {status: http.StatusGone, title: "Message gone", cause: sayGone},
		{kindChanged, actPage}: {status: http.StatusConflict, title: "Inbox changed",
			cause: sayChanged, advice: "Nothing was done; please look at the list again."},
		{kindBadRef, actPage}: {status: http.StatusBadRequest, title: "Bad request",
			cause: "That link does not name a message."},
		{kindTooLarge, actPage}: {status: http.StatusRequestEntityTooLarge, title: "Too large",
			cause: "What was sent is larger than this site accepts."},
		// Only the compose form's head meets it on a page: the form it
		// came with is not read, so it cannot come back.
		{kindSlow, actPage}: {status: http.StatusRequestTimeout, title: "Too slow",
			cause: "Your message arrived too slowly and the site stopped waiting for it, so it was not sent.", advice: "Go back to it and press Send again."},

		{kindGone, actDeleteMany}: {status: http.StatusGone, keep: keepList, cause: sayNotWhereListed,
			advice: "Here is your inbox as it is now; please choose again."},
		{kindChanged, actDeleteMany}: {status: http.StatusConflict, keep: keepList, cause: sayNotWhereListed,
			advice: "Here is your inbox as it is now; please choose again."},

		// Going on with older messages from one gone or moved since.
		{kindGone, actSearch}:    {status: http.StatusConflict, title: "Inbox changed", cause: sayCursorGone, advice: saySearchAgain},
		{kindChanged, actSearch}: {status: http.StatusConflict, title: "Inbox changed", cause: sayCursorGone, advice: saySearchAgain},

		{kindBadCredentials, actLogin}: {status: http.StatusUnauthorized, keep: keepLogin,
			cause: "The mail server did not accept that user name and password.", advice: "Please check them and try again."},
		{kindUnavailable, actLogin}: {status: http.StatusServiceUnavailable, keep: keepLogin,
			cause: sayUnavailable, advice: sayInAMinute},
		{kindProtocol, actLogin}: {status: http.StatusBadGateway, keep: keepLogin,
			cause: sayProtocol, advice: sayLater},
	}
	for _, act := range []action{actView, actSource, actPrefill, actDelete} {
		t[problemKey{kindGone, act}] = problem{status: http.StatusGone, keep: keepList, cause: sayGone, advice: sayInboxNow}
		t[problemKey{kindChanged, act}] = problem{status: http.StatusConflict, keep: keepList, cause: sayChanged, advice: sayInboxNow}
	}
	for _, act := range []action{actSend, actSaveDraft} {
		forwardGone := problem{status: http.StatusConflict, keep: keepDraft, cause: sayForwardGone, advice: saySendAgain}
		for k, p := range map[errKind]problem{
			kindUnknown: {status: http.StatusInternalServerError, cause: sayOurSide, advice: sayTryAgain},
			kindUser:    {keep: keepDraft, own: true},
			kindGone:    forwardGone, kindChanged: forwardGone, kindPartGone: forwardGone,
			kindBadRef: {status: http.StatusBadRequest,
				cause: "The form does not name a message to forward, so no attachments could be sent along.", advice: saySendAgain},
			kindNotAttachment: {status: http.StatusBadRequest,
				cause:  "The form asks to send along a part of the message you are forwarding that is not one of its attachments.",
				advice: "Tick only the attachments listed below and press Send again."},
			kindForwardTooLarge: {status: http.StatusRequestEntityTooLarge, say: forwardTooLarge,
				advice: "Untick some of the forwarded attachments and press Send again."},
			kindRefused:        {status: http.StatusBadGateway, say: smtpRefusal},
			kindRefusedForNow:  {status: http.StatusBadGateway, say: smtpRefusal, advice: "This may pass; try again in a few minutes."},
			kindInput:          {status: http.StatusUnprocessableEntity, say: inputProblem},
			kindBadAddress:     {status: http.StatusUnprocessableEntity, cause: "An address cannot be read."},
			kindBadCredentials: {status: http.StatusUnauthorized, cause: "The mail server refused your login for sending."},
			kindUnavailable:    {status: http.StatusServiceUnavailable, cause: sayUnavailable, advice: sayInAMinute},
			kindProtocol:       {status: http.StatusBadGateway, cause: sayProtocol, unsure: true},
			// The form itself could not be read whole: what was read of it
			// comes back.
			kindTooLarge:      {status: http.StatusRequestEntityTooLarge, say: formTooLarge, advice: "Please attach fewer or smaller files."},
			kindTooManyFields: {status: http.StatusBadRequest, cause: "The form came with more fields than a message has.", advice: sayCheckIt},
			kindFieldTooLong:  {status: http.StatusRequestEntityTooLarge, cause: "One of the fields is too long."},
			kindSlow:          {status: http.StatusRequestTimeout, cause: "Your message arrived too slowly and the site stopped waiting for it.", advice: sayCheckIt},
			kindCutShort: {status: http.StatusBadRequest,
				cause: "Your message did not reach the site whole (the connection may have been cut).", advice: sayCheckIt},
		} {
			p.keep = keepDraft
			t[problemKey{k, act}] = p
		}
		// A login of this site that expired: its text comes back in the
		// login form, and logging in brings it back into the compose form.
		t[problemKey{kindExpired, act}] = problem{status: http.StatusUnauthorized, keep: keepLogin,
			cause: "Your login has expired.", advice: "Log in again below and it comes back, ready to send."}
	}
	return t
}()

const (
	sayCursorGone  = "Your inbox changed since the last results (another mail program may have deleted messages), so the search cannot go on from where it stopped."
	saySearchAgain = "Search again to start from the newest message."
)

const sayNotWhereListed = "One of the messages you selected is no longer where the list showed it (another mail program may have deleted or moved messages), so nothing was deleted."

// problemFor is the row that answers kind while the user does act.
func problemFor(kind errKind, act action) problem {
	for _, k := range []problemKey{{kind, act}, {kindUnknown, act}, {kind, actPage}} {
		if p, ok := problems[k]; ok {
			return p
		}
	}
	return problems[problemKey{kindUnknown, actPage}]
}

// answer is what a row says of err in language l: status, title and
// message. The row's texts are catalog keys.
func (p problem) answer(err error, act action, c *Config, l *locale.Locale) (status int, title, msg string) {
	if p.own {
		var ue *userError
		if errors.As(err, &ue) {
			return ue.status, l.T(ue.title), ue.text(l)
		}
	}
	cause := l.T(p.cause)
	if p.say != nil {
		cause = p.say(err, c, l)
	}
	done := notDone[act].sure
	if p.unsure {
		done = notDone[act].unsure
	}
	var parts []string
	for _, s := range []string{cause, done, p.advice} {
		if s != "" {
			parts = append(parts, l.T(s))
		}
	}
	return p.status, l.T(p.title), strings.Join(parts, " ")
}

func forwardTooLarge(_ error, c *Config, l *locale.Locale) string {
	return l.T("Your message with the attachments it forwards is larger than the %s this site sends.", l.Size(c.MaxUpload))
}

func formTooLarge(_ error, c *Config, l *locale.Locale) string {
	return l.T("Your message and its attachments are larger than the %s this site accepts.", l.Size(c.MaxUpload))
}

// smtpRefusal names the SMTP server's refusal; its reply stays in the
// server's words.
func smtpRefusal(err error, _ *Config, l *locale.Locale) string {
	var refus *mailtools.SMTPError
	if !errors.As(err, &refus) {
		return l.T("The mail server refused the message.")
	}
	reply := strconv.Itoa(refus.Code) + " " + strings.TrimSpace(refus.EnhancedCode+" "+refus.Message)
	if refus.Recipient != "" {
		return l.T("The mail server refused the message for %s: %s.", refus.Recipient, reply)
	}
	return l.T("The mail server refused the message: %s.", reply)
}

func inputProblem(err error, _ *Config, l *locale.Locale) string {
	var input *mailtools.InputError
	if !errors.As(err, &input) {
		return l.T("The message cannot be sent as it is.")
	}
	if input.Value != "" {
		return l.T("%s (%s)", l.T(input.Problem), input.Value)
	}
	return l.T(input.Problem)
}

// actionError is an error met while the user did act, with what its
// answer may keep: the list page to reload, the login form, the compose
// form.
type actionError struct {
	act   action
	err   error
	login *signedIn    // for the list and the compose form
	page  int          // the list page to reload
	form  *loginFields // the login form as typed (actLogin)
	draft *composeForm // the compose form as typed, or the draft a login carries
}

func (e *actionError) Error() string { return e.err.Error() }
func (e *actionError) Unwrap() error { return e.err }
