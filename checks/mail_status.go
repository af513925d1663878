package checks

import (
	"fmt"
	"strings"

	"github.com/chapterctl/chapterctl/internal/cloudron"
)

// MailFinding is one line of Cloudron's own mail status, judged: its
// doctor id (mail.mx, mail.ptr, mail.port25_out…), a title and the verdict.
type MailFinding struct {
	ID, Title string
	Result    Result
}

// relayAdvice is what to run when the server cannot send mail itself.
const relayAdvice = "chapterctl mail enable --relay mailgun"

// JudgeMailStatus judges what Cloudron's mail status reports for domain
// (GET /mail/<domain>/status: its DNS, PTR, port-25 or relay, and
// blocklist checks, made through the server's own resolver).
//
// What fails and what only warns: chapterctl fails on what it sets up
// itself and the organizer cannot wait out — the reverse name (the droplet
// is named for it) and a relay that refuses chapterctl's login. A DNS
// record Cloudron does not see yet only warns: the records are judged at
// the authoritative servers (dns.records), and Cloudron's resolver caches
// answers for up to 5 minutes. Outbound port 25 blocked by the provider
// and a blocklist listing are facts of the account and the address, not
// of the setup: they warn, with the relay as the way around.
func JudgeMailStatus(domain string, st cloudron.MailStatus) []MailFinding {
	var out []MailFinding
	for _, c := range st.Checks {
		out = append(out, judgeMailRecord(domain, c))
	}
	_, builtIn := st.Check("ptr")
	builtIn = builtIn || st.Blocklists.Checked
	if st.Relay.Checked {
		out = append(out, judgeRelay(st.Relay, builtIn))
	}
	if st.Blocklists.Checked {
		out = append(out, judgeBlocklists(st.Blocklists))
	}
	return out
}

var mailRecordTitles = map[string]string{
	"mx": "MX record", "spf": "SPF record", "dkim": "DKIM signing key", "dmarc": "DMARC policy", "ptr": "Reverse name (PTR) of the server",
}

func judgeMailRecord(domain string, c cloudron.MailCheck) MailFinding {
	f := MailFinding{ID: "mail." + c.Name, Title: mailRecordTitles[c.Name]}
	if f.Title == "" {
		f.Title = strings.ToUpper(c.Name) + " record"
	}
	found := c.Value
	if found == "" {
		found = "nothing"
	}
	switch {
	case c.OK:
		f.Result = Result{Status: Pass, Detail: fmt.Sprintf("Cloudron sees %s %s: %s", c.FQDN, c.Type, c.Value)}
	case c.Name == "ptr":
		f.Result = Result{Status: Fail,
			Detail: fmt.Sprintf("the server's address %s has the reverse name %s, want %s: mail from it is likely to be refused as spam", c.RecordName, found, c.Expected),
			Fix:    fmt.Sprintf("rename the droplet in DigitalOcean to exactly %s (DigitalOcean sets the reverse name from the droplet's name)", c.Expected)}
	case c.ErrorMessage != "":
		f.Result = Result{Status: Unknown, Detail: fmt.Sprintf("Cloudron could not look up %s %s: %s", c.FQDN, c.Type, c.ErrorMessage),
			Fix: "Cloudron checks again by itself; run \"chapterctl doctor\" in a few minutes"}
	default:
		f.Result = Result{Status: Warn,
			Detail: fmt.Sprintf("Cloudron does not see %s %s as %q yet (it sees %s); its resolver caches answers for up to 5 minutes", c.FQDN, c.Type, c.Expected, found),
			Fix:    fmt.Sprintf("if it persists, run \"chapterctl dns apply\" for %s's records, then \"chapterctl doctor\"", domain)}
	}
	return f
}

// judgeRelay: with the built-in relay, Cloudron's relay check is its
// port-25 probe; with another relay, a login to it.
func judgeRelay(r cloudron.RelayStatus, builtIn bool) MailFinding {
	if builtIn {
		f := MailFinding{ID: "mail.port25_out", Title: "Outgoing mail (port 25)"}
		if r.OK {
			f.Result = Result{Status: Pass, Detail: "the server can reach other mail servers on port 25"}
		} else {
			f.Result = Result{Status: Warn,
				Detail: "the server cannot send mail to other mail servers: outgoing port 25 is blocked (" + r.Message + "); DigitalOcean blocks it on new accounts",
				Fix:    "run \"" + relayAdvice + "\" to send through Mailgun, or ask DigitalOcean support to unblock port 25"}
		}
		return f
	}
	f := MailFinding{ID: "mail.relay", Title: "Mail relay login"}
	if r.OK {
		f.Result = Result{Status: Pass, Detail: "the relay accepted Cloudron's login"}
	} else {
		f.Result = Result{Status: Fail, Detail: "the relay refused Cloudron's login: " + r.Message,
			Fix: "run \"" + relayAdvice + "\" again to set the relay's login"}
	}
	return f
}

func judgeBlocklists(b cloudron.BlocklistStatus) MailFinding {
	f := MailFinding{ID: "ip.dnsbl", Title: "Server address on spam blocklists"}
	if b.OK {
		f.Result = Result{Status: Pass, Detail: fmt.Sprintf("%s is on none of the blocklists Cloudron asks", b.IP)}
		return f
	}
	f.Result = Result{Status: Warn,
		Detail: fmt.Sprintf("%s is listed on %s: mail sent from it may be refused", b.IP, strings.Join(b.Listed, ", ")),
		Fix:    "ask each list for removal on its website; meanwhile run \"" + relayAdvice + "\" to send through Mailgun"}
	return f
}
