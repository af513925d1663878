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
	var out struct {
		TaskID flexID `json:"taskId"`
	}
	err = c.do(ctx, call{method: http.MethodPost, path: "/apps/" + url.PathEscape(appID) + "/restart", in: map[string]any{}, out: &out})
	if err != nil {
		return "", fmt.Errorf("cloudron: restart the app %s: %w", appID, err)
	}
	return string(out.TaskID), nil
}
