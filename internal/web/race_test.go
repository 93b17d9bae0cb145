//go:build race

package web

// raceOn tells that the race detector runs: sync.Pool then drops items at
// random, and pages allocate more than they do in production.
const raceOn = true
