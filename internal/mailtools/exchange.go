package mailtools

import (
	"bytes"
	"context"
	"io"
	"strings"
)

// command is one POP3 command of an exchange and what to do with its
// reply.
type command struct {
	line string // without CRLF
	// multi: a "+OK" reply has a body. With limit > 0, at most limit
	// bytes of it are read into reply.data; with 0 it is left unread in
	// reply.body, for the last command of an exchange to hand out as a
	// stream (Session.inflight). What the callback leaves is read past.
	multi bool
	limit int64
	// reply is called with the reply, "+OK" or "-ERR". An error it
	// returns ends the exchange.
	reply func(r reply) error
}

// reply is the server's answer to one command.
type reply struct {
	text  string     // after "+OK"
	err   error      // a *replyError for "-ERR"; nil for "+OK"
	data  []byte     // the body read for the callback; valid during the call only
	whole bool       // data is the whole body, not cut at the limit
	body  *dotReader // the body left unread (limit 0)
}

// verb is the command's first word: what an error may name, never its
// arguments (PASS has a password).
func (c command) verb() string {
	v, _, _ := strings.Cut(c.line, " ")
	return v
}

// exchange sends the commands and gives each reply to its command's
// callback, in order: every command in one write when pipelined (the
// server offers PIPELINING, RFC 2449), else each after the reply before
// it. A callback's error ends the exchange and is returned: after a
// "-ERR" the session stays in step (the replies still owed are read past,
// unseen); after anything else it hangs up. A reply that is neither
// "+OK" nor "-ERR", or a lost connection, hangs up too.
func (s *Session) exchange(ctx context.Context, pipelined bool, cmds ...command) error {
	if err := s.ready(); err != nil {
		return err
	}
	stop := s.c.watch(ctx)
	defer stop()
	if pipelined {
		var b []byte
		for _, c := range cmds {
			b = append(append(b, c.line...), "\r\n"...)
		}
		if err := s.c.write(b); err != nil {
			return s.wrap("pipeline", err)
		}
	}
	var buf []byte // one buffer for every body read: a callback keeps no bytes
	for i, c := range cmds {
		if !pipelined {
			if err := s.c.write([]byte(c.line + "\r\n")); err != nil {
				return s.wrap(c.verb(), err)
			}
		}
		r, err := s.read(c, buf)
		if err != nil {
			return err
		}
		buf = r.data
		if err := c.reply(r); err != nil {
			if !isReply(err) {
				s.abort()
				return err
			}
			if pipelined {
				if rerr := s.readPast(cmds[i+1:]); rerr != nil {
					return rerr
				}
			}
			return err
		}
		if r.body != nil && s.inflight != r.body {
			if err := r.body.drain(); err != nil {
				return s.wrap(c.verb(), err)
			}
		}
	}
	return nil
}

// read reads the reply to c, and its body as c asks, into buf[:0].
func (s *Session) read(c command, buf []byte) (reply, error) {
	text, err := s.c.readReply(c.verb())
	if err != nil && !isReply(err) {
		return reply{}, s.wrap(c.verb(), err)
	}
	r := reply{text: text, err: err, data: buf[:0]}
	if !c.multi || err != nil {
		return r, nil
	}
	d := newDotReader(s.c.br)
	if c.limit == 0 {
		r.body = d
		return r, nil
	}
	w := bytes.NewBuffer(buf[:0])
	_, err = w.ReadFrom(io.LimitReader(d, c.limit+1))
	if err != nil {
		return reply{}, s.wrap(c.verb(), err)
	}
	r.data, r.whole = w.Bytes(), int64(w.Len()) <= c.limit
	if !r.whole {
		r.data = r.data[:c.limit]
		if err := d.drain(); err != nil {
			return reply{}, s.wrap(c.verb(), err)
		}
	}
	return r, nil
}

// readPast reads the replies owed to cmds and drops them.
func (s *Session) readPast(cmds []command) error {
	for _, c := range cmds {
		_, err := s.c.readReply(c.verb())
		if err != nil && !isReply(err) {
			return s.wrap(c.verb(), err)
		}
		if c.multi && err == nil {
			if err := newDotReader(s.c.br).drain(); err != nil {
				return s.wrap(c.verb(), err)
			}
		}
	}
	return nil
}

// simple is a command whose "-ERR" is its error, and whose "+OK" says
// nothing more.
func simple(line string) command {
	return command{line: line, reply: func(r reply) error { return r.err }}
}
