package cloudron

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// recordJSON is one DNS check of the mail status [spec records.json].
type recordJSON struct {
	Domain       string  `json:"domain"`
	Name         string  `json:"name"`
	Type         string  `json:"type"`
	Value        *string `json:"value"`
	Expected     string  `json:"expected"`
	Status       bool    `json:"status"`
	ErrorMessage string  `json:"errorMessage,omitempty"`
}

// mailCheck is what a status computation needs, read from the world.
type mailCheck struct {
	domain, mailFQDN, ip string
	enabled              bool
	relay                world.CloudronRelay
	dkimSelector, dkim   string
}

// rblZones are the blocklists the box asks about its IP [v4 mail.js].
var rblZones = []struct{ name, zone, site string }{
	{"Abuse.ch", "spam.abuse.ch", "http://abuse.ch/"},
	{"Barracuda", "b.barracudacentral.org", "http://www.barracudacentral.org/rbl/removal-request"},
	{"Composite Blocking List", "cbl.abuseat.org", "http://www.abuseat.org"},
	{"Multi SURBL", "multi.surbl.org", "http://www.surbl.org"},
	{"Passive Spam Block List", "psbl.surriel.com", "https://psbl.org"},
	{"Sorbs Aggregate Zone", "dnsbl.sorbs.net", "http://dnsbl.sorbs.net/"},
	{"Sorbs spam.dnsbl Zone", "spam.dnsbl.sorbs.net", "http://sorbs.net"},
	{"SpamCop", "bl.spamcop.net", "http://spamcop.net"},
	{"SpamHaus Zen", "zen.spamhaus.org", "http://spamhaus.org"},
	{"The Unsubscribe Blacklist(UBL)", "ubl.unsubscore.com", "http://www.lashback.com/blacklist/"},
	{"UCEPROTECT Network", "dnsbl-1.uceprotect.net", "http://www.uceprotect.net/en"},
}

// portProbeHost is the SMTP server the port-25 probe names; v4 picks one
// of five at random, the simulator always the first.
const portProbeHost = "smtp.gmail.com"

// mailStatus computes the status live through the box's resolver, as
// [v4] getStatus does: MX and DMARC when incoming mail is on; PTR, the
// port-25 probe and the blocklists with the built-in relay, else a login
// test of the relay. SPF and DKIM are shown with any relay but none
// (v4 showed them with the built-in relay only; newer boxes sign relayed
// mail too, and clients need DKIM's expected value either way).
func (s *server) mailStatus(rw http.ResponseWriter, r *http.Request, _ caller) error {
	in, err := s.mailCheckInput(r.PathValue("domain"))
	if err != nil {
		return err
	}
	ctx := r.Context()
	dns := map[string]recordJSON{}
	result := map[string]any{"dns": dns, "rbl": map[string]any{}, "relay": map[string]any{}}
	if in.enabled {
		dns["mx"] = s.checkMX(ctx, in)
		dns["dmarc"] = s.checkDMARC(ctx, in)
	}
	if in.relay.Provider != "noop" {
		dns["spf"] = s.checkSPF(ctx, in)
		dns["dkim"] = s.checkDKIM(ctx, in)
	}
	switch in.relay.Provider {
	case "cloudron-smtp":
		dns["ptr"] = s.checkPTR(ctx, in)
		result["relay"] = s.checkPort25()
		result["rbl"] = s.checkRBL(ctx, in.ip)
	case "noop":
	default:
		result["relay"] = s.checkRelay(ctx, in.relay)
	}
	writeJSON(rw, http.StatusOK, result)
	return nil
}

func (s *server) mailCheckInput(domain string) (mailCheck, error) {
	var in mailCheck
	var err error
	s.read(func(c *world.Cloudron, d *world.Data) {
		m, e := mailDomain(c, domain)
		if err = e; err != nil {
			return
		}
		in = mailCheck{domain: m.Domain, mailFQDN: "my." + dashboardDomain(c), ip: dropletIP(d, s.dropletID), enabled: m.Enabled,
			relay: m.Relay, dkimSelector: m.DKIMSelector, dkim: "v=DKIM1; t=s; p=" + m.DKIMPublicKey}
	})
	return in, err
}

// resolve asks the box's resolver with the checks' 5-s timeout.
func (s *server) resolve(ctx context.Context, name, qtype string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	return s.deps.LookupResolver(ctx, name, qtype)
}

func value(s string) *string { return &s }

func trimDot(s string) string { return strings.TrimSuffix(strings.ToLower(s), ".") }

// checkMX passes on a single MX naming the mail server, or whose host
// resolves to the server's IP alone.
func (s *server) checkMX(ctx context.Context, in mailCheck) recordJSON {
	rec := recordJSON{Domain: in.domain, Name: "@", Type: "MX", Expected: "10 " + in.mailFQDN + "."}
	answers, err := s.resolve(ctx, in.domain, "MX")
	if err != nil {
		rec.ErrorMessage = err.Error()
		return rec
	}
	if len(answers) == 0 {
		return rec
	}
	var hosts, shown []string
	for _, a := range answers {
		pref, host, _ := strings.Cut(strings.TrimSpace(a), " ")
		hosts = append(hosts, trimDot(host))
		shown = append(shown, pref+" "+trimDot(host)+".")
	}
	rec.Value = value(strings.Join(shown, " "))
	rec.Status = len(hosts) == 1 && hosts[0] == in.mailFQDN
	if !rec.Status {
		addrs, err := s.resolve(ctx, hosts[0], "A")
		rec.Status = err == nil && len(addrs) == 1 && addrs[0] == in.ip
	}
	return rec
}

