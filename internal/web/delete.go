package web

import (
	"errors"
	"net/http"

	"gomailcgi/internal/mailtools"
)

// maxDeleteForm bounds the delete form: a token and some references.
const maxDeleteForm = 1 << 20

// deletedPage confirms what was deleted.
type deletedPage struct {
	basePage
	Subjects []string // of the deleted messages, as the server had them
	BackURL  string
}

// delete deletes the selected messages (POST /delete, m=REF one or more
// times) with mailtools' safe delete: all are sync-checked first, and if
// any fails nothing is deleted and the reloaded list says so (409/410).
func (s *server) delete(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxDeleteForm)
	if err := r.ParseForm(); err != nil {
		return badRequest("The delete form could not be read.", err)
	}
	login, err := s.open(r.PostForm.Get("t"))
	if err != nil {
		return err
	}
	page, err := parsePage(r.PostForm.Get("page"))
	if err != nil {
		return err
	}
	var refs []mailtools.Ref
	seen := map[mailtools.Ref]bool{}
	for _, v := range r.PostForm["m"] {
		ref, err := mailtools.ParseRef(v)
		if err != nil {
			return err
		}
		if !seen[ref] {
			seen[ref] = true
			refs = append(refs, ref)
		}
	}
	if len(refs) == 0 {
		return s.showList(w, r, login, page, http.StatusBadRequest,
			"No message was selected, so nothing was deleted. Tick the box of each message to delete, then press Delete selected.")
	}

	pop, err := s.cfg.POP.Dial(r.Context(), login.cred())
	if err != nil {
		return err
	}
	defer pop.Close()
	deleted, err := pop.Delete(r.Context(), refs)
	if err != nil {
		var syncErr *mailtools.SyncError
		if !errors.As(err, &syncErr) {
			return err
		}
		status, alert, _ := syncProblem(err, "Nothing was deleted.")
		if len(refs) > 1 {
			alert = "One of the messages you selected is no longer where the list showed it " +
				"(another mail program may have deleted or moved messages), so nothing was deleted. " +
				"Here is your inbox as it is now; please choose again."
		}
		return s.showList(w, r, login, page, status, alert)
	}
	title := "Message deleted"
	if len(refs) > 1 {
		title = "Messages deleted"
	}
	subjects := make([]string, len(deleted))
	for i, env := range deleted {
		subjects[i] = subjectOrNone(env.Subject)
	}
	return s.render(w, http.StatusOK, "deleted", &deletedPage{
		basePage: login.base(title),
		Subjects: subjects,
		BackURL:  s.urls.List(login.token, page),
	})
}
