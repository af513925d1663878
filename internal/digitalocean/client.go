// Package digitalocean is chapterctl's DigitalOcean adapter: the few things
// the steps ask of the account (token, sizes, images, SSH key, droplet,
// tag, cloud firewall), on godo, through chapterctl's own dialer and
// roots so that the sandbox and the real world run the same code.
//
// It returns small plain structs, never godo types, and errors that say in
// one sentence what failed and what to do. Retries live in this package's
// RoundTripper, not in godo's (reference/digitalocean.md §1): godo's would
// replace the dialer and re-send droplet creates.
package digitalocean

import (
	"github.com/chapterctl/chapterctl/internal/waitx"

	"context"
	"crypto/x509"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/digitalocean/godo"
	"golang.org/x/oauth2"

	"github.com/chapterctl/chapterctl/internal/debuglog"
	"github.com/chapterctl/chapterctl/internal/netx"
)

// baseURL is the real API. The sandbox serves the same name through its
// dialer, so the product never needs another one.
const baseURL = "https://api.digitalocean.com/"

// Deadlines. A call is one method of Client: it may take several attempts
// (retryPolicy) and, for lists, several pages.
const (
	attemptTimeout = 30 * time.Second
	callTimeout    = 3 * time.Minute
	// activeTimeout bounds WaitActive: creation takes 35–55 s
	// (timings.md §1); ten minutes means something is wrong.
	activeTimeout = 10 * time.Minute
	// maxPerPage is the API's largest page (reference §2): one request
	// for nearly every list chapterctl reads.
	maxPerPage = 200
)

// Sleeper waits for d or until ctx ends, whichever is first.
type Sleeper func(ctx context.Context, d time.Duration) error

// Client talks to one DigitalOcean account.
type Client struct {
	godo     *godo.Client
	sleep    Sleeper
	log      *slog.Logger
	redactor *debuglog.Redactor
	retry    *retryTransport // kept so tests can shorten its deadlines
	// perPage is the page size of lists; tests lower it to walk pages.
	perPage int
}

// Option configures a Client.
type Option func(*settings)

type settings struct {
	sleep   Sleeper
	log     *slog.Logger
	version string
}

// WithSleeper replaces real waiting (retry backoff, Retry-After, polling),
// so that tests against a time-scaled world run fast.
func WithSleeper(s Sleeper) Option { return func(o *settings) { o.sleep = s } }

// WithLogger sends retries and waits to the debug log.
func WithLogger(l *slog.Logger) Option { return func(o *settings) { o.log = l } }

// WithVersion is chapterctl's version, for the User-Agent.
func WithVersion(v string) Option { return func(o *settings) { o.version = v } }

// New returns a client that presents token, dials with dialer and trusts
// roots (nil: the system's).
func New(token string, dialer netx.Dialer, roots *x509.CertPool, opts ...Option) *Client {
	s := settings{sleep: waitx.Sleep, log: debuglog.Discard(), version: "dev"}
	for _, opt := range opts {
		opt(&s)
	}
	token = strings.TrimSpace(token)
	retrying := &retryTransport{
		base:   netx.Transport(dialer, roots),
		policy: defaultRetryPolicy,
		sleep:  s.sleep,
		log:    s.log,
	}
	hc := &http.Client{
		Transport: &oauth2.Transport{
			Source: staticToken(token),
			Base:   retrying,
		},
		Timeout: callTimeout,
	}
	// Neither option can fail with these constant, valid values.
	g, _ := godo.New(hc, godo.SetBaseURL(baseURL), godo.SetUserAgent("chapterctl/"+s.version))
	return &Client{
		godo: g, sleep: s.sleep, log: s.log,
		redactor: debuglog.NewRedactor(token), retry: retrying, perPage: maxPerPage,
	}
}

// call bounds one method's work with its own deadline.
func (c *Client) call(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, callTimeout)
}

// staticToken is the token, or ErrNoToken before anything is sent.
type staticToken string

func (t staticToken) Token() (*oauth2.Token, error) {
	if t == "" {
		return nil, ErrNoToken
	}
	return &oauth2.Token{AccessToken: string(t), TokenType: "Bearer"}, nil
}
