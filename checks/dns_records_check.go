package checks

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/dnsq"
)

// Records is dns.records: every record set dns-records wrote, at the
// authoritative servers and then the public resolvers (verify's check).
// A resolver still holding an old answer is a warning with its time.
func Records(exps []dnsq.Expectation) Def {
	return Def{Key: RecordsCheckID, Name: "Every record the chapter needs, at Gandi and public resolvers", Area: AreaDNS,
		// The record-specific checks explain a wrong record better (and
		// say who it hurts): when one of them fails, this one follows from
		// it; it stands alone for propagation and the other records.
		Needs: []string{"dns.nameservers", "dns.a", "dns.apps", "mail.mx", "mail.spf", "mail.dkim", "mail.dmarc"},
		Limit: 2 * dnsLimit,
		Look: func(ctx context.Context, env *Env) Result {
			if len(exps) == 0 {
				return Result{Status: Skip, Detail: "no record list is recorded yet",
					Fix: "run \"chapterctl dns apply\" to write and record the chapter's records"}
			}
			verdicts, err := VerifyRecords(ctx, env.DNS, env.Domain(), exps, env.now())
			if err != nil {
				return dnsUnknown(env.Domain()+"'s nameservers", err)
			}
			return summarizeRecords(verdicts)
		}}
}

func summarizeRecords(verdicts []RecordVerdict) Result {
	worst := Result{Status: Pass}
	var recheck time.Time
	var lines []string
	order := map[Status]int{Pass: 0, Warn: 1, Unknown: 2, Fail: 3}
	for _, v := range verdicts {
		r := v.Result
		if r.Status != Pass {
			lines = append(lines, r.Detail)
		}
		if order[r.Status] > order[worst.Status] {
			worst = r
		}
		if r.RecheckAfter.After(recheck) {
			recheck = r.RecheckAfter
		}
	}
	if worst.Status == Pass {
		return pass(fmt.Sprintf("all %d record sets are served", len(verdicts)))
	}
	worst.Detail = strings.Join(lines, "; ")
	worst.RecheckAfter = recheck
	return worst
}
