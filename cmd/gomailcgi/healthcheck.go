package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// healthcheckTimeout bounds one check: a container runtime runs the check
// again, so a hung site is an unhealthy one.
const healthcheckTimeout = 5 * time.Second

// healthcheckURL is the URL of "gomailcgi -healthcheck URL" (or
// -healthcheck=URL): the health check of a container image, which has no
// shell and no curl. It is a mode of its own, read before the settings, so
// that a check needs none of the server's settings (it runs with the
// container's environment, where -pop may be set or not). Under CGI the
// command line is not ours (Apache makes arguments of a query string), so
// there is no such mode: a request must not make the program fetch a URL.
func healthcheckURL(args []string, getenv func(string) string) (string, bool) {
	if len(args) == 0 || getenv("GATEWAY_INTERFACE") != "" {
		return "", false
	}
	name, value, hasValue := strings.Cut(strings.TrimPrefix(args[0], "-"), "=")
	if name != "-healthcheck" && name != "healthcheck" {
		return "", false
	}
	switch {
	case hasValue && len(args) == 1:
		return value, true
	case !hasValue && len(args) == 2:
		return args[1], true
	}
	return "", true // malformed: healthcheck says so
}

// healthcheck asks target once and returns the exit status: 0 for a 2xx
// answer, 1 for any other or none, 2 for a URL it cannot ask. The reason
// goes to stderr, which the runtime keeps as the check's output.
func healthcheck(target string, stderr io.Writer) int {
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fmt.Fprintln(stderr, "gomailcgi: -healthcheck wants one http:// or https:// URL, e.g. http://127.0.0.1:8080/healthz")
		return 2
	}
	client := &http.Client{Timeout: healthcheckTimeout}
	res, err := client.Get(u.String())
	if err != nil {
		fmt.Fprintln(stderr, "gomailcgi: health check:", err)
		return 1
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		fmt.Fprintf(stderr, "gomailcgi: health check: %s answered %s\n", u.Redacted(), res.Status)
		return 1
	}
	return 0
}
