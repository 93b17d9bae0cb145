package mailtools

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"gomailcgi/internal/devmail"
)

func benchDevmail(b *testing.B, add func(box *devmail.Mailbox)) *POP {
	b.Helper()
	srv, err := devmail.Start(devmail.Config{Users: map[string]string{"ann": "pw"}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	add(srv.Mailbox("ann"))
	return &POP{Server: Server{Addr: srv.POPAddr(), Security: SecurityInsecure, CommandTimeout: 30 * time.Second}}
}

// BenchmarkListPage lists a page of 50 from a small and a large mailbox.
// The client asks only for the page's rows either way (the transcript in
// TestListPipelinesOnlyThePageRows pins the commands); what grows with the
// mailbox here is the in-process demo server's snapshot at each login.
func BenchmarkListPage(b *testing.B) {
	for _, size := range []int{100, 5000} {
		b.Run(fmt.Sprintf("mailbox=%d", size), func(b *testing.B) {
			pop := benchDevmail(b, func(box *devmail.Mailbox) {
				for i := 1; i <= size; i++ {
					box.Add(numbered(i))
				}
			})
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				s, err := pop.Dial(ctx, Credentials{"ann", "pw"})
				if err != nil {
					b.Fatal(err)
				}
				l, err := s.List(ctx, size/2, 50)
				if err != nil || len(l.Messages) != 50 {
					b.Fatalf("List: %d rows, %v", len(l.Messages), err)
				}
				s.Close()
			}
		})
	}
}

// BenchmarkOpenStream100MB streams a 100 MB message; B/op shows the
// memory it takes is not the message's size.
func BenchmarkOpenStream100MB(b *testing.B) {
	const size = 100 << 20
	line := append(bytes.Repeat([]byte("0123456789abcdef"), 4), '\r', '\n')
	raw := []byte("From: a@example.test\r\nSubject: big\r\n\r\n")
	for len(raw) < size {
		raw = append(raw, line...)
	}
	pop := benchDevmail(b, func(box *devmail.Mailbox) { box.Add(raw) })
	ctx := context.Background()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		s, err := pop.Dial(ctx, Credentials{"ann", "pw"})
		if err != nil {
			b.Fatal(err)
		}
		l, err := s.List(ctx, 0, 1)
		if err != nil {
			b.Fatal(err)
		}
		r, err := s.Open(ctx, l.Messages[0].Ref)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, r)
		if err != nil || n != int64(len(raw)) {
			b.Fatalf("streamed %d bytes, %v; want %d", n, err, len(raw))
		}
		s.Close()
	}
}
