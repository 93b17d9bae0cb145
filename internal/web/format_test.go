package web

import (
	"strings"
	"testing"
	"time"
)

func TestContentDisposition(t *testing.T) {
	tests := []struct{ kind, name, want string }{
		{"attachment", "report.pdf", `attachment; filename=report.pdf`},
		{"inline", "my notes.txt", `inline; filename="my notes.txt"`},
		{"attachment", "aperçu des pages.csv", `attachment; filename="aper_u des pages.csv"; filename*=utf-8''aper%C3%A7u%20des%20pages.csv`},
		{"attachment", `say "hi"\.txt`, `attachment; filename="say \"hi\"\\.txt"`},
		{"attachment", "100%.txt", `attachment; filename=100%.txt`},
		{"attachment", "日本.txt", `attachment; filename=__.txt; filename*=utf-8''%E6%97%A5%E6%9C%AC.txt`},
		{"attachment", "a\r\nb", `attachment; filename=a__b; filename*=utf-8''a%0D%0Ab`},
	}
	for _, tt := range tests {
		if got := contentDisposition(tt.kind, tt.name); got != tt.want {
			t.Errorf("contentDisposition(%q, %q): got %q, want %q", tt.kind, tt.name, got, tt.want)
		}
	}
}

func TestDownloadName(t *testing.T) {
	tests := []struct{ filename, ct, id, want string }{
		{"a.pdf", "application/pdf", "2", "a.pdf"},
		{"../../etc/passwd", "text/plain", "2", ".._.._etc_passwd"},
		{"", "text/plain", "1.2", "part-1.2.txt"},
		{"", "application/x-unknown-thing", "3", "part-3.bin"},
		{"  ", "image/png", "4", "part-4.png"},
	}
	for _, tt := range tests {
		if got := downloadName(tt.filename, tt.ct, tt.id); got != tt.want {
			t.Errorf("downloadName(%q, %q, %q): got %q, want %q", tt.filename, tt.ct, tt.id, got, tt.want)
		}
	}
}

func TestTextFilename(t *testing.T) {
	tests := []struct{ subject, want string }{
		{"Huge", "Huge.txt"},
		{"Re: a/b\\c", "Re: a_b_c.txt"},
		{"", "message.txt"},
		{" ... ", "message.txt"},
		{"evil\u202Etxt.exe", "eviltxt.exe.txt"},
		{"tab\tand\r\nnewline", "tab and newline.txt"},
		{strings.Repeat("ü", 60), strings.Repeat("ü", 50) + ".txt"},
	}
	for _, tt := range tests {
		if got := textFilename(tt.subject); got != tt.want {
			t.Errorf("textFilename(%q): got %q, want %q", tt.subject, got, tt.want)
		}
	}
}

func TestSafeContentType(t *testing.T) {
	tests := []struct{ in, want string }{
		{"text/plain; charset=utf-8", "text/plain"},
		{"IMAGE/PNG", "image/png"},
		{"garbage", "application/octet-stream"},
		{"", "application/octet-stream"},
	}
	for _, tt := range tests {
		if got := safeContentType(tt.in); got != tt.want {
			t.Errorf("safeContentType(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHumanSize(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {1023, "1,023 B"}, {1024, "1 KB"}, {1536, "2 KB"},
		{1 << 20, "1.0 MB"}, {25 << 20, "25 MB"},
	}
	for _, tt := range tests {
		if got := english(t).Size(tt.n); got != tt.want {
			t.Errorf("Size(%d): got %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestShortDate(t *testing.T) {
	now := time.Date(2026, 3, 28, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		d    time.Time
		want string
	}{
		{time.Date(2026, 3, 28, 8, 5, 0, 0, time.UTC), "08:05"},
		{time.Date(2026, 3, 2, 8, 5, 0, 0, time.UTC), "Mar\u00a02"},
		{time.Date(2025, 12, 31, 8, 5, 0, 0, time.UTC), "2025-12-31"},
		{time.Time{}, "unknown date"},
	}
	for _, tt := range tests {
		if got := shortDate(english(t), tt.d, now); got != tt.want {
			t.Errorf("shortDate(%v): got %q, want %q", tt.d, got, tt.want)
		}
	}
}
