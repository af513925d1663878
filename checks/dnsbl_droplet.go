package checks

import (
	"context"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/dnsq"
	"github.com/chapterctl/chapterctl/templates"
)

// The blocklists are asked from the server (doctor-checks.md §3), in one
// SSH round trip: every name of every list, and each IP list's RFC 5782
// test entry 127.0.0.2, which a live list must answer (a dead list, or a
// resolver that is refused, then makes its verdict unknown rather than
// clean).

// listQuestion is one name asked of one list.
type listQuestion struct {
	zone, qname string
	domainList  bool
	probe       bool // the test entry, not the subject
}

// digAnswer is what dig printed for one name.
type digAnswer struct {
	status string   // NOERROR, NXDOMAIN, SERVFAIL, REFUSED, TIMEOUT
	codes  []string // the A records answered
}

var digStatus = regexp.MustCompile(`status: ([A-Z]+)`)

// askFromServer runs dig on the server for every question.
func askFromServer(ctx context.Context, env *Env, qs []listQuestion) (map[string]digAnswer, error) {
	var names []string
	for _, q := range qs {
		if !slices.Contains(names, q.qname) {
			names = append(names, q.qname)
		}
	}
	script, err := templates.Render("doctor-dnsbl.sh.tmpl", map[string]any{"Names": names})
	if err != nil {
		return nil, err
	}
	out, err := runOnServer(ctx, env, "dnsbl", script)
	if err != nil {
		return nil, err
	}
	answers := map[string]digAnswer{}
	for name, text := range parseSections(out) {
		answers[name] = parseDig(text)
	}
	return answers, nil
}

// parseDig reads dig's default output: the header's status and the A
// records of the answer section. No status line is a timeout.
func parseDig(text string) digAnswer {
	a := digAnswer{status: "TIMEOUT"}
	if m := digStatus.FindStringSubmatch(text); m != nil {
		a.status = m[1]
	}
	inAnswer := false
	for line := range strings.SplitSeq(text, "\n") {
		switch {
		case strings.HasPrefix(line, ";; ANSWER SECTION"):
			inAnswer = true
		case strings.HasPrefix(line, ";"):
			inAnswer = false
		case inAnswer:
			if f := strings.Fields(line); len(f) >= 5 && f[3] == "A" {
				a.codes = append(a.codes, f[4])
			}
		}
	}
	return a
}

// judgeFromServer turns the server's answers into listings, one per list.
func judgeFromServer(qs []listQuestion, answers map[string]digAnswer, major map[string]bool) []listing {
	var out []listing
	dead := map[string]bool{}
	for _, q := range qs {
		if q.probe {
			a := answers[q.qname]
			l := dnsq.Interpret(a.codes, q.zone, false)
			dead[q.zone] = a.status != "NOERROR" || !l.Listed
		}
	}
	for _, q := range qs {
		if q.probe {
			continue
		}
		a := answers[q.qname]
		l := listing{zone: q.zone, major: major[q.zone]}
		switch {
		case a.status == "NXDOMAIN" || (a.status == "NOERROR" && len(a.codes) == 0):
			if dead[q.zone] {
				l.unknown, l.reason = true, "the list does not answer its test entry 127.0.0.2: it is gone, or refuses this server"
			}
		case a.status == "NOERROR":
			v := dnsq.Interpret(a.codes, q.zone, q.domainList)
			l.listed, l.unknown, l.reason = v.Listed, v.Unknown, v.Reason
			if l.listed && strings.Contains(v.Reason, "PBL") {
				l.major = false // a policy listing, removable with the right PTR
			}
		default:
			l.unknown, l.reason = true, fmt.Sprintf("the server's resolver answered %s", a.status)
		}
		out = append(out, l)
	}
	return out
}

// ipQuestions are the reversed-address questions for ip, plus each
// list's test entry.
func ipQuestions(ip string) []listQuestion {
	addr, err := netip.ParseAddr(ip)
	if err != nil || !addr.Is4() {
		return nil
	}
	b := addr.As4()
	rev := fmt.Sprintf("%d.%d.%d.%d", b[3], b[2], b[1], b[0])
	var qs []listQuestion
	for _, bl := range ipBlocklists {
		qs = append(qs, listQuestion{zone: bl.zone, qname: dns.Fqdn(rev + "." + bl.zone)},
			listQuestion{zone: bl.zone, qname: dns.Fqdn("2.0.0.127." + bl.zone), probe: true})
	}
	return qs
}
