package checks

import "context"

// PlatformStatus is platform.status: the dashboard answers and the
// chapter's token is accepted (GET /profile).
var PlatformStatus = Def{Key: "platform.status", Name: "The Cloudron dashboard answers", Area: AreaPlatform,
	Impact: "the platform is down: chat, email and the dashboard may all be unreachable",
	Needs:  []string{"dns.a"}, Limit: apiLimit,
	Look: func(ctx context.Context, env *Env) Result {
		u, err := profile(ctx, env)
		if err != nil {
			return cloudronUnknown(err)
		}
		return pass("https://" + env.ServerHost() + "/ answers; signed in as " + u.Username)
	}}
