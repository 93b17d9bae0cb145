package seal

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// testKeyLine returns a deterministic key line derived from label.
func testKeyLine(label string) string {
	sum := sha256.Sum256([]byte("seal test key " + label))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// mustKeys parses a key file made of lines, failing the test on error.
func mustKeys(t testing.TB, lines ...string) *Keys {
	t.Helper()
	ks, err := ParseKeys([]byte(strings.Join(lines, "\n")))
	if err != nil {
		t.Fatalf("ParseKeys: %v", err)
	}
	return ks
}

func TestParseKeys(t *testing.T) {
	a, b := testKeyLine("a"), testKeyLine("b")
	idA := mustKeys(t, a).IDs()[0]
	idB := mustKeys(t, b).IDs()[0]
	tests := []struct {
		name string
		file string
		want []string // key ids in order
	}{
		{"one key", a + "\n", []string{idA}},
		{"no final newline", a, []string{idA}},
		{"comments and blanks", "# gomailcgi keys\n\n" + a + "\n\n# old key\n" + b + "\n", []string{idA, idB}},
		{"order kept", b + "\n" + a + "\n", []string{idB, idA}},
		{"CRLF and spaces", "  " + a + "  \r\n\t" + b + "\r\n", []string{idA, idB}},
		{"indented comment", "   # note\n" + a, []string{idA}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ks, err := ParseKeys([]byte(tt.file))
			if err != nil {
				t.Fatalf("ParseKeys: %v", err)
			}
			got := strings.Join(ks.IDs(), ",")
			want := strings.Join(tt.want, ",")
			if got != want {
				t.Errorf("ids: got %q, want %q", got, want)
			}
			if ks.Len() != len(tt.want) {
				t.Errorf("Len: got %d, want %d", ks.Len(), len(tt.want))
			}
		})
	}
}

func TestKeyIDIsSHA256Prefix(t *testing.T) {
	raw := make([]byte, KeySize)
	for i := range raw {
		raw[i] = byte(i)
	}
	ks := mustKeys(t, base64.StdEncoding.EncodeToString(raw))
	sum := sha256.Sum256(raw)
	if got, want := ks.IDs()[0], hex.EncodeToString(sum[:4]); got != want {
		t.Errorf("id: got %q, want %q", got, want)
	}
}

func TestParseKeysErrors(t *testing.T) {
	good := testKeyLine("good")
	short := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0x5a}, 16))
	long := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xa5}, 48))
	// 0xfbefbe is "++++" in standard base64, "----" in the URL alphabet.
	zero := base64.StdEncoding.EncodeToString(make([]byte, KeySize))
	repeated := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{'k'}, KeySize))
	urlAlpha := base64.URLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb, 0xef, 0xbe}, 11)[:KeySize])
	tests := []struct {
		name     string
		file     string
		wantLine int
		secret   string // text that must not appear in the error
	}{
		{"too short", "# c\n" + short + "\n", 2, short},
		{"too long", good + "\n\n" + long, 3, long},
		{"bad base64", "Zm9v!!not-base64-at-all*secretvalue", 1, "secretvalue"},
		{"url alphabet", good + "\n" + urlAlpha, 2, urlAlpha},
		{"missing padding", strings.TrimRight(good, "="), 1, strings.TrimRight(good, "=")},
		{"two keys on a line", good + " " + testKeyLine("other"), 1, good},
		{"duplicate key", good + "\n# again\n" + good, 3, good},
		{"bad after good", good + "\n" + good[:20], 2, good[:20]},
		{"all zero", good + "\n" + zero, 2, zero},
		{"one byte repeated", repeated + "\n" + good, 1, repeated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ks, err := ParseKeys([]byte(tt.file))
			if err == nil {
				t.Fatalf("ParseKeys: got %v, want error", ks)
			}
			var le *KeyLineError
			if !errors.As(err, &le) {
				t.Fatalf("error %q is not a *KeyLineError", err)
			}
			if le.Line != tt.wantLine {
				t.Errorf("line: got %d, want %d", le.Line, tt.wantLine)
			}
			msg := err.Error()
			if want := "line " + strconv.Itoa(tt.wantLine); !strings.Contains(msg, want) {
				t.Errorf("error %q does not contain %q", msg, want)
			}
			assertNoKeyMaterial(t, msg, tt.secret)
			assertNoKeyMaterial(t, msg, good)
		})
	}
}

// assertNoKeyMaterial fails if any 6-character run of secret is in msg.
func assertNoKeyMaterial(t *testing.T, msg, secret string) {
	t.Helper()
	for i := 0; i+6 <= len(secret); i++ {
		if strings.Contains(msg, secret[i:i+6]) {
			t.Errorf("error %q contains key material %q", msg, secret[i:i+6])
			return
		}
	}
}

