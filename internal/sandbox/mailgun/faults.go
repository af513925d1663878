package mailgun

import "github.com/chapterctl/chapterctl/internal/sandbox/world"

// Fault names.
const (
	// FaultRateLimit answers the next N API requests (its parameter,
	// default 1) with 429 and X-RateLimit-Reset.
	FaultRateLimit = "mailgun-rate-limit"
	// FaultVerifyFails makes every verification fail: Mailgun's resolvers
	// find none of the records, whatever the zone holds.
	FaultVerifyFails = "mailgun-verify-fails"
)

// Faults lists the Mailgun simulator's faults. Both change how the
// simulator answers, so they have no Break or Heal.
func Faults() []world.FaultSpec {
	return []world.FaultSpec{
		{Name: FaultRateLimit, Kind: world.KindReliability,
			Description: "the next N Mailgun API requests answer 429 with X-RateLimit-Reset (mailgun-rate-limit=N, default 1)"},
		{Name: FaultVerifyFails, Kind: world.KindReliability,
			Description: "Mailgun's domain verification never passes: its DNS checks find none of the records, so the domain stays unverified"},
	}
}
