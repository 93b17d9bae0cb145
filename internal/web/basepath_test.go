package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// With BasePathOf, each request is served under the base path it names
// (a FastCGI request's SCRIPT_NAME): its routes, its links and its
// redirects, whatever other requests named.
func TestBasePathPerRequest(t *testing.T) {
	h := newHarness(t, webOption(func(c *Config) {
		c.BasePathOf = func(r *http.Request) string { return r.Header.Get("X-Base") }
	}))
	get := func(base, path string) (*doc, response) {
		t.Helper()
		req, _ := http.NewRequest("GET", h.srv.URL+path, nil)
		req.Header.Set("X-Base", base)
		res := h.do(req)
		return parseDoc(t, res.body), res
	}
	h.addMail(aliceUser, "Hello", "Under any base path.")
	for _, base := range []string{"/fcgi", "/mail/box", ""} {
		t.Run("base "+base, func(t *testing.T) {
			d, res := get(base, base+"/")
			if res.status != http.StatusOK {
				t.Fatalf("GET %s/: status %d", base, res.status)
			}
			for _, n := range d.all(func(*html.Node) bool { return true }) {
				for _, key := range []string{"href", "action", "src"} {
					if v := attrOf(n, key); strings.HasPrefix(v, "/") && !strings.HasPrefix(v, base+"/") {
						t.Errorf("home under %q: <%s %s=%q> leaves it", base, n.Data, key, v)
					}
				}
			}
			form := url.Values{"user": {aliceUser}, "password": {alicePass}, "next": {"list"}}
			req, _ := http.NewRequest("POST", h.srv.URL+base+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Base", base)
			res = h.do(req)
			loc := res.header.Get("Location")
			if res.status != http.StatusSeeOther || !strings.HasPrefix(loc, base+"/list?") {
				t.Fatalf("login under %q: status %d to %q", base, res.status, loc)
			}
			d, res = get(base, loc)
			if res.status != http.StatusOK {
				t.Fatalf("list under %q: status %d", base, res.status)
			}
			if got, _, _ := strings.Cut(d.viewLink("Hello"), "?"); got != base+pathView {
				t.Errorf("list under %q: view link to %q, want %q", base, got, base+pathView)
			}
		})
	}
	t.Run("not a base path", func(t *testing.T) {
		// A name Check would refuse is no base path: the site is at /.
		_, res := get("/mail/", "/mail/login")
		if res.status != http.StatusNotFound {
			t.Errorf("under a refused base path: status %d, want 404", res.status)
		}
		if d, res := get("/mail/", pathLogin); res.status != http.StatusOK || d.title() == "" {
			t.Errorf("at / under a refused base path: status %d", res.status)
		}
	})
}

// A path outside BasePath gets a page that names the setting and leads to
// the site's front page, not a bare 404.
func TestOutsideBasePath(t *testing.T) {
	h := newHarness(t, webOption(func(c *Config) { c.BasePath = "/mail" }))
	for _, path := range []string{"/", "/login", "/fcgi/list", "/mailbox/"} {
		res := h.get(path)
		if res.status != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, res.status)
			continue
		}
		d := parseDoc(t, res.body)
		if alert := d.alert(); !strings.Contains(alert, "under /mail/") || !strings.Contains(alert, "-base-path") {
			t.Errorf("GET %s: the page says %q; want it to name /mail/ and -base-path", path, alert)
		}
		home := false
		for _, a := range d.tag("a") {
			home = home || attrOf(a, "href") == "/mail/"
		}
		if !home {
			t.Errorf("GET %s: no link to the front page /mail/", path)
		}
	}
	// Inside the base path an unknown page is still just not found.
	res := h.get("/mail/nope")
	if res.status != http.StatusNotFound || strings.Contains(res.body, "-base-path") {
		t.Errorf("GET /mail/nope: status %d; want the plain 404 page", res.status)
	}
}
