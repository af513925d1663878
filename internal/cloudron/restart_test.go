package cloudron_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// A restart is a task; WaitHealthy waits for the health check after it
// and reports an app that came back unhealthy, which WaitApp does not see.
func TestRestartAppAndWaitHealthy(t *testing.T) {
	t.Parallel()
	s := installedServer(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	c, _ := s.setUpAndActivate(ctx)
	id := s.installApp(ctx, c, "org.matrix.synapse", "matrix")
	if app, err := c.WaitHealthy(ctx, id, nil); err != nil || app.Health != "healthy" {
		t.Fatalf("WaitHealthy after install = %+v, %v", app, err)
	}

	s.breakFault("synapse-config-mangled", "")
	taskID, err := c.RestartApp(ctx, id)
	if err != nil || taskID == "" {
		t.Fatalf("RestartApp = %q, %v", taskID, err)
	}
	if _, err := c.WaitTask(ctx, taskID, nil); err != nil {
		t.Fatalf("restart task: %v", err)
	}
	if _, err := c.WaitApp(ctx, id, nil); err != nil {
		t.Errorf("WaitApp of a running but unhealthy app = %v (it only waits for running)", err)
	}
	_, err = c.WaitHealthy(ctx, id, nil)
	var appErr *cloudron.AppError
	if !errors.As(err, &appErr) || appErr.App.ID != id || !strings.Contains(err.Error(), "running but unhealthy") {
		t.Fatalf("WaitHealthy of a Synapse with a broken config = %v", err)
	}
	if _, err := c.RestartApp(ctx, "no-such-app"); err == nil || !strings.Contains(err.Error(), "No such app") {
		t.Errorf("restart of an unknown app = %v", err)
	}
	var unhealthyNow bool
	s.sb.World.Read(func(d *world.Data) {
		for _, m := range d.Machines {
			if m.Cloudron != nil && len(m.Cloudron.Apps) == 1 {
				unhealthyNow = m.Cloudron.Apps[0].Synapse.Error != ""
			}
		}
	})
	if !unhealthyNow {
		t.Error("the world does not show Synapse's config error")
	}
}
