package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gomailcgi/internal/mailmsg"
	"gomailcgi/internal/mailtools"
)

// maxLoginForm bounds a login form; it may carry a draft being rescued.
const maxLoginForm = 4 << 20

// loginFields is what the login form posts. The password is never shown back.
type loginFields struct {
	User     string
	Password string
	Name     string // optional: the name mail from this login goes out under
	Next     string // nextList or nextCompose
	Return   string // the page asked for when the login ran out, without its token; "" for Next
	Lang     string // the language a link chose before login, carried on; "" for the browser's
	Server   string // the ID of the mail server chosen in the form; "" when none was
	// Choices are the site's servers to choose from, shown when the
	// address alone does not name one; nil hides the choice.
	Choices []serverChoice
	// Address: the site has several servers, chosen by the address's
	// domain, so the form asks for an address rather than a user name.
	Address bool
}

// loginPage is the login form, with an alert after a failed try.
type loginPage struct {
	basePage
	Form      loginFields
	Action    string
	Languages []languageLink // every language offered, each a link to this form in it
}

func parseLoginForm(v url.Values) loginFields {
	f := loginFields{
		User:     strings.TrimSpace(v.Get("user")),
		Password: v.Get("password"),
		Name:     oneLine(v.Get("name")),
		Next:     params(v).next(),
		Return:   v.Get(paramReturn),
		Lang:     v.Get(paramLang),
		Server:   v.Get(paramServer),
	}
	return f
}

// validate returns a friendly problem, or "".
func (f loginFields) validate() string {
	switch {
	case f.User == "" && f.Password == "":
		return "Please enter your user name and password."
	case f.User == "":
		return "Please enter your user name."
	case f.Password == "":
		return "Please enter your password."
	case strings.ContainsAny(f.User, " \t\r\n\x00") || len(f.User) > 256 || len(f.Password) > 1024:
		return "That user name or password cannot be right."
	case len(f.Name) > 100 || strings.ContainsFunc(f.Name, func(r rune) bool { return r < 0x20 || r == 0x7f || mailmsg.IsBidiControl(r) }):
		return "That name cannot be used in From; please shorten it or leave it empty."
	case strings.ContainsAny(f.Name, atSigns):
		return "That name cannot be used in From, as it looks like an address; please give a name without @, or leave it empty."
	}
	return ""
}

// atSigns are the at signs that would make a name for From read as an
// address ("ceo@bank.example" <alice@example.org>): ASCII, fullwidth, small.
const atSigns = "@\uff20\ufe6b"

// loginForm shows the login form (GET /login?next=compose|list).
func (s *server) loginForm(w http.ResponseWriter, r *http.Request) error {
	f := parseLoginForm(r.URL.Query())
	return s.renderLogin(w, r, http.StatusOK, f, "")
}

func (s *server) renderLogin(w http.ResponseWriter, r *http.Request, status int, f loginFields, alert string) error {
	f.Password = ""
	s.offerChoice(&f)
	title := "Log in to read your mail"
	if f.Next == nextCompose {
		title = "Log in to send mail"
	}
	b := s.page(r, title)
	b.Alert = alert
	f.Lang = b.lang
	p := &loginPage{basePage: b, Form: f, Action: s.urls.LoginAction()}
	for _, l := range s.locales.Offered() {
		p.Languages = append(p.Languages, languageLink{Code: l.Code, Name: l.Name,
			URL: s.urls.Login(f.Next, l.Code), Current: l == b.loc})
	}
	return s.render(w, status, "login", p)
}

