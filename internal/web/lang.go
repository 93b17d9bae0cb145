package web

import (
	"net/http"

	"gomailcgi/internal/locale"
)

// language is the language of the page answering r, and the lang
// parameter its links carry on: a lang parameter first (the login page's
// links, a form before login), then the token's, then the closest to the
// browser's Accept-Language, then the site's default.
func (s *server) language(r *http.Request) (l *locale.Locale, carry string) {
	if l := params(r.URL.Query()).lang(s.locales); l != nil {
		return l, l.Code
	}
	if r.PostForm != nil {
		if l := params(r.PostForm).lang(s.locales); l != nil {
			return l, l.Code
		}
	}
	if tok := requestToken(r); tok != "" {
		if st, err := s.cfg.Sealer.Open(tok); err == nil {
			if l, ok := s.locales.Lookup(st.Lang); ok {
				return l, ""
			}
		}
	}
	return s.locales.Match(r.Header.Get("Accept-Language")), ""
}

// page starts a page shown without a login, in r's language.
func (s *server) page(r *http.Request, title string, args ...any) basePage {
	l, carry := s.language(r)
	return basePage{Title: l.T(title, args...), loc: l, lang: carry}
}

// pageIn starts a page shown without a login in the language lang names,
// the language a form was shown in; without one, in r's language.
func (s *server) pageIn(r *http.Request, lang, title string) basePage {
	if l, ok := s.locales.Lookup(lang); ok {
		return basePage{Title: l.T(title), loc: l, lang: l.Code}
	}
	return s.page(r, title)
}

// languageLink is one language of the login page's list.
type languageLink struct {
	Code, Name, URL string
	Current         bool
}
