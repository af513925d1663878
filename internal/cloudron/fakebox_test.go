package cloudron

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/chapterctl/chapterctl/internal/sandbox/simnet"
)

// fakeBox is a scripted box API on loopback TLS, reached as box.test
// through a simnet dialer that refuses everything else. Each request
// takes the next answer for its "METHOD path"; the last one repeats.
type fakeBox struct {
	t   *testing.T
	srv *httptest.Server
	net *simnet.Net

	mu      sync.Mutex
	answers map[string][]answer
	seen    []string // "METHOD path" of each request, in order
	bodies  map[string]string
}

type answer struct {
	status int
	body   string // JSON, or the HTML of nginx's 502
}

func newFakeBox(t *testing.T) *fakeBox {
	t.Helper()
	f := &fakeBox{t: t, answers: map[string][]answer{}, bodies: map[string]string{}}
	f.srv = httptest.NewTLSServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	f.net = simnet.NewNet()
	f.net.Route("tcp", "box.test:443", f.srv.Listener.Addr().String())
	return f
}

func (f *fakeBox) on(method, path string, answers ...answer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answers[method+" "+path] = answers
}

func (f *fakeBox) serve(rw http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	key := r.Method + " " + r.URL.Path
	f.seen = append(f.seen, key)
	raw, _ := io.ReadAll(r.Body)
	f.bodies[key] = string(raw)
	queue := f.answers[key]
	var a answer
	switch len(queue) {
	case 0:
		a = answer{404, `{"status":"Not Found","message":"No such route"}`}
	case 1:
		a = queue[0]
	default:
		a, f.answers[key] = queue[0], queue[1:]
	}
	f.mu.Unlock()
	rw.WriteHeader(a.status)
	io.WriteString(rw, a.body)
}

func (f *fakeBox) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.seen...)
}

// client pins the fake's certificate (httptest's, valid for example.com).
func (f *fakeBox) client(token string) *Client {
	return New("https://box.test", f.net, Options{PinnedCert: f.srv.Certificate().Raw, ServerName: "example.com", Token: token})
}

const badGateway = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>"
