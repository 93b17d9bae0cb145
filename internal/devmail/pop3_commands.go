package devmail

import (
	"bytes"
	"crypto/subtle"
	"fmt"
	"strings"
)

// handle runs one command line.
func (p *popSession) handle(line string) {
	cmd, arg := splitCommand(line)
	switch cmd {
	case "CAPA":
		p.capa()
		return
	case "QUIT":
		p.quit()
		return
	case "NOOP":
		p.reply("+OK")
		return
	}
	if p.box == nil {
		p.handleAuthorization(cmd, arg)
		return
	}
	switch cmd {
	case "STAT":
		n, size := p.totals()
		p.reply(fmt.Sprintf("+OK %d %d", n, size))
	case "LIST":
		p.list(arg)
	case "UIDL":
		p.uidl(arg)
	case "TOP":
		p.top(arg)
	case "RETR":
		p.retr(arg)
	case "DELE":
		p.dele(arg)
	case "RSET":
		clear(p.deleted)
		n, size := p.totals()
		p.reply(fmt.Sprintf("+OK maildrop has %d messages (%d octets)", n, size))
	case "USER", "PASS", "STLS", "APOP", "AUTH":
		p.reply("-ERR already logged in")
	default:
		p.reply("-ERR unknown command")
	}
}

// handleAuthorization runs a command before login.
func (p *popSession) handleAuthorization(cmd, arg string) {
	switch cmd {
	case "USER":
		if arg == "" {
			p.reply("-ERR USER needs a name")
			return
		}
		p.user = arg
		p.reply("+OK send PASS")
	case "PASS":
		p.pass(arg)
	case "STLS":
		switch {
		case p.srv.tlsConfig == nil:
			p.reply("-ERR STLS not available")
		case p.secure:
			p.reply("-ERR already using TLS")
		default:
			p.reply("+OK begin TLS negotiation")
			if err := p.startTLS(); err != nil {
				p.srv.log.Debug("devmail: POP3 STLS failed", "err", err)
				p.done = true
			}
		}
	case "STAT", "LIST", "UIDL", "TOP", "RETR", "DELE", "RSET":
		p.reply("-ERR log in first")
	default:
		p.reply("-ERR unknown command")
	}
}

// pass checks the password for the name given by USER and, if it is
// right, takes the snapshot the session works on.
func (p *popSession) pass(password string) {
	if p.user == "" {
		p.reply("-ERR send USER first")
		return
	}
	user := p.user
	p.user = ""
	p.srv.passes.Add(1)
	want, ok := p.srv.users[user]
	if !ok || subtle.ConstantTimeCompare([]byte(password), []byte(want)) != 1 {
		p.failures++
		p.srv.log.Info("devmail: POP3 login failed", "user", user)
		p.reply("-ERR [AUTH] invalid user name or password")
		if p.failures >= maxAuthFailures {
			p.done = true
		}
		return
	}
	p.box = p.srv.boxes[user]
	p.msgs = p.box.snapshot()
	p.deleted = make([]bool, len(p.msgs))
	p.srv.log.Debug("devmail: POP3 login", "user", user, "messages", len(p.msgs))
	n, size := p.totals()
	p.reply(fmt.Sprintf("+OK %s has %d messages (%d octets)", user, n, size))
}

// capa lists the capabilities for the session's current state.
func (p *popSession) capa() {
	caps := []string{"TOP"}
	if !p.srv.noUIDL {
		caps = append(caps, "UIDL")
	}
	caps = append(caps, "USER", "PIPELINING", "RESP-CODES", "AUTH-RESP-CODE")
	if p.srv.tlsConfig != nil && !p.secure && p.box == nil {
		caps = append(caps, "STLS")
	}
	caps = append(caps, "IMPLEMENTATION gomailcgi-devmail")
	p.reply("+OK capability list follows")
	for _, c := range caps {
		p.reply(c)
	}
	p.reply(".")
}

