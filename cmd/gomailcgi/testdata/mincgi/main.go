// Command mincgi is the floor TestPerfCGI measures gomailcgi against: the
// least a Go CGI program does, one handler writing a short page.
package main

import (
	"net/http"
	"net/http/cgi"
)

func main() {
	cgi.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<!doctype html><html lang=en><title>Log in</title><p>Log in, " + r.URL.Path + "</p></html>\n"))
	}))
}
