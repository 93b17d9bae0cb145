// Package static holds the files served as they are under /static/: the one
// stylesheet. Nothing here is ever generated per request.
package static

import "embed"

// FS holds every static file.
//
//go:embed *.css
var FS embed.FS
