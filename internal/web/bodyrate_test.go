package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// byteAtATime hands out one byte per read.
type byteAtATime struct{ r io.Reader }

func (b byteAtATime) Read(p []byte) (int, error) { return b.r.Read(p[:1]) }
func (b byteAtATime) Close() error               { return nil }

func TestPaceReader(t *testing.T) {
	tests := []struct {
		name     string
		perRead  time.Duration // clock advance per read
		deadline time.Duration
		want     error
	}{
		{"fast", time.Millisecond, time.Hour, nil},
		{"trickle", time.Second, time.Hour, errSlowBody}, // 1 byte a second
		{"steady but past the deadline", time.Millisecond, 50 * time.Millisecond, errSlowBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			rec := httptest.NewRecorder()
			p := &paceReader{rc: byteAtATime{bytes.NewReader(bytes.Repeat([]byte("x"), 100))},
				ctl: http.NewResponseController(rec), stall: 10 * time.Second, minRate: 4096, deadline: tt.deadline,
				now: func() time.Time { now = now.Add(tt.perRead); return now }}
			_, err := io.ReadAll(p)
			if !errors.Is(err, tt.want) && err != tt.want {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

// A send whose body stalls is answered before the server's read timeout,
// with the draft that did arrive.
func TestSendStalledBodyKeepsTheDraft(t *testing.T) {
	h := newHarness(t, webOption(func(c *Config) { c.BodyStall = 300 * time.Millisecond }))
	tok := freshComposeToken(t, h, h.login())
	raw, ct, fileAt := multipartBody(t, [][2]string{{"t", tok}, {"to", "bob@example.org"}, {"body", "slow words"}}, "a.bin", 1000)
	pr, pw := io.Pipe()
	go pw.Write(raw[:fileAt+10]) // then nothing more
	defer pw.Close()
	res := h.sendRaw(pr, ct, int64(len(raw)))
	if res.status != http.StatusRequestTimeout {
		t.Fatalf("status %d, want 408", res.status)
	}
	d := parseDoc(t, res.body)
	if got := d.field("body"); got != "slow words" {
		t.Errorf("body: got %q", got)
	}
	if a := d.alert(); !strings.Contains(a, "too slowly") {
		t.Errorf("alert: got %q", a)
	}
}
