package checks

import (
	"context"
	"fmt"
	"strings"
)

// PlatformUpdates is platform.updates: no Cloudron release is waiting.
var PlatformUpdates = Def{Key: "platform.updates", Name: "Cloudron is up to date", Area: AreaPlatform,
	Needs: []string{"platform.status"}, Limit: apiLimit,
	Look: func(ctx context.Context, env *Env) Result {
		if err := needCloudron(env); err != nil {
			return cloudronUnknown(err)
		}
		u, err := env.Cloudron.BoxUpdate(ctx)
		if err != nil {
			return cloudronUnknown(err)
		}
		if u != nil {
			return Result{Status: Warn, Detail: "Cloudron " + u.Version + " is available", Fix: `run "chapterctl upgrade"`}
		}
		return pass("no platform update is waiting")
	}}

// AppUpdates is platform.app_updates: no app has a newer package.
var AppUpdates = Def{Key: "platform.app_updates", Name: "The apps are up to date", Area: AreaPlatform,
	Needs: []string{"platform.status"}, Limit: apiLimit,
	Look: func(ctx context.Context, env *Env) Result {
		list, err := apps(ctx, env)
		if err != nil {
			return cloudronUnknown(err)
		}
		// Cloudron's own (hourly) check, as the apps list caches it: doctor
		// reads, it does not ask the App Store again.
		var waiting []string
		for _, a := range list {
			if a.Offered != "" && a.Offered != a.Version {
				waiting = append(waiting, fmt.Sprintf("%s %s → %s", a.Title, a.Version, a.Offered))
			}
		}
		if len(waiting) > 0 {
			return Result{Status: Warn, Detail: "updates are waiting: " + strings.Join(waiting, ", "), Fix: `run "chapterctl upgrade"`}
		}
		return pass(fmt.Sprintf("%d apps, none with an update waiting", len(list)))
	}}
