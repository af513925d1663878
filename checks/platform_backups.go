package checks

import (
	"context"
	"fmt"
	"time"
)

// Backups is platform.backups: the newest good backup is recent (MiaB:
// older than 7 days fails; a missed night only warns).
var Backups = Def{Key: "platform.backups", Name: "A recent backup exists", Area: AreaPlatform,
	Impact: "if the server is lost, the chapter's messages and mail are lost with it",
	Needs:  []string{"platform.status"}, Limit: apiLimit,
	Look: func(ctx context.Context, env *Env) Result {
		if err := needCloudron(env); err != nil {
			return cloudronUnknown(err)
		}
		list, err := env.Cloudron.Backups(ctx)
		if err != nil {
			return cloudronUnknown(err)
		}
		var newest time.Time
		for _, b := range list {
			if b.Type == "box" && b.State == "normal" && b.CreationTime.After(newest) {
				newest = b.CreationTime
			}
		}
		fix := `run "chapterctl upgrade" (it backs up first) and check Cloudron → Backups for why the nightly backup stopped`
		if newest.IsZero() && env.State != nil {
			// A server set up today has had no night yet: Cloudron's
			// first scheduled backup runs at 23:00.
			if st, ok := env.State.Steps["platform-setup"]; ok && env.now().Sub(st.FinishedAt) < 26*time.Hour {
				return skip("no backup yet: the server was set up " + st.FinishedAt.Local().Format("Jan 2 15:04") + "; the first nightly backup runs at 23:00")
			}
		}
		if newest.IsZero() {
			return Result{Status: Fail, Detail: "there is no backup of the server", Fix: fix}
		}
		age := env.now().Sub(newest)
		detail := fmt.Sprintf("the newest backup is from %s (%s ago)", newest.Local().Format("Jan 2 15:04"), age.Round(time.Hour))
		switch {
		case age > 7*24*time.Hour:
			return Result{Status: Fail, Detail: detail, Fix: fix}
		case age > 26*time.Hour:
			return Result{Status: Warn, Detail: detail, Fix: fix}
		}
		return pass(detail)
	}}
