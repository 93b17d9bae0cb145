package web

import (
	"net/http"

	"gomailcgi/internal/seal"
)

// homePage says what the site is and offers its two ways in.
type homePage struct {
	basePage
	ReadURL, SendURL string
}

// home is the front page: "Read mail" and "Send mail", both via login.
func (s *server) home(w http.ResponseWriter, r *http.Request) error {
	b := s.page(r, "Welcome")
	return s.render(w, http.StatusOK, "home", &homePage{
		basePage: b,
		ReadURL:  s.urls.Login(nextList, b.lang),
		SendURL:  s.urls.Login(nextCompose, b.lang),
	})
}

// logoutPage explains that there is nothing to end on the server.
type logoutPage struct {
	basePage
	LoginURL    string
	IdleMinutes int // how long an unused token stays valid
}

// logout carries no token: nothing is stored on the server to delete.
func (s *server) logout(w http.ResponseWriter, r *http.Request) error {
	b := s.page(r, "Logged out")
	return s.render(w, http.StatusOK, "logout", &logoutPage{
		basePage:    b,
		LoginURL:    s.urls.Login("", b.lang),
		IdleMinutes: s.idleMinutes(),
	})
}

// idleMinutes is how long a token stays valid without use.
func (s *server) idleMinutes() int {
	idle := s.cfg.Sealer.Idle
	if idle <= 0 {
		idle = seal.DefaultIdle
	}
	return int(idle.Minutes())
}
