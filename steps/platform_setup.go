package steps

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/internal/secrets"
)

// apiTokenName names chapterctl's own API token in the dashboard, so the
// organizer can tell it apart and revoke it.
const apiTokenName = "chapterctl"

// PlatformSetup is Cloudron's first-time setup: the domain with the manual
// DNS provider (chapterctl writes the zone), the organizer as owner, and a
// long-lived API token for the later steps, and the owner enrolled in
// two-factor login (platform_setup_2fa.go). Before setup the dashboard only
// has a self-signed certificate, so the one read over SSH is pinned.
//
// Outputs: cert (PEM) and cert_sha256, the pin; dashboard, the URL after
// setup; owner; api_token, the token's name once it is stored; admin_2fa,
// who enrolled the owner in two-factor login. The password, the token and
// the two-factor secret themselves go to the secret store only.
type PlatformSetup struct{}

// NewPlatformSetup returns the platform-setup step.
func NewPlatformSetup() Step { return PlatformSetup{} }

func (PlatformSetup) ID() string    { return "platform-setup" }
func (PlatformSetup) Title() string { return "Cloudron first-time setup and admin" }

func (s PlatformSetup) Plan(ctx context.Context, env *Env) (Change, error) {
	what := "Cloudron at " + dashboardHost(env)
	if env.Output(dropletStepID, dropletIPv4) == "" || env.Output("platform", "version") == "" {
		return Change{Items: []Item{{Action: Create, Resource: what, Detail: "setup, owner, API token and two-factor login, once Cloudron is installed"}}}, nil
	}
	cert := []byte(env.Output(s.ID(), platformSetupCert))
	if len(cert) == 0 {
		var err error
		if cert, err = readDashboardCert(ctx, env); err != nil {
			return Change{}, err
		}
	}
	client, err := pinnedCloudron(env, cert)
	if err != nil {
		return Change{}, err
	}
	st, err := client.ProvisionStatus(ctx)
	if err != nil {
		return Change{}, err
	}
	var items []Item
	if !st.SetupDone() {
		items = append(items, Item{Action: Create, Resource: "Cloudron setup of " + env.Config.Domain, Detail: "manual DNS: chapterctl writes the zone"})
	}
	if !st.Activated {
		items = append(items, Item{Action: Create, Resource: "Cloudron owner " + env.Config.Organizer.Username, Detail: "password kept in .chapterctl/secrets.json"})
	}
	me, item, tokenOK := s.tokenItem(ctx, env, st.Activated)
	if !tokenOK {
		items = append(items, item)
	}
	if item, ok := s.twoFactorItem(env, me, tokenOK); !ok {
		items = append(items, item)
	}
	if len(items) == 0 && env.Output(s.ID(), platformSetupCertH) != certFingerprint(cert) {
		items = append(items, Item{Action: Adopt, Resource: "pinned dashboard certificate", Detail: certFingerprint(cert)})
	}
	return Change{Items: items}, nil
}

// tokenItem says whether the stored API token is chapterctl's own and
// still accepted, with the profile it reads; when not, the item that makes
// one.
func (s PlatformSetup) tokenItem(ctx context.Context, env *Env, activated bool) (cloudron.User, Item, bool) {
	item := Item{Action: Create, Resource: "Cloudron API token " + apiTokenName}
	token := env.Secret(secrets.CloudronToken)
	switch {
	case token == "" && activated:
		item.Detail = "log in as " + env.Config.Organizer.Username + " with the stored password"
		return cloudron.User{}, item, false
	case token == "" || env.Output(s.ID(), "api_token") != apiTokenName:
		return cloudron.User{}, item, false
	}
	me, err := dashboardCloudron(env, token).Profile(ctx)
	if err != nil {
		item.Action, item.Detail = Replace, "the stored token is not accepted: "+err.Error()
		return cloudron.User{}, item, false
	}
	return me, Item{}, true
}

func (s PlatformSetup) Apply(ctx context.Context, env *Env, _ Change) error {
	// The pin comes from the server's disk each time: the world is the
	// truth, and a certificate replaced on purpose is then picked up.
	cert, err := readDashboardCert(ctx, env)
	if err != nil {
		return err
	}
	if err := env.Record(platformSetupCert, string(cert)); err != nil {
		return err
	}
	if err := env.Record(platformSetupCertH, certFingerprint(cert)); err != nil {
		return err
	}
	client, err := pinnedCloudron(env, cert)
	if err != nil {
		return err
	}
	st, err := client.ProvisionStatus(ctx)
	if err != nil {
		return err
	}
	if !st.Activated {
		if err := s.setup(ctx, env, client, st); err != nil {
			return err
		}
		if err := s.activate(ctx, env, client); err != nil {
			return err
		}
	}
	if err := env.Record("dashboard", "https://"+dashboardHost(env)+"/"); err != nil {
		return err
	}
	if err := env.Record("owner", env.Config.Organizer.Username); err != nil {
		return err
	}
	if err := s.ensureToken(ctx, env); err != nil {
		return err
	}
	return s.ensureTwoFactor(ctx, env)
}

