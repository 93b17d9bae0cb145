package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gomailcgi/internal/seal"
)

func TestHomeOffersReadAndSend(t *testing.T) {
	h := newHarness(t)
	res := h.get("/")
	if res.status != http.StatusOK {
		t.Fatalf("GET /: status %d, want 200", res.status)
	}
	d := parseDoc(t, res.body)
	for _, tt := range []struct{ link, want string }{
		{"Read mail", "/login"},
		{"Send mail", "/login?next=compose"},
	} {
		if got := d.link(tt.link); got != tt.want {
			t.Errorf("link %q: got %q, want %q", tt.link, got, tt.want)
		}
	}
}

func TestLogin(t *testing.T) {
	tests := []struct {
		name       string
		user, pass string
		next       string
		popDown    bool
		wantStatus int
		wantPath   string // redirect target on success
		wantAlert  string // part of the alert on failure
	}{
		{"good goes to the list", aliceUser, alicePass, "", false, http.StatusSeeOther, "/list", ""},
		{"good with next=compose", aliceUser, alicePass, "compose", false, http.StatusSeeOther, "/compose", ""},
		{"wrong password", aliceUser, "wrong", "", false, http.StatusUnauthorized, "", "did not accept that user name and password"},
		{"unknown user", "mallory", "x", "", false, http.StatusUnauthorized, "", "did not accept"},
		{"empty password", aliceUser, "", "", false, http.StatusBadRequest, "", "enter your password"},
		{"POP server down", aliceUser, alicePass, "", true, http.StatusServiceUnavailable, "", "could not be reached"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []harnessOption
			if tt.popDown {
				down := closedAddr(t)
				opts = append(opts, webOption(func(c *Config) { c.POP.Server.Addr = down }))
			}
			h := newHarness(t, opts...)
			form := url.Values{"user": {tt.user}, "password": {tt.pass}, "next": {tt.next}}
			res := h.post("/login", form)
			if res.status != tt.wantStatus {
				t.Fatalf("status: got %d, want %d\n%s", res.status, tt.wantStatus, res.body)
			}
			if tt.wantPath != "" {
				loc, _ := url.Parse(res.header.Get("Location"))
				if loc.Path != tt.wantPath {
					t.Errorf("redirect: got %q, want %q", loc.Path, tt.wantPath)
				}
				st, err := h.sealer.Open(loc.Query().Get("t"))
				if err != nil {
					t.Fatalf("token in redirect does not open: %v", err)
				}
				if st.User != tt.user || st.Server != "test" {
					t.Errorf("token state: got user %q server %q, want %q %q", st.User, st.Server, tt.user, "test")
				}
				return
			}
			d := parseDoc(t, res.body)
			if got := d.alert(); !strings.Contains(got, tt.wantAlert) {
				t.Errorf("alert: got %q, want it to contain %q", got, tt.wantAlert)
			}
			if got := d.field("user"); got != tt.user {
				t.Errorf("user field: got %q, want %q", got, tt.user)
			}
			if got := d.field("password"); got != "" {
				t.Errorf("password field: got %q, want it empty", got)
			}
		})
	}
}

func TestBadTokenAsksToLogInAgain(t *testing.T) {
	h := newHarness(t)
	tok := h.login()
	tampered := []byte(tok)
	tampered[len(tampered)/2] ^= 1
	if tampered[len(tampered)/2] == '-' || tampered[len(tampered)/2] == '_' {
		tampered[len(tampered)/2] = 'A'
	}
	other, err := h.sealer.Seal(seal.State{User: aliceUser, Password: alicePass, Server: "other-servers"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, token string
		expire      bool
		wantAlert   string
	}{
		{"missing", "", false, "log in again"},
		{"tampered", string(tampered), false, "log in again"},
		{"garbage", "not*a*token", false, "log in again"},
		{"for other servers", other, false, "log in again"},
		{"expired", tok, true, "expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.expire {
				h.advance(31 * time.Minute)
			}
			for _, path := range []string{"/list", "/view", "/compose", "/sent", "/source", "/part"} {
				res := h.get(path + "?" + url.Values{"t": {tt.token}, "m": {"1.uX"}, "p": {"1"}}.Encode())
				if res.status != http.StatusUnauthorized {
					t.Fatalf("GET %s: status %d, want 401", path, res.status)
				}
				d := parseDoc(t, res.body)
				if got := d.alert(); !strings.Contains(got, tt.wantAlert) {
					t.Errorf("GET %s alert: got %q, want it to contain %q", path, got, tt.wantAlert)
				}
				if len(d.inputs("password")) != 1 {
					t.Errorf("GET %s: the page has no login form", path)
				}
			}
			res := h.post("/delete", url.Values{"t": {tt.token}, "m": {"1.uX"}})
			if res.status != http.StatusUnauthorized {
				t.Errorf("POST /delete: status %d, want 401", res.status)
			}
		})
	}
}

func TestExpiredLoginGoesOnToCompose(t *testing.T) {
	h := newHarness(t)
	tok := h.login()
	h.advance(31 * time.Minute)
	res := h.get("/compose?t=" + url.QueryEscape(tok))
	if res.status != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", res.status)
	}
	d := parseDoc(t, res.body)
	if got := d.field("next"); got != nextCompose {
		t.Errorf("next: got %q, want %q", got, nextCompose)
	}
}

func TestLogoutCarriesNoToken(t *testing.T) {
	h := newHarness(t)
	tok := h.login()
	list := parseDoc(t, h.get("/list?t="+url.QueryEscape(tok)).body)
	logout := list.link("Log out")
	if strings.Contains(logout, "t=") {
		t.Errorf("logout link %q carries a token", logout)
	}
	res := h.get(logout)
	if res.status != http.StatusOK {
		t.Fatalf("status %d, want 200", res.status)
	}
	body := text(parseDoc(t, res.body).root)
	for _, want := range []string{"nothing to end on the server", "close this browser tab"} {
		if !strings.Contains(body, want) {
			t.Errorf("logout page lacks %q", want)
		}
	}
	if strings.Contains(res.body, tok) {
		t.Error("logout page contains the token")
	}
}

// A name for From that holds an address, or looks like one, is refused
// before the mail server is asked, as a bidi control is: mail from alice
// must not read as from ceo@bank.example.
func TestLoginRefusesNamesLikeAddresses(t *testing.T) {
	tests := []struct {
		name       string
		wantStatus int
	}{
		{"ceo@bank.example", http.StatusBadRequest},
		{"CEO <ceo@bank.example>", http.StatusBadRequest},
		{"ceo\uff20bank.example", http.StatusBadRequest}, // fullwidth at sign
		{"ceo\ufe6bbank.example", http.StatusBadRequest}, // small at sign
		{"Evil\u202eName", http.StatusBadRequest},
		{"Alice Liddell", http.StatusSeeOther},
		{"O'Brien, Ann (Sales)", http.StatusSeeOther},
	}
	h := newHarness(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := h.mail.POPLogins()
			res := h.post("/login", url.Values{"user": {aliceUser}, "password": {alicePass}, "name": {tt.name}})
			if res.status != tt.wantStatus {
				t.Fatalf("status: got %d, want %d", res.status, tt.wantStatus)
			}
			if tt.wantStatus == http.StatusSeeOther {
				return
			}
			if got := parseDoc(t, res.body).alert(); !strings.Contains(got, "cannot be used in From") {
				t.Errorf("alert: got %q", got)
			}
			if asked := h.mail.POPLogins() - before; asked != 0 {
				t.Errorf("the mail server was asked %d times", asked)
			}
		})
	}
}
