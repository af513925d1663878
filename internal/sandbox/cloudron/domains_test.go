package cloudron

import (
	"testing"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

var matrixDocs = map[string]any{
	"matrix/server": `{"m.server":"matrix.example.org:443"}`,
	"matrix/client": `{"m.homeserver":{"base_url":"https://matrix.example.org"}}`,
}

func (b *box) wellKnown(host, path string) (string, bool) {
	var body string
	var ok bool
	b.w.Read(func(d *world.Data) { body, ok = WellKnown(d, 1, host, path) })
	return body, ok
}

func TestWellKnownIsServedOnlyWithAnAppOnTheBareDomain(t *testing.T) {
	t.Parallel()
	b := ready(t)
	b.call("POST", "/domains/"+testDomain+"/wellknown", map[string]any{"wellKnown": matrixDocs}).want(t, 204)
	if got := b.call("GET", "/domains/"+testDomain, nil).want(t, 200).str("wellKnown.matrix/server"); got != matrixDocs["matrix/server"] {
		t.Errorf("domain shows %q", got)
	}
	b.install("org.matrix.synapse", "matrix")
	if _, ok := b.wellKnown(testDomain, "/.well-known/matrix/server"); ok {
		t.Error("served with no app on the bare domain")
	}
	b.install("im.riot.cloudronapp", "")
	cases := []struct {
		host, path string
		ok         bool
	}{
		{testDomain, "/.well-known/matrix/server", true},
		{testDomain + ":443", "/.well-known/matrix/client", true},
		{"matrix." + testDomain, "/.well-known/matrix/server", false},
		{testDomain, "/.well-known/security.txt", false},
	}
	for _, c := range cases {
		body, ok := b.wellKnown(c.host, c.path)
		if ok != c.ok || (ok && body != matrixDocs[c.path[len("/.well-known/"):]]) {
			t.Errorf("%s%s: %q, %v", c.host, c.path, body, ok)
		}
	}
	b.call("POST", "/domains/"+testDomain+"/wellknown", map[string]any{"wellKnown": nil}).want(t, 204)
	if _, ok := b.wellKnown(testDomain, "matrix/server"); ok {
		t.Error("still served after null cleared it")
	}
	b.call("POST", "/domains/"+testDomain+"/wellknown", map[string]any{"wellKnown": map[string]any{"x": 1}}).want(t, 400)
	b.call("POST", "/domains/other.example/wellknown", map[string]any{"wellKnown": nil}).want(t, 404)
}

func TestOldBoxHasNoWellKnownRoute(t *testing.T) {
	t.Parallel()
	b := ready(t, func(d *world.Data) { d.Machines["1"].Cloudron.Options.NoWellKnownRoute = true })
	if a := b.call("POST", "/domains/"+testDomain+"/wellknown", map[string]any{"wellKnown": matrixDocs}).want(t, 404); a.message() != "No such route" {
		t.Errorf("message = %q", a.message())
	}
}

func TestWellKnownMissingFault(t *testing.T) {
	t.Parallel()
	b := ready(t)
	b.install("im.riot.cloudronapp", "")
	b.change(func(d *world.Data) {
		if err := breakWellKnown(d, ""); err == nil {
			t.Error("broke with no document to remove")
		}
	})
	b.call("POST", "/domains/"+testDomain+"/wellknown", map[string]any{"wellKnown": matrixDocs}).want(t, 204)
	b.change(func(d *world.Data) {
		if err := breakWellKnown(d, ""); err != nil {
			t.Error(err)
		}
	})
	if _, ok := b.wellKnown(testDomain, "matrix/server"); ok {
		t.Error("matrix/server still served")
	}
	if _, ok := b.wellKnown(testDomain, "matrix/client"); !ok {
		t.Error("matrix/client went too")
	}
	b.change(func(d *world.Data) { healWellKnown(d) })
	if body, ok := b.wellKnown(testDomain, "matrix/server"); !ok || body != matrixDocs["matrix/server"] {
		t.Errorf("after heal: %q %v", body, ok)
	}
}
