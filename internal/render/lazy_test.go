package render

import (
	"os"
	"os/exec"
	"testing"
)

// TestPolicyBuiltForHTMLOnly: the sanitizer policy is built when an HTML
// body is first rendered, not when the program starts nor for a text
// message: a CGI process that shows no HTML mail never builds it. It runs
// in a process of its own, which nothing else has rendered in.
func TestPolicyBuiltForHTMLOnly(t *testing.T) {
	if os.Getenv("GOMAILCGI_TEST_POLICY_CHILD") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestPolicyBuiltForHTMLOnly$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), "GOMAILCGI_TEST_POLICY_CHILD=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		return
	}
	if n := policyBuilds.Load(); n != 0 {
		t.Fatalf("at start: %d policies built, want 0", n)
	}
	text := viewOf([]byte("From: a@example.org\r\nSubject: text\r\nContent-Type: text/plain\r\n\r\nHello\r\n"), Options{CIDURL: testCIDURL})
	if text.IsHTML || policyBuilds.Load() != 0 {
		t.Fatalf("a text message: HTML %v, %d policies built, want false and 0", text.IsHTML, policyBuilds.Load())
	}
	for range 2 {
		v := viewOf([]byte("From: a@example.org\r\nSubject: html\r\nContent-Type: text/html\r\n\r\n<p onclick=x()>Hello</p>\r\n"), Options{CIDURL: testCIDURL})
		if !v.IsHTML {
			t.Fatal("an HTML message: not shown as HTML")
		}
	}
	if n := policyBuilds.Load(); n != 1 {
		t.Errorf("after two HTML messages: %d policies built, want 1", n)
	}
}