// loginSubmit checks the login against the POP server at once; on success
// it goes on (303) to the inbox or the compose form with a fresh token. A
// draft rescued from an expired login comes back in the compose form.
func (s *server) loginSubmit(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxLoginForm)
	if err := r.ParseForm(); err != nil {
		return badRequest("The login form could not be read.", err)
	}
	f := parseLoginForm(r.PostForm)
	var draft *composeForm
	if params(r.PostForm).on(paramDraft) {
		d := composeFromValues(r.PostForm)
		draft = &d
	}
	l, _ := s.language(r)
	if problem := f.validate(); problem != "" {
		return s.renderLoginAgain(w, r, http.StatusBadRequest, f, draft, l.T(problem))
	}
	srv := s.serverFor(f.User)
	if f.Server != "" {
		// Only a server of the list: a form naming any other is refused
		// before anything is dialled, so no one can make the site
		// connect where they like.
		if srv = s.serverByID(f.Server); srv == nil {
			f.Server, f.Choices = "", s.choices("")
			return s.renderLoginAgain(w, r, http.StatusBadRequest, f, draft,
				l.T("That mail server is not one this site serves. Please choose one from the list."))
		}
	}
	if srv == nil {
		f.Choices = s.choices("")
		return s.renderLoginAgain(w, r, http.StatusOK, f, draft,
			l.T("Which mail server is your address on? Please choose it, and enter your password again."))
	}
	f.Server = srv.ID
	network := netKey(clientAddr(r, s.cfg.TrustedProxies))
	cred := mailtools.Credentials{User: srv.popUser(f.User), Password: f.Password}
	// failures count per user of one server: the same name on another
	// server is another person
	user := strings.ToLower(cred.User) + " " + srv.ID
	if wait := s.loginFails.wait(user, network); wait > 0 {
		secs := int((wait + time.Second - 1) / time.Second)
		mins := (secs + 59) / 60
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		s.log.Info("login: throttled", "wait", wait.Round(time.Second))
		return s.renderLoginAgain(w, r, http.StatusTooManyRequests, f, draft, l.T(
			"There have been too many failed logins, so this one was not tried. Please try again in %d minutes.", mins))
	}
	if err := srv.POP.Login(r.Context(), cred); err != nil {
		if errors.Is(err, mailtools.ErrBadCredentials) {
			s.loginFails.failed(user, network)
		}
		return &actionError{act: actLogin, form: &f, draft: draft, err: err}
	}
	login, err := s.login(srv, f.User, f.Password, f.Name, l)
	if err != nil {
		return err
	}
	if draft != nil {
		draft.Token = login.token
		return s.renderComposeFetching(w, r, http.StatusOK, login, draft,
			login.T("You are logged in again and your message is below. Attachments you had chosen must be chosen again."), "")
	}
	next := s.urls.List(login.token, 1)
	if f.Next == nextCompose {
		next = s.urls.Compose(login.token, modeNew, mailtools.Ref{}, 0)
	}
	if back, ok := s.returnTo(f.Return, login.token); ok {
		next = back
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// renderLoginAgain shows the login form with a problem, keeping a draft.
func (s *server) renderLoginAgain(w http.ResponseWriter, r *http.Request, status int, f loginFields, draft *composeForm, alert string) error {
	if draft == nil {
		return s.renderLogin(w, r, status, f, alert)
	}
	f.Password = ""
	s.offerChoice(&f)
	b := s.pageIn(r, f.Lang, "Please log in again")
	b.Alert = alert
	f.Lang = b.lang
	return s.render(w, status, "relogin", &reloginPage{
		basePage: b,
		Login:    f,
		Draft:    draft,
		Action:   s.urls.LoginAction(),
	})
}

// offerChoice shows the choice of server in a form that had one, keeping
// the server chosen, on a site of several servers.
func (s *server) offerChoice(f *loginFields) {
	f.Address = s.several()
	if !s.several() {
		f.Server, f.Choices = "", nil
		return
	}
	if f.Choices != nil || f.Server != "" {
		f.Choices = s.choices(f.Server)
	}
}

// returnPaths are the pages a login may return to: those a link leads to.
var returnPaths = []string{pathList, pathView, pathCompose, pathRaw}

// returnPath is the page a request asked for, without its token, when a
// login can lead back to it; "" otherwise.
func (s *server) returnPath(r *http.Request) string {
	if r.Method != http.MethodGet {
		return ""
	}
	if _, ok := s.returnTo(r.URL.Path, ""); !ok {
		return ""
	}
	q := params(r.URL.Query()).place()
	if len(q) == 0 {
		return r.URL.Path
	}
	return r.URL.Path + "?" + q.Encode()
}

// returnTo checks a return path, which comes from a form and so from
// anyone: only one of this site's own pages, by path, never an absolute
// URL. It gives the path with token added.
func (s *server) returnTo(ret, token string) (string, bool) {
	if ret == "" || strings.ContainsAny(ret, "\\#\r\n") || strings.HasPrefix(ret, "//") {
		return "", false
	}
	u, err := url.Parse(ret)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "", false
	}
	known := false
	for _, p := range returnPaths {
		known = known || u.Path == s.urls.path(p)
	}
	if !known {
		return "", false
	}
	q := params(u.Query()).place()
	q.Set(paramToken, token)
	return u.Path + "?" + q.Encode(), true
}
