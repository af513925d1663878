package cloudron

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// RestartApp restarts an app's container and returns the restart task
// (POST /apps/:id/restart → 202 {taskId}). An app reads its configuration
// files only when it starts: this is how an edit takes effect.
func (c *Client) RestartApp(ctx context.Context, appID string) (taskID string, err error) {
	return c.appTask(ctx, appID, "restart")
}

// appTask starts one of the app verbs that answer 202 {taskId}
// (cloudron.md §8: uninstall, start, stop, restart, repair…).
func (c *Client) appTask(ctx context.Context, appID, verb string) (string, error) {
	var out struct {
		TaskID flexID `json:"taskId"`
	}
	err := c.do(ctx, call{method: http.MethodPost, path: "/apps/" + url.PathEscape(appID) + "/" + verb, in: map[string]any{}, out: &out})
	if err != nil {
		return "", fmt.Errorf("cloudron: %s the app %s: %w", verb, appID, err)
	}
	return string(out.TaskID), nil
}
