package render

import (
	"bufio"
	"html/template"
	"io"
	"strings"

	"gomailcgi/internal/mailmsg"
)

// documentStyle is the base style of the iframe document.
const documentStyle = `body{margin:0;padding:8px;font-family:sans-serif;font-size:15px;line-height:1.4;color:#222;background:#fff;overflow-wrap:break-word}` +
	`img{max-width:100%;height:auto}table{max-width:100%}pre{white-space:pre-wrap}` +
	`blockquote.quote{margin:0 0 0 .2em;padding-left:.6em;border-left:3px solid #99c}` +
	`.remote-blocked,.image-missing{display:inline-block;padding:0 .3em;border:1px dashed #999;color:#555;font-size:90%}`

// HTMLDocument wraps a sanitized body (View.HTML) in a complete, small
// HTML document in UTF-8 for the sandboxed iframe, titled with the
// message's subject and in its language (Content-Language, else "und":
// undetermined), the body its main landmark. On a page of its own (not
// framed) back links the message's page above the body, in the reader's
// language; nil in the frame. Serve it with HTMLContentSecurityPolicy.
func HTMLDocument(title, lang string, back *Back, body template.HTML) string {
	var b strings.Builder
	b.Grow(len(body) + 512)
	writeDocumentHead(&b, title, lang, back)
	b.WriteString(string(body))
	b.WriteString(documentTail)
	return b.String()
}

// WriteHTMLDocument writes the document HTMLDocument makes of a message
// whose body is the one HTML text read from r, in UTF-8 (see HTMLText),
// sanitizing the body as it reads it: the document's start goes out
// before r has been read to its end, and neither is held whole. It
// returns the first error of r or w; the document is then cut short and
// must not be taken as whole.
func WriteHTMLDocument(w *bufio.Writer, title, lang string, back *Back, r io.Reader, opt Options) error {
	writeDocumentHead(w, title, lang, back)
	// The head goes out at once: the browser lays out the page while the
	// body is on its way
	if err := w.Flush(); err != nil {
		return err
	}
	s := &sanitizer{allowRemote: opt.AllowRemote, cidURL: opt.CIDURL, imageLabel: opt.ImageLabel,
		cids: map[string]string{}, used: map[string]bool{}, policy: sharedPolicy()}
	if err := s.sanitizeTo(w, r); err != nil {
		return err
	}
	w.WriteString("\n" + documentTail)
	return w.Flush()
}

// HTMLText reads the body of a single-part HTML message, its transfer
// encoding undone, as UTF-8 text while it reads it, in the charset the
// part declares, else the one its <meta> declares, as Message reads it.
// ok is false when the charset needs the whole text read first
// (mailmsg.CharsetReader); the body may then have been read from.
func HTMLText(body io.Reader, charset string) (text io.Reader, ok bool) {
	br := bufio.NewReaderSize(body, 4096)
	if charset == "" {
		start, _ := br.Peek(4096) // a shorter body is all there
		charset = sniffHTMLCharset(start)
	}
	return mailmsg.CharsetReader(br, charset)
}

// documentTail ends the document after the body.
const documentTail = "</main></body></html>\n"

// writeDocumentHead writes the document up to its body.
func writeDocumentHead(b io.StringWriter, title, lang string, back *Back) {
	if !validLang(lang) {
		lang = "und"
	}
	b.WriteString(`<!DOCTYPE html>` + "\n" + `<html lang="` + lang + `"><head><meta charset="utf-8">`)
	b.WriteString(`<meta name="referrer" content="no-referrer"><meta name="viewport" content="width=device-width, initial-scale=1">`)
	b.WriteString(`<title>` + template.HTMLEscapeString(title) + `</title>`)
	b.WriteString(`<style>` + documentStyle + `</style></head><body>`)
	if back != nil {
		b.WriteString(`<nav aria-label="` + template.HTMLEscapeString(back.Label) + `" lang="` + template.HTMLEscapeString(back.Lang) +
			`" dir="` + template.HTMLEscapeString(back.Dir) + `"><p><a href="` + template.HTMLEscapeString(back.URL) + `">` +
			template.HTMLEscapeString(back.Text) + `</a></p></nav>`)
	}
	b.WriteString(`<main dir="auto">`) // the mail's own direction, whatever the reader's
}

// Back is the link above an HTML body on a page of its own, back to the
// message's page, in the reader's language (Lang, Dir "ltr" or "rtl"),
// which may not be the message's.
type Back struct {
	URL, Text, Label string
	Lang, Dir        string
}

// validLang accepts a BCP 47 tag's shape: letters, digits and hyphens.
func validLang(s string) bool {
	if len(s) < 2 || len(s) > 35 {
		return false
	}
	for _, c := range s {
		if !(c == '-' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// HTMLContentSecurityPolicy is the Content-Security-Policy for the iframe
// document: a second wall should the sanitizer ever miss something. Images
// load from the server itself (cid: parts) and data: URLs, and from the
// web only when allowRemote is set.
func HTMLContentSecurityPolicy(allowRemote bool) string {
	img := "img-src 'self' data:"
	if allowRemote {
		img += " https: http:"
	}
	return "default-src 'none'; " + img + "; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
}
