package cloudron

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"testing"
)

const mailPath = "/mail/" + testDomain

func TestMailRoutes(t *testing.T) {
	t.Parallel()
	b := ready(t)
	b.call("POST", mailPath+"/enable", map[string]any{"enabled": "yes"}).want(t, 400)
	b.call("POST", "/mail/other.example/enable", map[string]any{"enabled": true}).want(t, 404)
	b.call("POST", mailPath+"/enable", map[string]any{"enabled": true}).want(t, 202)
	if b.call("GET", mailPath, nil).want(t, 200).at("enabled") != true {
		t.Error("mail not enabled")
	}

	owner := b.call("GET", "/profile", nil).str("id")
	mailbox := map[string]any{"name": "maria", "ownerId": owner, "ownerType": "user", "active": true, "enablePop3": false}
	b.call("POST", mailPath+"/mailboxes", mailbox).want(t, 201)
	b.call("POST", mailPath+"/mailboxes", mailbox).want(t, 409)
	list := map[string]any{"name": "members", "members": []string{"maria@" + testDomain}, "membersOnly": false, "active": true}
	b.call("POST", mailPath+"/lists", list).want(t, 201)
	b.call("POST", mailPath+"/lists", list).want(t, 409)
	list["name"] = "maria" // a mailbox's name
	b.call("POST", mailPath+"/lists", list).want(t, 409)
	b.call("POST", mailPath+"/catch_all", map[string]any{"addresses": []any{"maria@" + testDomain}}).want(t, 202)
	if a := b.call("POST", mailPath+"/catch_all", map[string]any{"addresses": []any{1}}).want(t, 400); a.message() != "addresses must be an array of strings" {
		t.Errorf("catch_all message = %q", a.message())
	}

	if n := len(b.call("GET", mailPath+"/mailboxes", nil).at("mailboxes").([]any)); n != 1 {
		t.Errorf("%d mailboxes", n)
	}
	if got := b.call("GET", mailPath+"/lists", nil).at("lists").([]any)[0].(map[string]any)["members"]; len(got.([]any)) != 1 {
		t.Errorf("list members = %v", got)
	}
	if got := b.call("GET", mailPath, nil).at("catchAll").([]any); len(got) != 1 {
		t.Errorf("catch-all = %v", got)
	}
}

func TestRelayIsVerifiedBySMTPLogin(t *testing.T) {
	t.Parallel()
	b := ready(t)
	relay := map[string]any{"provider": "mailgun-smtp", "host": "smtp.mailgun.org", "port": 587,
		"username": "postmaster@mg.example.org", "password": "wrong"}
	if a := b.call("POST", mailPath+"/relay", relay).want(t, 400); a.message() != "Invalid login: 535 Authentication failed" {
		t.Errorf("failed login message = %q", a.message())
	}
	relay["password"] = "right"
	b.call("POST", mailPath+"/relay", relay).want(t, 202)
	shown := b.call("GET", mailPath, nil)
	if shown.str("relay.provider") != "mailgun-smtp" || shown.str("relay.password") != maskedSecret {
		t.Errorf("relay shown as %s", shown.raw)
	}
	relay["password"] = maskedSecret // the mask keeps the stored password
	b.call("POST", mailPath+"/relay", relay).want(t, 202)
}

