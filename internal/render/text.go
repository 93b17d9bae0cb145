package render

import (
	"html"
	"html/template"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxQuoteLevel caps the quote depth reported for a line.
const maxQuoteLevel = 20

// textBlocks splits a plain-text body into blocks of lines at one quote
// level. With flowed (RFC 3676) soft-broken lines are joined, and with
// delsp the space before each soft break is removed as well.
func textBlocks(text string, flowed, delsp bool) []TextBlock {
	// The text's last line end is not a line of its own. Lines are cut
	// from the text as they come, and stored in one array for all
	// blocks: a long text in short lines is held once, not copied.
	text = trimLineEnd(text)
	if text == "" {
		return nil
	}
	var blocks []TextBlock
	var starts []int // of each block in lines
	lines := make([]TextLine, 0, strings.Count(text, "\n")+1)
	add := func(level int, line string) {
		if n := len(blocks); n == 0 || blocks[n-1].Level != level {
			blocks = append(blocks, TextBlock{Level: level})
			starts = append(starts, len(lines))
		}
		lines = append(lines, TextLine{Segments: linkify(cleanLine(line))})
	}
	if flowed {
		unflow(text, delsp, add)
	} else {
		for rest, more := text, true; more; {
			var raw string
			raw, rest, more = cutLine(rest)
			level, content := quoteLevel(raw, true)
			add(level, content)
		}
	}
	for i := range blocks {
		end := len(lines)
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		blocks[i].Lines = lines[starts[i]:end:end]
	}
	return blocks
}

// trimLineEnd removes the text's last line end, LF or CRLF.
func trimLineEnd(text string) string {
	if t, ok := strings.CutSuffix(text, "\r\n"); ok {
		return t
	}
	return strings.TrimSuffix(text, "\n")
}

// cutLine cuts the first line from a text whose last line end is
// trimmed: the line without its line end, the rest, and whether there is
// more.
func cutLine(text string) (line, rest string, more bool) {
	line, rest, more = strings.Cut(text, "\n")
	if more {
		line = strings.TrimSuffix(line, "\r") // the CR of a CRLF
	}
	return strings.TrimSuffix(line, "\r"), rest, more
}

// unflow gives add the lines of a format=flowed text (RFC 3676) whose
// last line end is trimmed: soft-broken lines joined, space-stuffing
// removed, each line with its quote level apart. With delsp the space
// before each soft break is removed as well.
func unflow(text string, delsp bool, add func(level int, line string)) {
	var para strings.Builder // a flowed paragraph being joined
	paraLevel, inPara := 0, false
	for rest, more := text, true; more; {
		var raw string
		raw, rest, more = cutLine(rest)
		level, content := quoteLevel(raw, false)
		content = strings.TrimPrefix(content, " ") // space-stuffing
		if inPara && level != paraLevel {
			add(paraLevel, para.String()) // a quote level change ends a paragraph
			para.Reset()
			inPara = false
		}
		soft := strings.HasSuffix(content, " ") && content != "-- "
		if soft && delsp {
			content = content[:len(content)-1]
		}
		para.WriteString(content)
		paraLevel, inPara = level, true
		if !soft {
			add(level, para.String())
			para.Reset()
			inPara = false
		}
	}
	if inPara {
		add(paraLevel, para.String())
	}
}

// writtenText is the plain texts of a body as their writer wrote them,
// for a form that takes them back: a flowed text's soft line breaks
// undone and its quote marks written again ("> "), other texts as they
// are, apart by a blank line. It builds no structure per line, and one
// text that is not flowed is not even copied.
func writtenText(pieces []piece) string {
	var texts []piece
	size := 0
	for _, p := range pieces {
		if !p.html && p.text != "" {
			texts = append(texts, p)
			size += len(p.text) + 2
		}
	}
	if len(texts) == 1 && !texts[0].flowed {
		return texts[0].text
	}
	var b strings.Builder
	b.Grow(size)
	for _, p := range texts {
		if b.Len() > 0 {
			if !strings.HasSuffix(b.String(), "\n") {
				b.WriteByte('\n')
			}
			b.WriteByte('\n')
		}
		if !p.flowed {
			b.WriteString(p.text)
			continue
		}
		unflow(trimLineEnd(p.text), p.delsp, func(level int, line string) {
			for range level {
				b.WriteByte('>')
			}
			if level > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(line)
			b.WriteByte('\n')
		})
	}
	return b.String()
}

// quoteLevel counts the leading ">" marks of a line and returns the rest.
// Loose allows blanks between marks ("> > text") and removes one blank
// after the last one, as unformatted mail writes them.
func quoteLevel(line string, loose bool) (int, string) {
	level, i := 0, 0
	for i < len(line) {
		if line[i] == '>' {
			level++
			i++
			continue
		}
		if loose && line[i] == ' ' && i+1 < len(line) && line[i+1] == '>' && level > 0 {
			i++
			continue
		}
		break
	}
	rest := line[i:]
	if loose && level > 0 {
		rest = strings.TrimPrefix(rest, " ")
	}
	return min(level, maxQuoteLevel), rest
}

// cleanLine replaces control characters other than tab, which must not
// reach the page, with U+FFFD; NUL bytes are dropped.
func cleanLine(s string) string {
	if !strings.ContainsFunc(s, isBadControl) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == 0:
			return -1
		case isBadControl(r):
			return '\uFFFD'
		}
		return r
	}, s)
}

