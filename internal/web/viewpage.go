package web

import (
	"strconv"
	"time"

	"gomailcgi/internal/locale"
	"gomailcgi/internal/mailmsg"
	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/render"
)

// viewPage shows one message.
type viewPage struct {
	basePage
	headerFields
	Body                              bodyView
	Formats                           []formatChoice // the plain/HTML switch; empty unless both exist
	Remote                            remoteNotice
	Attachments                       []attachmentLink
	InlineImages                      []attachmentLink // parts the HTML body shows (cid:)
	Shortened                         []attachmentLink // text parts shown only in part
	PartsOmitted                      int
	Nested                            []nestedMessage // attached messages (message/rfc822)
	Problems                          []string
	ShowSource                        bool // the message is damaged: point at its source
	Ref                               string
	Page                              int
	ReplyURL, ReplyAllURL, ForwardURL string
	BackURL, SourceURL, RawURL        string
	BackToResults                     bool // BackURL is the search results the message was found in
	DeleteAction                      string
	NewerURL, OlderURL                string // the messages listed above and below; "" at either end
	NextRef                           string // shown after this one is deleted from its page
	ContinueURL                       string // a draft: the compose form with it
}

// bodyView is one message's body: text shown in the page, or the URL of
// its sanitized HTML for a sandboxed iframe.
type bodyView struct {
	Text     []textBlock
	URL      string      // set when the body is HTML
	Title    string      // the iframe's accessible name
	Fallback string      // the body as text, in the iframe for browsers without frames (w3m)
	Fit      render.Fits // the frame's height in each width class, estimated from the body
	OwnURL   string      // the body on a page of its own
}

// headerFields are a message's headers as the view shows them, for the
// message and for every message attached to it.
type headerFields struct {
	Subject, From, ReplyTo, To, Cc, Date string
}

// nestedMessage is an attached message shown inside the view.
type nestedMessage struct {
	headerFields
	Body                      bodyView
	Attachments, InlineImages []attachmentLink
	Shortened                 []attachmentLink // text parts shown only in part
	DownloadURL               string           // the attached message as .eml
	Filename                  string           // its file name, or ""
	Nested                    []nestedMessage
}

// attachmentLink is one downloadable part.
type attachmentLink struct {
	Name string // the decoded file name, or a description
	Type string // the media type
	Size string // human size, "" when unknown
	URL  string
}

// formatChoice is one side of the plain/HTML switch.
type formatChoice struct {
	Label   string
	URL     string
	Current bool
}

// remoteNotice says what became of a message's remote images.
type remoteNotice struct {
	Blocked  string // "2 remote images were blocked.", or ""
	ShowURL  string // shows them: this message only
	Shown    bool   // remote images are shown now
	BlockURL string // blocks them again
}

// viewBuilder turns rendered views into page data with links for one
// message, keeping the view options in every link that needs them.
type viewBuilder struct {
	urls  urls
	token string
	ref   mailtools.Ref
	page  int
	opt   viewOptions
	loc   *time.Location // the site's time zone, for dates
	l     *locale.Locale // the page's language
}

// body is a view's body as the page shows it.
func (b viewBuilder) body(v *render.View, title string) bodyView {
	if v.IsHTML {
		body := bodyView{URL: b.urls.Body(b.token, b.ref, v.PartID, b.opt), Title: title, Fallback: htmlText(v.HTML),
			Fit: render.Fit(v.HTML), OwnURL: b.urls.BodyPage(b.token, b.ref, v.PartID, b.page, b.opt)}
		if v.PreviewCut {
			body.Fit = render.Fits{Wide: render.MaxFit, Medium: render.MaxFit, Narrow: render.MaxFit}
			body.Fallback += "\n…\n\n" + b.l.T("(This is the start of the message. Open the HTML body on its own page to read all of it.)") + "\n"
		}
		return body
	}
	return bodyView{Text: textBlocks(v.Text)}
}

// topBody is the message's own body; an HTML body's fallback text is the
// plain version when the message has one.
func (b viewBuilder) topBody(m *mailmsg.Message, v *render.View) bodyView {
	body := b.body(v, b.l.T("Message body"))
	if v.IsHTML && v.HasPlain {
		body.Fallback = plainText(renderPlain(m))
	}
	return body
}

// formats is the plain/HTML switch, when this message or one it carries
// has both versions.
func (b viewBuilder) formats(v *render.View) []formatChoice {
	if !offersBoth(v) {
		return nil
	}
	htmlOpt, plainOpt := b.opt, b.opt
	htmlOpt.Format, plainOpt.Format = formatHTML, formatPlain
	plain := b.opt.Format == formatPlain
	return []formatChoice{
		{Label: b.l.T("HTML"), URL: b.urls.ViewWith(b.token, b.ref, b.page, htmlOpt), Current: !plain},
		{Label: b.l.T("Plain text"), URL: b.urls.ViewWith(b.token, b.ref, b.page, plainOpt), Current: plain},
	}
}

func offersBoth(v *render.View) bool {
	if v.HasHTML && v.HasPlain {
		return true
	}
	for _, n := range v.Nested {
		if offersBoth(n) {
			return true
		}
	}
	return false
}

