package digitalocean

import (
	"net/http"
	"testing"

	"github.com/digitalocean/godo"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func TestDropletActionsPowerAndRename(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	dr := e.createActive(t, chapterDropletRequest("wrong.example.org", "chapterctl:abc123"))
	ip, _ := dr.PublicIPv4()

	waitAction := func(action *godo.Action) {
		t.Helper()
		eventually(t, action.Type+" to complete", func() bool {
			got, _, err := e.do.DropletActions.Get(e.ctx, dr.ID, action.ID)
			return err == nil && got.Status == godo.ActionCompleted
		})
	}
	steps := []struct {
		do         func() (*godo.Action, *godo.Response, error)
		wantStatus string
	}{
		{func() (*godo.Action, *godo.Response, error) { return e.do.DropletActions.PowerOff(e.ctx, dr.ID) }, "off"},
		{func() (*godo.Action, *godo.Response, error) { return e.do.DropletActions.PowerOn(e.ctx, dr.ID) }, "active"},
		{func() (*godo.Action, *godo.Response, error) { return e.do.DropletActions.Reboot(e.ctx, dr.ID) }, "active"},
		{func() (*godo.Action, *godo.Response, error) {
			return e.do.DropletActions.Rename(e.ctx, dr.ID, "my.example.org")
		}, "active"},
	}
	for _, step := range steps {
		action, resp, err := step.do()
		if err != nil || resp.StatusCode != http.StatusCreated || action.Status != godo.ActionInProgress {
			t.Fatalf("action: %v %v", action, err)
		}
		// A second action while one runs is refused.
		_, _, err = e.do.DropletActions.Reboot(e.ctx, dr.ID)
		wantAPIError(t, err, http.StatusUnprocessableEntity, msgPendingEvent)
		waitAction(action)
		got, _, _ := e.do.Droplets.Get(e.ctx, dr.ID)
		if got.Status != step.wantStatus {
			t.Errorf("after %s: status %q, want %q", action.Type, got.Status, step.wantStatus)
		}
	}
	e.w.Read(func(d *world.Data) {
		if name, _ := PTR(d, ip); name != "my.example.org" {
			t.Errorf("the rename did not move the PTR: %q", name)
		}
		if d.DropletByID(dr.ID).RestartedAt.IsZero() {
			t.Errorf("the reboot is not recorded for the machine")
		}
	})
	_, _, err := e.do.DropletActions.Resize(e.ctx, dr.ID, "s-4vcpu-8gb", true)
	if er := apiErrorOf(t, err); er.Response.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("an action the sandbox does not simulate: %d", er.Response.StatusCode)
	}
	actions, _, err := e.do.Droplets.Actions(e.ctx, dr.ID, nil)
	if err != nil || len(actions) != 5 || actions[0].Type != "rename" || actions[4].Type != "create" {
		t.Errorf("the droplet's actions, newest first: %d, %v", len(actions), err)
	}
}
