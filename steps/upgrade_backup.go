package steps

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/cloudron"
)

// UpgradeBackup takes a full backup through Cloudron's API before any
// update, and waits for it: no update starts without it. One backup per
// upgrade attempt: a rerun finds the one a killed run took.
type UpgradeBackup struct{}

func NewUpgradeBackup() Step { return UpgradeBackup{} }

func (UpgradeBackup) ID() string    { return backupStepID }
func (UpgradeBackup) Title() string { return "Full backup before the updates" }

func (s UpgradeBackup) Plan(ctx context.Context, env *Env) (Change, error) {
	client, err := upgradeCloudron(env)
	if err != nil {
		return Change{}, err
	}
	box, apps, err := offeredApps(ctx, client)
	if err != nil {
		return Change{}, err
	}
	list := offerList(box, apps)
	if len(list) == 0 || attemptCovers(env, list) {
		return Change{}, nil
	}
	return Change{Items: []Item{{Action: Create, Resource: "full backup of the Cloudron",
		Detail: "before updating " + strings.Join(list, ", ")}}}, nil
}

func (s UpgradeBackup) Apply(ctx context.Context, env *Env, _ Change) error {
	client, err := upgradeCloudron(env)
	if err != nil {
		return err
	}
	box, apps, err := offeredApps(ctx, client)
	if err != nil {
		return err
	}
	list := offerList(box, apps)
	if len(list) == 0 || attemptCovers(env, list) {
		return nil
	}
	if err := s.begin(ctx, env, client, list); err != nil {
		return err
	}
	err = retryWhileBusy(ctx, env, "the running Cloudron task before the backup", func() (bool, error) {
		return s.takeOrFind(ctx, env, client)
	})
	if err != nil {
		return fmt.Errorf("backup: %w; no update was started", err)
	}
	return nil
}

// begin records a new attempt, unless the recorded one is still going
// (no backup yet, same updates: a run killed before its backup ended).
func (UpgradeBackup) begin(ctx context.Context, env *Env, client *cloudron.Client, list []string) error {
	targets := strings.Join(list, "\n")
	attempt := env.Output(backupStepID, backupAttempt)
	if attempt != "" && env.Output(backupStepID, backupID) == "" && env.Output(backupStepID, backupTargets) == targets &&
		env.Output(appUpdatesStepID, appUpdatesClosed) != attempt {
		return nil
	}
	newest, err := newestBoxBackup(ctx, client, "")
	if err != nil {
		return err
	}
	// In this order: a kill between two records leaves either the old
	// attempt's targets (so the rerun begins anew) or this one's, whole.
	for _, kv := range [][2]string{{backupID, ""}, {backupTime, ""}, {backupTask, ""}, {backupBefore, newest.ID},
		{backupTargets, targets}, {backupAttempt, env.Now().UTC().Format(time.RFC3339Nano)}} {
		if err := env.Record(kv[0], kv[1]); err != nil {
			return err
		}
	}
	return nil
}

// takeOrFind is one try: the backup this attempt's task made, or one
// that appeared since the attempt began (a killed run's), or a new task.
func (s UpgradeBackup) takeOrFind(ctx context.Context, env *Env, client *cloudron.Client) (bool, error) {
	task := env.Output(backupStepID, backupTask)
	if task != "" {
		if err := followTask(ctx, env, client, task, "full backup"); err != nil {
			// The next run starts a new backup.
			return false, errors.Join(err, env.Record(backupTask, ""))
		}
	}
	found, err := newestBoxBackup(ctx, client, env.Output(backupStepID, backupBefore))
	if err != nil {
		return false, err
	}
	if found.ID == "" && task != "" {
		return false, errors.Join(fmt.Errorf("the backup task %s ended, but Cloudron lists no new backup", task), env.Record(backupTask, ""))
	}
	if found.ID != "" {
		if err := env.Record(backupTime, found.CreationTime.UTC().Format(time.RFC3339Nano)); err != nil {
			return false, err
		}
		env.Progress.Line(fmt.Sprintf("Backup %s taken (%s)", found.ID, found.RemotePath))
		return true, env.Record(backupID, found.ID)
	}
	task, err = client.CreateBackup(ctx)
	if err != nil {
		return false, err
	}
	if err := env.Record(backupTask, task); err != nil {
		return false, err
	}
	return s.takeOrFind(ctx, env, client) // follows the task just recorded
}

// newestBoxBackup is the newest full (box) backup newer than the one
// with id after ("" for any), or a zero Backup when there is none.
func newestBoxBackup(ctx context.Context, client *cloudron.Client, after string) (cloudron.Backup, error) {
	backups, err := client.Backups(ctx)
	if err != nil {
		return cloudron.Backup{}, err
	}
	for _, b := range backups { // newest first
		if after != "" && b.ID == after {
			break
		}
		if b.Type == "box" && b.State == "normal" {
			return b, nil
		}
	}
	return cloudron.Backup{}, nil
}