func isBadControl(r rune) bool {
	return r != '\t' && (unicode.IsControl(r) || r == '\u2028' || r == '\u2029')
}

// linkify splits a line into text and http(s) link segments; a blank
// line has none.
func linkify(line string) []Segment {
	if line == "" {
		return nil
	}
	var segs []Segment
	rest := line
	for {
		start, end := findURL(rest)
		if start < 0 {
			break
		}
		if start > 0 {
			segs = append(segs, Segment{Text: rest[:start]})
		}
		u := rest[start:end]
		segs = append(segs, Segment{Text: u, URL: u})
		rest = rest[end:]
	}
	if rest != "" || len(segs) == 0 {
		segs = append(segs, Segment{Text: rest})
	}
	return segs
}

// findURL finds the first http or https URL in s, or returns -1.
func findURL(s string) (start, end int) {
	for from := 0; from < len(s); {
		i := indexFold(s[from:], "http")
		if i < 0 {
			return -1, -1
		}
		i += from
		from = i + 4
		if r, _ := utf8.DecodeLastRuneInString(s[:i]); i > 0 && (r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			continue
		}
		rest := s[i+4:]
		switch {
		case len(rest) >= 4 && (rest[0] == 's' || rest[0] == 'S') && rest[1:4] == "://":
		case len(rest) >= 3 && rest[:3] == "://":
		default:
			continue
		}
		j := i
		for j < len(s) && !isURLStop(s[j]) {
			j++
		}
		j = i + trimURLTail(s[i:j])
		if u := s[i:j]; validLinkURL(u) {
			return i, j
		}
	}
	return -1, -1
}

// indexFold is strings.Index for an ASCII lower-case needle, ignoring the
// case of ASCII letters in s (byte offsets are kept, unlike ToLower).
func indexFold(s, needle string) int {
	for i := 0; i+len(needle) <= len(s); i++ {
		ok := true
		for j := 0; j < len(needle); j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != needle[j] {
				ok = false
				break
			}
		}
		if ok {
			return i
		}
	}
	return -1
}

func isURLStop(c byte) bool {
	return c <= ' ' || c == '<' || c == '>' || c == '"' || c == '`' || c == 0x7f
}

// maxURLLen bounds the length of a URL that is made a link.
const maxURLLen = 8 << 10

// trimURLTail drops trailing punctuation that usually ends a sentence
// rather than a URL, and closing brackets that were not opened in it.
func trimURLTail(u string) int {
	if len(u) > maxURLLen {
		return 0
	}
	opens := map[byte]int{')': strings.Count(u, "("), ']': strings.Count(u, "[")}
	closes := map[byte]int{')': strings.Count(u, ")"), ']': strings.Count(u, "]")}
	n := len(u)
	for n > 0 {
		c := u[n-1]
		switch c {
		case '.', ',', ';', ':', '!', '?', '\'', '*':
		case ')', ']':
			if opens[c] >= closes[c] {
				return n
			}
			closes[c]--
		default:
			return n
		}
		n--
	}
	return 0
}

// textHTML renders text blocks as escaped HTML with links: a div per
// unquoted block and a blockquote with classes "quote quote-N" (N capped
// at 9) per quoted block; links carry rel="noopener noreferrer". Lines are
// separated by newlines, so the container needs white-space: pre-wrap.
func textHTML(blocks []TextBlock) template.HTML {
	var b strings.Builder
	for _, blk := range blocks {
		if blk.Level == 0 {
			b.WriteString(`<div class="text">`)
		} else {
			lv := strconv.Itoa(min(blk.Level, 9))
			b.WriteString(`<blockquote class="quote quote-` + lv + `">`)
		}
		for i, ln := range blk.Lines {
			if i > 0 {
				b.WriteByte('\n')
			}
			for _, s := range ln.Segments {
				if s.URL == "" {
					b.WriteString(html.EscapeString(s.Text))
					continue
				}
				b.WriteString(`<a href="` + html.EscapeString(s.URL) + `" rel="noopener noreferrer" target="_blank">`)
				b.WriteString(html.EscapeString(s.Text))
				b.WriteString("</a>")
			}
		}
		if blk.Level == 0 {
			b.WriteString("</div>")
		} else {
			b.WriteString("</blockquote>")
		}
		b.WriteByte('\n')
	}
	return template.HTML(b.String())
}
