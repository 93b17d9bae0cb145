package web

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gomailcgi/internal/mailmsg"
	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/seal"
)

// secret stands for what an error knows and a page must never show.
const secret = "secret internal detail"

// errorOfKind is one error of each kind, as the code that meets it returns it.
var errorOfKind = map[errKind]error{
	kindUnknown:         errors.New(secret),
	kindUser:            badRequest("That page number is not a number.", errors.New(secret)),
	kindLoggedOut:       &loggedOutError{reason: errors.New(secret)},
	kindExpired:         &loggedOutError{reason: seal.ErrExpired},
	kindBadCredentials:  mailtools.ErrBadCredentials,
	kindGone:            &mailtools.SyncError{Err: mailtools.ErrMessageGone},
	kindChanged:         &mailtools.SyncError{Err: mailtools.ErrInboxChanged},
	kindPartGone:        fmt.Errorf("forwarded part %q: %w", "2", mailmsg.ErrPartNotFound),
	kindBadRef:          mailtools.ErrBadRef,
	kindNotAttachment:   errNotAttachment,
	kindForwardTooLarge: errForwardTooLarge,
	kindRefused:         &mailtools.SMTPError{Command: "RCPT", Code: 550, Message: "no such user", Recipient: "nobody@example.org"},
	kindRefusedForNow:   &mailtools.SMTPError{Command: "RCPT", Code: 451, EnhancedCode: "4.3.0", Message: "try later"},
	kindInput:           &mailtools.InputError{Field: "to", Problem: "This is not a valid e-mail address.", Value: "ann@"},
	kindBadAddress:      mailmsg.ErrBadAddress,
	kindUnavailable:     &mailtools.UnavailableError{Addr: "x:1", Err: errors.New(secret)},
	kindProtocol:        &mailtools.ProtocolError{Command: "LIST", Reply: secret},
	kindTooLarge:        &http.MaxBytesError{Limit: 1},
	kindTooManyFields:   errTooManyFields,
	kindFieldTooLong:    errFieldTooLong,
	kindSlow:            errSlowBody,
	kindCutShort:        fmt.Errorf("%w: %w", errCutShort, io.ErrUnexpectedEOF),
}

// kindNames and actionNames name the subtests.
var (
	kindNames = []string{"unknown", "user", "logged out", "expired", "bad credentials", "gone", "changed",
		"part gone", "bad ref", "not attachment", "forward too large", "refused", "refused for now",
		"input", "bad address", "unavailable", "protocol", "too large",
		"too many fields", "field too long", "slow", "cut short"}
	actionNames = []string{"page", "view", "source", "prefill", "delete", "delete many", "login", "send", "save draft", "search"}
)

func TestKindOfNamesEveryKind(t *testing.T) {
	if len(kindNames) != int(kindCutShort)+1 || len(actionNames) != int(actSearch)+1 {
		t.Fatalf("name %d kinds and %d actions", kindCutShort+1, actSearch+1)
	}
	for k := kindUnknown; k <= kindCutShort; k++ {
		err, ok := errorOfKind[k]
		if !ok {
			t.Errorf("kind %d: no example error", k)
			continue
		}
		if got := kindOf(err); got != k {
			t.Errorf("kindOf(%v): got %d, want %d", err, got, k)
		}
		if got := kindOf(&actionError{act: actSend, err: err}); got != k {
			t.Errorf("kindOf(during a send: %v): got %d, want %d", err, got, k)
		}
	}
	// The SMTP server refusing the login is both a refusal and a bad
	// login: a send answers it as the refusal it is.
	both := fmt.Errorf("%w: %w", mailtools.ErrBadCredentials, &mailtools.SMTPError{Command: "AUTH", Code: 535})
	if got := kindOf(both); got != kindRefused {
		t.Errorf("kindOf(refused login): got %d, want %d", got, kindRefused)
	}
}

