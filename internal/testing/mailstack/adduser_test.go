package mailstack

import (
	"bufio"
	"crypto/rand"
	"fmt"
	"net"
	"net/smtp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// popLogin logs in with USER and PASS and says QUIT; it returns the first
// reply that is not +OK as an error.
func popLogin(addr, user, pass string) error {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	r := bufio.NewReader(c)
	for _, cmd := range []string{"", "USER " + user, "PASS " + pass, "QUIT"} {
		if cmd != "" {
			fmt.Fprintf(c, "%s\r\n", cmd)
		}
		line, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		if !strings.HasPrefix(line, "+OK") {
			what, _, _ := strings.Cut(cmd, " ")
			return fmt.Errorf("%s: %q", what, strings.TrimSpace(line))
		}
	}
	return nil
}

// rcptAccepted asks the SMTP port whether it takes mail for rcpt, and
// sends none.
func rcptAccepted(e Env, rcpt string) error {
	c, err := smtp.Dial(e.SMTP)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("mailstack-test.invalid"); err != nil {
		return err
	}
	if err := c.Mail("x@" + e.Domain); err != nil {
		return err
	}
	if err := c.Rcpt(rcpt); err != nil {
		return err
	}
	return c.Reset()
}

// A user is ready when AddUser returns: Dovecot accepts the login and
// Postfix the mail at once, while other logins keep the servers busy. New
// users and changed passwords both; each password is new to the stack, so
// no earlier run's state can make this pass.
func TestAddUserIsReadyAtOnce(t *testing.T) {
	e := Require(t)
	const rounds = 50
	const busyUser, busyPass = "mailstack-busy", "busy-pw"
	e.AddUser(t, busyUser, busyPass)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var busyLogins, busyFailures atomic.Int64
	for range 3 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := popLogin(e.POP3, busyUser, busyPass); err != nil {
					busyFailures.Add(1)
					t.Errorf("login beside AddUser: %v", err)
				}
				busyLogins.Add(1)
			}
		})
	}

	run := rand.Text()[:8]
	for i := range rounds {
		// every fifth round changes the password of the round before
		user := fmt.Sprintf("mailstack-ready-%s-%02d", strings.ToLower(run), i)
		if i%5 == 4 {
			user = fmt.Sprintf("mailstack-ready-%s-%02d", strings.ToLower(run), i-1)
		}
		pass := "pw-" + rand.Text()[:12]
		e.AddUser(t, user, pass)
		if err := popLogin(e.POP3, user, pass); err != nil {
			t.Errorf("round %d: POP3 login of %s right after AddUser: %v", i, user, err)
		}
		if err := rcptAccepted(e, user+"@"+e.Domain); err != nil {
			t.Errorf("round %d: RCPT for %s right after AddUser: %v", i, user, err)
		}
	}
	close(stop)
	wg.Wait()
	if busyLogins.Load() == 0 {
		t.Error("no login ran beside AddUser")
	}
	t.Logf("%d rounds; %d logins beside them, %d failed", rounds, busyLogins.Load(), busyFailures.Load())
}