func TestMailStatusFollowsTheResolver(t *testing.T) {
	t.Parallel()
	b := ready(t)
	b.call("POST", mailPath+"/enable", map[string]any{"enabled": true}).want(t, 202)
	dkim := "v=DKIM1; t=s; p=" + b.cloudron().Mail[testDomain].DKIMPublicKey
	cases := []struct {
		check, name, qtype string
		values             []string
		status             bool
		expected           string
	}{
		{"mx", testDomain, "MX", nil, false, "10 my.example.org."},
		{"mx", testDomain, "MX", []string{"10 my.example.org."}, true, ""},
		// Two MX fail unless the first one's host is the server [v4].
		{"mx", testDomain, "MX", []string{"20 backup.example.net.", "10 my.example.org."}, false, ""},
		{"spf", testDomain, "TXT", nil, false, "v=spf1 a:my.example.org ~all"},
		{"spf", testDomain, "TXT", []string{"v=spf1 include:mailgun.org ~all"}, false, "v=spf1 a:my.example.org include:mailgun.org ~all"},
		{"spf", testDomain, "TXT", []string{"google-site-verification=x", "v=spf1 a:my.example.org include:mailgun.org ~all"}, true, "v=spf1 a:my.example.org include:mailgun.org ~all"},
		{"dmarc", "_dmarc." + testDomain, "TXT", []string{"v=DMARC1; p=none"}, false, "v=DMARC1; p=reject; pct=100"},
		{"dmarc", "_dmarc." + testDomain, "TXT", []string{"v=DMARC1; p=reject; pct=100; rua=mailto:d@example.org"}, true, ""},
		{"dkim", "cloudron._domainkey." + testDomain, "TXT", []string{"v=DKIM1; t=s; p=MIIBshort"}, false, dkim},
		{"dkim", "cloudron._domainkey." + testDomain, "TXT", []string{dkim}, true, dkim},
	}
	for _, c := range cases {
		b.deps.serve(c.name, c.qtype, c.values...)
		rec := b.call("GET", mailPath+"/status", nil).want(t, 200).at("dns." + c.check).(map[string]any)
		if rec["status"] != c.status || (c.expected != "" && rec["expected"] != c.expected) {
			t.Errorf("%s with %q: %v", c.check, c.values, rec)
		}
	}
	// An MX naming another host passes when that host is the server.
	b.deps.serve(testDomain, "MX", "10 mail.example.org.")
	b.deps.serve("mail."+testDomain, "A", testIP)
	if got := b.call("GET", mailPath+"/status", nil).at("dns.mx.status"); got != true {
		t.Errorf("MX through another name: %v", got)
	}
}

func TestMailStatusPTRPort25AndBlocklists(t *testing.T) {
	t.Parallel()
	b := ready(t)
	status := b.call("GET", mailPath+"/status", nil).want(t, 200)
	if status.at("dns.ptr.status") != true || status.at("relay.status") != true || status.at("rbl.status") != true {
		t.Fatalf("clean status = %s", status.raw)
	}
	if status.at("dns.mx") != nil {
		t.Error("MX checked while incoming mail is off")
	}
	b.deps.mu.Lock()
	b.deps.blocked25 = true
	b.deps.ptr[testIP] = []string{"ubuntu-s-2vcpu-4gb-nyc3-01."}
	b.deps.mu.Unlock()
	b.deps.serve("10.113.0.203.zen.spamhaus.org", "A", "127.0.0.2")
	status = b.call("GET", mailPath+"/status", nil)
	if status.at("dns.ptr.status") != false || status.str("dns.ptr.expected") != dashboard {
		t.Errorf("wrong PTR: %v", status.at("dns.ptr"))
	}
	if status.at("relay.status") != false || status.str("relay.value") != "Connect to smtp.gmail.com timed out. Check if port 25 (outbound) is blocked" {
		t.Errorf("blocked port 25: %v", status.at("relay"))
	}
	servers := status.at("rbl.servers").([]any)
	if status.at("rbl.status") != false || len(servers) != 1 || servers[0].(map[string]any)["dns"] != "zen.spamhaus.org" {
		t.Errorf("listed IP: %v", status.at("rbl"))
	}

	// With a relay, the relay's login is the relay status; no PTR or RBL.
	b.call("POST", mailPath+"/relay", map[string]any{"provider": "mailgun-smtp", "host": "smtp.mailgun.org", "port": 587,
		"username": "postmaster@mg.example.org", "password": "right"}).want(t, 202)
	status = b.call("GET", mailPath+"/status", nil)
	if status.at("relay.status") != true || status.at("dns.ptr") != nil || status.at("dns.dkim") == nil {
		t.Errorf("relayed status = %s", status.raw)
	}
}

func TestEachMailDomainHasA2048BitDKIMKey(t *testing.T) {
	t.Parallel()
	b := ready(t)
	m := b.cloudron().Mail[testDomain]
	der, err := base64.StdEncoding.DecodeString(m.DKIMPublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		t.Fatal(err)
	}
	if rsaKey, ok := pub.(*rsa.PublicKey); !ok || rsaKey.N.BitLen() != 2048 || m.DKIMSelector != "cloudron" {
		t.Errorf("DKIM key %T, selector %q", pub, m.DKIMSelector)
	}
	if got := dkimSelector("chapter.example.net", testDomain); got != "cloudron-exampleorg" {
		t.Errorf("selector of another domain = %q", got)
	}
}