// setup starts first-time setup unless it ran already, and waits for it.
// Cloudron waits for my.<domain> at the authoritative servers, which
// dns-host wrote earlier.
func (PlatformSetup) setup(ctx context.Context, env *Env, client *cloudron.Client, st cloudron.ProvisionStatus) error {
	if st.SetupDone() {
		return nil
	}
	err := client.Setup(ctx, cloudron.SetupRequest{Domain: env.Config.Domain})
	if errors.Is(err, cloudron.ErrAlreadyActivated) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = client.WaitSetup(ctx, func(msg string, waited time.Duration) {
		env.Progress.Waiting("Cloudron setup: "+msg, waited)
	})
	return err
}

// activate makes the organizer the owner. The password is stored before
// the request, so a kill right after leaves a way back in (Login).
func (PlatformSetup) activate(ctx context.Context, env *Env, client *cloudron.Client) error {
	password := env.Secret(secrets.CloudronAdminPassword)
	if password == "" {
		var err error
		if password, err = newPassword(); err != nil {
			return err
		}
		if err := env.SetSecret(secrets.CloudronAdminPassword, password); err != nil {
			return err
		}
	}
	org := env.Config.Organizer
	token, err := client.Activate(ctx, org.Username, password, org.Email, org.DisplayName)
	if errors.Is(err, cloudron.ErrAlreadyActivated) {
		return nil // a killed run got here first; ensureToken logs in
	}
	if err != nil {
		return err
	}
	// The activation token expires in about a week; it is kept only until
	// ensureToken has swapped it for a lasting one.
	return env.SetSecret(secrets.CloudronToken, token)
}

// ensureToken leaves a lasting API token named chapterctl in the secret
// store: from the activation token, or else by logging in with the stored
// password.
func (s PlatformSetup) ensureToken(ctx context.Context, env *Env) error {
	token := env.Secret(secrets.CloudronToken)
	if token != "" {
		dash := dashboardCloudron(env, token)
		if env.Output(s.ID(), "api_token") == apiTokenName {
			_, err := dash.Profile(ctx)
			if !refused(err) {
				return err // nil: the token works
			}
		} else if lasting, err := dash.CreateToken(ctx, apiTokenName); !refused(err) {
			if err != nil {
				return err
			}
			return s.storeToken(env, lasting)
		}
	}
	// No token, or it was refused: log in with the stored password.
	dash := dashboardCloudron(env, "")
	password := env.Secret(secrets.CloudronAdminPassword)
	if password == "" {
		return s.noWayIn(env, errors.New("no admin password is stored"))
	}
	code, err := currentTOTP(env)
	if err != nil {
		return err
	}
	if _, err := dash.Login(ctx, env.Config.Organizer.Username, password, code); err != nil {
		return s.noWayIn(env, err)
	}
	lasting, err := dash.CreateToken(ctx, apiTokenName)
	if err != nil {
		return err
	}
	return s.storeToken(env, lasting)
}

func (PlatformSetup) storeToken(env *Env, token string) error {
	if err := env.SetSecret(secrets.CloudronToken, token); err != nil {
		return err
	}
	return env.Record("api_token", apiTokenName)
}

// noWayIn is the one sentence for an activated Cloudron chapterctl holds
// no working credentials for.
func (PlatformSetup) noWayIn(env *Env, cause error) error {
	return fmt.Errorf("the Cloudron at %s is already activated and chapterctl cannot get an API token (%v): "+
		"open https://%s/ as %s, make a read-write API token under Profile → API Tokens, "+
		"store it as %q in .chapterctl/secrets.json and run \"chapterctl init\" again",
		dashboardHost(env), cause, dashboardHost(env), env.Config.Organizer.Username, secrets.CloudronToken)
}

// refused tells whether err is Cloudron refusing the token (401).
func refused(err error) bool {
	var apiErr *cloudron.APIError
	return errors.As(err, &apiErr) && apiErr.Status == http.StatusUnauthorized
}

// newPassword is 24 characters from 144 random bits.
func newPassword() (string, error) {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate the admin password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func certFingerprint(pemData []byte) string {
	cert, err := cloudron.ParseCertificate(pemData)
	if err != nil {
		return ""
	}
	return cloudron.Fingerprint(cert)
}
