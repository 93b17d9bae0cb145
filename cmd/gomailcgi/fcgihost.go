package main

import (
	"net"
	"net/http"
	"net/http/fcgi"
	"net/url"
	"strconv"
	"strings"
)

// fcgiHost puts back the port a FastCGI request's Host lost, so that the
// cross-origin check (http.CrossOriginProtection, which compares Origin
// with Host) accepts the site's own forms. Debian's nginx passes
// HTTP_HOST as $host, without the port: behind it on port 8080 a browser's
// "Origin: http://mail.example:8080" met Host "mail.example", and every
// form from a browser that sends no Sec-Fetch-Site was refused.
//
// The port comes from SERVER_PORT, the port the web server took the
// request on, and only when the Origin names exactly that host and port:
// behind a load balancer that maps 443 to the web server's 8080 the
// browser's Origin has no port, and Host stays as it was. An Origin of
// another host, or of another port, still differs from Host.
func fcgiHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if withPort, ok := hostWithServerPort(r.Host, fcgi.ProcessEnv(r)["SERVER_PORT"]); ok {
			if o, err := url.Parse(r.Header.Get("Origin")); err == nil && o.Host == withPort {
				r.Host = withPort
			}
		}
		next.ServeHTTP(w, r)
	})
}

// hostWithServerPort is host with port added, when host has none and
// port is a port number.
func hostWithServerPort(host, port string) (string, bool) {
	if host == "" {
		return "", false
	}
	if _, _, err := net.SplitHostPort(host); err == nil {
		return "", false // has a port already
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", false
	}
	return net.JoinHostPort(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"), port), true
}
