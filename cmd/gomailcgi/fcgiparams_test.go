package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"net/http/fcgi"
	"strings"
	"testing"
)

// fcgiRecord is one FastCGI record, padded to 8 bytes as web servers do.
func fcgiRecord(typ byte, id uint16, content []byte) []byte {
	pad := -len(content) & 7
	b := []byte{1, typ, byte(id >> 8), byte(id), byte(len(content) >> 8), byte(len(content)), byte(pad), 0}
	return append(append(b, content...), make([]byte, pad)...)
}

// fcgiAsk sends one request whose parameters are split into records at
// the given offsets, and returns the response's stdout.
func fcgiAsk(t *testing.T, addr string, params [][2]string, splits ...int) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var pairs []byte
	for _, p := range params {
		pairs = appendParam(pairs, p[0], p[1])
	}
	req := fcgiRecord(1, 1, []byte{0, 1, 0, 0, 0, 0, 0, 0}) // BEGIN_REQUEST, responder
	last := 0
	for _, at := range append(splits, len(pairs)) {
		req = append(req, fcgiRecord(fcgiTypeParams, 1, pairs[last:at])...)
		last = at
	}
	req = append(req, fcgiRecord(fcgiTypeParams, 1, nil)...)
	req = append(req, fcgiRecord(5, 1, nil)...) // empty STDIN
	if _, err := c.Write(req); err != nil {
		t.Fatal(err)
	}
	all, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	for len(all) >= fcgiHeaderLen {
		n, pad := int(binary.BigEndian.Uint16(all[4:])), int(all[6])
		if all[1] == 6 { // STDOUT
			stdout.Write(all[fcgiHeaderLen : fcgiHeaderLen+n])
		}
		all = all[fcgiHeaderLen+n+pad:]
	}
	return stdout.String()
}

// The web server's SCRIPT_NAME reaches the handler through net/http/fcgi,
// which drops it, however the parameters are split into records; a
// GOMAILCGI_SCRIPT_NAME the web server sends itself counts for nothing.
func TestScriptNameReachesTheHandler(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go fcgi.Serve(scriptNameListener{ln}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "base="+fcgiBasePath(r)+";path="+r.URL.Path+";")
	}))
	long := "/" + strings.Repeat("l", 200)
	for _, tc := range []struct {
		name   string
		params [][2]string
		splits []int
		want   string
	}{
		{"split_path_info", [][2]string{{"REQUEST_METHOD", "GET"}, {"SERVER_PROTOCOL", "HTTP/1.1"}, {"REQUEST_URI", "/fcgi/list?page=2"},
			{"SCRIPT_NAME", "/fcgi"}, {"PATH_INFO", "/list"}, {"HTTP_HOST", "mail.example"}}, nil, "base=/fcgi;path=/fcgi/list;"},
		{"split inside a pair", [][2]string{{"REQUEST_METHOD", "GET"}, {"SERVER_PROTOCOL", "HTTP/1.1"}, {"REQUEST_URI", "/mail/view"},
			{"SCRIPT_NAME", "/mail"}, {"HTTP_HOST", "mail.example"}}, []int{3, 40, 41}, "base=/mail;path=/mail/view;"},
		{"a long SCRIPT_NAME", [][2]string{{"REQUEST_METHOD", "GET"}, {"SERVER_PROTOCOL", "HTTP/1.1"}, {"REQUEST_URI", long + "/list"},
			{"SCRIPT_NAME", long}, {"HTTP_HOST", "mail.example"}}, []int{30}, "base=" + long + ";path=" + long + "/list;"},
		{"a forged copy", [][2]string{{"REQUEST_METHOD", "GET"}, {"SERVER_PROTOCOL", "HTTP/1.1"}, {"REQUEST_URI", "/fcgi/list"},
			{scriptNameParam, "/fcgi"}, {"HTTP_HOST", "mail.example"}}, nil, "base=;path=/fcgi/list;"},
		{"a forged copy after it", [][2]string{{"REQUEST_METHOD", "GET"}, {"SERVER_PROTOCOL", "HTTP/1.1"}, {"REQUEST_URI", "/a/list"},
			{"SCRIPT_NAME", "/a"}, {scriptNameParam, "/b"}, {"HTTP_HOST", "mail.example"}}, nil, "base=/a;path=/a/list;"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := fcgiAsk(t, ln.Addr().String(), tc.params, tc.splits...); !strings.Contains(got, tc.want) {
				t.Errorf("the handler saw %q, want %q", got, tc.want)
			}
		})
	}
}

// Parameters past fcgiMaxParams end the connection instead of growing.
func TestScriptNameParamsBounded(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	c := &scriptNameConn{Conn: server, r: bufio.NewReader(server), params: map[uint16][]byte{}}
	go func() {
		chunk := fcgiRecord(fcgiTypeParams, 1, make([]byte, fcgiMaxContent))
		for range fcgiMaxParams/fcgiMaxContent + 2 {
			if _, err := client.Write(chunk); err != nil {
				return
			}
		}
	}()
	_, err := c.Read(make([]byte, 1))
	if err != errParamsTooLarge {
		t.Errorf("got %v, want %v", err, errParamsTooLarge)
	}
	if kept := len(c.params[1]); kept > fcgiMaxParams {
		t.Errorf("kept %d bytes of parameters, more than %d", kept, fcgiMaxParams)
	}
}
