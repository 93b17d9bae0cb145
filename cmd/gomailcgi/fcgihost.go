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

// fcgiBasePath is a FastCGI request's base path when -base-path is not
// given: where the web server serves the site, as it says in SCRIPT_NAME
// (what CGI does too). nginx's standard block splits the path
// (fastcgi_split_path_info ^(/mail)(/.*)$) into SCRIPT_NAME /mail and
// PATH_INFO /list; a fixed "fastcgi_param SCRIPT_NAME /mail" says the
// same. Debian's fastcgi_params alone sets SCRIPT_NAME to the whole path
// ($fastcgi_script_name without a split): a SCRIPT_NAME that is not a
// folder above the request's path is no base path, and the site is at /.
func fcgiBasePath(r *http.Request) string {
	return scriptBase(fcgi.ProcessEnv(r)[scriptNameParam], r.URL.Path)
}

// scriptBase is scriptName as the base path of path: without its trailing
// slash, and "" unless path is below it.
func scriptBase(scriptName, path string) string {
	base := strings.TrimSuffix(scriptName, "/")
	if base == "" || !strings.HasPrefix(path, base+"/") {
		return ""
	}
	return base
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
