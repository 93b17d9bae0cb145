package web

import (
	"context"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"gomailcgi/internal/devmail"
)

// TestBrowserHostileMailWithScriptsOn opens every hostile message, and a
// page of script vectors, in a browser that runs script (the worst case),
// and watches through the DevTools protocol: no dialog opens, and no
// request leaves for any host but the site.
func TestBrowserHostileMailWithScriptsOn(t *testing.T) {
	b := requireDevtools(t)
	h := newHarness(t, mailOption(func(c *devmail.Config) { c.Seed = os.DirFS("../../testdata/render") }))
	tr := newTracker(t)
	vectors := scriptVectors()
	addHTMLMail(h, "Scripts everywhere", hostileHTML(vectors, func(v scriptVector) string { return v.markup(tr.url("/pwned-" + v.name)) }))
	site, _ := url.Parse(h.srv.URL)
	list, _ := h.list(h.login(), 1)
	subjects := list.subjects()
	if len(subjects) < 20 {
		t.Fatalf("listed %d hostile messages, want them all", len(subjects))
	}
	for _, subject := range subjects {
		t.Run(subject, func(t *testing.T) {
			reqs, dialogs := b.watch(siteURL(h, list.viewLink(subject)))
			for _, r := range reqs {
				if u, err := url.Parse(r); err != nil || (u.Host != site.Host && u.Scheme != "data") {
					t.Errorf("a request left for another host: %s", redactToken(r))
				}
			}
			for _, d := range dialogs {
				t.Errorf("a dialog opened: %q", d)
			}
			if len(reqs) == 0 {
				t.Error("no request logged at all: the log does not work")
			}
		})
	}
	if got, _ := tr.take(); len(got) != 0 {
		t.Errorf("the tracker was reached %d times", len(got))
	}
}

// watch loads url with script on, dismisses any dialog, and returns every
// request the page and its frames made, and the dialogs' messages.
func (d devtools) watch(link string) (requests, dialogs []string) {
	d.t.Helper()
	ctx, cancel := chromedp.NewContext(d.ctx)
	defer cancel()
	var mu sync.Mutex
	err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			requests = append(requests, e.Request.URL)
		case *cdppage.EventJavascriptDialogOpening:
			dialogs = append(dialogs, e.Message)
			go chromedp.Call(ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: false})
		}
	})
	if err == nil {
		_, err = chromedp.Call(ctx, network.Enable, network.EnableParams{})
	}
	if err == nil {
		_, err = chromedp.Call(ctx, cdppage.Enable, cdppage.EnableParams{})
	}
	if err == nil {
		tctx, tcancel := context.WithTimeout(ctx, browserTimeout)
		err = chromedp.Do(tctx, chromedp.Navigate(link))
		tcancel()
	}
	if err != nil {
		d.t.Fatalf("load %s: %v", redactToken(link), err)
	}
	mu.Lock()
	defer mu.Unlock()
	return append([]string(nil), requests...), append([]string(nil), dialogs...)
}

// The control: watch does see a dialog and a request to another host.
func TestBrowserWatchSeesScriptsAndRequests(t *testing.T) {
	b := requireDevtools(t)
	tr := newTracker(t)
	reqs, dialogs := b.watch(servePlain(t, `<script>alert("hello")</script><img src="`+tr.url("/seen.png")+`" alt="">`))
	if len(dialogs) != 1 || dialogs[0] != "hello" {
		t.Errorf("dialogs: got %q, want the alert", dialogs)
	}
	if !slices.ContainsFunc(reqs, func(r string) bool { return strings.HasSuffix(r, "/seen.png") }) {
		t.Errorf("requests: got %q, want the tracker's image", reqs)
	}
}
