// Package webserver runs real nginx, lighttpd and Apache for tests, and the
// processes they talk to: each in a folder of the test's own, on free
// loopback ports, stopped when the test ends. Without the programs the
// test is skipped, or fails when CI=true (make test installs them).
package webserver

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Require returns the path of a program, or skips (fails when CI=true).
func Require(t testing.TB, name string) string {
	t.Helper()
	for _, dir := range []string{"/usr/sbin", "/usr/bin"} {
		if p := filepath.Join(dir, name); isExec(p) {
			return p
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	msg := "*** " + strings.ToUpper(name) + " NOT AVAILABLE: the deployment tests need Debian's " + name +
		" package. `make test` installs it (scripts/install-deps.sh)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

func isExec(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// FreePort returns a loopback port that nothing listens on now, and that
// it has not returned before in this process: a test that asks for
// several before its servers bind them must get different ones (the
// kernel may hand out a port just closed again).
func FreePort(t testing.TB) int {
	t.Helper()
	for range 100 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		portsMu.Lock()
		taken := portsGiven[port]
		portsGiven[port] = true
		portsMu.Unlock()
		if !taken {
			return port
		}
	}
	t.Fatal("webserver: no loopback port not given before in 100 tries")
	return 0
}

var (
	portsMu    sync.Mutex
	portsGiven = map[int]bool{}
)

// Process is a program started for a test.
type Process struct {
	cmd  *exec.Cmd
	log  *syncBuffer
	done chan struct{}
}

// Log is what the process has written to stdout and stderr so far.
func (p *Process) Log() string { return p.log.String() }

// Start runs a program until the test ends, then stops it (SIGTERM, then
// SIGKILL) and waits for it. ready is a TCP address or a unix socket path
// that must accept connections before Start returns.
func Start(t testing.TB, ready string, env []string, name string, args ...string) *Process {
	t.Helper()
	return start(t, ready, env, false, name, args...)
}

// start is Start; with ownGroup the program runs in a process group of its
// own, for one that signals its whole group when it stops (Apache does).
func start(t testing.TB, ready string, env []string, ownGroup bool, name string, args ...string) *Process {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	if ownGroup {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	}
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	p := &Process{cmd: cmd, log: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.log, p.log
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		cancel()
		<-p.done
		if t.Failed() {
			t.Logf("%s wrote:\n%s", filepath.Base(name), p.Log())
		}
	})
	network := "tcp"
	if strings.HasPrefix(ready, "/") {
		network = "unix"
	}
	for range 500 {
		select {
		case <-p.done:
			t.Fatalf("%s exited at start:\n%s", name, p.Log())
		default:
		}
		if c, err := net.Dial(network, ready); err == nil {
			c.Close()
			return p
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s does not answer on %s:\n%s", name, ready, p.Log())
	return nil
}

// Nginx starts nginx with conf as the contents of its nginx.conf in dir;
// {DIR} in conf is dir. ready is the address it listens on.
func Nginx(t testing.TB, dir, ready, conf string) *Process {
	t.Helper()
	bin := Require(t, "nginx")
	for _, d := range []string{"tmp", "logs"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(dir, "nginx.conf")
	writeConf(t, file, dir, conf)
	return Start(t, ready, nil, bin, "-p", dir+"/", "-c", file, "-e", filepath.Join(dir, "logs", "error.log"),
		"-g", "daemon off; pid "+filepath.Join(dir, "nginx.pid")+";")
}

// Lighttpd starts lighttpd in the foreground with conf as its
// configuration in dir; {DIR} in conf is dir.
func Lighttpd(t testing.TB, dir, ready, conf string) *Process {
	t.Helper()
	bin := Require(t, "lighttpd")
	file := filepath.Join(dir, "lighttpd.conf")
	writeConf(t, file, dir, conf)
	return Start(t, ready, nil, bin, "-D", "-f", file)
}

// Apache starts Debian's apache2 in the foreground with conf as its
// httpd.conf in dir; {DIR} in conf is dir. conf names its own modules,
// ports and files; its ErrorLog, when it is {DIR}/error.log, is shown if
// the test fails. Started as root, Apache serves as conf's User: see
// OpenToAll for the files it must reach.
func Apache(t testing.TB, dir, ready, conf string) *Process {
	t.Helper()
	bin := Require(t, "apache2")
	file := filepath.Join(dir, "httpd.conf")
	writeConf(t, file, dir, conf)
	t.Cleanup(func() {
		if t.Failed() {
			if log, err := os.ReadFile(filepath.Join(dir, "error.log")); err == nil {
				t.Logf("apache2 error.log:\n%s", log)
			}
		}
	})
	// Stopping, Apache signals its process group: let that not be ours.
	return start(t, ready, nil, true, bin, "-f", file, "-DFOREGROUND")
}

// OpenToAll lets every user of the machine reach dir and read what is in
// it, as a web server that gives up root for an unprivileged user (Apache's
// User nobody) must: dir becomes 0755, and each folder above it inside the
// temporary folder (t.TempDir's are 0700) searchable by all. Only the
// test's own folders are changed.
func OpenToAll(t testing.TB, dir string) {
	t.Helper()
	top, err := filepath.Abs(os.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for d := filepath.Dir(dir); strings.HasPrefix(d, top+string(filepath.Separator)); d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(d, st.Mode().Perm()|0o001); err != nil {
			t.Fatal(err)
		}
	}
}

func writeConf(t testing.TB, file, dir, conf string) {
	t.Helper()
	if err := os.WriteFile(file, []byte(strings.ReplaceAll(conf, "{DIR}", dir)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Addr is "127.0.0.1:port".
func Addr(port int) string { return "127.0.0.1:" + strconv.Itoa(port) }

// syncBuffer collects a process's output.
type syncBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b = append(s.b, p...)
	return len(p), nil
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.b)
}
