//go:build !race

package render

// allocPerByte bounds what rendering may allocate per input byte.
const allocPerByte = 100
