package web

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"time"

	"gomailcgi/internal/mailtools"
)

// searchTime bounds one search request; past it the page offers to go on
// with the older messages.
const searchTime = 10 * time.Second

// searchPage is a search form and, once asked, its results, written as
// they are found.
type searchPage struct {
	basePage
	Search       searchForm
	Table        bool          // the results table, with the rows or RowsHere
	RowsHere     template.HTML // where the rows go, while the page streams
	DeleteAction string
	Zone         string
	Done         bool // the foot: the search is over
	Scanned      int
	Found        int
	OlderURL     string // "Search older messages", when a bound ended it
	Stopped      string // why the search stopped early, after rows were sent
	Moved        bool   // the inbox changed since the step before, which was found all the same
}

// searchForm is the search form, on the list page and the results page.
type searchForm struct {
	Action, Token        string
	Words, After, Before string
	Fields               []fieldOption
}

// fieldOption is one choice of where to look.
type fieldOption struct {
	Value, Label string
	Selected     bool
}

// searchFormFor is the form, filled in with st when there is one.
func (s *server) searchFormFor(token string, st *searchState) searchForm {
	f := searchForm{Action: s.urls.SearchAction(), Token: token}
	field := ""
	if st != nil {
		f.Words, f.After, f.Before, field = st.Words, st.After, st.Before, st.Field
	}
	for _, o := range []fieldOption{{"any", "From, To, Cc or Subject", false}, {"from", "From", false},
		{"to", "To or Cc", false}, {"subject", "Subject", false}} {
		o.Selected = searchFields[o.Value] == searchFields[field]
		f.Fields = append(f.Fields, o)
	}
	return f
}

// rowsSlot marks where the rows of a results page go; random, as
// textSlot, so no text of a message can be taken for it.
var rowsSlot = "\ue000" + rand.Text() + "\ue002"

// search answers the search form (GET /search?t&q&in&after&before&older):
// it scans the mailbox newest first in one POP session, writes each row as
// it is found, and ends with what was searched.
func (s *server) search(w http.ResponseWriter, r *http.Request) error {
	q := params(r.URL.Query())
	login, err := s.open(q.token())
	if err != nil {
		return err
	}
	st, err := q.search()
	if err != nil {
		return err
	}
	p := &searchPage{basePage: login.base(login.T("Search")), Search: s.searchFormFor(login.token, st),
		DeleteAction: s.urls.DeleteAction(), Zone: zoneName(s.cfg.Location, s.cfg.Now())}
	if st == nil || (st.Words == "" && st.After == "" && st.Before == "") {
		p.Notice = login.T("Type the words to find, or choose dates, then press Search.")
		return s.render(w, http.StatusOK, "search", p)
	}
	p.Title = login.T("Search results")
	release, err := s.searches.take(login.state.Server + "\x00" + login.state.User)
	if err != nil {
		return err
	}
	defer release()
	pop, err := login.srv.POP.Dial(r.Context(), login.cred())
	if err != nil {
		return err
	}
	defer pop.Close()

	out := &searchStream{w: w}
	p.Table, p.RowsHere = true, template.HTML(rowsSlot) //nolint:gosec // random, not user text
	if out.head, _, err = s.split(w, p, false); err != nil {
		return err
	}
	now := s.cfg.Now().In(s.cfg.Location)
	words := newRowWords(login.loc)
	res, err := pop.Search(r.Context(), st.query(s.cfg.Location), st.Older,
		mailtools.SearchBounds{Messages: s.cfg.SearchMessages, Until: time.Now().Add(searchTime)},
		func(m mailtools.Summary) error {
			row := s.rowOf(login, m, s.urls.ViewFound(login.token, m.Ref, *st), now, words)
			return out.row(row.markup(false))
		})
	pop.Close()
	if out.gone {
		return nil
	}
	if err != nil && !out.started {
		return &actionError{act: actSearch, err: err, login: login}
	}
	p.Done = true
	if err != nil {
		s.log.Warn("search stopped", "path", r.URL.Path, "err", err)
		_, _, p.Stopped = problemFor(kindOf(err), actSearch).answer(err, actSearch, &s.cfg, login.loc)
	} else {
		p.Scanned, p.Found = res.Scanned, res.Found
		if res.Next != nil {
			more := *st
			more.Older = res.Next
			p.OlderURL = s.urls.Search(login.token, more)
		}
		p.Moved = res.Moved
	}
	if !out.started {
		p.Table, p.RowsHere = res.Found > 0, ""
		return s.render(w, http.StatusOK, "search", p)
	}
	_, foot, err := s.split(w, p, true)
	if err != nil {
		return err
	}
	out.end(foot)
	return nil
}

// split renders p and cuts it where its rows go. The foot, rendered once
// the scan is over, carries the explain panel when it is on.
func (s *server) split(w http.ResponseWriter, p *searchPage, panel bool) (head, foot []byte, err error) {
	buf, err := s.execute("search", p)
	if err != nil {
		return nil, nil, err
	}
	if panel {
		if err := s.addPanel(w, http.StatusOK, "search", p.base(), buf); err != nil {
			return nil, nil, fmt.Errorf("web: rendering the panel of the search page: %w", err)
		}
	}
	head, foot, ok := bytes.Cut(buf.Bytes(), []byte(rowsSlot))
	if !ok {
		return nil, nil, fmt.Errorf("web: the search page has no place for its rows")
	}
	return head, foot, nil
}

// searchStream writes a results page as it is found: the head before the
// first row, each row flushed as it comes, then the foot. A page without
// rows is rendered whole instead, with its status.
type searchStream struct {
	w       http.ResponseWriter
	head    []byte
	started bool
	gone    bool // the browser left: write no more
}

func (o *searchStream) row(markup template.HTML) error {
	if !o.started {
		o.started = true
		h := o.w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		o.w.WriteHeader(http.StatusOK)
		o.write(o.head)
	}
	o.write([]byte(markup))
	o.write([]byte("\n"))
	o.flush()
	if o.gone {
		return errBrowserLeft // no one reads on: stop the scan
	}
	return nil
}

// errBrowserLeft ends a search whose page can no longer be written.
var errBrowserLeft = errors.New("web: the browser left before the search ended")

func (o *searchStream) end(foot []byte) {
	o.write(foot)
	o.flush()
}

func (o *searchStream) write(b []byte) {
	if !o.gone {
		if _, err := o.w.Write(b); err != nil {
			o.gone = true
		}
	}
}

func (o *searchStream) flush() {
	if !o.gone {
		if err := http.NewResponseController(o.w).Flush(); err != nil {
			o.gone = true
		}
	}
}

// searchGate lets each user run one search at a time: a search holds a
// POP session for up to searchTime, and a second one would only halve the
// speed of both.
type searchGate struct {
	mu    sync.Mutex
	users map[string]bool
}

var errSearchBusy = &userError{status: http.StatusTooManyRequests, title: "Another search is running",
	msg: "Another search of yours is still running, so this one was not started. Wait for it to end (at most ten seconds), then search again."}

// take takes the one search of user (a server and user name); release
// gives it back.
func (g *searchGate) take(user string) (release func(), err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.users == nil {
		g.users = map[string]bool{}
	}
	user = strings.ToLower(user)
	if g.users[user] {
		return nil, errSearchBusy
	}
	g.users[user] = true
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			delete(g.users, user)
			g.mu.Unlock()
		})
	}, nil
}
