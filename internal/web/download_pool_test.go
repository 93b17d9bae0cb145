package web

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Four downloads that the browser does not read hold none of the
// sessions the user's pages need: the user's list still answers while
// they are open.
func TestSlowDownloadsLeaveTheList(t *testing.T) {
	h := newHarness(t)
	tok := h.login()
	// Far more than the socket buffers between the site and a browser
	// that reads nothing take: each download stays in the middle.
	data := bytes.Repeat([]byte("0123456789abcdef"), (12<<20)/16)
	h.addMail(aliceUser, "Big file", "--b\r\nContent-Type: text/plain\r\n\r\nThe file.\r\n"+
		"--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=big.bin\r\n"+
		"Content-Transfer-Encoding: base64\r\n\r\n"+base64Lines(data)+"--b--",
		"MIME-Version: 1.0", `Content-Type: multipart/mixed; boundary="b"`)
	view := h.viewOn(tok, "Big file")
	paths := []string{view.link("big.bin"), view.link("Download (.eml)"), view.link("big.bin"), view.link("Download (.eml)")}

	started := make(chan bool, len(paths)) // a download's headers came
	var wg sync.WaitGroup
	var conns []net.Conn
	for _, p := range paths {
		c, err := net.Dial("tcp", h.srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		c.(*net.TCPConn).SetReadBuffer(16 << 10)
		conns = append(conns, c)
		u, _ := url.Parse(p)
		if _, err := c.Write([]byte("GET " + u.RequestURI() + " HTTP/1.1\r\nHost: test\r\n\r\n")); err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			// Only the headers are read: the body waits for a reader.
			res, err := http.ReadResponse(bufio.NewReaderSize(c, 4096), nil)
			if err == nil && res.StatusCode == http.StatusOK {
				started <- true
			}
		})
	}
	defer wg.Wait()
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()

	// Wait until every download holds a POP session, or waits for one.
	holding := 0
	for i := 0; holding+waitingForSession() < len(paths); i++ {
		select {
		case <-started:
			holding++
			continue
		default:
		}
		if i == 10000 {
			t.Fatalf("%d downloads started, %d wait for a session; want all four in one or the other", holding, waitingForSession())
		}
		time.Sleep(time.Millisecond)
	}
	t.Logf("%d downloads stream, %d wait for a session", holding, len(paths)-holding)

	_, res := h.list(tok, 1)
	if res.status != http.StatusOK {
		t.Errorf("the list with four downloads open: status %d, want 200", res.status)
	}
}

// waitingForSession counts the goroutines waiting for one of a user's POP
// sessions.
func waitingForSession() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "[select") && strings.Contains(g, "mailtools.(*POP).take(") {
			n++
		}
	}
	return n
}

// base64Lines is data in base64 lines of 76 characters, each with CRLF.
func base64Lines(data []byte) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(enc) > 0 {
		n := min(76, len(enc))
		b.WriteString(enc[:n] + "\r\n")
		enc = enc[n:]
	}
	return b.String()
}
