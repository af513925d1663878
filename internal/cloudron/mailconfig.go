package cloudron

import (
	"context"
	"fmt"
	"net/http"
)

// MailConfig is a mail domain's settings as Cloudron shows them: whether
// incoming mail is on, the catch-all, and the relay (its password masked).
type MailConfig struct {
	Enabled  bool
	CatchAll []string
	Relay    Relay // Password is never filled
}

// MailConfig reads domain's mail settings (GET /mail/:domain).
func (c *Client) MailConfig(ctx context.Context, domain string) (MailConfig, error) {
	var body struct {
		Enabled  bool     `json:"enabled"`
		CatchAll []string `json:"catchAll"`
		Relay    struct {
			Provider string `json:"provider"`
			Host     string `json:"host"`
			Port     int    `json:"port"`
			Username string `json:"username"`
		} `json:"relay"`
	}
	if err := c.do(ctx, call{method: http.MethodGet, path: mailPath(domain, ""), out: &body}); err != nil {
		return MailConfig{}, fmt.Errorf("cloudron: read the mail settings of %s: %w", domain, err)
	}
	r := body.Relay
	return MailConfig{Enabled: body.Enabled, CatchAll: body.CatchAll,
		Relay: Relay{Provider: r.Provider, Host: r.Host, Port: r.Port, Username: r.Username}}, nil
}
