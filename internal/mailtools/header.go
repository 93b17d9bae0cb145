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
