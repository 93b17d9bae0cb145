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
