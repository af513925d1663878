package cloudron

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// ProvisionStatus is GET /provision/status: where first-time setup is.
type ProvisionStatus struct {
	Version   string
	AdminFQDN string // my.<domain> once setup has finished, else ""
	Activated bool
	Setup     Progress
	Restore   Progress
}

// Progress is a background provisioning job (setup or restore).
type Progress struct {
	Active  bool
	Message string // "Waiting for DNS of my.example.org", "Done", …
	Error   string // non-empty when it failed
}

// SetupDone tells whether setup has finished well (or the box is already
// activated, which implies it).
func (s ProvisionStatus) SetupDone() bool {
	return s.Activated || (s.AdminFQDN != "" && !s.Setup.Active && s.Setup.Error == "")
}

type progressJSON struct {
	Active       bool    `json:"active"`
	Message      string  `json:"message"`
	ErrorMessage *string `json:"errorMessage"`
}

func (p progressJSON) progress() Progress {
	out := Progress{Active: p.Active, Message: p.Message}
	if p.ErrorMessage != nil {
		out.Error = *p.ErrorMessage
	}
	return out
}

// ProvisionStatus reads where first-time setup is (no token needed).
func (c *Client) ProvisionStatus(ctx context.Context) (ProvisionStatus, error) {
	st, err := c.provisionStatus(ctx)
	if err != nil {
		return ProvisionStatus{}, fmt.Errorf("cloudron: %w", err)
	}
	return st, nil
}

func (c *Client) provisionStatus(ctx context.Context) (ProvisionStatus, error) {
	var body struct {
		Version   string       `json:"version"`
		AdminFQDN *string      `json:"adminFqdn"`
		Activated bool         `json:"activated"`
		Setup     progressJSON `json:"setup"`
		Restore   progressJSON `json:"restore"`
	}
	if err := c.do(ctx, call{method: http.MethodGet, path: "/provision/status", public: true, out: &body}); err != nil {
		return ProvisionStatus{}, fmt.Errorf("read the setup status: %w", err)
	}
	st := ProvisionStatus{Version: body.Version, Activated: body.Activated, Setup: body.Setup.progress(), Restore: body.Restore.progress()}
	if body.AdminFQDN != nil {
		st.AdminFQDN = *body.AdminFQDN
	}
	return st, nil
}

// SetupRequest is the first-time setup chapterctl does: the domain with
// Cloudron's manual DNS provider (chapterctl writes every record itself)
// and a Let's Encrypt certificate.
type SetupRequest struct {
	Domain   string
	ZoneName string // the zone at the DNS host; default Domain
	// SetupToken is the installer's one-time token, if it made one; it is
	// kept for Activate too.
	SetupToken string
}

// Setup starts first-time setup. Cloudron answers at once and carries on
// in the background (WaitSetup follows it): with the manual provider it
// waits until every authoritative server answers my.<domain> with the
// server's IP, so write that record first. A setup already running is
// taken as this one in progress; one already finished for the same
// domain is not started again (that would throw its certificate away).
func (c *Client) Setup(ctx context.Context, req SetupRequest) error {
	domain := strings.ToLower(strings.TrimSuffix(req.Domain, "."))
	if domain == "" {
		return errors.New("cloudron: setup: the domain is empty")
	}
	if req.SetupToken != "" {
		c.redactor.Add(req.SetupToken)
		c.mu.Lock()
		c.setupToken = req.SetupToken
		c.mu.Unlock()
	}
	st, err := c.provisionStatus(ctx)
	if err != nil {
		return fmt.Errorf("cloudron: setup of %s: %w", domain, err)
	}
	switch {
	case st.Activated:
		return fmt.Errorf("cloudron: setup of %s: %w", domain, ErrAlreadyActivated)
	case st.Setup.Active:
		return nil
	case st.SetupDone() && st.AdminFQDN == "my."+domain:
		return nil
	}
	zone := req.ZoneName
	if zone == "" {
		zone = domain
	}
	body := map[string]any{
		"domainConfig": map[string]any{"provider": "manual", "domain": domain, "zoneName": zone, "config": map[string]any{},
			"tlsConfig": map[string]any{"provider": "letsencrypt-prod"}},
		"ipv4Config": map[string]any{"provider": "generic"},
		"ipv6Config": map[string]any{"provider": "noop"},
	}
	if tok := c.currentSetupToken(); tok != "" {
		body["setupToken"] = tok
	}
	err = c.do(ctx, call{method: http.MethodPost, path: "/provision/setup", public: true, in: body})
	switch statusOf(err) {
	case 0:
		return nil
	case http.StatusConflict, http.StatusMethodNotAllowed:
		return c.provisionConflict(ctx, "setup of "+domain, err)
	}
	return fmt.Errorf("cloudron: setup of %s: %w", domain, err)
}

