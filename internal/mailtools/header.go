package mailtools

// maxHeaderBytes bounds the header block read for a summary.
const maxHeaderBytes = 1 << 20
