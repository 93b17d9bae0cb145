package main

import "testing"

func TestHostWithServerPort(t *testing.T) {
	tests := []struct {
		host, port string
		want       string
		ok         bool
	}{
		{"mail.example", "8080", "mail.example:8080", true},
		{"127.0.0.1", "8080", "127.0.0.1:8080", true},
		{"[::1]", "8080", "[::1]:8080", true},
		{"::1", "8080", "[::1]:8080", true},
		{"mail.example:8080", "8080", "", false},
		{"mail.example:8080", "9090", "", false},
		{"", "8080", "", false},
		{"mail.example", "", "", false},
		{"mail.example", "http", "", false},
		{"mail.example", "70000", "", false},
	}
	for _, tt := range tests {
		got, ok := hostWithServerPort(tt.host, tt.port)
		if got != tt.want || ok != tt.ok {
			t.Errorf("hostWithServerPort(%q, %q): got %q, %v, want %q, %v", tt.host, tt.port, got, ok, tt.want, tt.ok)
		}
	}
}

// Without -base-path a FastCGI request's SCRIPT_NAME is its base path when
// the request's path is below it; Debian's fastcgi_params alone makes it
// the whole path, which is no base path.
func TestScriptBase(t *testing.T) {
	for _, tc := range []struct{ script, path, want string }{
		{"/fcgi", "/fcgi/list", "/fcgi"},  // fastcgi_split_path_info ^(/fcgi)(/.*)$
		{"/fcgi", "/fcgi/", "/fcgi"},      // the front page
		{"/mail/", "/mail/view", "/mail"}, // a fixed SCRIPT_NAME with its slash
		{"/a/b", "/a/b/static/x", "/a/b"}, // two segments
		{"/list", "/list", ""},            // $fastcgi_script_name, no split: the whole path
		{"/mail/list", "/mail/list", ""},  // the same under a location /mail/
		{"/fcgi", "/fcgihost/list", ""},   // not a folder above the path
		{"/fcgi", "/other/list", ""},      // a path elsewhere
		{"", "/list", ""},                 // none given
		{"/", "/list", ""},                // the root
	} {
		if got := scriptBase(tc.script, tc.path); got != tc.want {
			t.Errorf("SCRIPT_NAME %q, path %q: base %q, want %q", tc.script, tc.path, got, tc.want)
		}
	}
}
