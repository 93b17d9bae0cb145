package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strconv"

	"gomailcgi/internal/mailtools"
	"gomailcgi/templates"
)

// pageNames lists every page; each is parsed at start-up from base.html,
// parts.html and its own file, so a broken template stops New, not a request.
var pageNames = []string{
	"home", "login", "logout", "relogin", "error",
	"list", "view", "raw", "compose", "sent", "confirmdelete",
}

// pageTemplate is one page's parsed template set.
type pageTemplate = template.Template

// parsePages parses every page's template set.
func parsePages() (map[string]*pageTemplate, error) {
	pages := make(map[string]*pageTemplate, len(pageNames))
	for _, name := range pageNames {
		t, err := template.New(name).ParseFS(templates.FS, "base.html", "parts.html", name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: parsing page %s: %w", name, err)
		}
		if t.Lookup("content") == nil {
			return nil, fmt.Errorf("web: page %s defines no content", name)
		}
		pages[name] = t
	}
	return pages, nil
}

// basePage is what every page shows around its content.
type basePage struct {
	Title  string // the page's own title; the site name is added
	Notice string // a calm message, role="status"
	Alert  string // a problem, role="alert"
	Token  string // the fresh sealed token; empty when not logged in
	User   string // the logged-in user, for the header
	Nav    navLinks
}

// navLinks are the header's links, filled in by render.
type navLinks struct {
	Home, Style, Login, Logout, Inbox, Compose string
}

func (b *basePage) base() *basePage { return b }

// page is any page's data: a struct embedding basePage.
type page interface{ base() *basePage }

// render executes a page into a buffer and only then writes it, so a
// failing template never sends half a page.
func (s *server) render(w http.ResponseWriter, status int, name string, data page) error {
	t, ok := s.pages[name]
	if !ok {
		return fmt.Errorf("web: no page %q", name)
	}
	b := data.base()
	b.Nav = navLinks{
		Home:   s.urls.Home(),
		Style:  s.urls.Style(),
		Login:  s.urls.Login(""),
		Logout: s.urls.Logout(),
	}
	if b.Token != "" {
		b.Nav.Inbox = s.urls.List(b.Token, 1)
		b.Nav.Compose = s.urls.Compose(b.Token, modeNew, mailtools.Ref{}, 0)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base", data); err != nil {
		return fmt.Errorf("web: rendering page %s: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	buf.WriteTo(w) // a failed write means the client left; nothing to do
	return nil
}