// tableServer is a server on a mail server with a seeded inbox, as the
// adapter needs it to reload the list.
func tableServer(t *testing.T) (*server, *signedIn) {
	t.Helper()
	h := newHarness(t)
	cfg := Config{
		POP: &mailtools.POP{Server: mailtools.Server{Addr: h.mail.POPAddr(), Security: mailtools.SecurityInsecure,
			DialTimeout: 2 * time.Second, CommandTimeout: 5 * time.Second}},
		SMTP:       &mailtools.SMTP{Server: mailtools.Server{Addr: h.mail.SMTPAddr(), Security: mailtools.SecurityInsecure}},
		Sealer:     h.sealer,
		ServerID:   "test",
		FromDomain: "example.org",
		Logger:     slog.New(slog.NewTextHandler(h.logs, nil)),
		Now:        h.clock,
		Location:   time.UTC,
	}
	if err := cfg.setDefaults(); err != nil {
		t.Fatal(err)
	}
	set := testLocales(t)
	s := &server{cfg: cfg, log: cfg.Logger, pages: testPages(t, set), locales: set, urls: urls{base: cfg.BasePath}}
	login, err := s.login(&cfg.Servers[0], aliceUser, alicePass, "Alice", set.Default())
	if err != nil {
		t.Fatal(err)
	}
	return s, login
}

// TestEveryProblemRenders walks the error table: each row's error, met
// while doing the row's action, is answered with the row's status and
// message, on the page that keeps what the row says.
func TestEveryProblemRenders(t *testing.T) {
	s, login := tableServer(t)
	for key, p := range problems {
		t.Run(kindNames[key.kind]+" while "+actionNames[key.act], func(t *testing.T) {
			cause := errorOfKind[key.kind]
			draft := &composeForm{Token: login.token, To: "ann@example.org", Subject: "Kept", Body: "typed text", HadFiles: true}
			err := cause
			if key.act != actPage {
				err = &actionError{act: key.act, err: cause, login: login, page: 1,
					form: &loginFields{User: "bob"}, draft: draft}
			}
			status, _, msg := p.answer(err, key.act, &s.cfg, login.loc)
			if status == 0 || msg == "" {
				t.Fatalf("the row says status %d, message %q", status, msg)
			}
			if got := problemFor(key.kind, key.act); got.status != p.status || got.keep != p.keep || got.cause != p.cause {
				t.Errorf("problemFor: got another row, %+v", got)
			}
			rec := httptest.NewRecorder()
			s.fail(rec, httptest.NewRequest("GET", "/view?t="+login.token, nil), err)
			if rec.Code != status {
				t.Errorf("status: got %d, want %d", rec.Code, status)
			}
			body := rec.Body.String()
			if strings.Contains(body, secret) {
				t.Error("the page shows the error's text")
			}
			d := parseDoc(t, body)
			want := msg
			if p.keep == keepDraft {
				want += " Files you had attached must be chosen again."
			}
			if got := d.alert(); got != want {
				t.Errorf("alert: got %q, want %q", got, want)
			}
			switch p.keep {
			case keepNothing:
				if !d.hasLink("Back to the inbox") || len(d.subjects()) != 0 {
					t.Errorf("not the error page:\n%s", body)
				}
			case keepRelogin:
				if len(d.inputs("password")) != 1 {
					t.Errorf("no login form:\n%s", body)
				}
			case keepList:
				if len(d.subjects()) == 0 {
					t.Errorf("no reloaded list:\n%s", body)
				}
			case keepLogin:
				if got := d.field("user"); got != "bob" {
					t.Errorf("user: got %q, want %q", got, "bob")
				}
			case keepDraft:
				for field, want := range map[string]string{"to": draft.To, "subject": draft.Subject, "body": draft.Body} {
					if got := d.field(field); got != want {
						t.Errorf("%s: got %q, want %q", field, got, want)
					}
				}
			}
		})
	}
}

// An error with no row of its own is answered by its action's row for
// unknown errors, else by its page row.
func TestProblemForFallsBack(t *testing.T) {
	tests := []struct {
		name string
		kind errKind
		act  action
		want problemKey
	}{
		{"server down during a view", kindUnavailable, actView, problemKey{kindUnavailable, actPage}},
		{"bad link during a delete", kindUser, actDelete, problemKey{kindUser, actPage}},
		{"unknown during a login", kindUnknown, actLogin, problemKey{kindUnknown, actPage}},
		{"logged out during a send", kindLoggedOut, actSend, problemKey{kindUnknown, actSend}},
		{"gone during a prefill", kindGone, actPrefill, problemKey{kindGone, actPrefill}},
		{"part gone on a page", kindPartGone, actPage, problemKey{kindUnknown, actPage}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, want := problemFor(tt.kind, tt.act), problems[tt.want]
			if got.status != want.status || got.keep != want.keep || got.cause != want.cause || got.advice != want.advice {
				t.Errorf("got %+v, want the row %v: %+v", got, tt.want, want)
			}
		})
	}
}
