package cloudron

import (
	"crypto/x509"
	"encoding/pem"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func parseLeaf(t *testing.T, certPEM string) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode([]byte(certPEM))
	if block == nil {
		t.Fatal("no PEM certificate")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func TestDashboardIsSelfSignedUntilSetupThenIssued(t *testing.T) {
	t.Parallel()
	b := newBox(t)
	onDisk := b.cloudron().TLSCert
	pinned := x509.NewCertPool()
	pinned.AppendCertsFromPEM([]byte(onDisk))
	leaf, err := b.leafOf("", pinned)
	if err != nil {
		t.Fatalf("handshake on the IP with the certificate read from disk: %v", err)
	}
	if !leaf.Equal(parseLeaf(t, onDisk)) || !leaf.IPAddresses[0].Equal(net.ParseIP(testIP)) {
		t.Errorf("served %v, want the self-signed certificate for %s", leaf.Subject, testIP)
	}

	b.setUp()
	leaf, err = b.leafOf(dashboard, b.ca.Pool())
	if err != nil {
		t.Fatalf("my.%s is not verified by the sandbox CA after setup: %v", testDomain, err)
	}
	if leaf.DNSNames[0] != dashboard || !leaf.Equal(parseLeaf(t, b.cloudron().TLSCert)) {
		t.Errorf("dashboard certificate %v is not the one stored in TLSCert", leaf.DNSNames)
	}
	// The bare IP still gets the installer's certificate.
	if leaf, err = b.leafOf("", pinned); err != nil || !leaf.Equal(parseLeaf(t, onDisk)) {
		t.Errorf("IP after setup: %v", err)
	}
}

// When Let's Encrypt cannot issue, nginx serves the domain's self-signed
// fallback and setup still finishes [v4 reverseproxy.js].
func TestFailedIssuanceFallsBackToTheDomainCertificate(t *testing.T) {
	t.Parallel()
	b := newBox(t)
	b.deps.mu.Lock()
	b.deps.issueFails = true
	b.deps.mu.Unlock()
	b.setUp()
	c := b.cloudron()
	if c.Fallback == nil || c.TLSCert != c.Fallback.Cert {
		t.Fatal("the dashboard does not serve the fallback certificate")
	}
	cert, err := Certificate(&c, dashboard)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil || !slices.Contains(leaf.DNSNames, "*."+testDomain) {
		t.Errorf("certificate for %s: %v %v", dashboard, leaf.DNSNames, err)
	}
}

func TestCertChangedFaultServesAnotherSelfSignedCertificate(t *testing.T) {
	t.Parallel()
	b := newBox(t)
	pinned := x509.NewCertPool()
	pinned.AppendCertsFromPEM([]byte(b.cloudron().TLSCert))
	b.change(func(d *world.Data) {
		if err := breakCertChanged(d, ""); err != nil {
			t.Fatal(err)
		}
	})
	if _, err := b.leafOf("", pinned); err == nil {
		t.Fatal("the pinned certificate still verifies after cloudron-cert-changed")
	}
	b.change(func(d *world.Data) { healCertChanged(d) })
	if _, err := b.leafOf("", pinned); err != nil {
		t.Errorf("after heal: %v", err)
	}
}

func TestCertFaultsChangeTheAppCertificates(t *testing.T) {
	t.Parallel()
	b := ready(t)
	b.install("org.matrix.synapse", "matrix")
	host := "matrix." + testDomain
	cases := []struct {
		fault     string
		breakIt   func(*world.Data, string) error
		heal      func(*world.Data) error
		remaining func(time.Duration) bool
	}{
		{FaultCertExpiring, breakCertVariant(variantExpiring), healCertVariant(variantExpiring),
			func(left time.Duration) bool { return left > 9*24*time.Hour && left <= 10*24*time.Hour }},
		{FaultCertExpired, breakCertVariant(variantExpired), healCertVariant(variantExpired),
			func(left time.Duration) bool { return left < 0 }},
	}
	for _, c := range cases {
		b.change(func(d *world.Data) { c.breakIt(d, "") })
		leaf := b.appLeaf(host)
		if left := leaf.NotAfter.Sub(b.clock.Now()); !c.remaining(left) {
			t.Errorf("%s: certificate ends in %v", c.fault, left)
		}
		if b.appLeaf(dashboard).NotAfter.Before(b.clock.Now().Add(80 * 24 * time.Hour)) {
			t.Errorf("%s changed the dashboard's certificate", c.fault)
		}
		b.change(func(d *world.Data) { c.heal(d) })
		if left := b.appLeaf(host).NotAfter.Sub(b.clock.Now()); left < 80*24*time.Hour {
			t.Errorf("%s healed: certificate ends in %v", c.fault, left)
		}
	}
}

func (b *box) appLeaf(host string) *x509.Certificate {
	b.t.Helper()
	c := b.cloudron()
	cert, err := Certificate(&c, host)
	if err != nil {
		b.t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		b.t.Fatal(err)
	}
	// Signature and name only: an expired certificate fails a full
	// verification, which is the point of the fault.
	if err := leaf.CheckSignatureFrom(parseLeaf(b.t, string(b.ca.PEM()))); err != nil {
		b.t.Fatalf("%s: not signed by the sandbox CA: %v", host, err)
	}
	if err := leaf.VerifyHostname(host); err != nil {
		b.t.Fatal(err)
	}
	return leaf
}
