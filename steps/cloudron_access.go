package steps

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/internal/secrets"
	"github.com/chapterctl/chapterctl/internal/sshx"
	"github.com/chapterctl/chapterctl/templates"
)

// Outputs of earlier steps that platform-setup and chat read. The names
// are agreed with the steps that write them.
const (
	dropletStepID      = "droplet"
	dropletIPv4        = "ipv4"
	dropletHostKey     = "host_key" // authorized_keys form
	platformSetupStep  = "platform-setup"
	platformSetupCert  = "cert"
	platformSetupCertH = "cert_sha256"
)

// errNoDroplet: a later step runs before the droplet step recorded the
// server; the runner's order makes this a broken state, not a user error.
var errNoDroplet = errors.New("the droplet step has not recorded the server's address and host key yet; run \"chapterctl init\" to create it first")

// dropletSSH logs in to the droplet as root with the chapter's key,
// accepting only the host key the droplet step pinned.
func dropletSSH(ctx context.Context, env *Env) (*sshx.Client, error) {
	ip, hostKeyText := env.Output(dropletStepID, dropletIPv4), env.Output(dropletStepID, dropletHostKey)
	if ip == "" || hostKeyText == "" {
		return nil, errNoDroplet
	}
	hostKey, _, _, _, err := ssh.ParseAuthorizedKey([]byte(hostKeyText))
	if err != nil {
		return nil, fmt.Errorf("the droplet's pinned host key in the state is unreadable: %w", err)
	}
	signer, err := sshx.LoadKey(env.Folder().KeyFile())
	if err != nil {
		return nil, err
	}
	return sshx.Dial(ctx, env.Providers.Dialer, ip, "root", signer, hostKey)
}

// readDashboardCert reads, over the pinned SSH connection, the certificate
// the dashboard presents at the server's IP before setup.
func readDashboardCert(ctx context.Context, env *Env) ([]byte, error) {
	script, err := templates.Render("dashboard-cert.sh.tmpl", nil)
	if err != nil {
		return nil, err
	}
	client, err := dropletSSH(ctx, env)
	if err != nil {
		return nil, fmt.Errorf("read the dashboard's certificate: %w", err)
	}
	defer client.Close()
	var out, errOut bytes.Buffer
	code, err := client.Run(ctx, string(script), sshx.RunOptions{Stdout: &out, Stderr: &errOut})
	if err != nil {
		return nil, fmt.Errorf("read the dashboard's certificate: %w", err)
	}
	if code != 0 {
		return nil, fmt.Errorf("read the dashboard's certificate: exit status %d: %s; is Cloudron installed (the platform step)?",
			code, strings.TrimSpace(errOut.String()))
	}
	if _, err := cloudron.ParseCertificate(out.Bytes()); err != nil {
		return nil, fmt.Errorf("read the dashboard's certificate: %w", err)
	}
	return out.Bytes(), nil
}

// pinnedCloudron is a client of https://<droplet IPv4>/ that trusts only
// cert: the way in before setup gives the dashboard a real certificate.
func pinnedCloudron(env *Env, cert []byte) (*cloudron.Client, error) {
	ip := env.Output(dropletStepID, dropletIPv4)
	if ip == "" {
		return nil, errNoDroplet
	}
	return env.Providers.Cloudron("https://"+ip+"/", cloudron.Options{PinnedCert: cert, Logger: env.Log}), nil
}

// dashboardHost is my.<domain>, where the dashboard lives after setup.
func dashboardHost(env *Env) string { return "my." + env.Config.Domain }

// dashboardCloudron is a client of https://my.<domain>/ after setup,
// trusting the public roots (its Let's Encrypt certificate) and using the
// stored API token.
func dashboardCloudron(env *Env, token string) *cloudron.Client {
	return env.Providers.Cloudron("https://"+dashboardHost(env)+"/",
		cloudron.Options{Roots: env.Providers.Roots, Token: token, Logger: env.Log})
}

// errNoCloudronToken: the steps after platform-setup need its API token.
var errNoCloudronToken = fmt.Errorf("no Cloudron API token is stored (%s in .chapterctl/secrets.json); run \"chapterctl init\" so platform-setup makes one", secrets.CloudronToken)