// remote is the notice about remote images: how many were blocked and a
// link that shows them, or that they are shown and a link that blocks them.
func (b viewBuilder) remote(v *render.View) remoteNotice {
	var n remoteNotice
	if b.opt.Remote {
		if showsHTML(v) {
			off := b.opt
			off.Remote = false
			n.Shown, n.BlockURL = true, b.urls.ViewWith(b.token, b.ref, b.page, off)
		}
		return n
	}
	blocked, maybe := remoteBlocked(v)
	if blocked == 0 && !maybe {
		return n
	}
	on := b.opt
	on.Remote = true
	n.ShowURL = b.urls.ViewWith(b.token, b.ref, b.page, on)
	if maybe {
		n.Blocked = b.l.T("Remote images in this long message, if it has any, are blocked.")
	} else {
		n.Blocked = b.l.T("%d remote images were blocked.", blocked)
	}
	return n
}

// remoteBlocked counts the remote images blocked in v and the messages it
// carries; maybe tells that a body shown only in part may block more.
func remoteBlocked(v *render.View) (n int, maybe bool) {
	n, maybe = v.RemoteBlocked, v.RemoteMaybe
	for _, c := range v.Nested {
		cn, cm := remoteBlocked(c)
		n, maybe = n+cn, maybe || cm
	}
	return n, maybe
}

func showsHTML(v *render.View) bool {
	if v.IsHTML {
		return true
	}
	for _, c := range v.Nested {
		if showsHTML(c) {
			return true
		}
	}
	return false
}

// attachments splits parts into downloads and the images the HTML body
// shows; both link to the download.
func (b viewBuilder) attachments(parts []render.Part) (files, inline []attachmentLink) {
	for _, p := range parts {
		l := attachmentLink{Name: p.Filename, Type: p.ContentType, URL: b.urls.Part(b.token, b.ref, p.ID)}
		if l.Name == "" {
			l.Name = b.l.T("Unnamed part %s", p.ID)
		}
		if p.Size >= 0 {
			l.Size = b.l.Size(p.Size)
		}
		if p.Inline {
			inline = append(inline, l)
		} else {
			files = append(files, l)
		}
	}
	return files, inline
}

// shortened links the texts shown only in part, each to a download of
// the whole text as a file.
func (b viewBuilder) shortened(parts []render.Part) []attachmentLink {
	var out []attachmentLink
	for _, p := range parts {
		l := attachmentLink{Name: p.Filename, Type: p.ContentType, URL: b.urls.SavePart(b.token, b.ref, p.ID)}
		if p.Size >= 0 {
			l.Size = b.l.Size(p.Size)
		}
		out = append(out, l)
	}
	return out
}

// nested turns attached messages into page data, at every depth.
func (b viewBuilder) nested(vs []*render.View) []nestedMessage {
	var out []nestedMessage
	for _, v := range vs {
		h := v.Header
		m := nestedMessage{
			headerFields: headerFieldsOf(b.l, h, b.loc),
			Body:         b.body(v, b.l.T("Body of the attached message “%s”", subjectOrNone(b.l, h.Subject))),
			DownloadURL:  b.urls.Part(b.token, b.ref, v.PartID),
			Filename:     v.Filename,
			Nested:       b.nested(v.Nested),
		}
		m.Attachments, m.InlineImages = b.attachments(v.Attachments)
		m.Shortened = b.shortened(v.Shortened)
		out = append(out, m)
	}
	return out
}

// headerFieldsOf is the header block of a message or an attached one.
func headerFieldsOf(l *locale.Locale, env mailmsg.Envelope, loc *time.Location) headerFields {
	return headerFields{
		Subject: subjectOrNone(l, env.Subject),
		From:    mailmsg.FormatAddresses(env.From),
		ReplyTo: mailmsg.FormatAddresses(env.ReplyTo),
		To:      mailmsg.FormatAddresses(env.To),
		Cc:      mailmsg.FormatAddresses(env.Cc),
		Date:    fullDate(l, env, loc),
	}
}

// textBlock is a run of body text at one quote level. Open lists the
// classes of the blockquotes to open before it, Close how many to close
// after it, so that quote levels nest and each level shows one border.
type textBlock struct {
	Open  []string
	Lines []render.TextLine
	Close []struct{}
}

// maxQuoteNesting caps how many blockquotes the page nests.
const maxQuoteNesting = 10

// quoteStyles is how many quote levels look different; deeper ones look
// like the last.
const quoteStyles = 4

func textBlocks(in []render.TextBlock) []textBlock {
	out := make([]textBlock, len(in))
	depth := 0
	for i, b := range in {
		level := min(b.Level, maxQuoteNesting)
		for depth < level {
			depth++
			out[i].Open = append(out[i].Open, "quote quote-"+strconv.Itoa(min(depth, quoteStyles)))
		}
		next := 0
		if i+1 < len(in) {
			next = min(in[i+1].Level, maxQuoteNesting)
		}
		for depth > next {
			depth--
			out[i].Close = append(out[i].Close, struct{}{})
		}
		out[i].Lines = b.Lines
	}
	return out
}
