package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gomailcgi/internal/mailtools"
)

// statusOf is the status an error becomes: a userError's own, 0 for none,
// -1 for any other error (the adapter's 500, or a bad reference's 400).
func statusOf(err error) int {
	var ue *userError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		return ue.status
	}
	return -1
}

// Each reader, fed what its writer writes, malformed values and repeated
// ones: a repeated parameter counts by its first value, a malformed one is
// a 400 where the page cannot go on without it.
func TestParamReaders(t *testing.T) {
	long := strings.Repeat("1", maxPartID+1)
	tests := []struct {
		name   string
		query  string
		read   func(params) (any, error)
		want   any
		status int
	}{
		{"page absent", "", readPage, 1, 0},
		{"page empty", "page=", readPage, 1, 0},
		{"page 2", "page=2", readPage, 2, 0},
		{"page 0", "page=0", readPage, 1, 0},
		{"page negative", "page=-5", readPage, 1, 0},
		{"page with plus", "page=%2B3", readPage, 3, 0},
		{"page not a number", "page=abc", readPage, 0, 400},
		{"page with a space", "page=+3", readPage, 0, 400},
		{"page past int", "page=99999999999999999999", readPage, 0, 400},
		{"page repeated", "page=2&page=abc", readPage, 2, 0},
		{"page repeated, first malformed", "page=abc&page=2", readPage, 0, 400},

		{"ref", "m=3.uX", readRef, mailtools.Ref{Num: 3, ID: "uX"}, 0},
		{"ref absent", "", readRef, mailtools.Ref{}, -1},
		{"ref malformed", "m=3", readRef, mailtools.Ref{}, -1},
		{"ref repeated", "m=3.uX&m=bad", readRef, mailtools.Ref{Num: 3, ID: "uX"}, 0},

		{"view options absent", "", readViewOptions, viewOptions{}, 0},
		{"view options", "fmt=plain&remote=1", readViewOptions, viewOptions{Format: formatPlain, Remote: true}, 0},
		{"format html", "fmt=html", readViewOptions, viewOptions{Format: formatHTML}, 0},
		{"format unknown", "fmt=HTML", readViewOptions, viewOptions{}, 400},
		{"remote unknown", "remote=yes", readViewOptions, viewOptions{}, 400},
		{"remote 0", "remote=0", readViewOptions, viewOptions{}, 400},
		{"format repeated", "fmt=plain&fmt=bogus", readViewOptions, viewOptions{Format: formatPlain}, 0},
		{"remote repeated", "remote=&remote=1", readViewOptions, viewOptions{}, 0},

		{"body part absent", "", readPart(false), "", 0},
		{"body part", "p=1.2", readPart(false), "1.2", 0},
		{"body part too long", "p=" + long, readPart(false), "", 400},
		{"download part absent", "", readPart(true), "", 400},
		{"download part empty", "p=", readPart(true), "", 400},
		{"download part too long", "p=" + long, readPart(true), "", 400},
		{"download part repeated", "p=2&p=" + long, readPart(true), "2", 0},

		{"mode absent", "", readMode, modeNew, 0},
		{"mode reply", "mode=reply", readMode, modeReply, 0},
		{"mode draft", "mode=draft", readMode, modeDraft, 0},
		{"mode unknown", "mode=Reply", readMode, "", 400},
		{"mode repeated", "mode=forward&mode=x", readMode, modeForward, 0},

		{"login next absent", "", readNext, nextList, 0},
		{"login next compose", "next=compose", readNext, nextCompose, 0},
		{"login next unknown", "next=evil", readNext, nextList, 0},
		{"login next repeated", "next=list&next=compose", readNext, nextList, 0},

		{"place keeps where to go, as written", "m=bad&page=abc&mode=x&remote=1&fmt=html&all=1&saved=draft&t=tok",
			readPlace, url.Values{"m": {"bad"}, "page": {"abc"}, "mode": {"x"}}, 0},
		{"place keeps an empty value", "page=", readPlace, url.Values{"page": {""}}, 0},
		{"place keeps the first of each", "m=1.uX&m=2.uY&page=1&page=2", readPlace, url.Values{"m": {"1.uX"}, "page": {"1"}}, 0},
		{"place of nothing", "t=tok", readPlace, url.Values{}, 0},

		{"refs", "m=2.uY&m=1.uX&m=2.uY", readRefs, []mailtools.Ref{{Num: 2, ID: "uY"}, {Num: 1, ID: "uX"}}, 0},
		{"refs none", "", readRefs, []mailtools.Ref(nil), 0},
		{"refs one malformed", "m=1.uX&m=bad", readRefs, []mailtools.Ref(nil), -1},
		{"refs one empty", "m=1.uX&m=", readRefs, []mailtools.Ref(nil), -1},

		{"delete next", "next=4.uZ", readNextRef, &mailtools.Ref{Num: 4, ID: "uZ"}, 0},
		{"delete next absent", "", readNextRef, (*mailtools.Ref)(nil), 0},
		{"delete next malformed", "next=4", readNextRef, (*mailtools.Ref)(nil), 0},
		{"delete next repeated", "next=bad&next=4.uZ", readNextRef, (*mailtools.Ref)(nil), 0},

		{"sent", "t=x&subject=Hi&n=3&to=a%40b&to=c%40d&copy=1&draft=1.uX", readSentPage,
			sentText(sentSummary{To: []string{"a@b", "c@d"}, Subject: "Hi", Copy: true, Draft: "1.uX"}, 1), 0},
		{"sent subject on one line", "subject=a%0D%0Ab", readSentPage, sentText(sentSummary{Subject: "a b"}, 0), 0},
		{"sent count malformed", "to=a&n=x", readSentPage, sentText(sentSummary{To: []string{"a"}}, 0), 0},
		{"sent count below the named", "to=a&to=b&n=1", readSentPage, sentText(sentSummary{To: []string{"a", "b"}}, 0), 0},
		{"sent copy other than 1", "copy=yes", readSentPage, sentText(sentSummary{}, 0), 0},
		{"sent names at most maxSentShown", "n=25&" + strings.Repeat("to=x&", maxSentShown+2), readSentPage,
			sentText(sentSummary{To: slices.Repeat([]string{"x"}, maxSentShown)}, 25-maxSentShown), 0},

		{"flags", "all=1&saved=draft&own=1&inline=1&from=view&confirm=1&draft=1", readFlags, "all saved own inline fromView confirmed draft", 0},
		{"flags other than theirs", "all=true&saved=1&own=yes&inline=0&from=list&confirm=2&draft=draft", readFlags, "", 0},
		{"flags repeated", "all=0&all=1&from=list&from=view&confirm=1&confirm=0", readFlags, "confirmed", 0},

		{"token", "t=abc&t=def", readToken, "abc", 0},
		{"token absent", "m=1.uX", readToken, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tt.read(params(q))
			if s := statusOf(err); s != tt.status {
				t.Fatalf("status: got %d, want %d (%v)", s, tt.status, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

// A compose form posts its list page as the compose page wrote it; it is
// read as any link's page is, without its error: the form is shown again
// whatever the page says, leading back to the first list page.
func TestComposeFormPage(t *testing.T) {
	for _, tt := range []struct {
		page string
		want int
	}{{"2", 2}, {"", 1}, {"0", 1}, {"-5", 1}, {"abc", 0}, {"99999999999999999999", 0}} {
		t.Run("page="+tt.page, func(t *testing.T) {
			f := composeFromValues(url.Values{"t": {"tok"}, "page": {tt.page}})
			if f.Page != tt.want {
				t.Errorf("got %d, want %d", f.Page, tt.want)
			}
			if f.Token != "tok" {
				t.Errorf("token: got %q, want %q", f.Token, "tok")
			}
		})
	}
}

// The handlers that read a list page answer one that is not a number as
// they always have: 400 where the page goes on to the list, and the
// compose form regardless. The token is read first: without a login, a
// bad page is never looked at.
func TestHandlersReadPage(t *testing.T) {
	h := newHarness(t)
	tok := h.login()
	list, _ := h.list(tok, 1)
	ref := refOf(t, list.viewLink("Paragraphs that flow"))
	bad := url.Values{"t": {tok}, "m": {ref}, "page": {"abc"}}
	tests := []struct {
		name   string
		req    func(url.Values) response
		query  url.Values
		status int
	}{
		{"list", getAt(h, "/list"), bad, http.StatusBadRequest},
		{"view", getAt(h, "/view"), bad, http.StatusBadRequest},
		{"raw", getAt(h, "/raw"), bad, http.StatusBadRequest},
		{"source", getAt(h, "/source"), bad, http.StatusBadRequest},
		{"part", getAt(h, "/part"), withParam(bad, "p", "1"), http.StatusBadRequest},
		{"body", getAt(h, "/body"), bad, http.StatusBadRequest},
		{"compose", getAt(h, "/compose"), withParam(bad, "mode", "reply"), http.StatusOK},
		{"delete", func(v url.Values) response { return h.post("/delete", v) }, bad, http.StatusBadRequest},
		{"view, page repeated", getAt(h, "/view"), url.Values{"t": {tok}, "m": {ref}, "page": {"2", "abc"}}, http.StatusOK},
		{"view, logged out", getAt(h, "/view"), withParam(bad, "t", h.expiredToken()), http.StatusUnauthorized},
		{"delete, logged out", func(v url.Values) response { return h.post("/delete", v) }, withParam(bad, "t", "x"), http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if res := tt.req(tt.query); res.status != tt.status {
				t.Errorf("status: got %d, want %d", res.status, tt.status)
			}
		})
	}
}

func getAt(h *harness, path string) func(url.Values) response {
	return func(v url.Values) response { return h.get(path + "?" + v.Encode()) }
}

// withParam is v with name set to value, v unchanged.
func withParam(v url.Values, name, value string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = vs
	}
	out.Set(name, value)
	return out
}

func readPage(p params) (any, error)        { return p.page() }
func readRef(p params) (any, error)         { return p.ref() }
func readViewOptions(p params) (any, error) { return p.viewOptions() }
func readMode(p params) (any, error)        { return p.mode() }
func readNext(p params) (any, error)        { return p.next(), nil }
func readPlace(p params) (any, error)       { return p.place(), nil }
func readRefs(p params) (any, error)        { return p.refs() }
func readNextRef(p params) (any, error)     { return p.nextRef(), nil }
func readToken(p params) (any, error)       { return p.token(), nil }

func readPart(required bool) func(params) (any, error) {
	return func(p params) (any, error) { return p.part(required) }
}

func readSentPage(p params) (any, error) {
	m, more := p.sent()
	return sentText(m, more), nil
}

func sentText(m sentSummary, more int) string { return fmt.Sprintf("%#v more %d", m, more) }

func readFlags(p params) (any, error) {
	var on []string
	for _, f := range []struct {
		name string
		on   bool
	}{{"all", p.allSelected()}, {"saved", p.draftSaved()}, {"own", p.ownPage()}, {"inline", p.inline()},
		{"fromView", p.fromView()}, {"confirmed", p.confirmed()}, {"draft", p.on(paramDraft)}} {
		if f.on {
			on = append(on, f.name)
		}
	}
	return strings.Join(on, " "), nil
}

// The delete forms the templates write post only the names the delete
// form's reader reads, and it reads back what they say: from the list
// with every box ticked, from a message's page, and the confirmation.
func TestDeleteFormsReadByTheirNames(t *testing.T) {
	h := newHarness(t)
	tok := h.login()
	list := parseDoc(t, h.get("/list?"+url.Values{paramToken: {tok}, paramAll: {"1"}}.Encode()).body)
	rows := len(list.subjects())
	view := parseDoc(t, h.get(list.viewLink(list.subjects()[1])).body)
	ref := refOf(t, list.viewLink(list.subjects()[1]))
	fromView := formValues(t, view, "/delete", nil)
	confirm := parseDoc(t, h.post("/delete", fromView).body)
	tests := []struct {
		name                string
		page                *doc
		refs                int
		fromView, confirmed bool
		next                bool
	}{
		{"list", list, rows, false, false, false},
		{"view", view, 1, true, false, true},
		{"confirmation", confirm, 1, true, true, true},
	}
	known := map[string]bool{paramToken: true, paramRef: true, paramPage: true, paramFrom: true, paramNext: true, paramConfirm: true}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := formValues(t, tt.page, "/delete", nil)
			for name := range v {
				if !known[name] {
					t.Errorf("the form posts %q, which the delete form's reader does not read", name)
				}
			}
			q := params(v)
			if q.token() == "" {
				t.Error("no token")
			}
			if page, err := q.page(); page != 1 || err != nil {
				t.Errorf("page: got %d, %v, want 1", page, err)
			}
			refs, err := q.refs()
			if len(refs) != tt.refs || err != nil {
				t.Errorf("refs: got %d, %v, want %d", len(refs), err, tt.refs)
			}
			if tt.refs == 1 && (len(refs) != 1 || refs[0].String() != ref) {
				t.Errorf("refs: got %v, want %q", refs, ref)
			}
			if got := q.fromView(); got != tt.fromView {
				t.Errorf("fromView: got %v, want %v", got, tt.fromView)
			}
			if got := q.confirmed(); got != tt.confirmed {
				t.Errorf("confirmed: got %v, want %v", got, tt.confirmed)
			}
			if got := q.nextRef() != nil; got != tt.next {
				t.Errorf("next: got %v, want %v", got, tt.next)
			}
		})
	}
}
