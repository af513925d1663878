package steps

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/internal/sshx"
)

// Outputs of the chat step about Synapse's configuration. federation_applied
// is recorded only once Synapse was restarted with the policy and came back
// healthy: a file that already says the right thing without it (a run
// killed between the write and the restart) still needs the restart.
const (
	outFederationApplied = "federation_applied" // synapsePolicy.key()
	outServerName        = "server_name"        // what Synapse runs as
	outFederation        = "federation"         // the policy in words
)

// wantedPolicy is what chapter.yaml asks of Synapse.
func wantedPolicy(cfg *chapter.Config) synapsePolicy {
	p := synapsePolicy{ServerName: cfg.Domain}
	if cfg.MatrixServerName == chapter.MatrixServerNameSubdomain {
		p.ServerName = "matrix." + cfg.Domain
	}
	switch cfg.Federation {
	case chapter.FederationAllowlist:
		p.Restricted, p.Allow, p.NoKeyServers = true, append([]string{}, cfg.FederationAllow...), true
	case chapter.FederationClosed:
		p.Restricted, p.Allow, p.NoKeyServers = true, []string{}, true
	}
	return p
}

func isMatrix(cfg *chapter.Config) bool { return cfg.Chat == chapter.ChatMatrix || cfg.Chat == "" }

// federationLook is Synapse's homeserver.yaml as found on the server.
type federationLook struct {
	file       remoteFile
	doc        *homeserver
	have, want synapsePolicy
	// loaded: Synapse was restarted with want since it was written.
	loaded bool
}

func (l federationLook) done() bool { return l.have.equal(l.want) && l.loaded }

func (s Chat) federationResource(env *Env) string {
	return "federation policy of " + synapseApp.resource(env)
}

// planFederation is the plan's item for Synapse's policy, if any.
// conn is the droplet's SSH connection, nil until both are ready.
func (s Chat) planFederation(ctx context.Context, env *Env, conn sshx.Runner) (*Item, error) {
	want := wantedPolicy(env.Config)
	item := &Item{Action: Update, Resource: s.federationResource(env), Detail: want.describe() + ", server name " + want.ServerName}
	switch {
	case env.Output(s.ID(), synapseApp.key+"_installed") == "":
		item.Detail += ", once Synapse is installed"
		return item, nil
	case !env.Done(dropletStepID):
		// Its host key may be half-way through a rotation: no SSH now.
		item.Detail += ", once the droplet is ready"
		return item, nil
	}
	look, err := s.lookFederation(ctx, env, conn)
	if err != nil || look.done() {
		return nil, err
	}
	if look.have.equal(want) {
		item.Detail += ": homeserver.yaml says so; restart Synapse to load it"
	}
	return item, nil
}

// lookFederation reads and checks homeserver.yaml.
func (s Chat) lookFederation(ctx context.Context, env *Env, conn sshx.Runner) (federationLook, error) {
	path, err := appDataPath(synapseApp, env.Output(s.ID(), synapseApp.key+"_app_id"), "configs/homeserver.yaml")
	if err != nil {
		return federationLook{}, err
	}
	look := federationLook{file: remoteFile{ssh: conn, path: path, name: "Synapse's homeserver.yaml"}, want: wantedPolicy(env.Config)}
	raw, err := look.file.read(ctx)
	if err != nil {
		return look, err
	}
	if look.doc, err = parseHomeserver(raw); err == nil {
		look.have, err = look.doc.policy()
	}
	if err != nil {
		return look, fmt.Errorf("chat: Synapse's homeserver.yaml (%s on the server) cannot be read: %v; fix it, or put back "+
			"homeserver.yaml.chapterctl.bak from the same folder, restart Synapse in the Cloudron dashboard, then run \"chapterctl init\" again", path, err)
	}
	if err := s.checkServerName(env, look.have.ServerName, look.want.ServerName); err != nil {
		return look, err
	}
	look.loaded = env.Output(s.ID(), outFederationApplied) == look.want.key()
	return look, nil
}

// checkServerName: a server name can only be chosen before anyone logs
// in (user and room ids carry it). chapterctl sets it in the run that
// installs Synapse, before it records the name Synapse runs as; after that
// it never changes it.
func (s Chat) checkServerName(env *Env, have, want string) error {
	ran := env.Output(s.ID(), outServerName)
	switch {
	case ran == "":
		return nil
	case want != ran:
		choice := chapter.MatrixServerNameDomain
		if ran != env.Config.Domain {
			choice = chapter.MatrixServerNameSubdomain
		}
		return &InputError{Field: "matrix_server_name", Msg: fmt.Sprintf("chapter.yaml asks for the Matrix server name %s, but Synapse "+
			"already runs as %s and a server name can never change (user and room ids carry it); set matrix_server_name back to %s in chapter.yaml",
			want, ran, choice)}
	case have != ran:
		return fmt.Errorf("chat: Synapse's homeserver.yaml says server_name: %s, but Synapse was set up as %s and its name cannot change "+
			"once people have logged in; put back server_name: %s in /app/data/configs/homeserver.yaml (Cloudron dashboard, Synapse, "+
			"File Manager), restart Synapse, then run \"chapterctl init\" again", have, ran, ran)
	}
	return nil
}

