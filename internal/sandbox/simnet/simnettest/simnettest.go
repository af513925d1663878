// Package simnettest serves a simulator over HTTPS on loopback for a
// test, the way the sandbox serves it to chapterctl: under the provider's
// own host names, signed by a sandbox certificate authority.
package simnettest

import (
	"net/http"
	"testing"

	"github.com/chapterctl/chapterctl/internal/sandbox/simnet"
)

// Serve serves handler over HTTPS for hosts (on port 443) until the test
// ends. It returns the network that routes those hosts to it, and the new
// certificate authority its certificate comes from.
func Serve(t testing.TB, handler http.Handler, hosts ...string) (*simnet.Net, *simnet.CA) {
	t.Helper()
	ca, err := simnet.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	addr, stop, err := simnet.HTTPS(ca, handler, hosts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	n := simnet.NewNet()
	for _, host := range hosts {
		n.Route("tcp", host+":443", addr)
	}
	return n, ca
}