// checkSPF passes when the SPF record names a:<mail server>; an existing
// record's expected value is itself with that inserted after v=spf1.
func (s *server) checkSPF(ctx context.Context, in mailCheck) recordJSON {
	rec := recordJSON{Domain: in.domain, Name: "@", Type: "TXT", Expected: "v=spf1 a:" + in.mailFQDN + " ~all"}
	txts, err := s.resolve(ctx, in.domain, "TXT")
	if err != nil {
		rec.ErrorMessage = err.Error()
		return rec
	}
	for _, txt := range txts {
		if !strings.HasPrefix(txt, "v=spf1 ") {
			continue
		}
		rec.Value = value(txt)
		rec.Status = strings.Contains(txt, " a:"+in.mailFQDN)
		if rec.Status {
			rec.Expected = txt
		} else {
			rec.Expected = "v=spf1 a:" + in.mailFQDN + " " + strings.TrimPrefix(txt, "v=spf1 ")
		}
		break
	}
	return rec
}

// checkDKIM wants the first TXT record at the selector to be exactly the
// expected one.
func (s *server) checkDKIM(ctx context.Context, in mailCheck) recordJSON {
	name := in.dkimSelector + "._domainkey"
	rec := recordJSON{Domain: name + "." + in.domain, Name: name, Type: "TXT", Expected: in.dkim}
	txts, err := s.resolve(ctx, rec.Domain, "TXT")
	if err != nil {
		rec.ErrorMessage = err.Error()
		return rec
	}
	if len(txts) > 0 {
		rec.Value = value(txts[0])
		rec.Status = txts[0] == in.dkim
	}
	return rec
}

// checkDMARC passes when the first TXT record at _dmarc has the expected
// tags (extra tags such as rua are allowed).
func (s *server) checkDMARC(ctx context.Context, in mailCheck) recordJSON {
	rec := recordJSON{Domain: "_dmarc." + in.domain, Name: "_dmarc", Type: "TXT", Expected: "v=DMARC1; p=reject; pct=100"}
	txts, err := s.resolve(ctx, rec.Domain, "TXT")
	if err != nil {
		rec.ErrorMessage = err.Error()
		return rec
	}
	if len(txts) > 0 {
		rec.Value = value(txts[0])
		got, want := tags(txts[0]), tags(rec.Expected)
		rec.Status = true
		for k, v := range want {
			rec.Status = rec.Status && got[k] == v
		}
	}
	return rec
}

// tags splits "k=v; k=v" as [v4]'s txtToDict.
func tags(txt string) map[string]string {
	dict := map[string]string{}
	for _, part := range strings.Split(txt, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		dict[k] = v
	}
	return dict
}

// checkPTR wants the server's reverse name to be the mail server's name.
func (s *server) checkPTR(ctx context.Context, in mailCheck) recordJSON {
	rec := recordJSON{Domain: reversed(in.ip) + ".in-addr.arpa", Name: in.ip, Type: "PTR", Expected: in.mailFQDN}
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	names, err := s.deps.PTR(ctx, in.ip)
	if err != nil {
		rec.ErrorMessage = err.Error()
		return rec
	}
	if len(names) > 0 {
		for i := range names {
			names[i] = trimDot(names[i])
		}
		rec.Value = value(strings.Join(names, " "))
		rec.Status = slices.Contains(names, in.mailFQDN)
	}
	return rec
}

func reversed(ip string) string {
	parts := strings.Split(ip, ".")
	slices.Reverse(parts)
	return strings.Join(parts, ".")
}

func (s *server) checkPort25() map[string]any {
	if s.deps.Port25Blocked() {
		return map[string]any{"status": false,
			"value": "Connect to " + portProbeHost + " timed out. Check if port 25 (outbound) is blocked"}
	}
	return map[string]any{"status": true, "value": "OK"}
}

func (s *server) checkRelay(ctx context.Context, relay world.CloudronRelay) map[string]any {
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	if err := s.deps.SMTPLogin(ctx, relay.Host, relay.Port, relay.Username, relay.Password); err != nil {
		return map[string]any{"status": false, "value": err.Error()}
	}
	return map[string]any{"status": true, "value": "OK"}
}

// checkRBL asks each blocklist zone about the server's IP: listed when the
// A query answers.
func (s *server) checkRBL(ctx context.Context, ip string) map[string]any {
	servers := []map[string]any{}
	for _, z := range rblZones {
		q := reversed(ip) + "." + z.zone
		if addrs, err := s.resolve(ctx, q, "A"); err != nil || len(addrs) == 0 {
			continue
		}
		var txtRecords any = "No txt record"
		if txts, err := s.resolve(ctx, q, "TXT"); err == nil && len(txts) > 0 {
			txtRecords = txts
		}
		servers = append(servers, map[string]any{"name": z.name, "dns": z.zone, "site": z.site, "txtRecords": txtRecords})
	}
	return map[string]any{"status": len(servers) == 0, "ip": ip, "servers": servers}
}
