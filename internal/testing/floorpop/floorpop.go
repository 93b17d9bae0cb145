// Package floorpop is the floor of the performance tests: a minimal raw
// POP3 client that sends the POP3 commands a page of the site needs and
// does nothing else with the answers. What it takes is the least any POP3
// webmail could take for that page, so the site's time is measured
// against it. It talks plain POP3 (USER/PASS without TLS), reads every
// reply to its end, and never prints anything.
package floorpop

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// PageSize is how many rows a list page shows (the site's default).
const PageSize = 50

// Timeout bounds the dial and every reply.
const Timeout = 20 * time.Second

// ListPage does what list page page (1-based, newest first) asks of the
// server: greeting, CAPA, USER, PASS, STAT, then for each of the page's
// rows UIDL n, LIST n and TOP n 0, all in one write, every reply read in
// full, then QUIT.
func ListPage(addr, user, pass string, page int) error {
	if page < 1 {
		return fmt.Errorf("floorpop: page %d", page)
	}
	c, count, err := login(addr, user, pass)
	if err != nil {
		return err
	}
	defer c.nc.Close()
	first := count - (page-1)*PageSize
	last := max(first-PageSize+1, 1)
	if first >= 1 {
		var b bytes.Buffer
		for n := first; n >= last; n-- {
			fmt.Fprintf(&b, "UIDL %d\r\nLIST %d\r\nTOP %d 0\r\n", n, n, n)
		}
		if err := c.write(b.Bytes()); err != nil {
			return err
		}
		for n := first; n >= last; n-- {
			if _, err := c.status("UIDL"); err != nil {
				return err
			}
			if _, err := c.status("LIST"); err != nil {
				return err
			}
			if _, err := c.multi("TOP"); err != nil {
				return err
			}
		}
	}
	return c.quit()
}

// Retr reads message n whole: greeting, CAPA, USER, PASS, STAT, RETR n
// read to its end, QUIT. It returns the bytes of the message as the
// server sent them (dot-stuffed, without the final ".\r\n").
func Retr(addr, user, pass string, n int) (int64, error) {
	_, size, err := RetrFirst(addr, user, pass, n)
	return size, err
}

// RetrFirst is Retr that also returns how long it took from its start
// (the dial) to the first byte of the message, after RETR's "+OK" line:
// the earliest a client of the server could show any of the message.
func RetrFirst(addr, user, pass string, n int) (first time.Duration, size int64, err error) {
	start := time.Now()
	c, _, err := login(addr, user, pass)
	if err != nil {
		return 0, 0, err
	}
	defer c.nc.Close()
	if err := c.write([]byte("RETR " + strconv.Itoa(n) + "\r\n")); err != nil {
		return 0, 0, err
	}
	if _, err := c.status("RETR"); err != nil {
		return 0, 0, err
	}
	if _, err := c.br.Peek(1); err != nil {
		return 0, 0, fmt.Errorf("floorpop: RETR body: %w", err)
	}
	first = time.Since(start)
	if size, err = c.body("RETR"); err != nil {
		return first, size, err
	}
	return first, size, c.quit()
}

// Headers reads the header block of every message, newest first, as a
// search does: greeting, CAPA, USER, PASS, STAT, then TOP n 0 for every
// message, pipelined without pause (one goroutine writes the commands
// while the replies are read), every reply read in full, then QUIT. It
// returns the messages read and the bytes of their headers.
func Headers(addr, user, pass string) (count int, size int64, err error) {
	c, count, err := login(addr, user, pass)
	if err != nil {
		return 0, 0, err
	}
	defer c.nc.Close()
	wrote := make(chan error, 1)
	go func() {
		var b bytes.Buffer
		for n := count; n >= 1; n-- {
			fmt.Fprintf(&b, "TOP %d 0\r\n", n)
			if b.Len() >= 8<<10 || n == 1 {
				if _, err := c.nc.Write(b.Bytes()); err != nil {
					wrote <- err
					return
				}
				b.Reset()
			}
		}
		wrote <- nil
	}()
	c.nc.SetDeadline(time.Now().Add(Timeout))
	for n := count; n >= 1; n-- {
		k, err := c.multi("TOP")
		if err != nil {
			return 0, size, err
		}
		size += k
	}
	if err := <-wrote; err != nil {
		return 0, size, err
	}
	return count, size, c.quit()
}

