package web

import (
	"context"
	"html/template"
	"net/http"
	"strings"
	"time"

	"gomailcgi/internal/locale"
	"gomailcgi/internal/mailmsg"
	"gomailcgi/internal/mailtools"
)

// listPage is one page of the inbox, newest first.
type listPage struct {
	basePage
	Count        int // messages in the mailbox
	First, Last  int // 1-based positions of the rows shown
	Page, Pages  int
	Rows         template.HTML // every row, each written by listRow.writeTo
	FirstURL     string        // "" on the first page
	PrevURL      string
	NextURL      string // "" on the last page
	LastURL      string
	DeleteAction string
	// AllSelected ticks every box (list?all=1: "Select all" without
	// JavaScript); SelectAllURL and SelectNoneURL switch it.
	AllSelected                 bool
	SelectAllURL, SelectNoneURL string
	Zone                        string // the time zone of the dates shown
	Search                      searchForm
}

// listOpts is how a list page is shown: its status, what it says, and
// whether every box is ticked.
type listOpts struct {
	status        int
	alert, notice string
	all           bool
}

// listRow is one message in the list.
type listRow struct {
	Ref       string // for the delete checkbox
	ViewURL   string
	From      string // short: the name, or the address
	FromFull  string // name and address
	Subject   string
	Date      string // short
	DateFull  string
	Size      string
	HasAttach bool
	Draft     bool   // a draft saved here, to continue
	Pick      string // the checkbox's label, naming the message
	Words     *rowWords
}

// newRowWords are the words of l every row shares.
func newRowWords(l *locale.Locale) *rowWords {
	return &rowWords{Draft: l.T("[draft]"), Attach: l.T("[attachment]"), AttachTitle: l.T("Has attachments")}
}

// rowWords are the words every row of a list page shares, in its language.
type rowWords struct {
	Draft, Attach, AttachTitle string
}

// list shows a page of the inbox (GET /list?t&page).
func (s *server) list(w http.ResponseWriter, r *http.Request) error {
	q := params(r.URL.Query())
	login, err := s.open(q.token())
	if err != nil {
		return err
	}
	page, err := q.page()
	if err != nil {
		return err
	}
	o := listOpts{status: http.StatusOK, all: q.allSelected()}
	if q.draftSaved() {
		o.notice = login.T("Your draft was saved in your inbox. Open it and choose Continue editing to go on with it.")
	}
	return s.showList(w, r, login, page, o)
}

// showList renders a list page in a POP session of its own, closed
// before the page is rendered. The pages that find the inbox changed show
// the reloaded list this way, with an alert and their own status.
func (s *server) showList(w http.ResponseWriter, r *http.Request, login *signedIn, page int, o listOpts) error {
	pop, err := login.srv.POP.Dial(r.Context(), login.cred())
	if err != nil {
		return err
	}
	defer pop.Close()
	listing, page, err := s.listing(r.Context(), pop, page)
	if err != nil {
		return err
	}
	pop.Close()

	size := s.cfg.PageSize
	pages := max(1, (listing.Count+size-1)/size)
	p := &listPage{
		basePage:     login.base(login.T("Inbox")),
		Count:        listing.Count,
		Page:         page,
		Pages:        pages,
		DeleteAction: s.urls.DeleteAction(),
	}
	p.Alert, p.Notice = o.alert, o.notice
	p.Zone = zoneName(s.cfg.Location, s.cfg.Now())
	p.AllSelected = o.all
	p.Search = s.searchFormFor(login.token, nil)
	p.SelectAllURL = s.urls.ListAll(login.token, page)
	p.SelectNoneURL = s.urls.List(login.token, page)
	if len(listing.Messages) > 0 {
		p.First = listing.Offset + 1
		p.Last = listing.Offset + len(listing.Messages)
	}
	if page > 1 {
		p.FirstURL = s.urls.List(login.token, 1)
		p.PrevURL = s.urls.List(login.token, page-1)
	}
	if page < pages {
		p.NextURL = s.urls.List(login.token, page+1)
		p.LastURL = s.urls.List(login.token, pages)
	}
	now := s.cfg.Now().In(s.cfg.Location)
	l := login.loc
	words := newRowWords(l)
	// the rows are one value of the template, not fifty
	var rows strings.Builder
	rows.Grow(len(listing.Messages) * (640 + len(login.token)))
	links := s.urls.viewLinks(login.token, page)
	for _, m := range listing.Messages {
		row := s.rowOf(login, m, links.to(m.Ref), now, words)
		rows.WriteString("\n")
		row.writeTo(&rows, o.all)
	}
	p.Rows = template.HTML(rows.String()) //nolint:gosec // every value escaped by writeTo
	return s.render(w, o.status, "list", p)
}

// rowOf is a message as a row of the list, or of search results.
func (s *server) rowOf(login *signedIn, m mailtools.Summary, viewURL string, now time.Time, words *rowWords) listRow {
	env := m.Envelope
	l := login.loc
	row := listRow{
		Ref:       m.Ref.String(),
		ViewURL:   viewURL,
		Subject:   subjectOrNone(l, env.Subject),
		Date:      shortDate(l, env.Date, now),
		DateFull:  fullDate(l, env, s.cfg.Location),
		Size:      l.Size(m.Size),
		HasAttach: m.HasAttachments,
		Draft:     s.isDraft(login.state.User, env),
		Words:     words,
	}
	if len(env.From) > 0 {
		row.From = env.From[0].Display()
		row.FromFull = mailmsg.FormatAddresses(env.From)
	}
	if row.From == "" {
		row.From = l.T("(unknown sender)")
	}
	row.Pick = l.T("Select the message from %s: %s", row.From, row.Subject)
	return row
}

// listing fetches list page n (1-based), clamped to the last page.
func (s *server) listing(ctx context.Context, pop *mailtools.Session, page int) (*mailtools.Listing, int, error) {
	size := s.cfg.PageSize
	l, err := pop.List(ctx, (page-1)*size, size)
	if err != nil {
		return nil, 0, err
	}
	if last := max(1, (l.Count+size-1)/size); page > last {
		page = last
		if l, err = pop.List(ctx, (page-1)*size, size); err != nil {
			return nil, 0, err
		}
	}
	return l, page, nil
}
