package checks

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/internal/dnsq"
)

func TestJudgeRecord(t *testing.T) {
	now := time.Date(2026, 11, 25, 14, 0, 0, 0, time.Local)
	exp := dnsq.Expectation{Name: "my.example.org.", Type: dns.TypeA, Values: []string{"203.0.113.10"}}
	served := dnsq.Answer{Server: "192.0.2.53:53", Kind: dnsq.Found, Values: []string{"203.0.113.10"}}
	tests := []struct {
		name   string
		r      dnsq.Result
		status Status
		detail string
	}{
		{"propagated", dnsq.Result{Expectation: exp, AuthoritativeOK: true, Authoritative: []dnsq.Answer{served},
			Resolvers: []dnsq.Answer{{Server: "1.1.1.1:53", Kind: dnsq.Found}}, Agreeing: []string{"1.1.1.1:53"}},
			Pass, "my.example.org A: served by the authoritative servers and every public resolver"},
		{"stale resolver", dnsq.Result{Expectation: exp, AuthoritativeOK: true, Authoritative: []dnsq.Answer{served},
			Resolvers: []dnsq.Answer{{Server: "8.8.8.8:53", Kind: dnsq.NXDomain, NegativeTTL: 65 * time.Minute}},
			Stale:     []string{"8.8.8.8:53"}, RecheckAfter: now.Add(65 * time.Minute)},
			Warn, "still propagating: old answer cached at 8.8.8.8 until 15:05"},
		{"wrong value", dnsq.Result{Expectation: exp, WrongAt: []string{"192.0.2.53:53"},
			Authoritative: []dnsq.Answer{{Server: "192.0.2.53:53", Kind: dnsq.Found, Values: []string{"198.51.100.7"}}}},
			Fail, "my.example.org A: the authoritative server 192.0.2.53 serves 198.51.100.7, want 203.0.113.10"},
		{"missing", dnsq.Result{Expectation: exp, WrongAt: []string{"192.0.2.53:53"},
			Authoritative: []dnsq.Answer{{Server: "192.0.2.53:53", Kind: dnsq.NXDomain}}},
			Fail, "serves NXDOMAIN, want 203.0.113.10"},
		{"silent server", dnsq.Result{Expectation: exp, WrongAt: []string{"192.0.2.53:53"},
			Authoritative: []dnsq.Answer{{Server: "192.0.2.53:53", Kind: dnsq.Timeout}}},
			Unknown, "gave no answer (timeout)"},
		{"no server", dnsq.Result{Expectation: exp}, Unknown, "no authoritative server to ask"},
	}
	for _, tt := range tests {
		v := JudgeRecord(tt.r, now)
		if v.Result.Status != tt.status || !strings.Contains(v.Result.Detail, tt.detail) {
			t.Errorf("%s: %s %q, want %s containing %q", tt.name, v.Result.Status, v.Result.Detail, tt.status, tt.detail)
		}
		if tt.status == Fail && !strings.Contains(v.Result.Fix, "chapterctl dns apply") {
			t.Errorf("%s: fix %q does not name dns apply", tt.name, v.Result.Fix)
		}
	}
}

func TestJudgeExpiry(t *testing.T) {
	now := time.Now()
	day := 24 * time.Hour
	for _, tt := range []struct {
		left   time.Duration
		status Status
	}{{60 * day, Pass}, {15 * day, Pass}, {14 * day, Warn}, {10 * day, Warn}, {3 * day, Fail}, {time.Hour, Fail}} {
		leaf := &x509.Certificate{NotAfter: now.Add(tt.left), Issuer: pkix.Name{CommonName: "R11"}}
		if r := JudgeExpiry("chat.example.org", leaf, now); r.Status != tt.status {
			t.Errorf("%v left: %s (%s), want %s", tt.left, r.Status, r.Detail, tt.status)
		}
	}
}

func TestJudgeHandshakeNamesTheFault(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "self"}, Issuer: pkix.Name{CommonName: "self"},
		DNSNames: []string{"other.example.org"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	cert, _ := x509.ParseCertificate(der)
	for _, tt := range []struct {
		err  error
		want string
	}{
		{x509.CertificateInvalidError{Cert: cert, Reason: x509.Expired, Detail: "expired yesterday"}, "has expired"},
		{x509.HostnameError{Certificate: cert, Host: "chat.example.org"}, "for another name ([other.example.org])"},
		{x509.UnknownAuthorityError{Cert: cert}, "not from a trusted authority (issued by self"},
		{errors.New("remote error: tls: internal error"), "TLS failed"},
	} {
		r := judgeHandshake("chat.example.org", tt.err)
		if r.Status != Fail || !strings.Contains(r.Detail, tt.want) || r.Fix == "" {
			t.Errorf("%v: %s %q (fix %q), want fail containing %q", tt.err, r.Status, r.Detail, r.Fix, tt.want)
		}
	}
}

func TestJudgeMailStatus(t *testing.T) {
	st := cloudron.MailStatus{
		Checks: []cloudron.MailCheck{
			{Name: "mx", FQDN: "example.org", Type: "MX", Value: "10 my.example.org.", Expected: "10 my.example.org.", OK: true},
			{Name: "dkim", FQDN: "cloudron._domainkey.example.org", Type: "TXT", Expected: "v=DKIM1; t=s; p=AAA"},
			{Name: "ptr", FQDN: "10.113.0.203.in-addr.arpa", RecordName: "203.0.113.10", Type: "PTR", Value: "droplet-1", Expected: "my.example.org"},
		},
		Relay:      cloudron.RelayStatus{Checked: true, Message: "Connect to smtp.gmail.com timed out"},
		Blocklists: cloudron.BlocklistStatus{Checked: true, IP: "203.0.113.10", Listed: []string{"zen.spamhaus.org"}},
	}
	want := map[string]Status{"mail.mx": Pass, "mail.dkim": Warn, "mail.ptr": Fail, "mail.port25_out": Warn, "ip.dnsbl": Warn}
	got := JudgeMailStatus("example.org", st)
	if len(got) != len(want) {
		t.Fatalf("%d findings, want %d: %+v", len(got), len(want), got)
	}
	for _, f := range got {
		if f.Result.Status != want[f.ID] {
			t.Errorf("%s: %s (%s), want %s", f.ID, f.Result.Status, f.Result.Detail, want[f.ID])
		}
		if f.ID == "mail.port25_out" && !strings.Contains(f.Result.Fix, "chapterctl mail enable --relay mailgun") {
			t.Errorf("port 25 fix %q lacks the relay command", f.Result.Fix)
		}
	}
	// With a relay the relay check is a login: refused is a failure.
	relayed := JudgeMailStatus("example.org", cloudron.MailStatus{Relay: cloudron.RelayStatus{Checked: true, Message: "535 auth failed"}})
	if len(relayed) != 1 || relayed[0].ID != "mail.relay" || relayed[0].Result.Status != Fail {
		t.Errorf("relay refused: %+v", relayed)
	}
}
