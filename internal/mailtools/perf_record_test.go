package mailtools

import (
	"context"
	"testing"

	"gomailcgi/internal/devmail"
	"gomailcgi/internal/record"
)

// BenchmarkListRecorded is a list page's POP conversation without a record
// (the explain panel off: no recording at all) and with one (on: one
// page's entries).
func BenchmarkListRecorded(b *testing.B) {
	for _, on := range []bool{false, true} {
		name := "off"
		if on {
			name = "on"
		}
		b.Run(name, func(b *testing.B) {
			pop := benchDevmail(b, func(box *devmail.Mailbox) {
				for i := 1; i <= 50; i++ {
					box.Add(numbered(i))
				}
			})
			b.ReportAllocs()
			for b.Loop() {
				ctx := context.Background()
				if on {
					ctx = record.With(ctx, record.New())
				}
				s, err := pop.Dial(ctx, Credentials{"ann", "pw"})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.List(ctx, 0, 20); err != nil {
					b.Fatal(err)
				}
				s.Close()
			}
		})
	}
}
