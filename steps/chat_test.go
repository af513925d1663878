package steps

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/internal/netx"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"github.com/chapterctl/chapterctl/internal/secrets"
)

// apps lists the world's Cloudron apps by store id.
func (s *cloudronRun) apps() map[string][]*world.CloudronApp {
	out := map[string][]*world.CloudronApp{}
	s.cloudron(func(c *world.Cloudron) {
		for _, a := range c.Apps {
			copied := *a
			out[a.AppStoreID] = append(out[a.AppStoreID], &copied)
		}
	})
	return out
}

func TestChatMatrixInstallsAppsAndDelegates(t *testing.T) {
	cfg := testChapter()
	cfg.Federation, cfg.FederationAllow = "allowlist", []string{"chicagodsa.org"}
	r := installedCloudron(t, cfg, NewPlatformSetup(), NewChat())
	ctx := context.Background()
	if err := r.Apply(ctx); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	apps := r.apps()
	for store, sub := range map[string]string{"org.matrix.synapse": "matrix", "im.riot.cloudronapp": "chat", "io.cloudron.surfer": ""} {
		if len(apps[store]) != 1 || apps[store][0].Subdomain != sub || apps[store][0].InstallationState != "installed" {
			t.Errorf("%s: %+v, want one installed at %q", store, apps[store], sub)
		}
	}
	st := loadState(t, r.Dir)
	if st.Output("chat", "synapse_app_id") != apps["org.matrix.synapse"][0].ID {
		t.Errorf("synapse_app_id = %q", st.Output("chat", "synapse_app_id"))
	}
	syn := r.synapse(t)
	if !syn.Config.WhitelistSet || !slices.Equal(syn.Config.Whitelist, []string{"chicagodsa.org"}) || len(syn.Config.TrustedKeyServers) != 0 ||
		syn.Config.ServerName != "redrockdsa.org" {
		t.Errorf("Synapse runs with %+v, want the allow-list, no key servers, server name redrockdsa.org", syn.Config)
	}
	for _, kept := range []string{"Cloudron's start script regenerates the database", "name: psycopg2", "form_secret:", "federation_domain_whitelist: [chicagodsa.org]"} {
		if !strings.Contains(syn.File, kept) {
			t.Errorf("homeserver.yaml lacks %q:\n%s", kept, syn.File)
		}
	}
	if !syn.HasBackup || strings.Contains(syn.Backup, "federation_domain_whitelist") || !strings.Contains(syn.Backup, "form_secret:") {
		t.Errorf("backup %v:\n%s\nwant the package's file", syn.HasBackup, syn.Backup)
	}
	if st.Output("chat", "federation") != "allow-list (chicagodsa.org)" || st.Output("chat", "server_name") != "redrockdsa.org" ||
		st.Output("chat", "federation_applied") == "" || st.Output("chat", "manual_action") != "" {
		t.Errorf("chat outputs = %v", st.Step("chat").Outputs)
	}

	web := &http.Client{Transport: netx.Transport(r.Providers.Dialer, r.Providers.Roots)}
	resp, err := web.Get("https://redrockdsa.org/.well-known/matrix/server")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != `{"m.server":"matrix.redrockdsa.org:443"}` {
		t.Fatalf("well-known: %s %s", resp.Status, body)
	}

	r.requireEmptyRerun(t)
}

// An install task that crashes fails the step naming the app; the rerun
// replaces the failed install and finishes without a second app. Synapse
// was started by a "killed" earlier run the state does not know: it is
// adopted, not installed twice.
func TestChatSurvivesFailedTaskAndAdopts(t *testing.T) {
	cfg := testChapter()
	cfg.MatrixServerName = "subdomain"
	r := installedCloudron(t, cfg, NewPlatformSetup(), NewChat())
	ctx := context.Background()
	steps := r.Steps
	r.Steps = steps[:len(steps)-1]
	if err := r.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	r.Steps = steps
	token := r.Secrets[secrets.CloudronToken]
	if _, _, err := r.dashboard(token).InstallApp(ctx, cloudron.InstallRequest{AppStoreID: "org.matrix.synapse", Subdomain: "matrix", Domain: cfg.Domain}); err != nil {
		t.Fatal(err)
	}
	plans, err := r.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if items := plans[len(plans)-1].Change.Items; len(items) == 0 || items[0].Action != Adopt {
		t.Fatalf("chat plan = %+v, want Synapse adopted first", items)
	}

	r.breakFault(t, "cloudron-task-fails", "")
	err = r.Apply(ctx)
	var stepErr *StepError
	if !errors.As(err, &stepErr) || stepErr.ID != "chat" || !strings.Contains(err.Error(), "Element at chat.redrockdsa.org") {
		t.Fatalf("Apply = %v, want chat failing on Element", err)
	}
	if err := r.Apply(ctx); err != nil {
		t.Fatalf("rerun: %v", err)
	}
	apps := r.apps()
	for _, store := range []string{"org.matrix.synapse", "im.riot.cloudronapp"} {
		if len(apps[store]) != 1 || apps[store][0].InstallationState != "installed" {
			t.Errorf("%s: %d apps, want one installed", store, len(apps[store]))
		}
	}
	if len(apps["io.cloudron.surfer"]) != 0 {
		t.Error("a landing page was installed with matrix_server_name: subdomain")
	}
	if syn := r.synapse(t); syn.Config.ServerName != "matrix.redrockdsa.org" || syn.Config.WhitelistSet ||
		!strings.Contains(syn.File, `server_name: "matrix.redrockdsa.org"`) {
		t.Errorf("Synapse runs with %+v; file:\n%s", syn.Config, syn.File)
	}
	if got := loadState(t, r.Dir).Output("chat", "server_name"); got != "matrix.redrockdsa.org" {
		t.Errorf("server_name output = %q", got)
	}
}
