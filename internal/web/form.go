package web

import (
	"net/url"
	"strings"
)

// composeForm is everything the compose form posts, text and files. It
// comes back into the form whenever sending fails, so nothing typed is lost
// (files excepted: a browser cannot be given files to re-attach).
type composeForm struct {
	Token                      string
	To, Cc, Bcc, Subject, Body string
	InReplyTo                  string   // Message-ID replied to, hidden field
	References                 string   // space-separated Message-IDs, hidden field
	Forward                    string   // reference of the message forwarded, hidden field "fwd"
	ForwardParts               []string // part ids of its attachments to send along
	Page                       int      // list page to return to
	Copy                       bool     // keep a copy in the sender's inbox
	SaveDraft                  bool     // the Save draft button, not Send
	DraftRef                   string   // the draft this message continues, hidden field "draft_of"
	Lang                       string   // the language the form was shown in, hidden field "lang": a login that ran out meanwhile comes back in it
	Files                      []upload
	HadFiles                   bool // files were chosen (and are lost if the form comes back)

	addresses []string // suggested for To, Cc and Bcc when the form opens; never posted
}

// upload is one file from the form's file input, held in memory.
type upload struct {
	Filename    string
	ContentType string
	Data        []byte
}

// Form field limits. A message body may be long; the rest are short; and
// all text fields together stay within maxFormText.
const (
	maxBodyField  = 4 << 20
	maxShortField = 64 << 10
	maxFormText   = maxBodyField + 16*maxShortField
)

// composeFromValues reads the form's text fields.
func composeFromValues(v url.Values) composeForm {
	f := composeForm{
		Token:        params(v).token(),
		To:           oneLine(v.Get("to")),
		Cc:           oneLine(v.Get("cc")),
		Bcc:          oneLine(v.Get("bcc")),
		Subject:      oneLine(v.Get("subject")),
		Body:         normalizeNewlines(v.Get("body")),
		InReplyTo:    oneLine(v.Get("inreplyto")),
		References:   oneLine(v.Get("references")),
		Forward:      oneLine(v.Get("fwd")),
		ForwardParts: v["fwdpart"],
		Copy:         v.Get("copy") == "1",
		SaveDraft:    v.Get("action") == "draft",
		DraftRef:     oneLine(v.Get("draft_of")),
		Lang:         oneLine(v.Get(paramLang)),
	}
	f.Page, _ = params(v).page() // 0 when it is not a number, as the compose page has it
	return f
}

// oneLine keeps a header-bound field on one line: line breaks would be
// header injection, so they become spaces.
func oneLine(s string) string {
	return strings.TrimSpace(strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ", "\x00", "").Replace(s))
}

// normalizeNewlines turns a textarea's CRLF into LF.
func normalizeNewlines(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// forwarding reports whether a forward part with this id is selected.
func (f *composeForm) forwarding(id string) bool {
	for _, p := range f.ForwardParts {
		if p == id {
			return true
		}
	}
	return false
}
