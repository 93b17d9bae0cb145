//go:build !race

package web

// raceOn tells that the race detector runs.
const raceOn = false
