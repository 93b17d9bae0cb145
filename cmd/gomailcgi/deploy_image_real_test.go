package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/html"

	"gomailcgi/internal/seal"
	"gomailcgi/internal/testing/webserver"
)

// The container image, as `make image` builds it (scripts/image.sh). A
// container cannot run here (the sandbox's cgroups refuse it), so the test
// exports the image's file system and runs its entrypoint from it, chrooted,
// as the image's user: whatever the binary needs and the image lacks fails
// the walk. podman keeps everything under the test's folder.
func TestDeployContainerImage(t *testing.T) {
	podmanBin := webserver.Require(t, "podman")
	if os.Geteuid() != 0 {
		skipOrFail(t, "the container image test runs the image's file system in a chroot, which needs root (make test runs as root)")
	}
	dir := t.TempDir()
	pm := newPodman(t, podmanBin, dir)
	image := "localhost/gomailcgi-test-" + randomHex()

	build := exec.Command("bash", "../../scripts/image.sh")
	build.Env = append(os.Environ(), "IMAGE="+image, "PODMAN="+strings.Join(pm.argv(), " "), "TMPDIR="+pm.tmp)
	t.Cleanup(func() { pm.run(t, "rmi", "--force", image) })
	if out, err := build.CombinedOutput(); err != nil {
		skipOrFail(t, fmt.Sprintf("make image: %v\n%s", err, out))
	}

	var inspected []struct {
		Config struct {
			User         string
			Env          []string
			Entrypoint   []string
			Cmd          []string
			ExposedPorts map[string]struct{}
		}
		HealthCheck struct{ Test []string } `json:"HealthCheck"`
	}
	if err := json.Unmarshal([]byte(pm.run(t, "image", "inspect", image)), &inspected); err != nil || len(inspected) != 1 {
		t.Fatalf("podman image inspect: %v", err)
	}
	img := inspected[0]
	if _, ok := img.Config.ExposedPorts["8080/tcp"]; !ok {
		t.Errorf("the image exposes %v, want 8080/tcp", img.Config.ExposedPorts)
	}
	// Inside a container the default command must listen on every address:
	// read the listen address the image's command and environment give.
	env := img.Config.Env
	cfg, err := parseConfig(append(slices.Clone(img.Config.Cmd), "-demo"), envLookup(env), new(strings.Builder))
	if err != nil && !strings.Contains(err.Error(), "-demo-mail") { // the demo folder is inside the image
		t.Fatalf("the image's command %q and environment: %v", img.Config.Cmd, err)
	}
	if cfg != nil {
		if host, port, _ := net.SplitHostPort(cfg.Listen); host != "" || port != "8080" {
			t.Errorf("the image's command and environment listen on %q, want :8080 (every address)", cfg.Listen)
		}
	}

	id := strings.TrimSpace(pm.run(t, "create", "--network", "none", "--health-cmd", "none", image))
	tarball := filepath.Join(dir, "fs.tar")
	pm.run(t, "export", "--output", tarball, id)
	pm.run(t, "rm", id)
	root := filepath.Join(dir, "rootfs")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("tar", "-C", root, "-xf", tarball).CombinedOutput(); err != nil {
		t.Fatalf("tar: %v\n%s", err, out)
	}
	os.Remove(tarball)
	os.Chmod(root, 0o755)

	uid, gid := imageUser(t, root, img.Config.User)
	if uid == 0 || gid == 0 {
		t.Fatalf("the image runs as %q: uid %d, gid %d; want a user other than root", img.Config.User, uid, gid)
	}
	ca, err := os.ReadFile(filepath.Join(root, "etc/ssl/certs/ca-certificates.crt"))
	if err != nil || !x509.NewCertPool().AppendCertsFromPEM(ca) {
		t.Errorf("the image has no CA certificates for TLS to the mail servers: %v", err)
	}

	// Settings and keys as a container gets them: a settings file and a
	// key file mounted into it (written into its file system here, as a
	// mount shows them), and a setting in the environment.
	const confDir = "/etc/gomailcgi"
	if err := os.MkdirAll(filepath.Join(root, confDir), 0o755); err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(root, confDir, "keys")
	if err := os.WriteFile(keyFile, []byte(deployKey1+"\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	os.Chown(keyFile, 0, int(gid)) // root:gomailcgi 0640, as docs/DEPLOY.md says
	conf := "key-file = " + confDir + "/keys\ntime-zone = Europe/Berlin\n"
	if err := os.WriteFile(filepath.Join(root, confDir, "gomailcgi.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	const pageSize = 4
	env = append(slices.Clone(env), "GOMAILCGI_CONFIG="+confDir+"/gomailcgi.conf", "GOMAILCGI_PAGE_SIZE="+strconv.Itoa(pageSize))

	chrooted := func(ctx context.Context, args ...string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, img.Config.Entrypoint[0], append(img.Config.Entrypoint[1:], args...)...)
		cmd.Env, cmd.Dir = env, "/"
		cmd.SysProcAttr = &syscall.SysProcAttr{Chroot: root, Credential: &syscall.Credential{Uid: uid, Gid: gid, Groups: []uint32{}}}
		return cmd
	}
	port, pop, smtp := webserver.FreePort(t), webserver.FreePort(t), webserver.FreePort(t)
	addr := webserver.Addr(port)
	ctx, cancel := context.WithCancel(context.Background())
	site := chrooted(ctx, "-demo", "-listen", addr, "-demo-pop", webserver.Addr(pop), "-demo-smtp", webserver.Addr(smtp))
	site.Cancel = func() error { return site.Process.Signal(os.Interrupt) }
	site.WaitDelay = 10 * time.Second
	var log strings.Builder
	site.Stdout, site.Stderr = &log, &log // one writer: exec writes to it from one goroutine at a time
	if err := site.Start(); err != nil {
		cancel()
		t.Fatalf("the image's entrypoint %q: %v", img.Config.Entrypoint, err)
	}
	done := make(chan struct{})
	go func() { site.Wait(); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
		if t.Failed() {
			t.Logf("the image's gomailcgi wrote:\n%s", log.String())
		}
	})
	waitListening(t, addr, done)

	// The image's own health check, with the site's port for 8080.
	hc := img.HealthCheck.Test
	if len(hc) < 2 || hc[0] != "CMD" {
		t.Fatalf("the image's health check is %q, want one that needs no shell (CMD)", hc)
	}
	hcArgs := slices.Clone(hc[2:])
	for i, a := range hcArgs {
		hcArgs[i] = strings.Replace(a, "127.0.0.1:8080", addr, 1)
	}
	check := exec.CommandContext(ctx, hc[1], hcArgs...)
	check.Env, check.Dir = env, "/"
	check.SysProcAttr = &syscall.SysProcAttr{Chroot: root, Credential: &syscall.Credential{Uid: uid, Gid: gid, Groups: []uint32{}}}
	if out, err := check.CombinedOutput(); err != nil {
		t.Errorf("the image's health check %q: %v\n%s", hc, err, out)
	}
	if out, err := chrooted(ctx, "-healthcheck", "http://"+addr+"/no-such-page").CombinedOutput(); err == nil {
		t.Errorf("the health check of a page that is not there passed:\n%s", out)
	}

	w := newWalker(t, "http://"+addr, "", nil)
	req, _ := http.NewRequest("POST", w.origin+"/login",
		strings.NewReader(url.Values{"user": {"demo"}, "password": {"demo"}, "next": {"list"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, _ := w.do(req)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/list?") {
		t.Fatalf("login: status %d to %q", res.StatusCode, loc)
	}
	// The token is sealed with the mounted key file's key.
	keys, err := seal.LoadKeyFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(loc)
	if st, err := (&seal.Sealer{Keys: keys}).Open(u.Query().Get("t")); err != nil || st.User != "demo" {
		t.Errorf("the token does not open with the mounted key file: %v", err)
	}
	_, list := w.get(loc)
	var links []*html.Node
	for n := range list.Descendants() {
		if n.Data == "a" && hasAncestorClass(n, "subject") {
			links = append(links, n)
		}
	}
	if len(links) != pageSize {
		t.Fatalf("the demo inbox lists %d messages on its first page, want GOMAILCGI_PAGE_SIZE=%d", len(links), pageSize)
	}
	link := links[0]
	// The zone of the mounted settings, from the zone data the binary holds.
	zone := false
	for n := range list.Descendants() {
		zone = zone || hasClass(n, "count") && strings.Contains(textOf(n), "Europe/Berlin")
	}
	if !zone {
		t.Error("the list does not say its times are in Europe/Berlin, the mounted settings' time-zone")
	}
	_, view := w.get(attr(link, "href"))
	var title string
	for n := range view.Descendants() {
		if title == "" && n.Data == "h1" {
			title = textOf(n)
		}
	}
	if title != textOf(link) {
		t.Errorf("the view's heading is %q, want the subject the list named, %q", title, textOf(link))
	}
}

// podman runs podman with its storage, state and temporary files under the
// test's folder, so a run leaves nothing behind and meets nothing an
// earlier one left.
type podman struct {
	bin, dir, tmp string
	conf          string // containers.conf: the network configuration is the test's too
}

func newPodman(t *testing.T, bin, dir string) *podman {
	t.Helper()
	p := &podman{bin: bin, dir: dir, tmp: filepath.Join(dir, "tmp"), conf: filepath.Join(dir, "containers.conf")}
	for _, d := range []string{p.tmp, filepath.Join(dir, "networks")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	// As root, podman keeps a cache of blob digests in /var/lib/containers
	// whatever its --root: when the folder was not there, it goes again.
	const systemDir = "/var/lib/containers"
	if _, err := os.Stat(systemDir); errors.Is(err, fs.ErrNotExist) {
		t.Cleanup(func() { os.RemoveAll(systemDir) })
	}
	conf := fmt.Sprintf("[network]\nnetwork_config_dir = %q\n", filepath.Join(dir, "networks"))
	if err := os.WriteFile(p.conf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// argv is podman with its global flags.
func (p *podman) argv() []string {
	return []string{p.bin, "--root", filepath.Join(p.dir, "storage"), "--runroot", filepath.Join(p.dir, "run"),
		"--tmpdir", filepath.Join(p.dir, "libpod"), "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs",
		"--events-backend", "none"}
}

// run runs one podman command and returns its stdout.
func (p *podman) run(t *testing.T, args ...string) string {
	t.Helper()
	argv := append(p.argv(), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "TMPDIR="+p.tmp, "CONTAINERS_CONF="+p.conf)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("podman %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// imageUser is the uid and gid of the image's USER, which must be named in
// its /etc/passwd (and its group in /etc/group).
func imageUser(t *testing.T, root, user string) (uint32, uint32) {
	t.Helper()
	if user == "" {
		t.Fatal("the image names no USER: it would run as root")
	}
	name, group, _ := strings.Cut(user, ":")
	entry := func(file, key string) []string {
		f, err := os.Open(filepath.Join(root, file))
		if err != nil {
			t.Fatalf("the image has no %s: %v", file, err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Split(sc.Text(), ":")
			if len(fields) >= 3 && (fields[0] == key || fields[2] == key) {
				return fields
			}
		}
		t.Fatalf("the image's %s has no entry for %q", file, key)
		return nil
	}
	pw := entry("etc/passwd", name)
	if len(pw) < 4 {
		t.Fatalf("the image's /etc/passwd entry %q", pw)
	}
	if group == "" {
		group = pw[3]
	}
	gr := entry("etc/group", group)
	uid, err1 := strconv.ParseUint(pw[2], 10, 32)
	gid, err2 := strconv.ParseUint(gr[2], 10, 32)
	if err1 != nil || err2 != nil {
		t.Fatalf("the image's user %q: passwd %q, group %q", user, pw, gr)
	}
	return uint32(uid), uint32(gid)
}

func hasClass(n *html.Node, class string) bool {
	return slices.Contains(strings.Fields(attr(n, "class")), class)
}

// envLookup is getenv over a list of NAME=value.
func envLookup(env []string) func(string) string {
	return func(k string) string {
		for _, kv := range slices.Backward(env) {
			if name, v, ok := strings.Cut(kv, "="); ok && name == k {
				return v
			}
		}
		return ""
	}
}

// waitListening waits until addr accepts connections, or fails when the
// process ends first.
func waitListening(t *testing.T, addr string, exited <-chan struct{}) {
	t.Helper()
	for range 500 {
		select {
		case <-exited:
			t.Fatal("the image's gomailcgi exited at start")
		default:
		}
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the image's gomailcgi does not answer on %s", addr)
}

// skipOrFail skips a test that cannot run here, or fails it when CI=true.
func skipOrFail(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(why)
	}
	t.Skip(why)
}

func randomHex() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}
