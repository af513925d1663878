package steps

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/cloudron"
)

// cloudronApp is one Cloudron app a step installs (chat's apps, mail's
// webmail). key names the step's outputs: <key>_app_id once the install
// started, <key>_installed once it finished.
type cloudronApp struct {
	key, title, storeID, subdomain string
}

// planApp compares one wanted app with what sits on its subdomain.
func planApp(env *Env, stepID string, a cloudronApp, found cloudron.App, ok bool) (Item, bool, error) {
	item := Item{Resource: a.resource(env)}
	switch {
	case !ok:
		item.Action = Create
	case !strings.EqualFold(found.AppStoreID, a.storeID):
		return item, false, a.taken(env, stepID, found)
	case found.InstallationState == "error" && env.Output(stepID, a.key+"_installed") != "":
		// It ran once: it holds data, so it is never removed (ensureApp).
		item.Action, item.Detail = Update, "in the error state ("+found.Error+"): repair or restore it in the Cloudron dashboard"
	case found.InstallationState == "error":
		item.Action, item.Detail = Replace, "its install failed: "+found.Error
	case env.Output(stepID, a.key+"_app_id") != found.ID:
		item.Action, item.Detail = Adopt, found.ID
	case found.Busy() || env.Output(stepID, a.key+"_installed") == "":
		item.Action, item.Detail = Update, "wait until "+found.InstallationState+" ends"
	default:
		return item, false, nil
	}
	return item, true, nil
}

// ensureApp installs a unless it is there, and waits until it runs. An
// app whose first install failed holds no data: it is removed and
// installed again. An app that once ran and is now broken is left for the
// organizer: removing it would lose the chapter's messages.
func ensureApp(ctx context.Context, env *Env, client *cloudron.Client, stepID string, a cloudronApp) error {
	found, ok, err := client.AppBySubdomain(ctx, a.subdomain, env.Config.Domain)
	if err != nil {
		return fmt.Errorf("%s: %s: %w", stepID, a.resource(env), err)
	}
	if ok && !strings.EqualFold(found.AppStoreID, a.storeID) {
		return a.taken(env, stepID, found)
	}
	if ok && found.InstallationState == "error" {
		if env.Output(stepID, a.key+"_installed") != "" {
			return fmt.Errorf("%s: %s is in the error state (%s); repair it in the Cloudron dashboard, then run \"chapterctl init\" again",
				stepID, a.resource(env), found.Error)
		}
		if err := removeFailedApp(ctx, env, client, stepID, a, found); err != nil {
			return err
		}
		ok = false
	}
	id := found.ID
	if !ok {
		if id, err = installApp(ctx, env, client, stepID, a); err != nil {
			return err
		}
	} else if err := env.Record(a.key+"_app_id", id); err != nil {
		return err
	}
	started := time.Now()
	_, err = client.WaitApp(ctx, id, func(percent int, message string) {
		env.Progress.Waiting(fmt.Sprintf("%s: %d%% %s", a.resource(env), percent, message), time.Since(started))
	})
	if err != nil {
		return fmt.Errorf("%s: install %s: %w; run \"chapterctl init\" again to retry", stepID, a.resource(env), err)
	}
	return env.Record(a.key+"_installed", "true")
}

func installApp(ctx context.Context, env *Env, client *cloudron.Client, stepID string, a cloudronApp) (string, error) {
	id, _, err := client.InstallApp(ctx, cloudron.InstallRequest{AppStoreID: a.storeID, Subdomain: a.subdomain, Domain: env.Config.Domain})
	var exists *cloudron.AppExistsError
	if errors.As(err, &exists) {
		// Another process (or a lost answer) started it: take it if it is ours.
		if !strings.EqualFold(exists.App.AppStoreID, a.storeID) {
			return "", a.taken(env, stepID, exists.App)
		}
		id, err = exists.App.ID, nil
	}
	if err != nil {
		return "", fmt.Errorf("%s: install %s: %w", stepID, a.resource(env), err)
	}
	return id, env.Record(a.key+"_app_id", id)
}

func removeFailedApp(ctx context.Context, env *Env, client *cloudron.Client, stepID string, a cloudronApp, app cloudron.App) error {
	taskID, err := client.UninstallApp(ctx, app.ID)
	if err != nil {
		return fmt.Errorf("%s: remove the failed install of %s: %w", stepID, a.resource(env), err)
	}
	started := time.Now()
	_, err = client.WaitTask(ctx, taskID, func(percent int, message string) {
		env.Progress.Waiting(fmt.Sprintf("removing the failed %s: %d%% %s", a.resource(env), percent, message), time.Since(started))
	})
	if err != nil {
		return fmt.Errorf("%s: remove the failed install of %s: %w", stepID, a.resource(env), err)
	}
	return nil
}

func (a cloudronApp) fqdn(env *Env) string {
	return strings.TrimPrefix(a.subdomain+"."+env.Config.Domain, ".")
}

func (a cloudronApp) resource(env *Env) string { return a.title + " at " + a.fqdn(env) }

// taken: the subdomain holds someone else's app, which chapterctl never
// replaces on its own.
func (a cloudronApp) taken(env *Env, stepID string, other cloudron.App) error {
	return fmt.Errorf("%s: %s already holds the app %s (%s), not %s; move or remove it in the Cloudron dashboard, then run \"chapterctl init\" again",
		stepID, a.fqdn(env), other.ID, other.AppStoreID, a.title)
}
