package web

import (
	"errors"
	"net/http"
	"strings"

	"gomailcgi/internal/mailmsg"
	"gomailcgi/internal/mailtools"
)

// maxDeleteForm bounds the delete form: a token and some references.
const maxDeleteForm = 1 << 20

// confirmDeletePage asks once, since POP has no Trash: delete these for
// good? It carries the same sync-checked references.
type confirmDeletePage struct {
	basePage
	Messages  []deleteRow
	Refs      []string
	Next      string // from a message's page: the one to show after
	Page      int
	From      string // "view" or "list": where Cancel leads back to
	Action    string
	CancelURL string
}

// deleteRow is one message about to be deleted, as the server has it.
type deleteRow struct {
	Subject, From, Date string
}

// deleteForm is what both delete forms post.
type deleteForm struct {
	login    *signedIn
	refs     []mailtools.Ref
	page     int
	fromView bool
	confirm  bool
	next     *mailtools.Ref // from a message's page: the one to show after
}

// parseDeleteForm reads the token, the references (m, once each) and
// where the delete was asked from.
func (s *server) parseDeleteForm(w http.ResponseWriter, r *http.Request) (*deleteForm, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxDeleteForm)
	if err := r.ParseForm(); err != nil {
		return nil, badRequest("The delete form could not be read.", err)
	}
	q := params(r.PostForm)
	login, err := s.open(q.token())
	if err != nil {
		return nil, err
	}
	page, err := q.page()
	if err != nil {
		return nil, err
	}
	f := &deleteForm{login: login, page: page, fromView: q.fromView(), confirm: q.confirmed()}
	if f.fromView {
		f.next = q.nextRef()
	}
	if f.refs, err = q.refs(); err != nil {
		return nil, err
	}
	return f, nil
}

// delete asks, then deletes (POST /delete, m=REF one or more times). The
// first post, from the list or a message's page, shows what would go and
// asks to confirm; the confirmation (confirm=1) deletes with mailtools'
// safe delete. Both sync-check every reference: if any fails, nothing is
// deleted and the reloaded list says so (409/410).
func (s *server) delete(w http.ResponseWriter, r *http.Request) error {
	f, err := s.parseDeleteForm(w, r)
	if err != nil {
		return err
	}
	if len(f.refs) == 0 {
		return s.reloadList(w, r, f.login, f.page, http.StatusBadRequest,
			f.login.T("No message was selected, so nothing was deleted. Tick the box of each message to delete, then press Delete selected."))
	}
	pop, err := f.login.srv.POP.Dial(r.Context(), f.login.cred())
	if err != nil {
		return err
	}
	defer pop.Close()
	if !f.confirm {
		refs, envs, err := pop.Check(r.Context(), f.refs)
		if err != nil {
			return f.refused(err)
		}
		f.refs = refs
		return s.confirmDelete(w, f, envs)
	}
	deleted, err := pop.Delete(r.Context(), f.refs)
	if err != nil {
		return f.refused(err)
	}
	names := make([]string, len(deleted))
	for i, env := range deleted {
		names[i] = f.login.T("“%s”", subjectOrNone(f.login.loc, env.Subject))
	}
	notice := f.login.T("Deleted for good: %s.", strings.Join(names, f.login.T(", ")))
	if f.next != nil {
		pop.Close() // committed: the next message is read in a session of its own
		err := s.showView(w, r, messageAt{login: f.login, ref: *f.next, page: f.page}, viewOptions{}, notice)
		var sync *mailtools.SyncError
		if !errors.As(err, &sync) {
			return err
		}
		// the next one went too, meanwhile: the list, then
	}
	return s.showList(w, r, f.login, f.page, listOpts{status: http.StatusOK, notice: notice})
}

// refused says, for the adapter, that err came while deleting: a failed
// sync check is answered with the reloaded list.
func (f *deleteForm) refused(err error) error {
	act := actDelete
	if len(f.refs) > 1 {
		act = actDeleteMany
	}
	return &actionError{act: act, login: f.login, page: f.page, err: err}
}

// confirmDelete shows what would be deleted and asks once.
func (s *server) confirmDelete(w http.ResponseWriter, f *deleteForm, envs []mailmsg.Envelope) error {
	b := f.login.base(f.login.T("Delete this message for good?"))
	if len(envs) > 1 {
		b = f.login.base(f.login.T("Delete these %d messages for good?", len(envs)))
	}
	p := &confirmDeletePage{basePage: b, Page: f.page, From: "list",
		Action: s.urls.DeleteAction(), CancelURL: s.urls.List(f.login.token, f.page)}
	if f.fromView && len(f.refs) == 1 {
		p.From, p.CancelURL = "view", s.urls.View(f.login.token, f.refs[0], f.page)
		if f.next != nil {
			p.Next = f.next.String()
		}
	}
	l := f.login.loc
	p.Notice = l.T("Your mail server has no Trash: deleted messages cannot be brought back.")
	for i, env := range envs {
		from := l.T("(unknown sender)")
		if len(env.From) > 0 {
			from = env.From[0].Display()
		}
		p.Messages = append(p.Messages, deleteRow{Subject: subjectOrNone(l, env.Subject), From: from, Date: fullDate(l, env, s.cfg.Location)})
		p.Refs = append(p.Refs, f.refs[i].String())
	}
	return s.render(w, http.StatusOK, "confirmdelete", p)
}
