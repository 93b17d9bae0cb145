package devmail

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"time"
)

// maxCommandLine bounds one POP3 command line, CRLF included. RFC 2449
// allows 255 octets; a little slack costs nothing.
const maxCommandLine = 512

// maxAuthFailures is how many wrong passwords a session may send before
// it is closed.
const maxAuthFailures = 3

// errLineTooLong reports a command line over maxCommandLine.
var errLineTooLong = errors.New("devmail: command line too long")

// servePOP accepts POP3 connections until the listener is closed.
func (s *Server) servePOP() {
	defer s.wg.Done()
	for {
		c, err := s.popLn.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				s.log.Error("devmail: POP3 accept", "err", err)
			}
			return
		}
		if !s.popConns.add(c) {
			c.Close()
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.popConns.remove(c)
			defer c.Close()
			newPOPSession(s, c).serve()
		}()
	}
}

// popSession is one POP3 connection. Its state is touched only by the
// goroutine that serves it.
type popSession struct {
	srv    *Server
	conn   net.Conn
	r      *bufio.Reader
	w      *bufio.Writer
	secure bool // STLS done

	user     string // name given by USER, cleared by a failed PASS
	failures int

	// Transaction state, set by a successful PASS.
	box     *Mailbox
	msgs    []entry // snapshot taken at login
	deleted []bool  // marks from DELE, by index
	done    bool    // QUIT received or session must end
}

func newPOPSession(srv *Server, c net.Conn) *popSession {
	return &popSession{
		srv:  srv,
		conn: c,
		r:    bufio.NewReaderSize(c, 4096),
		w:    bufio.NewWriterSize(c, 32*1024),
	}
}

// serve runs the command loop. Answers to pipelined commands are written
// together: the buffer is flushed only when no more input is waiting.
func (p *popSession) serve() {
	p.srv.log.Debug("devmail: POP3 connect", "remote", p.conn.RemoteAddr().String())
	p.reply("+OK gomailcgi devmail POP3 server ready")
	for !p.done {
		if p.r.Buffered() == 0 {
			if err := p.flush(); err != nil {
				return
			}
		}
		line, err := p.readLine()
		switch {
		case errors.Is(err, errLineTooLong):
			p.reply("-ERR command line too long")
			continue
		case isTimeout(err):
			p.reply("-ERR idle timeout, closing connection")
			p.flush()
			return
		case err != nil:
			// Dropped connection: any DELE marks are forgotten.
			return
		}
		p.handle(line)
	}
	p.flush()
}

// readLine reads one command line without its line ending. A line longer
// than maxCommandLine is read to its end and reported as errLineTooLong.
// The whole line must arrive within the idle timeout.
func (p *popSession) readLine() (string, error) {
	if err := p.conn.SetReadDeadline(time.Now().Add(p.srv.idleTimeout)); err != nil {
		return "", err
	}
	var line []byte
	tooLong := false
	for {
		chunk, err := p.r.ReadSlice('\n')
		if !tooLong {
			line = append(line, chunk...)
			if len(line) > maxCommandLine {
				tooLong, line = true, nil
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil {
			return "", err
		}
		break
	}
	if tooLong {
		return "", errLineTooLong
	}
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	return string(line), nil
}

// reply queues one response line.
func (p *popSession) reply(line string) {
	p.w.WriteString(line)
	p.w.WriteString("\r\n")
}

// writeDotStuffed queues data as the body of a multi-line response: every
// line starting with '.' gets another '.', lines are never split, and the
// terminating ".\r\n" follows.
func (p *popSession) writeDotStuffed(data []byte) {
	for len(data) > 0 {
		if data[0] == '.' {
			p.w.WriteByte('.')
		}
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			// Stored messages always end in CRLF; be safe anyway.
			p.w.Write(data)
			p.w.WriteString("\r\n")
			break
		}
		p.w.Write(data[:i+1])
		data = data[i+1:]
	}
	p.w.WriteString(".\r\n")
}

// flush sends queued responses within the idle timeout.
func (p *popSession) flush() error {
	if err := p.conn.SetWriteDeadline(time.Now().Add(p.srv.idleTimeout)); err != nil {
		return err
	}
	return p.w.Flush()
}

// startTLS upgrades the connection after "+OK" to STLS. Input the client
// sent before the handshake is discarded, so nothing typed in plain text
// can be taken as a command of the secure session.
func (p *popSession) startTLS() error {
	if err := p.flush(); err != nil {
		return err
	}
	tc := tls.Server(p.conn, p.srv.tlsConfig)
	if err := tc.SetDeadline(time.Now().Add(p.srv.idleTimeout)); err != nil {
		return err
	}
	if err := tc.Handshake(); err != nil {
		return err
	}
	p.conn = tc
	p.r = bufio.NewReaderSize(tc, 4096)
	p.w = bufio.NewWriterSize(tc, 32*1024)
	p.secure = true
	return nil
}

// isTimeout reports whether err is a network timeout.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// splitCommand splits a command line into its upper-cased keyword and the
// rest of the line after the first space.
func splitCommand(line string) (cmd, arg string) {
	cmd, arg, _ = strings.Cut(line, " ")
	return strings.ToUpper(cmd), arg
}
