package web

import (
	"net/http"
	"sync"
)

// maxMounts bounds the route tables kept for base paths (Config.BasePathOf):
// a web server names a few locations, and a table past these is built for
// its one request.
const maxMounts = 16

// mounts serves each request under its own base path, Config.BasePathOf:
// one route table per base path, built when first asked for and kept. The
// tables share everything but the base path: the templates, the upload
// slots, the login throttles.
type mounts struct {
	s  *server
	of func(*http.Request) string

	mu     sync.Mutex
	byBase map[string]http.Handler
}

func newMounts(s *server, of func(*http.Request) string) *mounts {
	return &mounts{s: s, of: of, byBase: map[string]http.Handler{}}
}

func (m *mounts) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	base := m.of(r)
	if !validBasePath(base) {
		base = ""
	}
	m.handler(base).ServeHTTP(w, r)
}

// handler is the route table under base.
func (m *mounts) handler(base string) http.Handler {
	m.mu.Lock()
	defer m.mu.Unlock()
	if h, ok := m.byBase[base]; ok {
		return h
	}
	s := *m.s
	s.cfg.BasePath, s.urls = base, urls{base: base}
	h := s.routes()
	if len(m.byBase) < maxMounts {
		m.byBase[base] = h
	}
	return h
}
