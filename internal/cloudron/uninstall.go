package cloudron

import "context"

// UninstallApp removes an app and returns the uninstall task. chapterctl
// uses it only on an app whose first install failed (it holds no data
// yet): Cloudron keeps such an app in the error state on its subdomain,
// and installing again needs the subdomain free.
func (c *Client) UninstallApp(ctx context.Context, appID string) (taskID string, err error) {
	return c.appTask(ctx, appID, "uninstall")
}
