package checks

import (
	"context"
	"strings"
)

// ownCheck are the findings of Cloudron's status that have a check of
// their own: shown there once, not twice.
var ownCheck = map[string]bool{"mail.port25_out": true, "mail.relay": true, "ip.dnsbl": true}

// CloudronMail is mail.cloudron: Cloudron's own mail status (what its
// dashboard shows under Email → Status) has nothing to report.
var CloudronMail = Def{Key: "mail.cloudron", Name: "Cloudron's own mail status is clear", Area: AreaMail,
	Needs: []string{"platform.status"}, Limit: mailStatusLimit,
	Look: func(ctx context.Context, env *Env) Result {
		if !mailEnabled(env) {
			return skip("email is off in chapter.yaml")
		}
		st, err := mailStatus(ctx, env)
		if err != nil {
			return cloudronUnknown(err)
		}
		worst := Result{Status: Pass}
		var notes []string
		order := map[Status]int{Pass: 0, Skip: 0, Unknown: 1, Warn: 2, Fail: 3}
		for _, f := range JudgeMailStatus(env.Domain(), st) {
			if f.Result.Status == Pass || ownCheck[f.ID] {
				continue
			}
			notes = append(notes, f.Title+": "+f.Result.Detail)
			// Cloudron's view only warns: the records are judged at
			// Gandi's servers by the checks above.
			r := f.Result
			if r.Status == Fail {
				r.Status = Warn
			}
			if order[r.Status] > order[worst.Status] {
				worst = r
			}
		}
		if len(notes) == 0 {
			return pass("Cloudron sees every mail record and check as it should be")
		}
		worst.Detail = strings.Join(notes, "; ")
		return worst
	}}
