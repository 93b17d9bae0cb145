package floorpop

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gomailcgi/internal/testing/mailstack"
)

// Against the real Dovecot: the floor's conversations go through, and a
// message comes back byte for byte as long as the file that holds it.
func TestRealDovecot(t *testing.T) {
	env := mailstack.Require(t)
	const user, pass = "floorpop-real", "floorpop-pw1"
	env.LockUser(t, user)
	env.AddUser(t, user, pass)
	env.Fill(t, user, 60)
	raw := "From: a@example.test\r\nSubject: floor\r\n\r\n.a line with a dot\r\n" +
		strings.Repeat("body line\r\n", 1000)
	file := filepath.Join(t.TempDir(), "m.eml")
	if err := os.WriteFile(file, []byte(raw), 0o644); err != nil {
		t.Fatal(err)
	}
	env.Put(t, user, file)

	for page := 1; page <= 3; page++ {
		if err := ListPage(env.POP3, user, pass, page); err != nil {
			t.Errorf("ListPage %d: %v", page, err)
		}
	}
	n, err := Retr(env.POP3, user, pass, 61)
	if err != nil {
		t.Fatalf("Retr 61: %v", err)
	}
	if want := int64(len(raw) + 1); n != want { // the dot line comes stuffed
		t.Errorf("Retr 61 read %d bytes, want %d", n, want)
	}
	if _, err := Retr(env.POP3, user, pass, 62); err == nil || !strings.Contains(err.Error(), "RETR") {
		t.Errorf("Retr of a message that is not there: got %v, want a RETR error", err)
	}
	if err := ListPage(env.POP3, user, "wrong-pw", 1); err == nil || !strings.Contains(err.Error(), "PASS") {
		t.Errorf("wrong password: got %v, want a PASS error", err)
	}
}
