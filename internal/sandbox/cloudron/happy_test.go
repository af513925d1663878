package cloudron

import (
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// waitFor polls cond (each poll a request to the box, as a client would
// make) until it holds.
func (b *box) waitFor(what string, cond func() bool) {
	b.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			b.t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

// The whole first run on the real clock at time scale 0.001, as
// chapterctl will drive it: setup waits for my.<domain>, activation,
// a long-lived token, Synapse and Element installed with their DNS waits,
// delegation, mail, and a mail status that is all green.
func TestHappyPath(t *testing.T) {
	t.Parallel()
	b := startBox(t, 0.001, world.Options{})

	b.call("POST", "/provision/setup", setupBody).want(t, 200)
	b.waitFor("the DNS wait", func() bool {
		return b.call("GET", "/provision/status", nil).str("setup.message") == "Waiting for DNS of "+dashboard
	})
	b.deps.serve(dashboard, "A", testIP)
	b.waitFor("setup", func() bool { return b.call("GET", "/provision/status", nil).at("setup.active") == false })
	if st := b.call("GET", "/provision/status", nil); st.str("setup.errorMessage") != "" || st.str("adminFqdn") != dashboard {
		t.Fatalf("setup = %s", st.raw)
	}
	b.activate()
	b.token = b.call("POST", "/tokens", map[string]any{"name": "chapterctl", "scope": map[string]any{"*": "rw"}}).want(t, 200).str("accessToken")

	synapse := b.call("POST", "/apps", installBody("org.matrix.synapse", "matrix")).want(t, 202)
	element := b.call("POST", "/apps", installBody("im.riot.cloudronapp", "")).want(t, 202)
	for _, a := range []answer{synapse, element} {
		b.waitFor("the install's DNS wait", func() bool {
			return b.call("GET", "/tasks/"+a.str("taskId"), nil).str("message") == "Waiting for DNS propagation"
		})
	}
	b.deps.serve("matrix."+testDomain, "A", testIP)
	b.deps.serve(testDomain, "A", testIP)
	for _, a := range []answer{synapse, element} {
		b.waitFor("a healthy app", func() bool { return b.call("GET", "/apps/"+a.str("id"), nil).str("health") == "healthy" })
	}
	b.call("POST", "/domains/"+testDomain+"/wellknown", map[string]any{"wellKnown": matrixDocs}).want(t, 204)
	if body, ok := b.wellKnown(testDomain, "/.well-known/matrix/server"); !ok || body != matrixDocs["matrix/server"] {
		t.Errorf("delegation: %q %v", body, ok)
	}

	b.call("POST", mailPath+"/enable", map[string]any{"enabled": true}).want(t, 202)
	owner := b.call("GET", "/profile", nil).str("id")
	b.call("POST", mailPath+"/mailboxes", map[string]any{"name": "maria", "ownerId": owner, "ownerType": "user", "active": true, "enablePop3": false}).want(t, 201)
	status := b.call("GET", mailPath+"/status", nil).want(t, 200)
	for check, name := range map[string]string{"mx": testDomain, "spf": testDomain, "dkim": "cloudron._domainkey." + testDomain, "dmarc": "_dmarc." + testDomain} {
		qtype := "TXT"
		if check == "mx" {
			qtype = "MX"
		}
		b.deps.serve(name, qtype, status.str("dns."+check+".expected"))
	}
	status = b.call("GET", mailPath+"/status", nil).want(t, 200)
	for _, check := range []string{"dns.mx", "dns.spf", "dns.dkim", "dns.dmarc", "dns.ptr", "relay", "rbl"} {
		if status.at(check+".status") != true {
			t.Errorf("%s is not green: %v", check, status.at(check))
		}
	}
}
