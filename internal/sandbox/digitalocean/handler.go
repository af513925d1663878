// Package digitalocean simulates the DigitalOcean API v2 for the sandbox:
// the endpoints chapterctl drives through godo, answered from the world's
// state with the real API's shapes, status codes, error texts, pagination
// and rate limits (reference/digitalocean.md). Served at the host root,
// as godo's absolute firewall paths require.
package digitalocean

import (
	"net/http"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// api is the simulator: the world it answers from, the per-token request
// counts, and the routes.
type api struct {
	w       *world.World
	limiter *rateLimiter
	mux     *http.ServeMux
}

// New returns the DigitalOcean API simulator for w, journaled as
// "digitalocean".
func New(w *world.World) http.Handler { return newAPI(w, realLimits) }

func newAPI(w *world.World, limits rateLimits) http.Handler {
	a := &api{w: w, limiter: newRateLimiter(limits), mux: http.NewServeMux()}
	a.routes()
	return w.Journaled("digitalocean", a)
}

// apiHandler serves one route; a returned error is the answer.
type apiHandler func(rw http.ResponseWriter, r *http.Request) error

func (a *api) handle(pattern string, h apiHandler) {
	a.mux.HandleFunc(pattern, func(rw http.ResponseWriter, r *http.Request) {
		if err := h(rw, r); err != nil {
			writeError(rw, err)
		}
	})
}

func (a *api) routes() {
	a.handle("GET /v2/account", a.getAccount)
	a.handle("GET /v2/regions", a.listRegions)
	a.handle("GET /v2/sizes", a.listSizes)
	a.handle("GET /v2/images", a.listImages)
	a.handle("GET /v2/images/{image}", a.getImage)
	a.keyRoutes()
	a.dropletRoutes()
	a.actionRoutes()
	a.firewallRoutes()
	a.tagRoutes()
}

// ServeHTTP answers one request the way the real API's front does: the
// connection may drop, then the request is counted against the token's
// rate limits, then authenticated, then served. Every answer that is sent
// carries the rate headers and an X-Request-Id.
func (a *api) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	a.w.InjectLatency(r.Context())
	if a.w.TakeFault(FaultConnectionReset) {
		world.ResetConnection(rw, r)
		return
	}
	rw.Header().Set("X-Request-Id", newRequestID())
	token := bearerToken(r)
	isKeysList := r.Method == http.MethodGet && r.URL.Path == "/v2/account/keys"
	rate := a.limiter.admit(token, a.w.Now(), isKeysList)
	a.limiter.setHeaders(rw.Header(), rate)
	switch {
	case rate.refused:
		if rate.retry > 0 {
			rw.Header().Set("Retry-After", retryAfterSeconds(rate.retry))
		}
		writeError(rw, errRateLimited)
	case !a.authorized(token):
		writeError(rw, errUnauthorized)
	case a.w.TakeFault(FaultRateLimit):
		// Shaped as a per-minute burst: Retry-After is that minute on the
		// world's scaled clock, so a client that honours it is not held up
		// for a real minute at every injected 429.
		rw.Header().Set("RateLimit-Remaining", "0")
		rw.Header().Set("Retry-After", retryAfterSeconds(a.w.Scaled(time.Minute)))
		writeError(rw, errRateLimited)
	case a.w.TakeFault(Fault5xx):
		writeError(rw, errServer)
	default:
		if _, pattern := a.mux.Handler(r); pattern == "" {
			writeError(rw, errNotFound) // an unknown route, or a known one with another method
			return
		}
		a.mux.ServeHTTP(rw, r)
	}
}

func bearerToken(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// authorized: only the token the world issued is accepted; a world with no
// token accepts none.
func (a *api) authorized(token string) bool {
	var want string
	a.w.Read(func(d *world.Data) { want = d.Tokens.DigitalOcean })
	return want != "" && token == want
}