// applyFederation makes Synapse run with chapter.yaml's policy: the file
// edited (backup kept), the app restarted, its health and the file checked
// after. A Synapse that does not come back healthy gets the previous file
// back and is restarted again.
func (s Chat) applyFederation(ctx context.Context, env *Env, client *cloudron.Client, conn sshx.Runner) error {
	look, err := s.lookFederation(ctx, env, conn)
	if err != nil || look.done() {
		return err
	}
	// Every restart may need a way back, even one that only loads a file
	// already right. The current file replaces the backup only if Synapse
	// was seen running with it.
	if err := look.file.backup(ctx, env.Output(s.ID(), outFederationApplied) == look.have.key()); err != nil {
		return err
	}
	if !look.have.equal(look.want) {
		look.doc.apply(look.want)
		content, err := look.doc.bytes()
		if err != nil {
			return fmt.Errorf("chat: write Synapse's homeserver.yaml: %w", err)
		}
		if err := look.file.write(ctx, content); err != nil {
			return err
		}
	}
	appID := env.Output(s.ID(), synapseApp.key+"_app_id")
	if err := s.restartSynapse(ctx, env, client, appID); err != nil {
		return s.rollBack(ctx, env, client, look, err)
	}
	raw, err := look.file.read(ctx)
	if err != nil {
		return err
	}
	doc, err := parseHomeserver(raw)
	var after synapsePolicy
	if err == nil {
		after, err = doc.policy()
	}
	if err != nil || !after.equal(look.want) {
		// Cloudron's start script rewrites some keys at every start: one
		// of chapterctl's must be among them.
		return errors.New("chat: after its restart Synapse's homeserver.yaml no longer holds the federation policy and server name " +
			"chapterctl wrote (the app's start script may rewrite them); check the file in the Cloudron dashboard, then run \"chapterctl init\" again")
	}
	for _, out := range [][2]string{{outServerName, look.want.ServerName}, {outFederation, look.want.describe()},
		{outFederationApplied, look.want.key()}} {
		if err := env.Record(out[0], out[1]); err != nil {
			return err
		}
	}
	return nil
}

// restartSynapse restarts the app and waits until it is running and its
// health check passes.
func (s Chat) restartSynapse(ctx context.Context, env *Env, client *cloudron.Client, appID string) error {
	started := time.Now()
	report := func(percent int, message string) {
		env.Progress.Waiting(fmt.Sprintf("restarting %s: %d%% %s", synapseApp.resource(env), percent, message), time.Since(started))
	}
	taskID, err := client.RestartApp(ctx, appID)
	if err != nil {
		return err
	}
	if _, err := client.WaitTask(ctx, taskID, report); err != nil {
		return err
	}
	_, err = client.WaitHealthy(ctx, appID, report)
	return err
}

// rollBack puts the previous homeserver.yaml back after a restart that
// failed, restarts Synapse with it, and says what happened.
func (s Chat) rollBack(ctx context.Context, env *Env, client *cloudron.Client, look federationLook, cause error) error {
	var appErr *cloudron.AppError
	if !errors.As(cause, &appErr) {
		// The restart did not happen or cannot be judged (the box went
		// away): the file stays, and the rerun restarts again.
		return fmt.Errorf("chat: restart %s: %w; run \"chapterctl init\" again", synapseApp.resource(env), cause)
	}
	what := fmt.Sprintf("%s did not come back healthy with the new homeserver.yaml (%v)", synapseApp.resource(env), cause)
	if err := look.file.restore(ctx); err != nil {
		return fmt.Errorf("chat: %s, and putting back the previous file failed: %v; restore homeserver.yaml.chapterctl.bak by hand "+
			"(Cloudron dashboard, Synapse, File Manager), restart Synapse, then run \"chapterctl init\" again", what, err)
	}
	if err := s.restartSynapse(ctx, env, client, env.Output(s.ID(), synapseApp.key+"_app_id")); err != nil {
		return fmt.Errorf("chat: %s; chapterctl put back the previous file, but Synapse is still not healthy (%v): look at its logs "+
			"in the Cloudron dashboard", what, err)
	}
	return fmt.Errorf("chat: %s, so chapterctl put back the previous file and Synapse runs with it again; look at Synapse's logs "+
		"in the Cloudron dashboard, then run \"chapterctl init\" again", what)
}
