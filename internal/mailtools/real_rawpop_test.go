package mailtools

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"time"
)

// realRawPOP is a deliberately tiny POP3 client, independent of the code
// under test: the "other mail client" that changes a real mailbox behind
// mailtools' back, and the witness that reads what the server really holds.
// It talks plain POP3 (the stack allows USER/PASS without TLS) and returns
// errors rather than failing a test, so goroutines can use it.
type realRawPOP struct {
	c  net.Conn
	br *bufio.Reader
}

// realRawTimeout bounds every exchange of the raw client.
const realRawTimeout = 20 * time.Second

// dialRealRaw connects to addr and logs in with USER and PASS. A refused
// login comes back as an error holding the server's "-ERR" line.
func dialRealRaw(addr, user, pass string) (*realRawPOP, error) {
	c, err := net.DialTimeout("tcp", addr, realRawTimeout)
	if err != nil {
		return nil, err
	}
	r := &realRawPOP{c: c, br: bufio.NewReader(c)}
	if _, err := r.reply(); err != nil {
		c.Close()
		return nil, fmt.Errorf("greeting: %w", err)
	}
	if _, err := r.cmd("USER " + user); err != nil {
		c.Close()
		return nil, err
	}
	if _, err := r.cmd("PASS " + pass); err != nil {
		c.Close()
		return nil, err
	}
	return r, nil
}

// reply reads one status line and returns the text after "+OK".
func (r *realRawPOP) reply() (string, error) {
	r.c.SetDeadline(time.Now().Add(realRawTimeout))
	line, err := r.br.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if rest, ok := strings.CutPrefix(line, "+OK"); ok {
		return strings.TrimSpace(rest), nil
	}
	return "", fmt.Errorf("server said %q", line)
}

// cmd sends one command and reads its one-line reply.
func (r *realRawPOP) cmd(line string) (string, error) {
	r.c.SetDeadline(time.Now().Add(realRawTimeout))
	if _, err := r.c.Write([]byte(line + "\r\n")); err != nil {
		return "", err
	}
	return r.reply()
}

// multi sends a command with a multi-line answer and returns the body,
// dot-stuffing removed, with CRLF line ends.
func (r *realRawPOP) multi(line string) ([]byte, error) {
	if _, err := r.cmd(line); err != nil {
		return nil, err
	}
	var body bytes.Buffer
	for {
		l, err := r.br.ReadString('\n')
		if err != nil {
			return nil, err
		}
		if l == ".\r\n" {
			return body.Bytes(), nil
		}
		body.WriteString(strings.TrimPrefix(l, "."))
	}
}

// stat returns the number of messages.
func (r *realRawPOP) stat() (int, error) {
	text, err := r.cmd("STAT")
	if err != nil {
		return 0, err
	}
	n, _, _ := strings.Cut(text, " ")
	return strconv.Atoi(n)
}

// messageID reads message n's Message-ID with TOP n 0.
func (r *realRawPOP) messageID(n int) (string, error) {
	head, err := r.multi(fmt.Sprintf("TOP %d 0", n))
	if err != nil {
		return "", err
	}
	m, err := mail.ReadMessage(bytes.NewReader(head))
	if err != nil {
		return "", fmt.Errorf("TOP %d: %w", n, err)
	}
	id := m.Header.Get("Message-Id")
	if id == "" {
		return "", fmt.Errorf("TOP %d: no Message-ID", n)
	}
	return id, nil
}

// messageIDs lists every message's Message-ID in POP order.
func (r *realRawPOP) messageIDs() ([]string, error) {
	n, err := r.stat()
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, n)
	for i := 1; i <= n; i++ {
		id, err := r.messageID(i)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// quit commits the session's deletions.
func (r *realRawPOP) quit() error {
	defer r.c.Close()
	_, err := r.cmd("QUIT")
	return err
}

// close hangs up without QUIT: nothing is committed.
func (r *realRawPOP) close() { r.c.Close() }

// realMailboxIDs is a one-session snapshot of a mailbox's Message-IDs in
// POP order.
func realMailboxIDs(addr, user, pass string) ([]string, error) {
	r, err := dialRealRaw(addr, user, pass)
	if err != nil {
		return nil, err
	}
	ids, err := r.messageIDs()
	if err != nil {
		r.close()
		return nil, err
	}
	return ids, r.quit()
}

// realRawDelete deletes the messages at nums (as numbered at login) in
// one raw session and returns their Message-IDs.
func realRawDelete(addr, user, pass string, nums ...int) ([]string, error) {
	r, err := dialRealRaw(addr, user, pass)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, n := range nums {
		id, err := r.messageID(n)
		if err == nil {
			_, err = r.cmd(fmt.Sprintf("DELE %d", n))
		}
		if err != nil {
			r.close()
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, r.quit()
}
