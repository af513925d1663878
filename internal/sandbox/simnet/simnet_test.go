package simnet

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"

	"github.com/chapterctl/chapterctl/internal/netx"
)

func TestRoutedHTTPSIsVerifiedAgainstTheSandboxCA(t *testing.T) {
	ca, err := NewCA()
	if err != nil {
		t.Fatal(err)
	}
	addr, stop, err := HTTPS(ca, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello from "+r.Host)
	}), "api.gandi.net")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	n := NewNet()
	n.Route("tcp", "api.gandi.net:443", addr)
	client := &http.Client{Transport: netx.Transport(n, ca.Pool())}
	resp, err := client.Get("https://api.gandi.net/v5/livedns/domains")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hello from api.gandi.net" {
		t.Fatalf("body = %q", body)
	}

	// The system's roots do not trust the sandbox: nothing is skipped.
	plain := &http.Client{Transport: netx.Transport(n, nil)}
	if _, err := plain.Get("https://api.gandi.net/"); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("untrusted CA accepted: %v", err)
	}
}

func TestDialerRefusesTheRealWorld(t *testing.T) {
	n := NewNet()
	for _, addr := range []string{"1.1.1.1:53", "10.0.0.1:22", "api.digitalocean.com:443", "[2606:4700::1111]:443"} {
		_, err := n.DialContext(context.Background(), "tcp", addr)
		if err == nil || !strings.Contains(err.Error(), "not part of the simulated world") {
			t.Errorf("dial %s: %v, want a refusal", addr, err)
		}
	}
	_, err := n.DialContext(context.Background(), "tcp", "203.0.113.77:22")
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("unknown droplet address: %v, want connection refused", err)
	}
}

func TestDialerResolvesNamesThroughTheWorld(t *testing.T) {
	ca, _ := NewCA()
	addr, stop, _ := HTTPS(ca, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), "matrix.example.org")
	defer stop()
	n := NewNet()
	n.Route("tcp", "203.0.113.10:443", addr)
	n.Lookup = func(_ context.Context, host string) ([]string, error) {
		if host == "matrix.example.org" {
			return []string{"203.0.113.10"}, nil
		}
		return nil, nil
	}
	client := &http.Client{Transport: netx.Transport(n, ca.Pool())}
	resp, err := client.Get("https://matrix.example.org/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, err := client.Get("https://elsewhere.example.org/"); err == nil {
		t.Fatal("a name the world does not know was reached")
	}
}

func TestRefusedDropletAddressIsECONNREFUSED(t *testing.T) {
	_, err := NewNet().DialContext(context.Background(), "tcp", "203.0.113.77:22")
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("err = %v, want ECONNREFUSED", err)
	}
}
