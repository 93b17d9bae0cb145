package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"gomailcgi/internal/devmail"
)

// refsFor returns the delete checkbox values of the listed subjects.
func refsFor(t *testing.T, list *doc, subjects ...string) []string {
	t.Helper()
	var refs []string
	for _, s := range subjects {
		refs = append(refs, refOf(t, list.viewLink(s)))
	}
	return refs
}

func TestDelete(t *testing.T) {
	tests := []struct {
		name     string
		pick     []string
		wantLeft []string
	}{
		{"one", []string{"B"}, []string{"A", "C", "D"}},
		{"many", []string{"A", "C", "D"}, []string{"B"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			for _, s := range []string{"A", "B", "C", "D"} {
				h.addMail(bobUser, s, "text of "+s)
			}
			tok := h.loginAs(bobUser, bobPass, "")
			list, _ := h.list(tok, 1)
			res := h.post("/delete", url.Values{"t": {list.token()}, "m": refsFor(t, list, tt.pick...), "page": {"1"}})
			if res.status != http.StatusOK {
				t.Fatalf("status %d, want 200\n%s", res.status, res.body)
			}
			asked := parseDoc(t, res.body)
			var rows []string
			for _, td := range asked.all(func(n *html.Node) bool { return n.Data == "td" && attrOf(n, "class") == "subject" }) {
				rows = append(rows, text(td))
			}
			if !slices.Equal(rows, tt.pick) || !strings.Contains(asked.title(), "for good?") {
				t.Errorf("the question %q names %q, want %q", asked.title(), rows, tt.pick)
			}
			if got := h.subjectsIn(bobUser); len(got) != 4 {
				t.Fatalf("asking deleted something: the mailbox holds %q", got)
			}
			res = h.post("/delete", formValues(t, asked, "/delete", nil))
			if got := deletedNames(t, res); !slices.Equal(got, tt.pick) {
				t.Errorf("the notice names %q, want %q", got, tt.pick)
			}
			if got := h.subjectsIn(bobUser); !slices.Equal(got, tt.wantLeft) {
				t.Errorf("mailbox: got %q, want %q", got, tt.wantLeft)
			}
			want := slices.Clone(tt.wantLeft)
			slices.Reverse(want)
			if got := parseDoc(t, res.body).subjects(); !slices.Equal(got, want) {
				t.Errorf("list after delete: got %q, want %q", got, want)
			}
		})
	}
}

func TestDeleteFromView(t *testing.T) {
	h := newHarness(t)
	for _, s := range []string{"A", "B"} {
		h.addMail(bobUser, s, "text")
	}
	tok := h.loginAs(bobUser, bobPass, "")
	list, _ := h.list(tok, 1)
	view := parseDoc(t, h.get(list.viewLink("A")).body)
	res := h.post("/delete", formValues(t, view, "/delete", nil))
	if res.status != http.StatusOK {
		t.Fatalf("status %d", res.status)
	}
	asked := parseDoc(t, res.body)
	if cancel := asked.link("Cancel, keep it"); !strings.HasPrefix(cancel, "/view?") || refOf(t, cancel) != view.field("m") {
		t.Errorf("Cancel leads to %q, want back to the message", cancel)
	}
	res = h.post("/delete", formValues(t, asked, "/delete", nil))
	if got := deletedNames(t, res); !slices.Equal(got, []string{"A"}) {
		t.Errorf("deleted: got %q", got)
	}
	if got := headerValues(parseDoc(t, res.body))["Subject"]; got != "B" {
		t.Errorf("after the delete the page shows %q, want the next message, B", got)
	}
	if got := h.subjectsIn(bobUser); !slices.Equal(got, []string{"B"}) {
		t.Errorf("mailbox: got %q, want [B]", got)
	}
}

// Between the question and the answer another mail program deletes one
// of the messages: nothing is deleted.
func TestDeleteChangedBeforeConfirming(t *testing.T) {
	h := newHarness(t)
	uids := map[string]string{}
	for _, s := range []string{"A", "B", "C"} {
		uids[s] = h.addMail(bobUser, s, "text")
	}
	list, _ := h.list(h.loginAs(bobUser, bobPass, ""), 1)
	res := h.post("/delete", url.Values{"t": {list.token()}, "m": refsFor(t, list, "A", "C"), "page": {"1"}})
	asked := parseDoc(t, res.body)
	h.mail.Mailbox(bobUser).Delete(uids["A"])
	res = h.post("/delete", formValues(t, asked, "/delete", nil))
	if res.status != http.StatusConflict && res.status != http.StatusGone {
		t.Fatalf("status %d, want 409 or 410", res.status)
	}
	if got := h.subjectsIn(bobUser); !slices.Equal(got, []string{"B", "C"}) {
		t.Errorf("mailbox: got %q, want [B C]", got)
	}
}

