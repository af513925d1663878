package digitalocean

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"golang.org/x/crypto/ssh"
	"golang.org/x/oauth2"

	"github.com/chapterctl/chapterctl/internal/netx"
	"github.com/chapterctl/chapterctl/internal/sandbox/simnet/simnettest"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

const testToken = "dop_v1_0123456789abcdef"

// env is a simulator served over TLS on loopback, reached through the
// sandbox dialer as api.digitalocean.com, with the real godo client built
// the way the product builds it.
type env struct {
	w    *world.World
	do   *godo.Client
	http *http.Client // the same transport and token, for raw requests
	base *http.Transport
	ctx  context.Context
}

func testWorld(seed func(*world.Data)) *world.World {
	return world.New(testData(seed), "", world.Options{})
}

// testData is a world's data as worldfile would make it, changed by seed.
func testData(seed func(*world.Data)) *world.Data {
	data := &world.Data{
		Schema: world.SchemaVersion, TimeScale: 0.001,
		Tokens: world.Tokens{DigitalOcean: testToken},
		DigitalOcean: world.DigitalOcean{
			Account: world.DOAccount{DropletLimit: 10, Email: "organizer@example.net", UUID: "b6fr89dbf6d9156cace5f3c78dc9851d957381ef", Status: "active"},
		},
	}
	if seed != nil {
		seed(data)
	}
	return data
}

func newEnv(t testing.TB, seed func(*world.Data)) *env {
	t.Helper()
	return newEnvFor(t, testWorld(seed), testToken)
}

// newEnvFor serves w and returns a client that presents token.
func newEnvFor(t testing.TB, w *world.World, token string) *env {
	t.Helper()
	return serve(t, w, New(w), token)
}

// serve serves handler, the simulator of w, and returns a client that
// presents token.
func serve(t testing.TB, w *world.World, handler http.Handler, token string) *env {
	t.Helper()
	n, ca := simnettest.Serve(t, handler, "api.digitalocean.com")
	base := netx.Transport(n, ca.Pool())
	hc := &http.Client{Transport: &oauth2.Transport{
		Source: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token}),
		Base:   base,
	}}
	client, err := godo.New(hc, godo.SetBaseURL("https://api.digitalocean.com/"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return &env{w: w, do: client, http: hc, base: base, ctx: ctx}
}

// raw sends a request as any client would and returns the answer and its
// body.
func (e *env) raw(t testing.TB, method, path, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(e.ctx, method, "https://api.digitalocean.com"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, string(raw)
}

// apiError returns err as godo's ErrorResponse, failing the test if it is
// not one.
func apiErrorOf(t testing.TB, err error) *godo.ErrorResponse {
	t.Helper()
	var er *godo.ErrorResponse
	if !errors.As(err, &er) {
		t.Fatalf("error %v (%T) is not a godo.ErrorResponse", err, err)
	}
	return er
}

// wantAPIError checks err is the API's answer with status and message.
func wantAPIError(t testing.TB, err error, status int, message string) {
	t.Helper()
	er := apiErrorOf(t, err)
	if er.Response.StatusCode != status || er.Message != message {
		t.Fatalf("got %d %q, want %d %q", er.Response.StatusCode, er.Message, status, message)
	}
	if er.RequestID == "" {
		t.Errorf("the error carries no request id")
	}
}

// eventually waits until cond holds, checking every 5 ms (a pace that
// stays well under the API's 250 requests a minute in these tests), or
// fails the test after a few seconds.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

func newPublicKey(t testing.TB, comment string) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sshPub))) + " " + comment
}

// chapterDropletRequest is what the product asks for.
func chapterDropletRequest(name string, tags ...string) *godo.DropletCreateRequest {
	return &godo.DropletCreateRequest{
		Name: name, Region: "nyc3", Size: "s-2vcpu-4gb",
		Image: godo.DropletCreateImage{Slug: "ubuntu-24-04-x64"}, Tags: tags,
		UserData: "#cloud-config\n",
	}
}

// createActive creates a droplet and waits until it is active.
func (e *env) createActive(t testing.TB, req *godo.DropletCreateRequest) *godo.Droplet {
	t.Helper()
	dr, _, err := e.do.Droplets.Create(e.ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	var got *godo.Droplet
	eventually(t, "the droplet to be active", func() bool {
		got, _, err = e.do.Droplets.Get(e.ctx, dr.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Status == "active"
	})
	return got
}
