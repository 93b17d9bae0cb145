// Package mailstack lets tests find the project's throw-away real mail
// stack (Dovecot POP3/POP3S, a Postfix instance with SMTP and submission,
// and a POP3 relay that hides UIDL), started by scripts/mailstack.sh.
//
// Tests call Require to get the running stack's addresses, users and CA:
//
//	func TestFetchReal(t *testing.T) {
//		st := mailstack.Require(t)
//		st.AddUser(t, "fetchtest", "pw")
//		st.Fill(t, "fetchtest", 20)
//		// dial st.POP3 or st.POP3S with st.TLSConfig() ...
//	}
//
// Tests in different packages run at the same time against the one stack:
// give each package its own user (AddUser) rather than sharing alice or bob.
package mailstack

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// DefaultDir is the stack's state directory when MAILSTACK_DIR is unset.
const DefaultDir = "/tmp/gomailcgi-mailstack"

// ErrNotRunning reports that the stack is not started or not answering.
var ErrNotRunning = errors.New("mailstack: not running")

// Env describes a running mail stack. Addresses are "host:port".
type Env struct {
	Dir    string // state directory (MAILSTACK_DIR)
	Domain string // mail domain, e.g. example.test
	// Domain2 is a second mail domain with users of its own: NAME@Domain2
	// is another user than NAME, logs in with the whole address only, and
	// is named so in AddUser, Fill, Clear and Put.
	Domain2       string
	CAFile        string // PEM file of the throw-away CA that signed the server cert
	TLSServerName string // a name the server certificate is valid for

	POP3        string // Dovecot POP3, plain with STLS
	POP3S       string // Dovecot POP3 over implicit TLS
	POP3NoUIDL  string // relay without UIDL, plain with STLS
	POP3SNoUIDL string // relay without UIDL, implicit TLS
	SMTP        string // Postfix SMTP: local recipients only, STARTTLS optional
	Submission  string // Postfix submission: STARTTLS and AUTH required

	Users map[string]string // user name -> password, as of Require

	script string // scripts/mailstack.sh that started the stack
}

// envFile mirrors $MAILSTACK_DIR/env.json, written by scripts/mailstack.sh start.
type envFile struct {
	Dir           string            `json:"dir"`
	Domain        string            `json:"domain"`
	Domain2       string            `json:"domain2"`
	CAFile        string            `json:"ca_file"`
	TLSServerName string            `json:"tls_server_name"`
	POP3          string            `json:"pop3"`
	POP3S         string            `json:"pop3s"`
	POP3NoUIDL    string            `json:"pop3_nouidl"`
	POP3SNoUIDL   string            `json:"pop3s_nouidl"`
	SMTP          string            `json:"smtp"`
	Submission    string            `json:"submission"`
	Users         map[string]string `json:"users"`
	Script        string            `json:"script"`
}

// Dir returns the state directory: $MAILSTACK_DIR, else DefaultDir.
func Dir() string {
	if d := os.Getenv("MAILSTACK_DIR"); d != "" {
		return d
	}
	return DefaultDir
}

// Load reads the stack description in dir and checks that every port
// accepts connections. Errors wrap ErrNotRunning when the stack is down.
func Load(dir string) (Env, error) {
	data, err := os.ReadFile(filepath.Join(dir, "env.json"))
	if errors.Is(err, os.ErrNotExist) {
		return Env{}, fmt.Errorf("%w: no %s", ErrNotRunning, filepath.Join(dir, "env.json"))
	}
	if err != nil {
		return Env{}, err
	}
	var f envFile
	if err := json.Unmarshal(data, &f); err != nil {
		return Env{}, fmt.Errorf("mailstack: %s: %w", filepath.Join(dir, "env.json"), err)
	}
	e := Env{
		Dir: f.Dir, Domain: f.Domain, Domain2: f.Domain2, CAFile: f.CAFile, TLSServerName: f.TLSServerName,
		POP3: f.POP3, POP3S: f.POP3S, POP3NoUIDL: f.POP3NoUIDL, POP3SNoUIDL: f.POP3SNoUIDL,
		SMTP: f.SMTP, Submission: f.Submission, Users: f.Users, script: f.Script,
	}
	for _, s := range e.services() {
		if s.addr == "" {
			return Env{}, fmt.Errorf("mailstack: %s: no address for %s", filepath.Join(dir, "env.json"), s.name)
		}
		c, err := net.DialTimeout("tcp", s.addr, 2*time.Second)
		if err != nil {
			return Env{}, fmt.Errorf("%w: %s (%s): %v", ErrNotRunning, s.name, s.addr, err)
		}
		c.Close()
	}
	return e, nil
}

// Require returns the running stack. If it is not running the test fails
// when CI=true and is skipped, saying how to start it, otherwise.
func Require(t testing.TB) Env {
	t.Helper()
	e, err := Load(Dir())
	if err == nil {
		return e
	}
	msg := fmt.Sprintf("*** REAL MAIL STACK NOT AVAILABLE: %v. `make test` starts it; or run scripts/mailstack.sh start", err)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return Env{}
}

// service names one listening port of the stack.
type service struct{ name, addr string }

func (e Env) services() []service {
	return []service{
		{"pop3", e.POP3}, {"pop3s", e.POP3S},
		{"pop3_nouidl", e.POP3NoUIDL}, {"pop3s_nouidl", e.POP3SNoUIDL},
		{"smtp", e.SMTP}, {"submission", e.Submission},
	}
}
