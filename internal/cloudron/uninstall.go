package cloudron

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// UninstallApp removes an app and returns the uninstall task. chapterctl
// uses it only on an app whose first install failed (it holds no data
// yet): Cloudron keeps such an app in the error state on its subdomain,
// and installing again needs the subdomain free.
func (c *Client) UninstallApp(ctx context.Context, appID string) (taskID string, err error) {
	var out struct {
		TaskID flexID `json:"taskId"`
	}
	err = c.do(ctx, call{method: http.MethodPost, path: "/apps/" + url.PathEscape(appID) + "/uninstall", in: map[string]any{}, out: &out})
	if err != nil {
		return "", fmt.Errorf("cloudron: uninstall the app %s: %w", appID, err)
	}
	return string(out.TaskID), nil
}
