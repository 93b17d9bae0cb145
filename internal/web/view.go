package web

import (
	"cmp"
	"net/http"

	"gomailcgi/internal/locale"
	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/render"
)

// view shows one message (GET /view?t&m&page&fmt&remote), sync-checked: if
// the inbox changed or the message is gone, the reloaded list says so
// (409/410). fmt picks the plain or HTML version when both exist; remote=1
// shows this message's remote images.
func (s *server) view(w http.ResponseWriter, r *http.Request) error {
	q := params(r.URL.Query())
	at, err := s.readMessageAt(q)
	if err != nil {
		return err
	}
	opt, err := q.viewOptions()
	if err != nil {
		return err
	}
	if at.found, err = q.search(); err != nil {
		return err
	}
	return s.showView(w, r, at, opt, "")
}

// viewPreview is how much of an HTML body the view page reads and renders
// (mailmsg.Limits.HTMLStart): the page frames the body (see body), and
// needs only its start for the frame's height, its fallback text and the
// image notes, so a long body costs it no more than a short one.
const viewPreview = 16 << 10

// viewText is how much of a plain text the view page shows, and of all
// its texts together; past it, the page says so and links each whole text.
const viewText = 256 << 10

// showView renders a message's page, with a notice (after a delete).
func (s *server) showView(w http.ResponseWriter, r *http.Request, at messageAt, opt viewOptions, notice string) error {
	login, page := at.login, at.page
	o, err := s.readAround(r.Context(), at, actView)
	if err != nil {
		return err
	}
	ref, newer, older := o.ref, o.newer, o.older
	v := render.Message(o.msg, s.renderOptions(login, ref, opt))
	b := viewBuilder{urls: s.urls, token: login.token, ref: ref, page: page, opt: opt, loc: s.cfg.Location, l: login.loc}
	p := &viewPage{
		basePage:     login.base(subjectOrNone(login.loc, v.Header.Subject)),
		headerFields: headerFieldsOf(login.loc, v.Header, s.cfg.Location),
		Body:         b.topBody(o.msg, v),
		Formats:      b.formats(v),
		Nested:       b.nested(v.Nested),
		Problems:     v.Problems,
		ShowSource:   v.ShowSource || len(v.Problems) > 0,
		Ref:          ref.String(),
		Page:         page,
		ReplyURL:     s.urls.Compose(login.token, modeReply, ref, page),
		ReplyAllURL:  s.urls.Compose(login.token, modeReplyAll, ref, page),
		ForwardURL:   s.urls.Compose(login.token, modeForward, ref, page),
		BackURL:      s.urls.List(login.token, page),
		SourceURL:    s.urls.Source(login.token, ref),
		RawURL:       s.urls.Raw(login.token, ref, page),
		DeleteAction: s.urls.DeleteAction(),
	}
	if at.found != nil {
		p.BackURL, p.BackToResults = s.urls.Search(login.token, *at.found), true
	}
	if newer != nil {
		p.NewerURL = s.urls.View(login.token, *newer, page)
	}
	if older != nil {
		p.OlderURL = s.urls.View(login.token, *older, page)
	}
	// After a delete from this page, the one below it in the list comes
	// next (the one above when this is the oldest).
	if next := cmp.Or(older, newer); next != nil {
		p.NextRef = next.String()
	}
	p.Notice = notice
	if s.isDraft(login.state.User, v.Header) {
		p.ContinueURL = s.urls.Compose(login.token, modeDraft, ref, page)
	}
	p.Attachments, p.InlineImages = b.attachments(v.Attachments)
	p.Shortened = b.shortened(v.Shortened)
	p.PartsOmitted = v.PartsOmitted
	p.Remote = b.remote(v)
	return s.render(w, http.StatusOK, "view", p)
}

// renderOptions are the renderer's options for a view and for its framed
// bodies, which must agree so the frame shows the body the view chose.
// cid: references point at the message's own parts, shown inline.
func (s *server) renderOptions(login *signedIn, ref mailtools.Ref, o viewOptions) render.Options {
	return render.Options{
		PreferPlain: o.Format == formatPlain,
		AllowRemote: o.Remote,
		CIDURL:      func(partID string) string { return s.urls.InlinePart(login.token, ref, partID) },
		ImageLabel:  func(alt string) string { return imageLabel(login.loc, alt) },
	}
}

// imageLabel stands in for an image an HTML body does not show.
func imageLabel(l *locale.Locale, alt string) string {
	if alt == "" {
		return l.T("[image]")
	}
	return l.T("[image: %s]", alt)
}
