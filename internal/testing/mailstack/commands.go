package mailstack

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// scriptTimeout bounds one run of scripts/mailstack.sh (fill of thousands
// of messages takes a few seconds).
const scriptTimeout = 2 * time.Minute

// Fill replaces user's inbox with n generated messages: POP message i has
// the Subject "Test message i of n" and a distinct Message-ID.
func (e Env) Fill(t testing.TB, user string, n int) {
	t.Helper()
	e.run(t, "fill", user, strconv.Itoa(n))
}

// Clear empties user's inbox.
func (e Env) Clear(t testing.TB, user string) {
	t.Helper()
	e.run(t, "clear", user)
}

// Put adds the message in file, byte for byte, as user's newest message.
func (e Env) Put(t testing.TB, user, file string) {
	t.Helper()
	e.run(t, "put", user, file)
}

// Drain waits until Postfix has delivered all accepted mail to the Maildirs
// (an SMTP "250" only means queued).
func (e Env) Drain(t testing.TB) {
	t.Helper()
	e.run(t, "drain")
}

// AddUser adds user with password pass, or changes the password; the user
// can log in as user or user@Domain and receives mail at user@Domain.
// e.Users is not updated.
func (e Env) AddUser(t testing.TB, user, pass string) {
	t.Helper()
	e.run(t, "adduser", user, pass)
}

// LockUser takes an exclusive lock on user for the test's lifetime, so
// that two test processes sharing one stack take turns with that user's
// mailbox; it waits up to a minute for the other to let go. The lock file
// lives in the stack's folder and goes with it.
func (e Env) LockUser(t testing.TB, user string) {
	t.Helper()
	dir := filepath.Join(e.Dir, "locks")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatalf("lock for %s: %v", user, err)
	}
	f, err := os.OpenFile(filepath.Join(dir, user+".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatalf("lock for %s: %v", user, err)
	}
	t.Cleanup(func() { f.Close() }) // closing releases the lock
	deadline := time.Now().Add(time.Minute)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) || time.Now().After(deadline) {
			t.Fatalf("lock for %s: %v", user, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// CertPool returns a pool holding only the stack's CA. If the CA file
// cannot be read the pool is empty, so that verification fails.
func (e Env) CertPool() *x509.CertPool {
	pool := x509.NewCertPool()
	if pem, err := os.ReadFile(e.CAFile); err == nil {
		pool.AppendCertsFromPEM(pem)
	}
	return pool
}

// TLSConfig returns a client TLS configuration that trusts only the stack's
// CA and expects its server name.
func (e Env) TLSConfig() *tls.Config {
	return &tls.Config{RootCAs: e.CertPool(), ServerName: e.TLSServerName, MinVersion: tls.VersionTLS12}
}

// run runs scripts/mailstack.sh with args against e's state directory.
func (e Env) run(t testing.TB, args ...string) {
	t.Helper()
	script, err := e.scriptPath()
	if err != nil {
		t.Fatalf("mailstack: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), scriptTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", append([]string{script}, args...)...)
	cmd.Env = append(os.Environ(), "MAILSTACK_DIR="+e.Dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("mailstack.sh %s: %v\n%s", args[0], err, out)
	}
}

// scriptPath finds scripts/mailstack.sh: in the module that holds the
// working directory (a test's package directory), else the one that
// started the stack.
func (e Env) scriptPath() (string, error) {
	if dir, err := os.Getwd(); err == nil {
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				s := filepath.Join(dir, "scripts", "mailstack.sh")
				if _, err := os.Stat(s); err == nil {
					return s, nil
				}
				break
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	if e.script == "" {
		return "", os.ErrNotExist
	}
	if _, err := os.Stat(e.script); err != nil {
		return "", err
	}
	return e.script, nil
}
