package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"

	"gomailcgi/internal/mailmsg"
	"gomailcgi/internal/mailtools"
)

// errForwardTooLarge: the uploads and the forwarded parts together are
// larger than MaxUpload.
var errForwardTooLarge = errors.New("forwarded attachments too large")

// errNotAttachment: the form asks to forward a part that is not one of the
// original's attachments (its text, or no part at all). The original was
// found as it was listed, so it is the form that is wrong.
var errNotAttachment = errors.New("forwarded part is not an attachment")

// forwardAttachments reads the forwarded message again, sync-checked, and
// names the selected parts: only parts the original lists as its
// attachments, each once, and no more bytes, with the uploads, than
// MaxUpload. The parts stream, decoded, while the message is sent, all
// from one more RETR in the same POP session, in the order they lie in
// the original (see forwardSource): nothing is written to disk, and no
// more of the message is held in memory than a buffer.
func (s *server) forwardAttachments(r *http.Request, login *signedIn, f *composeForm) ([]mailtools.Attachment, error) {
	ref, err := mailtools.ParseRef(f.Forward)
	if err != nil {
		return nil, err
	}
	at := messageAt{login: login, ref: ref, page: f.Page}
	pop, o, err := s.readKeeping(r.Context(), at, actPage, false, quoteLimits) // only its attachments count
	if err != nil {
		return nil, err
	}
	src := &forwardSource{ctx: r.Context(), s: s, at: at, pop: pop}
	src.at.ref = o.ref
	listed := map[string]mailmsg.Part{}
	for _, a := range forwardable(login.loc, renderPlain(o.msg)) {
		listed[a.ID] = a
	}
	var total int64
	for _, u := range f.Files {
		total += int64(len(u.Data))
	}
	ids := slices.Clone(f.ForwardParts)
	slices.SortFunc(ids, mailmsg.ComparePartIDs)
	ids = slices.Compact(ids)
	var atts []mailtools.Attachment
	for _, id := range ids {
		want, ok := listed[id]
		if !ok {
			src.Close()
			return nil, errNotAttachment
		}
		if total += want.Size; total > s.cfg.MaxUpload {
			src.Close()
			return nil, errForwardTooLarge
		}
		atts = append(atts, mailtools.Attachment{Filename: want.Filename, ContentType: want.ContentType,
			Body: &forwardedPart{src: src, id: id}})
	}
	return atts, nil
}

// forwardSource is the forwarded message, read once more in the session
// that checked it: the RETR starts when the message being sent first reads
// a forwarded part, and each part after reads on from where the one
// before ended, so however many parts are forwarded, the original is
// sent by the POP server once more.
type forwardSource struct {
	ctx  context.Context
	s    *server
	at   messageAt
	pop  *mailtools.Session
	walk *mailmsg.PartWalker
}

// open returns the decoded body of part id, which must lie after the part
// opened before (forwardAttachments sorts them). A part inside the one
// before cannot be read on to: it is read from a session of its own.
func (src *forwardSource) open(id string) (body io.Reader, own *mailtools.Session, err error) {
	if src.walk == nil {
		st, err := src.pop.Open(src.ctx, src.at.ref)
		if err != nil {
			return nil, nil, err
		}
		src.walk = mailmsg.NewPartWalker(st)
	}
	_, body, err = src.walk.Open(id)
	if errors.Is(err, mailmsg.ErrPartPassed) {
		pop, raw, err := src.s.openStream(src.ctx, src.at, actPage)
		if err != nil {
			return nil, nil, err
		}
		if _, body, err = mailmsg.OpenPart(raw, id); err != nil {
			pop.Close()
			return nil, nil, fmt.Errorf("forwarded part %q: %w", id, err)
		}
		return body, pop, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("forwarded part %q: %w", id, err)
	}
	return body, nil, nil
}

// Close ends the session.
func (src *forwardSource) Close() error {
	if src.pop == nil {
		return nil
	}
	err := src.pop.Close()
	src.pop = nil
	return err
}

// forwardedPart is one forwarded part, opened when the message being
// sent first reads it.
type forwardedPart struct {
	src  *forwardSource
	id   string
	body io.Reader
	own  *mailtools.Session // a part read apart, see forwardSource.open
	err  error
}

func (p *forwardedPart) Read(b []byte) (int, error) {
	if p.body == nil && p.err == nil {
		p.body, p.own, p.err = p.src.open(p.id)
	}
	if p.err != nil {
		return 0, p.err
	}
	n, err := p.body.Read(b)
	if err != nil && p.own != nil {
		p.own.Close()
		p.own = nil
	}
	return n, err
}

// closeForwarded ends the sessions of forwarded parts, once the message
// is sent or was not.
func closeForwarded(atts []mailtools.Attachment) {
	for _, a := range atts {
		if p, ok := a.Body.(*forwardedPart); ok {
			p.src.Close()
			if p.own != nil {
				p.own.Close()
				p.own = nil
			}
		}
	}
}
