package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"net"
)

// scriptNameParam is the FastCGI parameter that carries the web server's
// SCRIPT_NAME to the handler. net/http/fcgi reads SCRIPT_NAME (and
// PATH_INFO) only to make the URL when there is no REQUEST_URI, and keeps
// neither in fcgi.ProcessEnv, so a handler cannot learn where the web
// server serves it. scriptNameListener copies it under this name, which
// ProcessEnv keeps.
const scriptNameParam = "GOMAILCGI_SCRIPT_NAME"

// FastCGI records (the FastCGI specification, section 3.3).
const (
	fcgiHeaderLen  = 8
	fcgiTypeParams = 4
	fcgiMaxContent = 65535
	// fcgiMaxParams bounds the parameters of one request kept while they
	// arrive; nginx sends a few kilobytes.
	fcgiMaxParams = 1 << 20
)

var errParamsTooLarge = errors.New("fcgi: request parameters too large")

// scriptNameListener is ln whose connections add scriptNameParam to each
// request's parameters, with the value of its SCRIPT_NAME ("" without
// one, so that a web server cannot set it apart from SCRIPT_NAME).
type scriptNameListener struct{ net.Listener }

func (l scriptNameListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &scriptNameConn{Conn: c, r: bufio.NewReader(c), params: map[uint16][]byte{}}, nil
}

// scriptNameConn passes every record through as it came but a request's
// parameters: those it gathers up to their closing empty record, then
// passes on as one stream with scriptNameParam added.
type scriptNameConn struct {
	net.Conn
	r      *bufio.Reader
	out    []byte            // records ready to be read
	params map[uint16][]byte // by request id: parameters so far
	err    error
}

func (c *scriptNameConn) Read(p []byte) (int, error) {
	for len(c.out) == 0 {
		if c.err != nil {
			return 0, c.err
		}
		c.out, c.err = c.next()
	}
	n := copy(p, c.out)
	c.out = c.out[n:]
	return n, nil
}

// next reads one record and returns what to pass on for it.
func (c *scriptNameConn) next() ([]byte, error) {
	var h [fcgiHeaderLen]byte
	if _, err := io.ReadFull(c.r, h[:]); err != nil {
		return nil, err
	}
	id, n := binary.BigEndian.Uint16(h[2:]), int(binary.BigEndian.Uint16(h[4:]))
	rec := make([]byte, fcgiHeaderLen+n+int(h[6]))
	copy(rec, h[:])
	if _, err := io.ReadFull(c.r, rec[fcgiHeaderLen:]); err != nil {
		return nil, io.ErrUnexpectedEOF
	}
	if h[1] != fcgiTypeParams {
		return rec, nil
	}
	if n > 0 {
		if len(c.params[id])+n > fcgiMaxParams {
			return nil, errParamsTooLarge
		}
		c.params[id] = append(c.params[id], rec[fcgiHeaderLen:fcgiHeaderLen+n]...)
		return nil, nil
	}
	params := c.params[id]
	delete(c.params, id)
	script, _ := paramValue(params, "SCRIPT_NAME")
	params = appendParam(params, scriptNameParam, script)
	return appendRecords(nil, h[0], fcgiTypeParams, id, params), nil
}

// paramValue is the value of the last pair named name in a stream of
// FastCGI name-value pairs.
func paramValue(params []byte, name string) (string, bool) {
	var value string
	found := false
	for len(params) > 0 {
		nl, rest, ok := pairLen(params)
		if !ok {
			break
		}
		vl, rest, ok := pairLen(rest)
		if !ok || uint64(len(rest)) < uint64(nl)+uint64(vl) {
			break
		}
		if string(rest[:nl]) == name {
			value, found = string(rest[nl:nl+vl]), true
		}
		params = rest[nl+vl:]
	}
	return value, found
}

// pairLen reads one length of a name-value pair: one byte below 128, else
// four with the top bit set.
func pairLen(b []byte) (uint32, []byte, bool) {
	switch {
	case len(b) > 0 && b[0]&0x80 == 0:
		return uint32(b[0]), b[1:], true
	case len(b) >= 4:
		return binary.BigEndian.Uint32(b) &^ (1 << 31), b[4:], true
	}
	return 0, nil, false
}

// appendParam appends one name-value pair.
func appendParam(b []byte, name, value string) []byte {
	for _, n := range []int{len(name), len(value)} {
		if n < 128 {
			b = append(b, byte(n))
		} else {
			b = binary.BigEndian.AppendUint32(b, uint32(n)|1<<31)
		}
	}
	return append(append(b, name...), value...)
}

// appendRecords appends content as records of typ, then the empty record
// that ends the stream.
func appendRecords(b []byte, version, typ byte, id uint16, content []byte) []byte {
	for {
		n := min(len(content), fcgiMaxContent)
		b = append(b, version, typ)
		b = binary.BigEndian.AppendUint16(b, id)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
		b = append(b, 0, 0) // no padding, reserved
		b = append(b, content[:n]...)
		content = content[n:]
		if n == 0 {
			return b
		}
	}
}
