package mailmsg

import (
	"bufio"
	"errors"
	"io"
	"strconv"
	"strings"
)

// Errors returned by OpenPart.
var (
	ErrBadPartID    = errors.New("mailmsg: malformed part ID")
	ErrPartNotFound = errors.New("mailmsg: no such part")
)

// maxPartIDDepth bounds the components of a part ID OpenPart accepts.
const maxPartIDDepth = 64

// OpenPart reads a message from r up to the part with the given ID (see
// the package doc) and returns its description and a reader of its body
// with the transfer encoding undone (charsets are not converted). The
// reader reads on from r, so nothing else is buffered; it is valid until r
// is closed. Size is -1: it is not known before the body is read.
func OpenPart(r io.Reader, partID string) (*Part, io.Reader, error) {
	path, err := parsePartID(partID)
	if err != nil {
		return nil, nil, err
	}
	br := bufio.NewReaderSize(r, 4096)
	var iss Issues
	h, body := readEntityHeader(br, true, &iss)
	info := describe(h, "text/plain")
	for {
		// Here the entity is the root of a message: it has no number when it
		// is a multipart, and number 1 when it is not.
		if info.boundary == "" {
			if path[0] != 1 {
				return nil, nil, ErrPartNotFound
			}
			path = path[1:]
		} else {
			n := path[0]
			path = path[1:]
			h, body, info, err = nthChild(body, info, n)
			if err != nil {
				return nil, nil, err
			}
			// Descend through nested multiparts.
			for len(path) > 0 && info.boundary != "" {
				h, body, info, err = nthChild(body, info, path[0])
				if err != nil {
					return nil, nil, err
				}
				path = path[1:]
			}
		}
		if len(path) == 0 {
			break
		}
		if !info.isMessage {
			return nil, nil, ErrPartNotFound
		}
		var bad bool
		dec, _ := transferDecoder(h.Get("Content-Transfer-Encoding"), body, &bad)
		br = bufio.NewReaderSize(dec, 4096)
		h, body = readEntityHeader(br, false, &iss)
		info = describe(h, "text/plain")
	}
	var bad bool
	dec, _ := transferDecoder(h.Get("Content-Transfer-Encoding"), body, &bad)
	p := &Part{
		ID:          partID,
		Filename:    CleanFilename(firstNonEmpty(info.dparams["filename"], info.Params["name"])),
		ContentType: info.MediaType,
		Charset:     info.Params["charset"],
		ContentID:   strings.Trim(strings.TrimSpace(DecodeHeaderText(h.Get("Content-ID"))), "<>"),
		Disposition: info.Disposition,
		Size:        -1,
	}
	return p, dec, nil
}

// readEntityHeader reads a Header and returns the body that follows it.
func readEntityHeader(br *bufio.Reader, top bool, iss *Issues) (Header, io.Reader) {
	h, rest := readHeader(br, top, iss)
	if rest != nil {
		return h, io.MultiReader(strings.NewReader(string(rest)), br)
	}
	return h, br
}

// nthChild finds the n-th part (from 1) of a multipart body.
func nthChild(body io.Reader, info entityInfo, n int) (Header, io.Reader, entityInfo, error) {
	mr, _, found := newMultipartReader(body, info.boundary, 0, make([]byte, 4096))
	if !found {
		return nil, nil, entityInfo{}, ErrPartNotFound
	}
	childType := "text/plain"
	if info.MediaType == "multipart/digest" {
		childType = "message/rfc822"
	}
	for i := 1; ; i++ {
		part, ok := mr.next()
		if !ok {
			return nil, nil, entityInfo{}, ErrPartNotFound
		}
		if i == n {
			var iss Issues
			h, b := readEntityHeader(bufio.NewReaderSize(part, 4096), false, &iss)
			return h, b, describe(h, childType), nil
		}
	}
}

// parsePartID splits "2.1" into [2 1].
func parsePartID(id string) ([]int, error) {
	fields := strings.Split(id, ".")
	if id == "" || len(fields) > maxPartIDDepth {
		return nil, ErrBadPartID
	}
	path := make([]int, len(fields))
	for i, f := range fields {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > 1<<20 || strings.HasPrefix(f, "+") || strings.HasPrefix(f, "0") {
			return nil, ErrBadPartID
		}
		path[i] = n
	}
	return path, nil
}
