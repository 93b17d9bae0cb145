package mailtools

import "strconv"

// maxHeaderBytes bounds the header block read for a summary.
const maxHeaderBytes = 1 << 20

// headerCommand is "TOP n 0": got is given message n's header block,
// bounded, unless the server refuses it (-ERR). The block is valid during
// the call only.
func headerCommand(n int, got func(header []byte)) command {
	return command{line: "TOP " + strconv.Itoa(n) + " 0", multi: true, limit: maxHeaderBytes, reply: func(r reply) error {
		if r.err == nil {
			got(r.data)
		}
		return nil
	}}
}

// startLines is how many body lines "TOP n startLines" reads: enough for
// a preamble and the headers of a multipart in a multipart, down to the
// first text part.
const startLines = 40

// startCommand is "TOP n startLines": got is given message n's header
// and the start of its body, bounded, unless the server refuses it.
func startCommand(n int, got func(start []byte)) command {
	return command{line: "TOP " + strconv.Itoa(n) + " " + strconv.Itoa(startLines), multi: true, limit: maxHeaderBytes + 64<<10, reply: func(r reply) error {
		if r.err == nil {
			got(r.data)
		}
		return nil
	}}
}
