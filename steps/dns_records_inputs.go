package steps

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/dnsplan"
	"github.com/chapterctl/chapterctl/internal/secrets"
)

// Outputs of dns-records, and what it reads of other steps'.
const (
	dnsRecordsStepID = "dns-records"
	// outExpected: every record set the zone must serve, as a JSON array
	// of dnsplan.RecordSet; verify and `dns verify` check exactly that.
	outExpected = "expected"
	// outOwned: the record sets (NAME/TYPE, relative) chapterctl wrote or
	// found exactly as it wants them: it may change them again without
	// consent (a rotated DKIM key, an MX altered since).
	outOwned = "owned"
)

// placeholderIPv4/IPv6 stand for the droplet's addresses before it exists
// (RFC 5737/3849 documentation addresses): only who owns each name is
// known then.
const (
	placeholderIPv4 = "192.0.2.1"
	placeholderIPv6 = "2001:db8::1"
)

// recordInputs gathers what the chapter's records are made from. Before
// Cloudron is set up, only their names are known: provisional is true and
// the inputs hold chapter.yaml's names with placeholder values, enough to
// find the conflicts init must ask about before it creates anything.
func recordInputs(ctx context.Context, env *Env) (in dnsplan.Inputs, provisional bool, err error) {
	cfg := env.Config
	in = dnsplan.Inputs{Domain: cfg.Domain, IPv4: env.Output(dropletStepID, dropletIPv4), IPv6: env.Output(dropletStepID, "ipv6")}
	token := env.Secret(secrets.CloudronToken)
	if in.IPv4 == "" || token == "" || env.Output(platformSetupStep, "api_token") == "" {
		in.IPv4, in.IPv6, in.Hosts = placeholderIPv4, placeholderIPv6, hostNames(cfg)
		if cfg.Mail.Enabled {
			in.Mail = []dnsplan.MailRecord{{Kind: "mx", Name: "@", Type: "MX", Expected: "10 " + dashboardHost(env) + "."}}
		}
		return in, true, nil
	}
	client := dashboardCloudron(env, token)
	apps, err := client.Apps(ctx)
	if err != nil {
		return in, false, err
	}
	in.Hosts = []string{"my"}
	for _, a := range apps {
		if strings.EqualFold(a.Domain, cfg.Domain) {
			in.Hosts = append(in.Hosts, cmp.Or(strings.ToLower(a.Subdomain), "@"))
		}
	}
	status, err := client.MailStatus(ctx, cfg.Domain)
	if err != nil {
		return in, false, err
	}
	for _, c := range status.Checks {
		if c.Expected == "" || !wantedMailRecord(cfg, c.Name) {
			continue
		}
		in.Mail = append(in.Mail, dnsplan.MailRecord{Kind: c.Name, Name: c.RecordName, Type: c.Type, Expected: c.Expected, Current: c.Value})
	}
	if raw := env.Output(mailStepID, mailRelayRecords); raw != "" {
		if err := json.Unmarshal([]byte(raw), &in.Relay); err != nil {
			return in, false, fmt.Errorf("the mail step's %s output is unreadable: %w", mailRelayRecords, err)
		}
	}
	return in, false, nil
}

// wantedMailRecord says which of Cloudron's mail checks become records.
// SPF and DKIM always: Cloudron sends as the domain (notifications,
// password resets) even with mail off. MX and DMARC only when chapter.yaml
// has mail on: a chapter whose mail lives elsewhere keeps its own MX and
// policy. PTR is DigitalOcean's, named by the droplet.
func wantedMailRecord(cfg *chapter.Config, kind string) bool {
	switch kind {
	case "spf", "dkim":
		return true
	case "mx", "dmarc":
		return cfg.Mail.Enabled
	}
	return false
}

// ownedRecords are the record sets chapterctl wrote: dns-records' own
// record of them and dns-host's names.
func ownedRecords(env *Env) map[dnsplan.Key]bool {
	owned := map[dnsplan.Key]bool{}
	for _, k := range strings.Split(env.Output(dnsRecordsStepID, outOwned), ",") {
		if name, typ, ok := strings.Cut(k, "/"); ok {
			owned[dnsplan.Key{Name: name, Type: typ}] = true
		}
	}
	for _, name := range strings.Split(env.Output("dns-host", "names"), ",") {
		if name != "" {
			owned[dnsplan.Key{Name: name, Type: "A"}], owned[dnsplan.Key{Name: name, Type: "AAAA"}] = true, true
		}
	}
	return owned
}

// ownedAfter is the owned list once changes are applied: what was ours,
// plus every set now exactly as chapterctl wants it.
func ownedAfter(env *Env, changes []dnsplan.Change) string {
	var keys []string
	for _, k := range strings.Split(env.Output(dnsRecordsStepID, outOwned), ",") {
		if k != "" {
			keys = append(keys, k)
		}
	}
	for _, c := range changes {
		if c.Action != dnsplan.Conflict && len(c.Wanted) > 0 {
			keys = append(keys, c.Key.String())
		}
	}
	slices.Sort(keys)
	return strings.Join(slices.Compact(keys), ",")
}

// spfLookupTimeout bounds reading one included SPF record: counting the
// lookups must not hold the plan up for a slow foreign domain.
const spfLookupTimeout = 5 * time.Second

// spfLookup reads the SPF records a merged SPF record includes through the
// public resolvers, each once per plan. One that cannot be read counts as
// a single lookup (dnsplan.SPFLookups).
func spfLookup(ctx context.Context, env *Env) dnsplan.SPFLookup {
	if env.Providers == nil || env.Providers.DNS == nil {
		return nil
	}
	type result struct {
		record string
		ok     bool
	}
	seen := map[string]result{}
	return func(domain string) (string, bool) {
		if r, ok := seen[domain]; ok {
			return r.record, r.ok
		}
		askCtx, cancel := context.WithTimeout(ctx, spfLookupTimeout)
		defer cancel()
		texts, err := env.Providers.DNS.ResolveTXT(askCtx, domain)
		var r result
		for _, t := range texts {
			if err == nil && dnsplan.IsSPF(t) {
				r = result{t, true}
				break
			}
		}
		seen[domain] = r
		return r.record, r.ok
	}
}