func TestDeleteNothingSelected(t *testing.T) {
	h := newHarness(t)
	h.addMail(bobUser, "A", "text")
	tok := h.loginAs(bobUser, bobPass, "")
	res := h.post("/delete", url.Values{"t": {tok}})
	if res.status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", res.status)
	}
	d := parseDoc(t, res.body)
	if !strings.Contains(d.alert(), "nothing was deleted") {
		t.Errorf("alert: got %q", d.alert())
	}
	if got := h.subjectsIn(bobUser); !slices.Equal(got, []string{"A"}) {
		t.Errorf("mailbox: got %q", got)
	}
}

// TestAnotherClientDeletes: another POP client deletes a message after the
// list was shown. Whatever the user then views or deletes, the right message
// is shown or nothing at all, and no other message is ever deleted.
func TestAnotherClientDeletes(t *testing.T) {
	for _, noUIDL := range []bool{false, true} {
		name := "UIDL"
		if noUIDL {
			name = "header fingerprint"
		}
		t.Run(name, func(t *testing.T) {
			testAnotherClientDeletes(t, noUIDL)
		})
	}
}

func testAnotherClientDeletes(t *testing.T, noUIDL bool) {
	setup := func(t *testing.T) (*harness, *doc, map[string]string) {
		h := newHarness(t, mailOption(func(c *devmail.Config) { c.NoUIDL = noUIDL }))
		uids := map[string]string{}
		for _, s := range []string{"A", "B", "C", "D"} {
			uids[s] = h.addMail(bobUser, s, "text of "+s)
		}
		tok := h.loginAs(bobUser, bobPass, "")
		list, _ := h.list(tok, 1)
		return h, list, uids
	}

	t.Run("view the deleted message", func(t *testing.T) {
		h, list, uids := setup(t)
		link := list.viewLink("B")
		h.mail.Mailbox(bobUser).Delete(uids["B"])
		res := h.get(link)
		if res.status != http.StatusGone && res.status != http.StatusConflict {
			t.Fatalf("status %d, want 410 or 409", res.status)
		}
		d := parseDoc(t, res.body)
		if got := d.subjects(); !slices.Equal(got, []string{"D", "C", "A"}) {
			t.Errorf("reloaded list: got %q, want [D C A]", got)
		}
		if d.alert() == "" {
			t.Error("no alert says what happened")
		}
	})

	t.Run("view a message whose number moved", func(t *testing.T) {
		h, list, uids := setup(t)
		link := list.viewLink("C")
		h.mail.Mailbox(bobUser).Delete(uids["A"]) // C is now number 2, not 3
		res := h.get(link)
		d := parseDoc(t, res.body)
		switch res.status {
		case http.StatusOK:
			if got := headerValues(d)["Subject"]; got != "C" {
				t.Fatalf("shown: got %q, want C", got)
			}
		case http.StatusConflict:
			if got := d.subjects(); !slices.Equal(got, []string{"D", "C", "B"}) {
				t.Errorf("reloaded list: got %q", got)
			}
		default:
			t.Fatalf("status %d, want 200 (showing C) or 409", res.status)
		}
	})

	t.Run("delete the deleted message", func(t *testing.T) {
		h, list, uids := setup(t)
		refs := refsFor(t, list, "B", "D")
		h.mail.Mailbox(bobUser).Delete(uids["B"])
		res := h.post("/delete", url.Values{"t": {list.token()}, "m": refs})
		if res.status != http.StatusConflict && res.status != http.StatusGone {
			t.Fatalf("status %d, want 409 or 410", res.status)
		}
		d := parseDoc(t, res.body)
		if !strings.Contains(d.alert(), "nothing was deleted") {
			t.Errorf("alert: got %q, want it to say nothing was deleted", d.alert())
		}
		if got := h.subjectsIn(bobUser); !slices.Equal(got, []string{"A", "C", "D"}) {
			t.Errorf("mailbox: got %q, want [A C D]", got)
		}
		if got := d.subjects(); !slices.Equal(got, []string{"D", "C", "A"}) {
			t.Errorf("reloaded list: got %q", got)
		}
	})

	t.Run("delete after numbers moved", func(t *testing.T) {
		h, list, uids := setup(t)
		refs := refsFor(t, list, "C")
		h.mail.Mailbox(bobUser).Delete(uids["A"]) // C moves from 3 to 2; B is now 1... and D is 3
		res := h.deleteConfirmed(url.Values{"t": {list.token()}, "m": refs})
		got := h.subjectsIn(bobUser)
		switch res.status {
		case http.StatusOK:
			if !slices.Equal(got, []string{"B", "D"}) {
				t.Errorf("mailbox: got %q, want [B D]", got)
			}
		case http.StatusConflict:
			if !slices.Equal(got, []string{"B", "C", "D"}) {
				t.Errorf("mailbox: got %q, want [B C D]", got)
			}
		default:
			t.Fatalf("status %d, want 200 or 409", res.status)
		}
	})
}