// provisionConflict sorts a provision route's 409/405 into "already
// activated" and "setup running", which the status tells apart.
func (c *Client) provisionConflict(ctx context.Context, what string, err error) error {
	if statusOf(err) == http.StatusMethodNotAllowed {
		return fmt.Errorf("cloudron: %s: %w", what, ErrAlreadyActivated)
	}
	st, stErr := c.provisionStatus(ctx)
	switch {
	case stErr != nil:
		return fmt.Errorf("cloudron: %s: %w", what, err)
	case st.Activated:
		return fmt.Errorf("cloudron: %s: %w", what, ErrAlreadyActivated)
	case st.Setup.Active && strings.HasPrefix(what, "setup"):
		return nil // another call started it: the same setup, in progress
	}
	return fmt.Errorf("cloudron: %s: %w", what, err)
}

// reportEvery repeats an unchanged setup message so that a long DNS wait
// still shows that time passes.
const reportEvery = 15 * time.Second

// WaitSetup waits until first-time setup has finished, calling report
// (if not nil) with each new step and how long the wait has lasted. A
// failed setup is a *SetupError.
func (c *Client) WaitSetup(ctx context.Context, report func(msg string, waited time.Duration)) (ProvisionStatus, error) {
	ctx, cancel := withWaitLimit(ctx, setupWaitLimit)
	defer cancel()
	started := time.Now()
	var last ProvisionStatus
	var lastReport time.Time
	err := poll(ctx, "Cloudron's setup", func(ctx context.Context) (bool, error) {
		st, err := c.provisionStatus(ctx)
		if err != nil {
			return false, err
		}
		if report != nil && st.Setup.Message != "" && (st.Setup.Message != last.Setup.Message || time.Since(lastReport) >= reportEvery) {
			report(st.Setup.Message, time.Since(started))
			lastReport = time.Now()
		}
		last = st
		switch {
		case st.SetupDone():
			return true, nil
		case !st.Setup.Active && st.Setup.Error != "":
			return false, &SetupError{Step: st.Setup.Message, Message: st.Setup.Error}
		case !st.Setup.Active:
			return false, errors.New("Cloudron's setup has not started: call Setup first")
		}
		return false, nil
	})
	if err != nil {
		return last, fmt.Errorf("cloudron: %w", err)
	}
	return last, nil
}

// Activate creates the owner account, returns its API token (valid about
// a week) and makes the client use it. A Cloudron that already has its
// owner gives ErrAlreadyActivated: the token of that activation is only
// known to the run that made it, so save it at once; a rerun that lost it
// gets one with Login (the password is saved before activating).
func (c *Client) Activate(ctx context.Context, username, password, email, displayName string) (string, error) {
	c.redactor.Add(password)
	body := map[string]any{"username": username, "password": password, "email": email}
	if displayName != "" {
		body["displayName"] = displayName
	}
	if tok := c.currentSetupToken(); tok != "" {
		body["setupToken"] = tok
	}
	var out struct {
		UserID string `json:"userId"`
		Token  string `json:"token"`
	}
	err := c.do(ctx, call{method: http.MethodPost, path: "/provision/activate", public: true, in: body, out: &out})
	switch statusOf(err) {
	case 0:
	case http.StatusConflict, http.StatusMethodNotAllowed:
		return "", c.provisionConflict(ctx, "activate "+username, err)
	default:
		return "", fmt.Errorf("cloudron: activate %s: %w", username, err)
	}
	if out.Token == "" {
		return "", fmt.Errorf("cloudron: activate %s: Cloudron answered without a token", username)
	}
	c.SetToken(out.Token)
	return out.Token, nil
}