// quit ends the session; in the transaction state it first applies the
// DELE marks to the shared mailbox, by id.
func (p *popSession) quit() {
	p.done = true
	if p.box == nil {
		p.reply("+OK bye")
		return
	}
	gone := make(map[string]bool)
	for i, d := range p.deleted {
		if d {
			gone[p.msgs[i].uid] = true
		}
	}
	left := p.box.deleteUIDs(gone)
	p.reply(fmt.Sprintf("+OK bye (%d messages left)", left))
}

// totals counts the messages not marked deleted and their size.
func (p *popSession) totals() (n, size int) {
	for i, e := range p.msgs {
		if !p.deleted[i] {
			n++
			size += len(e.raw)
		}
	}
	return n, size
}

// message resolves a message-number argument to an index, or replies
// with an error and returns -1.
func (p *popSession) message(arg string) int {
	n, ok := parseNumber(arg)
	if !ok {
		p.reply("-ERR invalid message number")
		return -1
	}
	if n < 1 || n > len(p.msgs) {
		p.reply(fmt.Sprintf("-ERR no such message, only %d messages in maildrop", len(p.msgs)))
		return -1
	}
	if p.deleted[n-1] {
		p.reply(fmt.Sprintf("-ERR message %d already deleted", n))
		return -1
	}
	return n - 1
}

func (p *popSession) list(arg string) {
	if arg != "" {
		if i := p.message(arg); i >= 0 {
			p.reply(fmt.Sprintf("+OK %d %d", i+1, len(p.msgs[i].raw)))
		}
		return
	}
	n, size := p.totals()
	p.reply(fmt.Sprintf("+OK %d messages (%d octets)", n, size))
	for i, e := range p.msgs {
		if !p.deleted[i] {
			p.reply(fmt.Sprintf("%d %d", i+1, len(e.raw)))
		}
	}
	p.reply(".")
}

func (p *popSession) uidl(arg string) {
	if p.srv.noUIDL {
		p.reply("-ERR UIDL not supported")
		return
	}
	if arg != "" {
		if i := p.message(arg); i >= 0 {
			p.reply(fmt.Sprintf("+OK %d %s", i+1, p.msgs[i].uid))
		}
		return
	}
	p.reply("+OK unique-id listing follows")
	for i, e := range p.msgs {
		if !p.deleted[i] {
			p.reply(fmt.Sprintf("%d %s", i+1, e.uid))
		}
	}
	p.reply(".")
}

func (p *popSession) retr(arg string) {
	i := p.message(arg)
	if i < 0 {
		return
	}
	p.srv.retrs.Add(1)
	p.reply(fmt.Sprintf("+OK %d octets", len(p.msgs[i].raw)))
	p.writeDotStuffed(p.msgs[i].raw)
}

func (p *popSession) top(arg string) {
	num, lines, ok := strings.Cut(arg, " ")
	k, kok := parseNumber(lines)
	if !ok || !kok {
		p.reply("-ERR usage: TOP msg lines")
		return
	}
	i := p.message(num)
	if i < 0 {
		return
	}
	p.reply("+OK top of message follows")
	p.writeDotStuffed(topOf(p.msgs[i].raw, k))
}

func (p *popSession) dele(arg string) {
	i := p.message(arg)
	if i < 0 {
		return
	}
	p.deleted[i] = true
	p.reply(fmt.Sprintf("+OK message %d deleted", i+1))
}

// topOf returns the header of raw, the blank line after it and the first
// k lines of the body. A message without a blank line is all header.
func topOf(raw []byte, k int) []byte {
	var bodyStart int
	if bytes.HasPrefix(raw, []byte("\r\n")) {
		bodyStart = 2
	} else if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		bodyStart = i + 4
	} else {
		return raw
	}
	end := bodyStart
	for ; k > 0 && end < len(raw); k-- {
		j := bytes.IndexByte(raw[end:], '\n')
		if j < 0 {
			end = len(raw)
			break
		}
		end += j + 1
	}
	return raw[:end]
}

// parseNumber parses a decimal argument of 1 to 9 digits, nothing else:
// no sign, no spaces.
func parseNumber(s string) (int, bool) {
	if len(s) == 0 || len(s) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
