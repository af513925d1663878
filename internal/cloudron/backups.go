package cloudron

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Backup is one backup: the box's (settings, and the list of its apps'
// backups) or one app's.
type Backup struct {
	ID             string
	RemotePath     string
	Identifier     string // "box" or the app id
	Type           string // box or app
	State          string
	PackageVersion string
	CreationTime   time.Time // zero if Cloudron's timestamp could not be read
}

type backupJSON struct {
	ID             string `json:"id"`
	RemotePath     string `json:"remotePath"`
	Identifier     string `json:"identifier"`
	Type           string `json:"type"`
	State          string `json:"state"`
	PackageVersion string `json:"packageVersion"`
	CreationTime   string `json:"creationTime"`
}

// CreateBackup starts a full backup and returns its task; ErrBusy while
// an update or another backup runs.
func (c *Client) CreateBackup(ctx context.Context) (taskID string, err error) {
	var out struct {
		TaskID flexID `json:"taskId"`
	}
	err = c.do(ctx, call{method: http.MethodPost, path: "/backups/create", out: &out})
	if statusOf(err) == http.StatusConflict {
		return "", fmt.Errorf("cloudron: start a backup: %w (%w)", ErrBusy, err)
	}
	if err != nil {
		return "", fmt.Errorf("cloudron: start a backup: %w", err)
	}
	return string(out.TaskID), nil
}

// recentBackups is how many backups Backups reads: the newest are what
// doctor and upgrade look at.
const recentBackups = 100

// Backups lists the newest backups, newest first.
func (c *Client) Backups(ctx context.Context) ([]Backup, error) {
	var body struct {
		Backups []backupJSON `json:"backups"`
	}
	query := url.Values{"page": {"1"}, "per_page": {fmt.Sprint(recentBackups)}}
	if err := c.do(ctx, call{method: http.MethodGet, path: "/backups", query: query, out: &body}); err != nil {
		return nil, fmt.Errorf("cloudron: list the backups: %w", err)
	}
	backups := make([]Backup, 0, len(body.Backups))
	for _, j := range body.Backups {
		// One odd timestamp should not hide the list: it reads as zero.
		created, _ := time.Parse(time.RFC3339Nano, j.CreationTime)
		backups = append(backups, Backup{ID: j.ID, RemotePath: j.RemotePath, Identifier: j.Identifier, Type: j.Type,
			State: j.State, PackageVersion: j.PackageVersion, CreationTime: created})
	}
	return backups, nil
}
