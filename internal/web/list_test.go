package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestListPaging(t *testing.T) {
	h := newHarness(t, webOption(func(c *Config) { c.PageSize = 3 }))
	for i := 1; i <= 7; i++ {
		h.addMail(bobUser, fmt.Sprintf("Message %d", i), "hello")
	}
	tok := h.loginAs(bobUser, bobPass, "")
	tests := []struct {
		page       string
		wantStatus int
		want       []string
		wantCount  string
		wantLinks  []string // pager links present
		noLinks    []string // pager links absent
	}{
		{"", 200, []string{"Message 7", "Message 6", "Message 5"}, "Messages 1–3 of 7", []string{"Older ›", "Oldest »"}, []string{"‹ Newer", "« Newest"}},
		{"2", 200, []string{"Message 4", "Message 3", "Message 2"}, "Messages 4–6 of 7", []string{"‹ Newer", "Older ›"}, nil},
		{"3", 200, []string{"Message 1"}, "Messages 7–7 of 7", []string{"‹ Newer", "« Newest"}, []string{"Older ›"}},
		{"99", 200, []string{"Message 1"}, "Messages 7–7 of 7", nil, []string{"Older ›"}},
		{"0", 200, []string{"Message 7", "Message 6", "Message 5"}, "Messages 1–3 of 7", nil, nil},
		{"abc", 400, nil, "", nil, nil},
	}
	for _, tt := range tests {
		t.Run("page="+tt.page, func(t *testing.T) {
			res := h.get("/list?" + url.Values{"t": {tok}, "page": {tt.page}}.Encode())
			if res.status != tt.wantStatus {
				t.Fatalf("status: got %d, want %d", res.status, tt.wantStatus)
			}
			d := parseDoc(t, res.body)
			if tt.wantStatus != 200 {
				if d.alert() == "" {
					t.Error("error page has no alert")
				}
				return
			}
			if got := d.subjects(); !slices.Equal(got, tt.want) {
				t.Errorf("subjects: got %q, want %q", got, tt.want)
			}
			if got := text(d.root); !strings.Contains(got, tt.wantCount) {
				t.Errorf("page lacks %q", tt.wantCount)
			}
			for _, l := range tt.wantLinks {
				if !d.hasLink(l) {
					t.Errorf("no link %q", l)
				}
			}
			for _, l := range tt.noLinks {
				if d.hasLink(l) {
					t.Errorf("link %q should not be there", l)
				}
			}
		})
	}
	t.Run("links walk the pages", func(t *testing.T) {
		d, _ := h.list(tok, 1)
		d2 := parseDoc(t, h.get(d.link("Older ›")).body)
		if got := d2.subjects(); len(got) == 0 || got[0] != "Message 4" {
			t.Fatalf("Older: got %q, want Message 4 first", got)
		}
		d3 := parseDoc(t, h.get(d2.link("Oldest »")).body)
		if got := d3.subjects(); !slices.Equal(got, []string{"Message 1"}) {
			t.Errorf("Oldest: got %q", got)
		}
		d4 := parseDoc(t, h.get(d3.link("« Newest")).body)
		if got := d4.subjects(); len(got) == 0 || got[0] != "Message 7" {
			t.Errorf("Newest: got %q", got)
		}
	})
}

func TestListRows(t *testing.T) {
	h := newHarness(t)
	tok := h.login()
	d, res := h.list(tok, 1)
	if res.status != http.StatusOK {
		t.Fatalf("status %d", res.status)
	}
	got := d.subjects()
	if len(got) != 15 || got[0] != "Paragraphs that flow" || got[14] != "Welcome to gomailcgi" {
		t.Fatalf("subjects: got %q, want 15 newest first", got)
	}
	// Decoded headers from other charsets show as text.
	for _, want := range []string{"Привет из демо-ящика (KOI8-R)", "Déjà vu : un message en Latin-1, sans problème"} {
		if !slices.Contains(got, want) {
			t.Errorf("no subject %q in %q", want, got)
		}
	}
	// One checkbox per row, each with its reference and a label.
	boxes := d.inputs("m")
	if len(boxes) != 15 {
		t.Fatalf("checkboxes: got %d, want 15", len(boxes))
	}
	for _, b := range boxes {
		if attrOf(b, "type") != "checkbox" || attrOf(b, "aria-label") == "" || attrOf(b, "value") == "" {
			t.Errorf("checkbox %v: want type checkbox, a value and a label", b.Attr)
		}
	}
	// The attachment marker on the message with attachments.
	body := text(d.root)
	if !strings.Contains(body, "Your checklist and a list of pages (2 attachments) [attachment]") {
		t.Error("no attachment marker after the subject of the message with attachments")
	}
}

func TestListEmptyMailbox(t *testing.T) {
	h := newHarness(t)
	tok := h.loginAs(bobUser, bobPass, "")
	d, res := h.list(tok, 1)
	if res.status != http.StatusOK {
		t.Fatalf("status %d", res.status)
	}
	if got := text(d.root); !strings.Contains(got, "Your inbox is empty") {
		t.Errorf("empty mailbox page lacks the friendly text")
	}
	if len(d.tag("table")) != 0 {
		t.Error("empty mailbox shows a table")
	}
}