// conn is one POP3 connection.
type conn struct {
	nc net.Conn
	br *bufio.Reader
}

// login connects and runs greeting, CAPA, USER, PASS and STAT, one at a
// time as a client that knows nothing of the server does; it returns the
// message count.
func login(addr, user, pass string) (*conn, int, error) {
	nc, err := net.DialTimeout("tcp", addr, Timeout)
	if err != nil {
		return nil, 0, err
	}
	c := &conn{nc: nc, br: bufio.NewReaderSize(nc, 32<<10)}
	count, err := c.start(user, pass)
	if err != nil {
		nc.Close()
		return nil, 0, err
	}
	return c, count, nil
}

func (c *conn) start(user, pass string) (int, error) {
	if _, err := c.status("greeting"); err != nil {
		return 0, err
	}
	if err := c.write([]byte("CAPA\r\n")); err != nil {
		return 0, err
	}
	if _, err := c.multi("CAPA"); err != nil {
		return 0, err
	}
	for _, cmd := range []string{"USER " + user, "PASS " + pass} {
		if err := c.write([]byte(cmd + "\r\n")); err != nil {
			return 0, err
		}
		verb, _, _ := strings.Cut(cmd, " ")
		if _, err := c.status(verb); err != nil {
			return 0, err
		}
	}
	if err := c.write([]byte("STAT\r\n")); err != nil {
		return 0, err
	}
	text, err := c.status("STAT")
	if err != nil {
		return 0, err
	}
	f, _, _ := strings.Cut(text, " ")
	count, err := strconv.Atoi(f)
	if err != nil || count < 0 {
		return 0, fmt.Errorf("floorpop: STAT: %q", text)
	}
	return count, nil
}

// write sends bytes within Timeout.
func (c *conn) write(b []byte) error {
	c.nc.SetDeadline(time.Now().Add(Timeout))
	_, err := c.nc.Write(b)
	return err
}

// status reads one status line within Timeout and returns the text after
// "+OK"; "-ERR" or anything else is an error naming what it answered.
func (c *conn) status(what string) (string, error) {
	c.nc.SetDeadline(time.Now().Add(Timeout))
	line, err := c.br.ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("floorpop: %s: %w", what, err)
	}
	line = strings.TrimRight(line, "\r\n")
	rest, ok := strings.CutPrefix(line, "+OK")
	if !ok {
		return "", fmt.Errorf("floorpop: %s: server said %q", what, line)
	}
	return strings.TrimSpace(rest), nil
}

// multi reads a status line and the multi-line body after it, up to the
// line "." (the body's "\r\n.\r\n" end), and returns the body's length.
// The body is read within Timeout from the status line's start.
func (c *conn) multi(what string) (int64, error) {
	if _, err := c.status(what); err != nil {
		return 0, err
	}
	return c.body(what)
}

// body reads a multi-line body after its status line, up to the line ".",
// and returns its length.
func (c *conn) body(what string) (int64, error) {
	var n int64
	lineStart := true
	for {
		line, err := c.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull { // a line longer than the buffer
			n += int64(len(line))
			lineStart = false
			continue
		}
		if err != nil {
			return n, fmt.Errorf("floorpop: %s body: %w", what, err)
		}
		if lineStart && string(line) == ".\r\n" {
			return n, nil
		}
		n += int64(len(line))
		lineStart = true
	}
}

// quit says QUIT and reads its answer.
func (c *conn) quit() error {
	if err := c.write([]byte("QUIT\r\n")); err != nil {
		return err
	}
	_, err := c.status("QUIT")
	return err
}
