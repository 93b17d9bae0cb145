package web

import (
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"gomailcgi/static"
)

// pageCSP is the Content-Security-Policy of every response but the framed
// HTML body (body.go): no scripts at all, styles only from /static/, frames
// only from this site (the sandboxed HTML body), forms post only here.
const pageCSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// routes is the route table: every page of the site, by method and path.
// Every change of state is a POST.
func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	b := s.cfg.BasePath
	allowed := map[string][]string{} // path -> its methods, for 405's Allow
	route := func(pattern string, h http.Handler) {
		method, path, _ := strings.Cut(pattern, " ")
		allowed[path] = append(allowed[path], method)
		mux.Handle(method+" "+b+path, h)
	}
	page := func(pattern string, h handlerFunc) { route(pattern, s.handle(h)) }
	page("GET /{$}", s.home)
	page("GET "+pathLogin, s.loginForm)
	page("POST "+pathLogin, s.loginSubmit)
	page("GET "+pathLogout, s.logout)
	page("GET "+pathList, s.list)
	page("GET "+pathView, s.view)
	page("GET "+pathBody, s.body)
	page("GET "+pathPart, s.part)
	page("GET "+pathSource, s.source)
	page("GET "+pathRaw, s.raw)
	page("GET "+pathCompose, s.compose)
	page("POST "+pathSend, s.send)
	page("GET "+pathSent, s.sent)
	page("POST "+pathDelete, s.delete)
	page("GET "+pathSearch, s.search)
	route("GET "+pathHealth, http.HandlerFunc(health))
	route("GET "+pathStatic, http.StripPrefix(b+pathStatic, s.staticFiles()))
	for path, methods := range allowed {
		mux.Handle(b+path, s.handle(s.wrongMethod(methods))) // any other method
	}
	mux.Handle(b+"/", s.handle(s.notFound))
	if b != "" {
		mux.Handle("GET "+b, http.RedirectHandler(b+"/", http.StatusMovedPermanently))
		mux.Handle("/", s.handle(s.outsideBase))
	}
	// A POST from a page of another site (login CSRF, a draft slipped
	// into the send form) is refused before its body is read.
	cop := http.NewCrossOriginProtection()
	for _, o := range s.cfg.TrustedOrigins {
		cop.AddTrustedOrigin(o) // checked by Config.Check
	}
	cop.SetDenyHandler(s.handle(s.crossOrigin))
	return s.secure(s.logRequests(s.limitHeaders(s.slowBodies(s.explain(cop.Handler(mux))))))
}

// maxHeaderBytes bounds a request's header fields. Past it the request
// gets this site's 431 page; the http.Server's own, much higher limit
// (1 MB) answers what is past that, without these headers.
const maxHeaderBytes = 64 << 10

// limitHeaders answers a request with too large a header with a page.
func (s *server) limitHeaders(next http.Handler) http.Handler {
	tooLarge := s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return &userError{status: http.StatusRequestHeaderFieldsTooLarge, title: "Request too large",
			msg: "Your browser sent more than this site accepts (perhaps very many or very long cookies for this address)."}
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := len(r.RequestURI)
		for k, vs := range r.Header {
			for _, v := range vs {
				n += len(k) + len(v) + 4
			}
		}
		if n > maxHeaderBytes {
			tooLarge.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// secure sets the security headers of every response in one place.
func (s *server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", pageCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// logRequests writes one line per request: method, path, status, size and
// time. Never the query string or the body: they carry the token.
func (s *server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		if !s.log.Enabled(r.Context(), slog.LevelInfo) {
			return // its attributes are not even made
		}
		s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
			"bytes", rec.bytes, "duration", time.Since(start).Round(time.Microsecond))
	})
}

// statusRecorder remembers the status and size of a response for the log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(p []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(p)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// staticFiles serves the embedded stylesheet; a name it does not have gets
// the site's 404 page (the file server's own would drop Cache-Control).
func (s *server) staticFiles() http.Handler {
	files := http.FileServerFS(static.FS)
	notFound := s.handle(s.notFound)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		if st, err := fs.Stat(static.FS, name); name == "" || err != nil || st.IsDir() {
			notFound.ServeHTTP(w, r)
			return
		}
		files.ServeHTTP(w, r)
	})
}

// health answers a load balancer's check: the process serves. It asks no
// mail server, so a check never logs in anywhere.
func health(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "ok\n")
}

// notFound answers every path the route table does not know.
func (s *server) notFound(w http.ResponseWriter, r *http.Request) error {
	return &userError{status: http.StatusNotFound, title: "Not found", msg: "There is no page at this address."}
}

// outsideBase answers a path outside the base path. Behind a web server
// that is a setting that differs from the web server's location, so the
// page names it: whoever set the site up finds it there.
func (s *server) outsideBase(w http.ResponseWriter, r *http.Request) error {
	return &userError{status: http.StatusNotFound, title: "Not part of this webmail",
		msg:  "This webmail's pages are under %s/ (its base path, the setting -base-path), and this address is outside it. If a web server sent you here, its location for the webmail and -base-path differ: set them alike, or leave -base-path out under FastCGI to take the web server's SCRIPT_NAME.",
		args: []any{s.cfg.BasePath}}
}

// crossOrigin answers a form another site's page sent.
func (s *server) crossOrigin(w http.ResponseWriter, r *http.Request) error {
	return &userError{status: http.StatusForbidden, title: "Form from another site",
		msg: "This form was sent from a page of another site, so nothing was done. If you meant to, open gomailcgi yourself and use its own pages."}
}

// wrongMethod answers a request whose method a path does not take, with
// the methods it does (a GET page takes HEAD too).
func (s *server) wrongMethod(methods []string) handlerFunc {
	if slices.Contains(methods, http.MethodGet) {
		methods = append(methods, http.MethodHead)
	}
	order := []string{http.MethodGet, http.MethodHead, http.MethodPost}
	slices.SortFunc(methods, func(a, b string) int { return slices.Index(order, a) - slices.Index(order, b) })
	allow := strings.Join(methods, ", ")
	return func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Allow", allow)
		if allow == http.MethodPost {
			return &userError{status: http.StatusMethodNotAllowed, title: "Use the form",
				msg: "This address only takes a form sent from gomailcgi's own pages."}
		}
		return &userError{status: http.StatusMethodNotAllowed, title: "Not allowed",
			msg: "This address does not take that kind of request; open it with a link instead."}
	}
}
