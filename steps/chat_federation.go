package steps

import (
	"fmt"
	"strings"

	"github.com/chapterctl/chapterctl/internal/chapter"
)

// federationAction is what the organizer must still do by hand for the
// Matrix federation policy and server name, or "" when nothing.
//
// Cloudron has no API that edits an app's configuration files
// (chat-on-cloudron.md §3: only the dashboard's File Manager, its Web
// Terminal, the CLI, or an exec websocket), and Synapse reads the policy
// from /app/data/configs/homeserver.yaml. Until chapterctl edits that
// file over SSH, the step records the edit as a pending manual action
// rather than claiming a policy it did not apply. Open federation is the
// package's default and needs nothing.
func federationAction(cfg *chapter.Config) string {
	if cfg.Chat != chapter.ChatMatrix && cfg.Chat != "" {
		return ""
	}
	var edits []string
	switch cfg.Federation {
	case chapter.FederationClosed:
		edits = append(edits, "federation_domain_whitelist: []")
	case chapter.FederationAllowlist:
		edits = append(edits, "federation_domain_whitelist: ["+strings.Join(cfg.FederationAllow, ", ")+"]")
	}
	if cfg.MatrixServerName == chapter.MatrixServerNameSubdomain {
		// The package presets the bare domain (chat-on-cloudron.md §1);
		// it can only change before anyone logs in.
		edits = append(edits, "server_name: matrix."+cfg.Domain+" (before anyone logs in)")
	}
	if len(edits) == 0 {
		return ""
	}
	return fmt.Sprintf("in the Cloudron dashboard, open Synapse's File Manager, set %s in /app/data/configs/homeserver.yaml, then restart Synapse",
		strings.Join(edits, " and "))
}
