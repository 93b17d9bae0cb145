package web

import (
	"net/http"
	"strings"

	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/render"
)

// fetchMessage fetches one message, sync-checked, in a POP session of its
// own: for pages that need a message but not the session after it.
func (s *server) fetchMessage(r *http.Request, ss *session, refText string) (*mailtools.Message, error) {
	ref, err := mailtools.ParseRef(refText)
	if err != nil {
		return nil, err
	}
	sess, err := s.cfg.POP.Dial(r.Context(), ss.cred())
	if err != nil {
		return nil, err
	}
	defer sess.Close()
	return sess.Fetch(r.Context(), ref)
}

// renderPlain renders a message preferring its plain-text body, as the
// compose form quotes it.
func renderPlain(raw []byte) *render.View {
	return render.Render(raw, render.Options{PreferPlain: true})
}

// plainText is a rendered text body as plain text again, quote marks
// restored, for quoting in a reply or forward.
func plainText(v *render.View) string {
	if v == nil {
		return ""
	}
	if v.IsHTML || len(v.Text) == 0 {
		if v.HasHTML {
			return "[This message has only an HTML body, which is not quoted here.]"
		}
		return ""
	}
	var b strings.Builder
	for _, block := range v.Text {
		prefix := strings.Repeat(">", block.Level)
		if prefix != "" {
			prefix += " "
		}
		for _, line := range block.Lines {
			b.WriteString(prefix)
			for _, seg := range line.Segments {
				b.WriteString(seg.Text)
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// partLabel names an attachment for people: "report.pdf (application/pdf, 12 KB)".
func partLabel(p render.Part) string {
	name := p.Filename
	if name == "" {
		name = "Unnamed part " + p.ID
	}
	detail := p.ContentType
	if p.Size >= 0 {
		detail += ", " + humanSize(p.Size)
	}
	return name + " (" + detail + ")"
}
