package cloudron_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/internal/sandbox/worldfile"
)

func statusOfErr(err error) int {
	var apiErr *cloudron.APIError
	if errors.As(err, &apiErr) {
		return apiErr.Status
	}
	return 0
}

// secretFree fails the test if err's text shows any of the secrets.
func secretFree(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("the error shows a secret: %v", err)
		}
	}
}

// The pin accepts exactly the certificate read over SSH: another one for
// the same names is refused before anything is sent, with a warning.
func TestPinnedCertificate(t *testing.T) {
	t.Parallel()
	s := installedServer(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	v, err := s.pinnedClient(cloudron.Options{}).Status(ctx)
	if err != nil || v != "9.0.15" {
		t.Fatalf("Status over the pinned certificate = %q, %v", v, err)
	}

	s.breakFault("cloudron-cert-changed", "")
	_, err = s.pinnedClient(cloudron.Options{}).ProvisionStatus(ctx)
	var mismatch *cloudron.CertMismatchError
	if !errors.As(err, &mismatch) {
		t.Fatalf("with another certificate served: %v, want a CertMismatchError", err)
	}
	if mismatch.Pinned == mismatch.Presented || mismatch.Host != s.ip || !strings.Contains(err.Error(), "WARNING") {
		t.Errorf("mismatch %+v: %v", mismatch, err)
	}
	// Waits give up at once too: never continue past a mismatch.
	if _, err := s.pinnedClient(cloudron.Options{}).WaitSetup(ctx, nil); !errors.As(err, &mismatch) {
		t.Errorf("WaitSetup with another certificate: %v", err)
	}

	s.healFault("cloudron-cert-changed")
	if _, err := s.pinnedClient(cloudron.Options{}).Status(ctx); err != nil {
		t.Errorf("after heal: %v", err)
	}
	// Without the pin, the self-signed certificate is not trusted.
	_, err = cloudron.New("https://"+s.ip, s.sb.Dialer(), cloudron.Options{Roots: s.sb.RootCAs()}).Status(ctx)
	if err == nil || errors.As(err, &mismatch) || !strings.Contains(err.Error(), "does not trust") {
		t.Errorf("unpinned self-signed certificate: %v", err)
	}
}

// Setup waits for my.<domain> at the authoritative servers, reporting
// each step; activation happens once; the API token works on the
// dashboard's CA-signed certificate.
func TestSetupActivateAndToken(t *testing.T) {
	t.Parallel()
	s := installedServer(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	c := s.pinnedClient(cloudron.Options{})

	st, err := c.ProvisionStatus(ctx)
	if err != nil || st.Activated || st.SetupDone() || st.Version != "9.0.15" {
		t.Fatalf("fresh status %+v, %v", st, err)
	}
	if _, err := c.WaitSetup(ctx, nil); err == nil || !strings.Contains(err.Error(), "not started") {
		t.Errorf("WaitSetup before Setup: %v", err)
	}
	if err := c.Setup(ctx, cloudron.SetupRequest{Domain: chapterDomain}); err != nil {
		t.Fatal(err)
	}
	// A second call while it runs is the same setup in progress.
	if err := c.Setup(ctx, cloudron.SetupRequest{Domain: chapterDomain}); err != nil {
		t.Errorf("Setup again while running: %v", err)
	}
	var steps []string
	wrote := false
	st, err = c.WaitSetup(ctx, func(msg string, waited time.Duration) {
		steps = append(steps, msg)
		// Cloudron waits for the record: write it only now.
		if msg == "Waiting for DNS of "+dashboard && !wrote {
			wrote = true
			s.pointAt("my")
		}
	})
	if err != nil {
		t.Fatalf("WaitSetup: %v (steps %q)", err, steps)
	}
	if !slices.Contains(steps, "Waiting for DNS of "+dashboard) || steps[len(steps)-1] != "Done" || st.AdminFQDN != dashboard {
		t.Errorf("steps %q, status %+v", steps, st)
	}
	// Finished for this domain: not started again.
	if err := c.Setup(ctx, cloudron.SetupRequest{Domain: chapterDomain}); err != nil {
		t.Errorf("Setup after it finished: %v", err)
	}
	if st, _ := c.ProvisionStatus(ctx); !st.SetupDone() || st.AdminFQDN != dashboard {
		t.Errorf("a second Setup restarted the finished one: %+v", st)
	}

	activation, err := c.Activate(ctx, "maria", adminPassword, "maria@example.net", "Maria Lopez")
	if err != nil || activation == "" {
		t.Fatalf("Activate = %q, %v", activation, err)
	}
	_, err = c.Activate(ctx, "maria", adminPassword, "maria@example.net", "Maria Lopez")
	if !errors.Is(err, cloudron.ErrAlreadyActivated) {
		t.Errorf("second Activate: %v, want ErrAlreadyActivated", err)
	}
	secretFree(t, err, adminPassword, activation)
	// A rerun that lost the activation token logs in with the password.
	if _, err := s.pinnedClient(cloudron.Options{}).Login(ctx, "maria", adminPassword, ""); err != nil {
		t.Errorf("Login: %v", err)
	}
	_, err = s.pinnedClient(cloudron.Options{}).Login(ctx, "maria", "wrong password", "")
	if err == nil {
		t.Error("Login with a wrong password succeeded")
	}
	secretFree(t, err, adminPassword)

	token, err := c.CreateToken(ctx, "chapterctl")
	if err != nil || token == "" || token == activation {
		t.Fatalf("CreateToken = %q, %v", token, err)
	}
	dash := s.dashboardClient(token)
	me, err := dash.Profile(ctx)
	if err != nil || me.Username != "maria" || me.Role != "owner" || me.ID == "" {
		t.Errorf("Profile over my.%s = %+v, %v", chapterDomain, me, err)
	}

	// A wrong token: the sentence says what to do, and never the token.
	const wrong = "0123456789abcdef0123456789abcdef"
	_, err = s.dashboardClient(wrong).Apps(ctx)
	var apiErr *cloudron.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 401 || !strings.Contains(err.Error(), "Cloudron refused the API token") {
		t.Errorf("wrong token: %v", err)
	}
	secretFree(t, err, wrong, token, activation)
}

// Up to 8.x: activation again is 409, apps install at /apps/install and
// updates are read at /updater/updates (the 9.x routes answer 404 there).
// This server was installed with a setup token, and its first setup fails.
func TestCloudron8Routes(t *testing.T) {
	t.Parallel()
	s := installedServer(t, &worldfile.Spec{Cloudron: &worldfile.CloudronSpec{Version: "8.1.0"}}, "--generate-setup-token")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	c := s.pinnedClient(cloudron.Options{})
	if v, err := c.Status(ctx); err != nil || v != "8.1.0" {
		t.Fatalf("Status = %q, %v", v, err)
	}
	s.pointAt("my")
	err := c.Setup(ctx, cloudron.SetupRequest{Domain: chapterDomain})
	if statusOfErr(err) != 400 || !strings.Contains(err.Error(), "setupToken is required") {
		t.Errorf("Setup without the installer's token: %v", err)
	}

	s.breakFault("cloudron-task-fails", "")
	if err := c.Setup(ctx, cloudron.SetupRequest{Domain: chapterDomain, SetupToken: s.setupToken}); err != nil {
		t.Fatal(err)
	}
	_, err = c.WaitSetup(ctx, nil)
	var setupErr *cloudron.SetupError
	if !errors.As(err, &setupErr) || setupErr.Message == "" {
		t.Fatalf("WaitSetup of a crashing setup: %v", err)
	}
	secretFree(t, err, s.setupToken)
	// A failed setup may be run again.
	if err := c.Setup(ctx, cloudron.SetupRequest{Domain: chapterDomain}); err != nil {
		t.Fatal(err)
	}
	if st, err := c.WaitSetup(ctx, nil); err != nil || st.AdminFQDN != dashboard {
		t.Fatalf("WaitSetup again = %+v, %v", st, err)
	}
	// The client kept the setup token for the activation.
	if _, err := c.Activate(ctx, "maria", adminPassword, "maria@example.net", ""); err != nil {
		t.Fatal(err)
	}
	_, err = s.pinnedClient(cloudron.Options{SetupToken: s.setupToken}).Activate(ctx, "maria", adminPassword, "maria@example.net", "")
	if !errors.Is(err, cloudron.ErrAlreadyActivated) {
		t.Errorf("second Activate on 8.1: %v", err)
	}
	token, err := c.CreateToken(ctx, "chapterctl")
	if err != nil {
		t.Fatal(err)
	}
	c = s.dashboardClient(token)

	s.pointAt("chat")
	id, task, err := c.InstallApp(ctx, cloudron.InstallRequest{AppStoreID: "im.riot.cloudronapp", Subdomain: "chat", Domain: chapterDomain})
	if err != nil || id == "" || task == "" {
		t.Fatalf("InstallApp on 8.1 = %q %q, %v", id, task, err)
	}
	if app, err := c.WaitApp(ctx, id, nil); err != nil || app.InstallationState != "installed" {
		t.Fatalf("WaitApp = %+v, %v", app, err)
	}

	if u, err := c.BoxUpdate(ctx); err != nil || u != nil {
		t.Errorf("BoxUpdate with none offered = %+v, %v", u, err)
	}
	s.breakFault("platform-update-available", "")
	if u, err := c.BoxUpdate(ctx); err != nil || u == nil || u.Version != "8.1.1" {
		t.Errorf("BoxUpdate = %+v, %v; want 8.1.1", u, err)
	}
	if u, err := c.CheckBoxUpdate(ctx); err != nil || u == nil || u.Version != "8.1.1" {
		t.Errorf("CheckBoxUpdate = %+v, %v; want 8.1.1", u, err)
	}
	// 8.x keeps the apps' offers in the same cached document.
	s.breakFault("app-update-available", "")
	if _, err := c.CheckBoxUpdate(ctx); err != nil {
		t.Fatal(err)
	}
	if o, err := c.Offers(ctx); err != nil || o.Box == nil || o.Box.Version != "8.1.1" || o.Apps[id] == "" {
		t.Errorf("Offers on 8.1 = %+v, %v; want the platform's 8.1.1 and the app's", o, err)
	}
}
