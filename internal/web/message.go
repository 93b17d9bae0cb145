package web

import (
	"context"
	"html/template"
	"strings"

	"github.com/k3a/html2text"

	"gomailcgi/internal/locale"
	"gomailcgi/internal/mailmsg"
	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/render"
)

// messageAt names the message a page asks for: the login, the message's
// sync-checked reference and the list page the user came from.
type messageAt struct {
	login *signedIn
	ref   mailtools.Ref
	page  int
	found *searchState // the search the message was found by, for the view's way back
}

// readMessageAt reads the login, the message and the list page from a
// link, in that order.
func (s *server) readMessageAt(q params) (messageAt, error) {
	login, err := s.open(q.token())
	if err != nil {
		return messageAt{}, err
	}
	ref, err := q.ref()
	if err != nil {
		return messageAt{}, err
	}
	page, err := q.page()
	if err != nil {
		return messageAt{}, err
	}
	return messageAt{login: login, ref: ref, page: page}, nil
}

// opened is a message read for a page: parsed as it streamed from the
// server, with the reference that found it.
type opened struct {
	msg *mailmsg.Message
	ref mailtools.Ref // Num updated if the message moved
	// newer and older name the messages listed just above and below it,
	// when asked for and when they can be named.
	newer, older *mailtools.Ref
}

// envelope is the message's decoded header.
func (o *opened) envelope() mailmsg.Envelope { return o.msg.Root.Envelope() }

// read opens the message, sync-checked, in a POP session of its own that
// is closed before it returns, and parses it as RETR streams it: only
// what a page shows is kept (mailmsg.Read), so the memory a page takes
// does not grow with the message. With an action, an error says what
// the user was doing: the adapter answers a failed sync check with the
// list as it is now, saying what was not done ("It was not shown."). lim
// bounds what the page keeps of its text.
func (s *server) read(ctx context.Context, at messageAt, act action, lim mailmsg.Limits) (*opened, error) {
	return s.readMessage(ctx, at, act, false, lim)
}

// readAround is read for the view page: it keeps only the start of an
// HTML body (the page frames it), and also names the messages listed just
// above and below it (newer: the next number, older: the one before), for
// the page's own links; following one checks it like any other link.
func (s *server) readAround(ctx context.Context, at messageAt, act action) (*opened, error) {
	return s.readMessage(ctx, at, act, true, mailmsg.Limits{MaxText: viewText, MaxTotal: viewText, HTMLStart: viewPreview})
}

func (s *server) readMessage(ctx context.Context, at messageAt, act action, around bool, lim mailmsg.Limits) (*opened, error) {
	pop, o, err := s.readKeeping(ctx, at, act, around, lim)
	if err != nil {
		return nil, err
	}
	pop.Close() // hangs up on a stream left unread (mailmsg.Message.Partial)
	return o, nil
}

// readKeeping reads the message as readMessage does and hands over the
// session it was read in, for more commands; the caller closes it.
func (s *server) readKeeping(ctx context.Context, at messageAt, act action, around bool, lim mailmsg.Limits) (*mailtools.Session, *opened, error) {
	pop, err := at.login.srv.POP.Dial(ctx, at.login.cred())
	if err != nil {
		return nil, nil, err
	}
	o := &opened{}
	var st *mailtools.Stream
	if around {
		st, o.newer, o.older, err = pop.OpenAround(ctx, at.ref)
	} else {
		st, err = pop.Open(ctx, at.ref)
	}
	if err != nil {
		pop.Close()
		return nil, nil, at.during(act, err)
	}
	o.ref = st.Ref
	o.msg, err = mailmsg.Read(st, lim)
	if err != nil {
		pop.Close()
		return nil, nil, err // a transfer cut short: never show half a message
	}
	return pop, o, nil
}

