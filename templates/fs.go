// Package templates holds the HTML templates of the web pages, embedded in
// the binary. internal/web parses them once at start-up: each page is
// base.html plus the page's own file.
package templates

import "embed"

// FS holds every template file.
//
//go:embed *.html
var FS embed.FS
