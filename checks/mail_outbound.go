package checks

import "context"

// Port25Out is mail.port25_out: the server can reach other mail servers
// (Cloudron's own probe, from the server). Skipped with a relay.
var Port25Out = Def{Key: "mail.port25_out", Name: "The server can send mail out (port 25)", Area: AreaMail,
	Impact: "mail members send does not leave the server",
	Needs:  []string{"platform.status"}, Limit: mailStatusLimit,
	Look: func(ctx context.Context, env *Env) Result {
		if !mailEnabled(env) {
			return skip("email is off in chapter.yaml")
		}
		if relayed(env) {
			return skip("mail leaves through the relay")
		}
		return mailFinding(ctx, env, "mail.port25_out")
	}}

// Relay is mail.relay: the relay accepts the server's login.
var Relay = Def{Key: "mail.relay", Name: "The mail relay accepts the server's login", Area: AreaMail,
	Impact: "mail members send does not leave the server",
	Needs:  []string{"platform.status"}, Limit: mailStatusLimit,
	Look: func(ctx context.Context, env *Env) Result {
		if !mailEnabled(env) || !relayed(env) {
			return skip("no relay is configured")
		}
		return mailFinding(ctx, env, "mail.relay")
	}}

// mailFinding is one judgment of Cloudron's mail status (JudgeMailStatus,
// which verify shows too).
func mailFinding(ctx context.Context, env *Env, id string) Result {
	st, err := mailStatus(ctx, env)
	if err != nil {
		return cloudronUnknown(err)
	}
	for _, f := range JudgeMailStatus(env.Domain(), st) {
		if f.ID == id {
			return f.Result
		}
	}
	return skip("Cloudron's mail status does not report it")
}
