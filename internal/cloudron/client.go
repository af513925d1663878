// Package cloudron is chapterctl's client of the Cloudron box API
// (reference/cloudron.md): first-time setup and activation, tokens, apps and
// their tasks, well-known documents, mail, updates and backups.
//
// No Go client exists, so this is a small one on net/http. It dials only
// through a netx.Dialer, so the sandbox and the real world run the same
// code. Before setup the dashboard has a self-signed certificate, which the
// caller reads over SSH and pins here; afterwards my.<domain> has a
// CA-signed one and the client trusts ordinary roots.
//
// Routes differ between Cloudron versions (8.x ≤ 8.1 installs with
// POST /apps/install, 8.2+ with POST /apps; 9.x moved the updater to
// /updater/box_update). The client asks the server for its version once and
// picks each route from it.
package cloudron

import (
	"context"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/chapterctl/chapterctl/internal/debuglog"
	"github.com/chapterctl/chapterctl/internal/netx"
)

// defaultRequestTimeout bounds each API call; the mail status runs DNS and
// SMTP checks on the server and gets longer (mailStatusTimeout).
const defaultRequestTimeout = 30 * time.Second

// Options configure a Client.
type Options struct {
	// PinnedCert is the dashboard's certificate as read from the server
	// over SSH (/home/yellowtent/platformdata/nginx/cert/default.cert), PEM
	// or DER. When set, the server must present exactly this certificate;
	// anything else is a *CertMismatchError and no request is sent.
	PinnedCert []byte
	// Roots are the CAs trusted when no certificate is pinned (after setup,
	// when my.<domain> has a CA-signed certificate). Nil: the system's.
	Roots *x509.CertPool
	// ServerName is the name the certificate is checked against, when it
	// is not the base URL's host.
	ServerName string
	// Token is the API token (the activation token or one from CreateToken).
	Token string
	// SetupToken is the installer's one-time setup token, when it was run
	// with --generate-setup-token; the provision calls carry it.
	SetupToken string
	// RequestTimeout bounds each API call (default 30 s).
	RequestTimeout time.Duration
	// Logger receives one debug line per request (method, path, status,
	// duration; never a body or a header). Nil: nothing is logged.
	Logger *slog.Logger
}

// Client talks to one Cloudron. It is safe for concurrent use.
type Client struct {
	base        *url.URL
	http        *http.Client
	host        string
	pinned      *x509.Certificate
	timeout     time.Duration
	log         *slog.Logger
	redactor    *debuglog.Redactor
	configError error // reported by every call: New never fails

	mu         sync.Mutex
	token      string
	setupToken string
	version    *version
}

// New returns a client of the Cloudron at baseURL (its origin, e.g.
// https://203.0.113.10 or https://my.example.org) that dials through dialer.
// A bad URL or pinned certificate is reported by the first call.
func New(baseURL string, dialer netx.Dialer, opts Options) *Client {
	c := &Client{
		timeout:    opts.RequestTimeout,
		log:        opts.Logger,
		redactor:   debuglog.NewRedactor(opts.Token, opts.SetupToken),
		token:      opts.Token,
		setupToken: opts.SetupToken,
	}
	if c.timeout <= 0 {
		c.timeout = defaultRequestTimeout
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	base, err := parseBase(baseURL)
	if err != nil {
		c.configError = err
		return c
	}
	c.base, c.host = base, base.Hostname()
	if len(opts.PinnedCert) > 0 {
		if c.pinned, err = ParseCertificate(opts.PinnedCert); err != nil {
			c.configError = fmt.Errorf("cloudron: the pinned certificate: %w", err)
			return c
		}
	}
	c.http = &http.Client{Transport: transport(dialer, opts, c.pinned)}
	return c
}

// parseBase accepts the server's origin, with or without a trailing slash
// or the /api/v1 prefix.
func parseBase(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("cloudron: %q is not a server address like https://my.example.org", raw)
	}
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/api/v1")
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

// SetToken makes the client use token from now on (after Activate, Login
// or CreateToken).
func (c *Client) SetToken(token string) {
	c.redactor.Add(token)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.token = token
}

func (c *Client) currentToken() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.token
}

func (c *Client) currentSetupToken() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.setupToken
}

type statusJSON struct {
	Version string `json:"version"`
}

// Status is the server's version, from GET /cloudron/status (no token
// needed). It also refreshes the version the client picks routes by.
func (c *Client) Status(ctx context.Context) (string, error) {
	var st statusJSON
	if err := c.do(ctx, call{method: http.MethodGet, path: "/cloudron/status", public: true, out: &st}); err != nil {
		return "", fmt.Errorf("cloudron: read the server's version: %w", err)
	}
	v, err := parseVersion(st.Version)
	if err != nil {
		return "", fmt.Errorf("cloudron: read the server's version: %w", err)
	}
	c.mu.Lock()
	c.version = &v
	c.mu.Unlock()
	return st.Version, nil
}

// serverVersion is the version routes are chosen by, asked once.
func (c *Client) serverVersion(ctx context.Context) (version, error) {
	c.mu.Lock()
	v := c.version
	c.mu.Unlock()
	if v != nil {
		return *v, nil
	}
	if _, err := c.Status(ctx); err != nil {
		return version{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return *c.version, nil
}

// forgetVersion makes the next versioned call ask again (after a platform
// update, the routes may have changed).
func (c *Client) forgetVersion() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.version = nil
}
