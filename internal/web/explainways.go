package web

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/html"
)

// way is a link or form of a page: where it goes, what it carries, and
// the state it leads to. Links alike (the rows of a list) are one way.
type way struct {
	Kind   string // "link", "form" or "frame"
	Method string
	Path   string
	Fields []string // the names it carries
	To     string   // the state of docs/FLOW.md it leads to
	Header bool     // in the site's header, on every page
	Count  int
}

// maxWays bounds the ways the panel lists.
const maxWays = 60

// waysFrom reads the links, forms and frames of a rendered page.
func (s *server) waysFrom(page []byte) []way {
	var ways []way
	add := func(w way) {
		slices.Sort(w.Fields)
		w.Fields = slices.Compact(w.Fields)
		if w.To == "" {
			w.To = leadsTo(w.Method, w.Path, w.Fields)
		}
		for i := range ways {
			if ways[i].Kind == w.Kind && ways[i].Method == w.Method && ways[i].Path == w.Path &&
				ways[i].Header == w.Header && slices.Equal(ways[i].Fields, w.Fields) {
				ways[i].Count++
				return
			}
		}
		if len(ways) < maxWays {
			w.Count = 1
			ways = append(ways, w)
		}
	}
	z := html.NewTokenizer(bytes.NewReader(page))
	header := 0
	var form *way
	var hidden map[string]string // a form's hidden values that choose its way
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return ways
		}
		if tt != html.StartTagToken && tt != html.EndTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		if tt == html.EndTagToken {
			switch tok.Data {
			case "header":
				header--
			case "form":
				if form != nil {
					if form.Path == pathLogin && (hidden[paramDraft] == "1" || hidden[paramNext] == nextCompose) {
						form.To = "Compose"
					}
					add(*form)
					form = nil
				}
			}
			continue
		}
		attr := func(k string) (string, bool) {
			for _, a := range tok.Attr {
				if a.Key == k {
					return a.Val, true
				}
			}
			return "", false
		}
		switch tok.Data {
		case "header":
			header++
		case "a", "iframe":
			key := "href"
			if tok.Data == "iframe" {
				key = "src"
			}
			v, ok := attr(key)
			if !ok {
				continue
			}
			path, fields, ok := s.sitePath(v)
			if !ok {
				continue
			}
			kind := "link"
			if tok.Data == "iframe" {
				kind = "frame"
			}
			add(way{Kind: kind, Method: http.MethodGet, Path: path, Fields: fields, Header: header > 0})
		case "form":
			action, _ := attr("action")
			path, fields, ok := s.sitePath(action)
			if !ok {
				continue
			}
			method, _ := attr("method")
			form = &way{Kind: "form", Method: strings.ToUpper(cmpOr(method, http.MethodGet)), Path: path, Fields: fields, Header: header > 0}
			hidden = map[string]string{}
		case "input", "select", "textarea", "button":
			if form == nil {
				continue
			}
			if n, ok := attr("name"); ok && n != "" {
				form.Fields = append(form.Fields, n)
				if t, _ := attr("type"); t == "hidden" {
					v, _ := attr("value")
					hidden[n] = v
				}
			}
		}
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// sitePath reads a link of this site: its path without the base path,
// and its query's names. Links elsewhere and the stylesheet are not ways.
func (s *server) sitePath(ref string) (string, []string, bool) {
	u, err := url.Parse(ref)
	if err != nil || u.Host != "" || u.Scheme != "" || u.Path == "" {
		return "", nil, false
	}
	path := s.trimBase(u.Path)
	if strings.HasPrefix(path, pathStatic) {
		return "", nil, false
	}
	var fields []string
	for n := range u.Query() {
		fields = append(fields, n)
	}
	return path, fields, true
}

// leadsTo is the state of docs/FLOW.md a request leads to.
func leadsTo(method, path string, fields []string) string {
	switch path {
	case pathHome:
		return "Home"
	case pathLogin:
		if method == http.MethodPost {
			return "List"
		}
		return "Login"
	case pathLogout:
		return "Logout"
	case pathList:
		return "List"
	case pathSearch:
		return "Search"
	case pathView:
		return "View"
	case pathRaw:
		return "Source"
	case pathBody, pathPart, pathSource:
		return "Download"
	case pathCompose:
		return "Compose"
	case pathSend, pathSent:
		return "Sent"
	case pathDelete:
		if slices.Contains(fields, paramConfirm) {
			return "List"
		}
		return "Confirm"
	}
	return "?"
}
