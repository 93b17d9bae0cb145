package web

import (
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/testing/mailstack"
)

// largeAttachment is the decoded size of the large message's attachment;
// with its base64 and the text the message is 100 MB.
const largeAttachment = 75 << 20

// TestRealLargeMessage opens a 100 MB message (a short text and a 75 MB
// attachment) in a real Dovecot mailbox: the view shows the text and the
// attachment's name and size, and the download gives the original bytes,
// and a reply quotes the text, each with the heap under 32 MB above what
// it was at rest. It does not
// run in parallel, so the heap it watches is the site's alone.
func TestRealLargeMessage(t *testing.T) {
	env := mailstack.Require(t)
	user := realUser(t, env, "webreallarge")
	file := filepath.Join(t.TempDir(), "large.eml")
	want := writeLargeMessage(t, file)
	env.Put(t, user, file)
	site := newRealHarness(t, env, realServer(env, env.POP3, mailtools.SecurityInsecure))
	tok := site.loginAs(user, realPass, "")
	list, res := site.list(tok, 1)
	if res.status != http.StatusOK {
		t.Fatalf("list: status %d", res.status)
	}
	link := list.viewLink("Holiday photos, all of them")

	const limit = 32 << 20
	var view response
	grew := heapGrowth(t, func() { view = site.get(link) })
	t.Logf("view of a %d MB message: heap +%.1f MB", 100, mb(grew))
	if view.status != http.StatusOK {
		t.Fatalf("view: status %d\n%s", view.status, view.body)
	}
	d := parseDoc(t, view.body)
	if body := plainBody(d); !strings.Contains(body, "the photos are attached") {
		t.Errorf("view: the text is not shown; got %q", body)
	}
	if !d.hasLink("photos.tar") || !strings.Contains(view.body, "75 MB") {
		t.Errorf("view: the attachment is not listed with its size:\n%s", view.body)
	}
	if grew > limit {
		t.Errorf("view: heap grew by %.1f MB, want under %.0f MB", mb(grew), mb(limit))
	}

	var reply *doc
	grew = heapGrowth(t, func() { reply = site.page(d.link("Reply"), http.StatusOK) })
	if body := reply.field("body"); !strings.Contains(body, "> the photos are attached.") {
		t.Errorf("reply: the text is not quoted; got %q", body)
	}
	if grew > limit {
		t.Errorf("reply: heap grew by %.1f MB, want under %.0f MB", mb(grew), mb(limit))
	}

	var got [sha256.Size]byte
	var n int64
	grew = heapGrowth(t, func() { n, got = site.download(d.link("photos.tar")) })
	t.Logf("download of its %d MB attachment: heap +%.1f MB", largeAttachment>>20, mb(grew))
	if n != largeAttachment || got != want {
		t.Errorf("download: got %d bytes (sha256 %x), want the %d original bytes (%x)", n, got, largeAttachment, want)
	}
	if grew > limit {
		t.Errorf("download: heap grew by %.1f MB, want under %.0f MB", mb(grew), mb(limit))
	}
}

// writeLargeMessage writes the large message to file and returns the
// SHA-256 of its attachment's decoded bytes; nothing is held whole.
func writeLargeMessage(t *testing.T, file string) [sha256.Size]byte {
	t.Helper()
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("From: Ann Lee <ann@example.net>\r\nSubject: Holiday photos, all of them\r\n" +
		"Date: Mon, 30 Nov 2026 10:00:00 +0000\r\nMessage-ID: <large@example.net>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"sep\"\r\n\r\n" +
		"--sep\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello,\r\n\r\nthe photos are attached.\r\n\r\nAnn\r\n" +
		"--sep\r\nContent-Type: application/x-tar\r\nContent-Disposition: attachment; filename=\"photos.tar\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n")
	sum := sha256.New()
	rng := rand.NewPCG(1, 2)
	chunk := make([]byte, 57*1024) // whole base64 lines
	line := make([]byte, 76)
	for left := largeAttachment; left > 0; left -= len(chunk) {
		chunk = chunk[:min(len(chunk), left)]
		for i := range chunk {
			chunk[i] = byte(rng.Uint64())
		}
		sum.Write(chunk)
		for rest := chunk; len(rest) > 0; rest = rest[min(57, len(rest)):] {
			in := rest[:min(57, len(rest))]
			base64.StdEncoding.Encode(line, in)
			w.Write(line[:base64.StdEncoding.EncodedLen(len(in))])
			w.WriteString("\r\n")
		}
	}
	w.WriteString("--sep--\r\n")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return [sha256.Size]byte(sum.Sum(nil))
}

// heapGrowth runs f and returns how far the heap (live objects and garbage
// not yet collected) rose above its size at rest while f ran, sampled
// every millisecond.
func heapGrowth(t *testing.T, f func()) uint64 {
	t.Helper()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	runtime.GC()
	idle := read()
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			peak = max(peak, read())
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	})
	f()
	close(stop)
	wg.Wait()
	peak = max(peak, read())
	return peak - min(peak, idle)
}

// download streams a site path to its end and returns the length and
// SHA-256 of the body, without holding it.
func (h *harness) download(path string) (int64, [sha256.Size]byte) {
	h.t.Helper()
	res, err := h.client.Get(h.srv.URL + path)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		h.t.Fatalf("GET %s: status %d", strings.SplitN(path, "?", 2)[0], res.StatusCode)
	}
	sum := sha256.New()
	n, err := io.Copy(sum, res.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return n, [sha256.Size]byte(sum.Sum(nil))
}
