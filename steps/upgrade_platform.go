package steps

import (
	"context"
	"errors"
	"fmt"

	"github.com/chapterctl/chapterctl/internal/cloudron"
)

// PlatformUpdate updates Cloudron itself through its updater, after the
// backup step's backup. Cloudron's own pre-update backup is skipped: the
// backup step has just taken and checked a full one (docs/upgrade.md).
type PlatformUpdate struct{}

func NewPlatformUpdate() Step { return PlatformUpdate{} }

const (
	platformUpdateTask   = "task"
	platformUpdateTarget = "target"
)

func (PlatformUpdate) ID() string    { return platformStepID }
func (PlatformUpdate) Title() string { return "Cloudron platform update" }

func (s PlatformUpdate) Plan(ctx context.Context, env *Env) (Change, error) {
	client, err := upgradeCloudron(env)
	if err != nil {
		return Change{}, err
	}
	offers, err := client.Offers(ctx)
	if err != nil || offers.Box == nil {
		return Change{}, err
	}
	now, err := client.Status(ctx)
	if err != nil {
		return Change{}, err
	}
	return Change{Items: []Item{{Action: Update, Resource: "Cloudron platform",
		Detail: fmt.Sprintf("%s → %s", now, offers.Box.Version)}}}, nil
}

func (s PlatformUpdate) Apply(ctx context.Context, env *Env, _ Change) error {
	client, backup, err := updateAccess(env)
	if err != nil {
		return err
	}
	var target string
	err = retryWhileBusy(ctx, env, "the running Cloudron update", func() (bool, error) {
		offers, err := client.Offers(ctx)
		if err != nil {
			return false, err
		}
		if offers.Box == nil {
			return true, nil // done, by this run or a killed one
		}
		target = offers.Box.Version
		return s.startOrFollow(ctx, env, client, target)
	})
	if err != nil {
		return fmt.Errorf("update Cloudron to %s: %w; the backup %s holds the server as it was (docs/upgrade.md says how to restore it)",
			orNone(target), err, backup)
	}
	if target != "" {
		env.Progress.Line("Cloudron updated to " + target)
	}
	return nil
}

// startOrFollow follows this attempt's update task if one is recorded,
// else starts the update and records its task at once. A task started by
// a run killed before it could record it makes the start ErrBusy, which
// the caller waits out until the box no longer offers the update.
func (PlatformUpdate) startOrFollow(ctx context.Context, env *Env, client *cloudron.Client, target string) (bool, error) {
	task := env.Output(platformStepID, platformUpdateTask)
	if task == "" || env.Output(platformStepID, platformUpdateTarget) != target {
		var err error
		if task, err = client.StartBoxUpdate(ctx, true); err != nil {
			// No update: it finished in between (the offer is gone).
			return errors.Is(err, cloudron.ErrNoUpdate), ignore(err, cloudron.ErrNoUpdate)
		}
		if err := env.Record(platformUpdateTarget, target); err != nil {
			return false, err
		}
		if err := env.Record(platformUpdateTask, task); err != nil {
			return false, err
		}
	}
	if err := followTask(ctx, env, client, task, "Cloudron "+target); err != nil {
		return false, errors.Join(err, env.Record(platformUpdateTask, ""))
	}
	return true, nil
}

// ignore is err, or nil when it is target.
func ignore(err, target error) error {
	if errors.Is(err, target) {
		return nil
	}
	return err
}