func TestParseKeysEmpty(t *testing.T) {
	for _, file := range []string{"", "\n\n", "# only a comment\n", "  \r\n\t\n"} {
		t.Run(strings.ReplaceAll(file, "\n", `\n`), func(t *testing.T) {
			_, err := ParseKeys([]byte(file))
			if !errors.Is(err, ErrNoKeys) {
				t.Errorf("got %v, want ErrNoKeys", err)
			}
		})
	}
}

// TestOpensslKeysParse checks the format `openssl rand -base64 32` prints.
func TestOpensslKeysParse(t *testing.T) {
	var lines []string
	if path, err := exec.LookPath("openssl"); err == nil {
		for range 2 {
			out, err := exec.Command(path, "rand", "-base64", "32").Output()
			if err != nil {
				t.Fatalf("openssl rand: %v", err)
			}
			lines = append(lines, string(out))
		}
	} else {
		t.Log("openssl not found; generating keys with crypto/rand")
		for range 2 {
			lines = append(lines, base64.StdEncoding.EncodeToString(randomBytes(t))+"\n")
		}
	}
	ks, err := ParseKeys([]byte("# generated\n" + strings.Join(lines, "")))
	if err != nil {
		t.Fatalf("ParseKeys: %v", err)
	}
	if ks.Len() != 2 {
		t.Errorf("Len: got %d, want 2", ks.Len())
	}
}

func randomBytes(t *testing.T) []byte {
	t.Helper()
	b := make([]byte, KeySize)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLoadKeyFile(t *testing.T) {
	dir := t.TempDir()
	a, b := testKeyLine("a"), testKeyLine("b")
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Run("good", func(t *testing.T) {
		ks, err := LoadKeyFile(write("good", "# keys\n"+a+"\n"+b+"\n"))
		if err != nil {
			t.Fatalf("LoadKeyFile: %v", err)
		}
		if got, want := strings.Join(ks.IDs(), ","), strings.Join(mustKeys(t, a, b).IDs(), ","); got != want {
			t.Errorf("ids: got %q, want %q", got, want)
		}
	})
	t.Run("bad line names file and line", func(t *testing.T) {
		p := write("bad", a+"\n"+b[:30]+"\n")
		_, err := LoadKeyFile(p)
		var le *KeyLineError
		if !errors.As(err, &le) || le.Line != 2 {
			t.Fatalf("got %v, want KeyLineError at line 2", err)
		}
		if want := p + ":2:"; !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
		assertNoKeyMaterial(t, err.Error(), a)
		assertNoKeyMaterial(t, err.Error(), b)
	})
	t.Run("missing", func(t *testing.T) {
		_, err := LoadKeyFile(filepath.Join(dir, "nope"))
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("got %v, want ErrNotExist", err)
		}
	})
	t.Run("too large", func(t *testing.T) {
		big := strings.Repeat("#"+strings.Repeat("x", 99)+"\n", maxKeyFileSize/100+1) + a
		if _, err := LoadKeyFile(write("big", big)); err == nil {
			t.Error("got nil error, want one for an oversized file")
		}
	})
	t.Run("repeated byte names file and line", func(t *testing.T) {
		p := write("zero", "# keys\n"+base64.StdEncoding.EncodeToString(make([]byte, KeySize))+"\n")
		_, err := LoadKeyFile(p)
		if want := p + ":2: every byte of the key is the same"; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want %q", err, want)
		}
	})
	// Not a file of keys at all: a device that never ends, a FIFO that
	// would wait for a writer, a folder. Each is refused before a read.
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/dev/zero", fifo, dir} {
		t.Run("not a regular file "+p, func(t *testing.T) {
			_, err := LoadKeyFile(p)
			if want := p + ": not a regular file"; err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("got %v, want %q", err, want)
			}
		})
	}
}

func TestRandomKeys(t *testing.T) {
	k1, err := RandomKeys()
	if err != nil {
		t.Fatalf("RandomKeys: %v", err)
	}
	k2, err := RandomKeys()
	if err != nil {
		t.Fatalf("RandomKeys: %v", err)
	}
	if k1.Len() != 1 {
		t.Errorf("Len: got %d, want 1", k1.Len())
	}
	if k1.IDs()[0] == k2.IDs()[0] {
		t.Errorf("two random keys share id %q", k1.IDs()[0])
	}
}

func TestKeysPrintNoMaterial(t *testing.T) {
	a := testKeyLine("a")
	ks := mustKeys(t, a)
	for _, s := range []string{ks.String(), ks.GoString()} {
		assertNoKeyMaterial(t, s, a)
		if !strings.Contains(s, ks.IDs()[0]) {
			t.Errorf("got %q, want it to name id %q", s, ks.IDs()[0])
		}
	}
}
