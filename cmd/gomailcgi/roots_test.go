package main

import (
	"crypto/tls"
	"net"
	"os"
	"path/filepath"
	"testing"

	"gomailcgi/internal/testing/testtls"
)

// A -ca-file is checked at start and trusted, with the system's roots,
// when a TLS connection is made: a server whose certificate it signed
// is accepted, and without it the same server is refused.
func TestCAFileTrustedWhenDialled(t *testing.T) {
	certPEM, keyPEM, _ := testtls.PEM(t)
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, certPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	if roots, err := rootsFor(""); roots != nil || err != nil {
		t.Errorf("no CA file: got roots %v, error %v; want the system's roots (nil)", roots != nil, err)
	}
	bad := filepath.Join(dir, "bad.pem")
	os.WriteFile(bad, []byte("not a certificate\n"), 0o644)
	for _, f := range []string{bad, filepath.Join(dir, "missing.pem")} {
		if _, err := rootsFor(f); err == nil {
			t.Errorf("%s: no error at start", filepath.Base(f))
		}
	}
	roots, err := rootsFor(ca)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{pair}})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.(*tls.Conn).Handshake() //nolint:errcheck // the client judges
			c.Close()
		}
	}()
	dial := func(cfg *tls.Config) error {
		c, err := tls.DialWithDialer(&net.Dialer{}, "tcp", ln.Addr().String(), cfg)
		if err == nil {
			c.Close()
		}
		return err
	}
	if err := dial(&tls.Config{ServerName: "127.0.0.1", RootCAs: roots()}); err != nil {
		t.Errorf("with the CA file: %v", err)
	}
	if err := dial(&tls.Config{ServerName: "127.0.0.1"}); err == nil {
		t.Error("without the CA file: the server's certificate was accepted")
	}
}
