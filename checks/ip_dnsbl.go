package checks

import (
	"context"
	"fmt"
	"strings"
)

// The IP blocklists asked, and how serious a listing is
// (doctor-checks.md §3). Spamhaus ZEN's PBL codes only warn.
var ipBlocklists = []struct {
	zone  string
	major bool
}{
	{"zen.spamhaus.org", true}, {"b.barracudacentral.org", true}, {"bl.spamcop.net", true},
	{"dnsbl-1.uceprotect.net", false}, {"psbl.surriel.com", false}, {"bl.mailspike.net", false},
}

// DNSBL is ip.dnsbl: the server's address is on no spam blocklist,
// asked from the server itself. An answer that tells nothing (Spamhaus
// refusing with 127.255.255.254, a list that does not answer its test
// entry, SERVFAIL, a timeout) is unknown, never clean or listed.
var DNSBL = Def{Key: "ip.dnsbl", Name: "The server's address is on no spam blocklist", Area: AreaMail,
	Impact: "mail members send is refused by many providers",
	Needs:  []string{"host.ssh"}, Limit: sshLimit,
	Look: func(ctx context.Context, env *Env) Result {
		if !mailEnabled(env) {
			return skip("email is off in chapter.yaml")
		}
		if relayed(env) {
			return skip("mail leaves through the relay, whose addresses are its own concern")
		}
		ip := env.IPv4()
		qs := ipQuestions(ip)
		if len(qs) == 0 {
			return skip("no droplet IPv4 is recorded yet")
		}
		answers, err := askFromServer(ctx, env, qs)
		if err != nil {
			return hostUnknown(err)
		}
		major := map[string]bool{}
		for _, bl := range ipBlocklists {
			major[bl.zone] = bl.major
		}
		return judgeListings(ip, judgeFromServer(qs, answers, major))
	}}

type listing struct {
	zone                   string
	major, listed, unknown bool
	reason                 string
}

// judgeListings: a major listing fails, a minor one warns; lists that
// would not say make the verdict unknown only when no list says "listed".
func judgeListings(subject string, ls []listing) Result {
	var major, minor, unknownLists []string
	for _, l := range ls {
		switch {
		case l.listed && l.major:
			major = append(major, l.zone+" ("+l.reason+")")
		case l.listed:
			minor = append(minor, l.zone+" ("+l.reason+")")
		case l.unknown:
			unknownLists = append(unknownLists, l.zone+": "+l.reason)
		}
	}
	fix := fmt.Sprintf("open each list's lookup page for %s and follow its removal steps; meanwhile run \"chapterctl mail enable --relay mailgun\" to send through Mailgun", subject)
	switch {
	case len(major) > 0:
		return Result{Status: Fail, Detail: subject + " is listed on " + strings.Join(append(major, minor...), ", "), Fix: fix}
	case len(minor) > 0:
		return Result{Status: Warn, Detail: subject + " is listed on " + strings.Join(minor, ", "), Fix: fix}
	case len(unknownLists) > 0:
		return unknown("could not tell: "+strings.Join(unknownLists, "; "), "run \"chapterctl doctor\" from another network, or check the lists' lookup pages")
	}
	return pass(fmt.Sprintf("%s is on none of the %d lists asked", subject, len(ls)))
}
