package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMainProcess is main itself when runMain starts the test binary
// again; otherwise it does nothing.
func TestMainProcess(t *testing.T) {
	args, ok := os.LookupEnv("GOMAILCGI_TEST_MAIN_ARGS")
	if !ok {
		return
	}
	os.Args = []string{"gomailcgi"}
	if err := json.Unmarshal([]byte(args), &os.Args); err != nil {
		t.Fatal(err)
	}
	main()
}

// runMain runs main in a process of its own with args and env added to the
// environment: its stdout, stderr and exit status.
func runMain(t *testing.T, args, env []string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestMainProcess$")
	argv, _ := json.Marshal(append([]string{"gomailcgi"}, args...))
	cmd.Env = append(os.Environ(), "GOMAILCGI_TEST_MAIN_ARGS="+string(argv))
	cmd.Env = append(cmd.Env, env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

// A program that cannot start says why in one line on stderr, which under
// CGI is the web server's error log. Under CGI the browser gets a plain 500
// page that says nothing of the settings: no line of any file, no reason.
func TestStartErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const passwdLine = "root:x:0:0:root:/root:/bin/bash"
	passwd := write("passwd", passwdLine+"\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n")
	keyLine := "ZGVwbG95LWtleS1vbmUtZGVwbG95LWtleS1vbmUtMDE="
	keys := write("keys", keyLine+"\n")
	zeroKey := base64.StdEncoding.EncodeToString(make([]byte, 32))
	zeroKeys := write("zero-keys", zeroKey+"\n")
	good := write("good.conf", "pop = 127.0.0.1:1\nsmtp = 127.0.0.1:1\nkey-file = "+keys+"\n")
	zeroConf := write("zero.conf", "pop = 127.0.0.1:1\nsmtp = 127.0.0.1:1\nkey-file = "+zeroKeys+"\n")
	cgiEnv := func(more ...string) []string {
		return append([]string{"GATEWAY_INTERFACE=CGI/1.1", "SCRIPT_NAME=/cgi-bin/gomailcgi",
			"REQUEST_METHOD=GET", "SERVER_PROTOCOL=HTTP/1.1", "QUERY_STRING=-config+" + passwd}, more...)
	}
	tests := []struct {
		name      string
		args, env []string
		cgi       bool
		code      int
		stderr    string   // in the one line on stderr
		secrets   []string // in neither stdout nor stderr
	}{
		{"passwd as settings under CGI", []string{"-config", passwd}, cgiEnv("GOMAILCGI_CONFIG=" + passwd), true,
			2, passwd + ":1: want name = value", []string{"root:x", "daemon"}},
		{"the key file as settings under CGI", []string{"-config", keys}, cgiEnv("GOMAILCGI_CONFIG=" + keys), true,
			2, keys + ":1: unknown setting", []string{keyLine[:6], keyLine[20:26]}},
		{"/dev/zero as settings under CGI", []string{"-config", "/dev/zero"}, cgiEnv("GOMAILCGI_CONFIG=/dev/zero"), true,
			2, "/dev/zero: not a regular file", nil},
		{"the demo under CGI", nil, cgiEnv("GOMAILCGI_DEMO=1", "GOMAILCGI_CONFIG="+good), true,
			2, "-demo cannot run under CGI", nil},
		{"SCRIPT_NAME //host under CGI", nil, cgiEnv("GOMAILCGI_CONFIG="+good, "SCRIPT_NAME=//host"), true,
			2, `SCRIPT_NAME "//host"`, nil},
		{"an all-zero key under CGI", nil, cgiEnv("GOMAILCGI_CONFIG=" + zeroConf), true,
			1, zeroKeys + ":1: every byte of the key is the same", []string{zeroKey[:6]}},
		{"-base-path //host", []string{"-config", good, "-base-path", "//host"}, nil, false,
			2, `-base-path "//host"`, nil},
		{"passwd as settings", []string{"-config", passwd}, nil, false,
			2, passwd + ":1: want name = value", []string{"root:x", "daemon"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runMain(t, tt.args, tt.env)
			if code != tt.code {
				t.Errorf("exit status %d, want %d", code, tt.code)
			}
			if lines := strings.Count(strings.TrimSpace(stderr), "\n") + 1; lines != 1 || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr %q: want one line with %q", stderr, tt.stderr)
			}
			for _, s := range tt.secrets {
				if strings.Contains(stdout+stderr, s) {
					t.Errorf("%q is shown: stdout %q, stderr %q", s, stdout, stderr)
				}
			}
			if !tt.cgi {
				if stdout != "" {
					t.Errorf("stdout %q, want nothing", stdout)
				}
				return
			}
			if stdout != cgiSetupError {
				t.Errorf("stdout %q, want the plain 500 page %q", stdout, cgiSetupError)
			}
		})
	}
}
