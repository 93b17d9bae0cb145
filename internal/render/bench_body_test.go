package render

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"testing"
)

// newsletters are HTML bodies of about size bytes in the shapes mail
// programs send: a digest of stories with links and remote pictures; a
// marketing mail of nested layout tables, every cell styled inline; and
// one full of hidden images (tracking pixels, spacers) and hidden
// preheader text.
func newsletters(size int) map[string]string {
	words := "the council met on tuesday to discuss plans for the new library – café Müllerstraße "
	digest := func(b *strings.Builder, i int) {
		fmt.Fprintf(b, `<tr><td class="story"><h2>Story %d: %s</h2>
<p><img src="https://news.example.com/img/story-%d.jpg" width="560" height="240" alt="Picture for story %d"></p>
<p>%s <a href="https://news.example.com/story/%d">read more</a>, or <b>reply</b> and tell us what you <em>think</em>.</p>
<ul><li>%s</li><li>%s</li></ul></td></tr>
`, i, words[:40], i, i, strings.Repeat(words, 4), i, words, words)
	}
	tables := func(b *strings.Builder, i int) {
		fmt.Fprintf(b, `<table role="presentation" width="100%%" cellpadding="0" cellspacing="0" border="0" bgcolor="#f4f4f4" style="border-collapse:collapse;max-width:600px;margin:0 auto">
<tr><td align="center" valign="top" style="padding:24px 16px;background-color:#ffffff;font-family:Helvetica,Arial,sans-serif;font-size:16px;line-height:24px;color:#333333">
<table width="100%%" cellpadding="0" cellspacing="0"><tr>
<td width="50%%" style="padding:0 8px;vertical-align:top"><font face="Arial" size="2" color="#555555">%s</font></td>
<td width="50%%" style="padding:0 8px;vertical-align:top;text-align:right"><span style="font-weight:bold;color:#0b5394">Offer %d</span> <a href="https://shop.example.com/p/%d?utm_source=mail&amp;utm_medium=news" style="color:#0b5394;text-decoration:underline">%s</a></td>
</tr></table></td></tr></table>
`, words, i, i, words[:30])
	}
	hidden := func(b *strings.Builder, i int) {
		fmt.Fprintf(b, `<div style="display:none;max-height:0;overflow:hidden;font-size:1px;line-height:1px;color:#ffffff">Preheader %d %s</div>
<img src="https://t.example.com/open/%d.gif" width="1" height="1" alt="" style="display:block;border:0">
<p style="margin:0 0 12px 0">%s<img src="https://cdn.example.com/spacer.gif" width="20" height="1" alt=""> <a href="https://t.example.com/click/%d">%s</a></p>
<img src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7" width="1" height="1" alt="">
`, i, words, i, strings.Repeat(words, 2), i, words[:20])
	}
	out := map[string]string{}
	for name, row := range map[string]func(*strings.Builder, int){"digest": digest, "tables": tables, "hidden": hidden} {
		var b strings.Builder
		b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"><style>td{padding:4px}</style></head><body><table>` + "\n")
		for i := 1; b.Len() < size; i++ {
			row(&b, i)
		}
		b.WriteString("</table></body></html>\n")
		out[name] = b.String()
	}
	return out
}

// BenchmarkBodySanitize sanitizes a 1 MB body of each newsletter shape,
// as the framed body does, into a writer that keeps nothing.
func BenchmarkBodySanitize(b *testing.B) {
	for _, name := range []string{"digest", "tables", "hidden"} {
		body := newsletters(1 << 20)[name]
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				s := &sanitizer{cids: map[string]string{}, used: map[string]bool{}, policy: sharedPolicy()}
				w := bufio.NewWriter(io.Discard)
				if err := s.sanitizeTo(w, strings.NewReader(body)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
