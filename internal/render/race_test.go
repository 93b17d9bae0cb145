//go:build race

package render

// allocPerByte bounds what rendering may allocate per input byte. Under the
// race detector sync.Pool drops items at random, and rendering allocates
// up to ten times what it does without.
const allocPerByte = 1000
