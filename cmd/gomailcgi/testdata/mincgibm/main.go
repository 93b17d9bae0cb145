// Command mincgibm is testdata/mincgi linked with the HTML sanitizer,
// bluemonday, and nothing else of gomailcgi. A Go program runs the
// initialisation of every package it links, whatever the request, and
// bluemonday's (with its css package and gorilla/css's scanner) compiles
// about 120 regular expressions. TestPerfCGI measures this program beside
// mincgi to show what that costs every CGI process of gomailcgi.
package main

import (
	"net/http"
	"net/http/cgi"

	_ "github.com/microcosm-cc/bluemonday"
)

func main() {
	cgi.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<!doctype html><html lang=en><title>Log in</title><p>Log in, " + r.URL.Path + "</p></html>\n"))
	}))
}
