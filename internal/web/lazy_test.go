package web

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/seal"
)

// parsedPages counts the template sets s parsed, by language code.
func parsedPages(s *server) map[string]int32 {
	got := map[string]int32{}
	for code, lp := range s.pages {
		if n := lp.parsed.Load(); n > 0 {
			got[code] = n
		}
	}
	return got
}

// TestRequestParsesOnlyItsPage: a CGI process serves one request, so a
// new server parses no template until a page is rendered, then only that
// page's set in that page's language, once however often it is served.
func TestRequestParsesOnlyItsPage(t *testing.T) {
	keys, err := seal.RandomKeys()
	if err != nil {
		t.Fatal(err)
	}
	s, err := newServer(Config{
		POP:    &mailtools.POP{Server: mailtools.Server{Addr: "127.0.0.1:1"}},
		SMTP:   &mailtools.SMTP{Server: mailtools.Server{Addr: "127.0.0.1:1"}},
		Sealer: &seal.Sealer{Keys: keys},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := parsedPages(s); len(got) != 0 {
		t.Fatalf("a new server parsed %v, want nothing", got)
	}
	h := s.routes()
	steps := []struct {
		path, acceptLanguage string
		want                 map[string]int32
	}{
		{"/login", "", map[string]int32{"en": 1}},
		{"/login?next=compose", "", map[string]int32{"en": 1}},
		{"/login", "de-AT, en;q=0.5", map[string]int32{"en": 1, "de": 1}},
		{"/", "", map[string]int32{"en": 2, "de": 1}},
	}
	for _, st := range steps {
		req := httptest.NewRequest(http.MethodGet, st.path, nil)
		if st.acceptLanguage != "" {
			req.Header.Set("Accept-Language", st.acceptLanguage)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: status %d, want 200", st.path, rec.Code)
		}
		got := parsedPages(s)
		if len(got) != len(st.want) {
			t.Errorf("after GET %s (%q): parsed %v, want %v", st.path, st.acceptLanguage, got, st.want)
			continue
		}
		for code, n := range st.want {
			if got[code] != n {
				t.Errorf("after GET %s (%q): parsed %v, want %v", st.path, st.acceptLanguage, got, st.want)
			}
		}
	}
	if _, err := s.pages["en"].get("login"); err != nil || s.pages["en"].parsed.Load() != 2 {
		t.Errorf("the login page again: parsed %d sets (err %v), want still 2", s.pages["en"].parsed.Load(), err)
	}
}

// TestFirstRenderAtOnce: requests that render a page for the first time
// at the same time, as a server's do, parse it once and all get it whole
// (go test -race).
func TestFirstRenderAtOnce(t *testing.T) {
	keys, err := seal.RandomKeys()
	if err != nil {
		t.Fatal(err)
	}
	s, err := newServer(Config{
		POP:    &mailtools.POP{Server: mailtools.Server{Addr: "127.0.0.1:1"}},
		SMTP:   &mailtools.SMTP{Server: mailtools.Server{Addr: "127.0.0.1:1"}},
		Sealer: &seal.Sealer{Keys: keys},
	})
	if err != nil {
		t.Fatal(err)
	}
	h := s.routes()
	codes := make(chan int, 16)
	for range cap(codes) {
		go func() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/login?lang=ja", nil))
			codes <- rec.Code
		}()
	}
	for range cap(codes) {
		if code := <-codes; code != http.StatusOK {
			t.Errorf("status %d, want 200", code)
		}
	}
	if got := parsedPages(s); len(got) != 1 || got["ja"] != 1 {
		t.Errorf("parsed %v, want the Japanese login page once", got)
	}
}