// openStream opens the message as the server sends it, sync-checked as
// fetch does. The caller reads what it needs, then closes the session.
func (s *server) openStream(ctx context.Context, at messageAt, act action) (*mailtools.Session, *mailtools.Stream, error) {
	return s.openWith(ctx, at, act, at.login.srv.POP.Dial)
}

// openDownload is openStream for a download, which the browser reads at
// its own pace: in one of the user's few download sessions
// (mailtools.POP.DialDownload), so that slow downloads leave the user's
// pages sessions of their own.
func (s *server) openDownload(ctx context.Context, at messageAt) (*mailtools.Session, *mailtools.Stream, error) {
	return s.openWith(ctx, at, actPage, at.login.srv.POP.DialDownload)
}

func (s *server) openWith(ctx context.Context, at messageAt, act action,
	dial func(context.Context, mailtools.Credentials) (*mailtools.Session, error)) (*mailtools.Session, *mailtools.Stream, error) {
	pop, err := dial(ctx, at.login.cred())
	if err != nil {
		return nil, nil, err
	}
	st, err := pop.Open(ctx, at.ref)
	if err != nil {
		pop.Close()
		return nil, nil, at.during(act, err)
	}
	return pop, st, nil
}

// during says, for the adapter, what the user was doing when err came,
// and which list they came from; without an action err passes as it is.
func (at messageAt) during(act action, err error) error {
	if act == actPage {
		return err
	}
	return &actionError{act: act, login: at.login, page: at.page, err: err}
}

// renderPlain renders a message preferring its plain-text body, as the
// compose form quotes it.
func renderPlain(m *mailmsg.Message) *render.View {
	return render.Message(m, render.Options{PreferPlain: true})
}

// plainText is a rendered text body as plain text again, quote marks
// restored, for quoting in a reply or forward.
func plainText(v *render.View) string {
	if v == nil {
		return ""
	}
	if v.IsHTML {
		return htmlText(v.HTML)
	}
	if len(v.Text) == 0 {
		return ""
	}
	var b strings.Builder
	for _, block := range v.Text {
		prefix := strings.Repeat(">", block.Level)
		if prefix != "" {
			prefix += " "
		}
		for _, line := range block.Lines {
			b.WriteString(prefix)
			for _, seg := range line.Segments {
				b.WriteString(seg.Text)
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// forwardable lists what a forward can send along: the attachments, and
// the attached messages as .eml files.
func forwardable(l *locale.Locale, v *render.View) []mailmsg.Part {
	var parts []mailmsg.Part
	for _, a := range v.Attachments {
		parts = append(parts, a.Part)
	}
	for _, n := range v.Nested {
		name := n.Filename
		if name == "" {
			name = mailmsg.CleanFilename(subjectOrNone(l, n.Header.Subject)) + ".eml"
		}
		parts = append(parts, mailmsg.Part{ID: n.PartID, Filename: name, ContentType: "message/rfc822", Size: n.Size})
	}
	return parts
}

// partLabel names an attachment for people: "report.pdf (application/pdf, 12 KB)".
func partLabel(l *locale.Locale, p mailmsg.Part) string {
	name := p.Filename
	if name == "" {
		name = l.T("Unnamed part %s", p.ID)
	}
	if p.Size >= 0 {
		return l.T("%s (%s, %s)", name, p.ContentType, l.Size(p.Size))
	}
	return l.T("%s (%s)", name, p.ContentType)
}

// htmlText is an HTML body as plain text for quoting: paragraphs and line
// breaks kept, list items marked, each link's target after its text, no
// markup. It reads the sanitized body, so nothing the view would not
// show ends up in the quote.
func htmlText(body template.HTML) string {
	text := html2text.HTML2TextWithOptions(string(body),
		html2text.WithUnixLineBreaks(), html2text.WithLinksInnerText(), html2text.WithListSupport())
	var lines []string
	blank := true
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if line == "" && blank {
			continue // one blank line between paragraphs is enough
		}
		blank = line == ""
		lines = append(lines, line)
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n") + "\n"
}
