package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/seal"
)

// bareServer is a server with its pages and a sealer but no mail servers,
// logging into logs.
func bareServer(t *testing.T, logs *syncBuffer) *server {
	t.Helper()
	set := testLocales(t)
	keys, err := seal.RandomKeys()
	if err != nil {
		t.Fatal(err)
	}
	return &server{cfg: Config{Sealer: &seal.Sealer{Keys: keys}}, pages: testPages(t, set), locales: set, log: slog.New(slog.NewTextHandler(logs, nil))}
}

func TestFailMapsErrorsToPages(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantAlert  string
	}{
		{"unknown error", errors.New("secret internal detail"), 500, "Something went wrong on our side"},
		{"wrapped unknown", fmt.Errorf("x: %w", errors.New("secret internal detail")), 500, "Something went wrong"},
		{"user error", badRequest("That page number is not a number.", errors.New("secret internal detail")), 400, "That page number is not a number."},
		{"POP down", &mailtools.UnavailableError{Addr: "x:1", Err: errors.New("secret internal detail")}, 503, "could not be reached"},
		{"protocol", &mailtools.ProtocolError{Command: "LIST", Reply: "secret internal detail"}, 502, "did not expect"},
		{"gone", &mailtools.SyncError{Err: mailtools.ErrMessageGone}, 410, "no longer on the server"},
		{"changed", &mailtools.SyncError{Err: mailtools.ErrInboxChanged}, 409, "Your inbox changed"},
		{"bad ref", mailtools.ErrBadRef, 400, "does not name a message"},
		{"password changed", mailtools.ErrBadCredentials, 401, "no longer accepts your login"},
		{"too big", &http.MaxBytesError{Limit: 1}, 413, "larger than this site accepts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs syncBuffer
			s := bareServer(t, &logs)
			rec := httptest.NewRecorder()
			s.fail(rec, httptest.NewRequest("GET", "/list?t=x", nil), tt.err)
			if rec.Code != tt.wantStatus {
				t.Errorf("status: got %d, want %d", rec.Code, tt.wantStatus)
			}
			d := parseDoc(t, rec.Body.String())
			if got := d.alert(); !strings.Contains(got, tt.wantAlert) {
				t.Errorf("alert: got %q, want it to contain %q", got, tt.wantAlert)
			}
			if strings.Contains(rec.Body.String(), "secret internal detail") {
				t.Error("the page shows the error's text")
			}
			if tt.wantStatus == 500 && !strings.Contains(logs.String(), "secret internal detail") {
				t.Error("the unknown error is not logged")
			}
		})
	}
}

// A handler that panics answers with the generic 500 page; the panic and
// its stack go to the log, not to the page.
func TestPanicBecomesThe500Page(t *testing.T) {
	var logs syncBuffer
	s := bareServer(t, &logs)
	h := s.handle(func(w http.ResponseWriter, r *http.Request) error {
		var parts []string
		_ = parts[len(r.URL.Path)] // out of range: panics
		return errors.New("secret internal detail")
	})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/list", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("status: got %d, want 500", rec.Code)
	}
	if got := parseDoc(t, rec.Body.String()).alert(); !strings.Contains(got, "Something went wrong on our side") {
		t.Errorf("alert: got %q", got)
	}
	if strings.Contains(rec.Body.String(), "secret internal detail") || strings.Contains(rec.Body.String(), "goroutine") {
		t.Error("the page shows the panic")
	}
	if !strings.Contains(logs.String(), "index out of range") || !strings.Contains(logs.String(), "errors_test.go") {
		t.Errorf("the panic and its stack are not logged: %s", logs.String())
	}
}
