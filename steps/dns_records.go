package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/chapterctl/chapterctl/internal/dnsplan"
	"github.com/chapterctl/chapterctl/internal/gandi"
)

// DNSRecords writes the records Cloudron expects (its apps' names, MX,
// SPF, DKIM, DMARC) and Mailgun's, record set by record set, keeping
// every record of someone else's unless the organizer agreed to replace
// it. dnsplan decides; this step reads the world and writes.
type DNSRecords struct {
	// changes is the last plan: `dns plan` shows it whole. seen is the
	// zone it was made from: Apply writes only sets still as they were.
	changes     []dnsplan.Change
	provisional bool
	seen        map[dnsplan.Key]gandi.RRSet
}

// NewDNSRecords returns the dns-records step.
func NewDNSRecords() *DNSRecords { return &DNSRecords{} }

func (*DNSRecords) ID() string    { return dnsRecordsStepID }
func (*DNSRecords) Title() string { return "DNS records Cloudron expects" }

// Changes is the last Plan's record-set changes (kept sets included) and
// whether they are provisional: computed before Cloudron was set up, from
// chapter.yaml's names only.
func (s *DNSRecords) Changes() ([]dnsplan.Change, bool) { return s.changes, s.provisional }

// diff reads the zone and Cloudron and compares them.
func (s *DNSRecords) diff(ctx context.Context, env *Env) ([]dnsplan.Change, bool, error) {
	in, provisional, err := recordInputs(ctx, env)
	if err != nil {
		return nil, false, fmt.Errorf("dns-records: ask Cloudron what it expects: %w", err)
	}
	wants, err := dnsplan.Wants(in)
	if err != nil {
		return nil, false, fmt.Errorf("dns-records: %w", err)
	}
	zone, err := env.Providers.Gandi.Zone(ctx, env.Config.Domain)
	if err != nil {
		return nil, false, fmt.Errorf("dns-records: read the zone: %w", err)
	}
	changes := dnsplan.Diff(env.Config.Domain, zone, wants, dnsplan.Policy{Ours: ownedRecords(env), Replace: env.Options.Replace,
		SPF: spfLookup(ctx, env)})
	if provisional {
		changes = earlyConflicts(env, changes)
	}
	return changes, provisional, nil
}

// earlyConflicts keeps, of a plan made before Cloudron exists, what init
// must settle before creating anything: the conflicts and Gandi's defaults
// in the way, except on the host names dns-host already asks about.
func earlyConflicts(env *Env, changes []dnsplan.Change) []dnsplan.Change {
	hosts := map[string]bool{}
	for _, n := range hostNames(env.Config) {
		hosts[n] = true
	}
	var out []dnsplan.Change
	for _, c := range changes {
		hostRecord := hosts[c.Key.Name] && (c.Type == "A" || c.Type == "AAAA" || c.Type == "CNAME")
		if !hostRecord && (c.Action == dnsplan.Conflict || c.Owner == dnsplan.OwnerGandiDefault && c.Writes()) {
			out = append(out, c)
		}
	}
	return out
}

func (s *DNSRecords) Plan(ctx context.Context, env *Env) (Change, error) {
	changes, provisional, err := s.diff(ctx, env)
	if err != nil {
		return Change{}, err
	}
	s.changes, s.provisional = changes, provisional
	s.seen = map[dnsplan.Key]gandi.RRSet{}
	var change Change
	for _, c := range changes {
		s.seen[c.Key] = c.Have
		if item, ok := recordItem(c, provisional); ok {
			change.Items = append(change.Items, item)
		}
	}
	switch {
	case provisional:
		change.Items = append(change.Items, Item{Action: Unknown, Resource: "records Cloudron expects (apps, MX, SPF, DKIM, DMARC)",
			Detail: "computed once Cloudron is set up"})
	case change.IsEmpty() && (env.Output(s.ID(), outExpected) != expectedJSON(changes) || env.Output(s.ID(), outOwned) != ownedAfter(env, changes)):
		change.Items = append(change.Items, Item{Action: Adopt, Resource: "records Cloudron expects", Detail: "already in the zone"})
	}
	return change, nil
}

// recordItem is the plan's line for one record-set change (none to keep).
func recordItem(c dnsplan.Change, provisional bool) (Item, bool) {
	item := Item{Resource: c.Type + " " + c.Name, Detail: c.Reason}
	wanted := dnsplan.Abbrev(c.Wanted, 60)
	if provisional {
		wanted = "what Cloudron expects"
	}
	switch {
	case c.Action == dnsplan.Keep:
		return item, false
	case c.Action == dnsplan.Conflict:
		item.Action, item.NeedsConsent, item.Detail = Replace, c.Key.String(), "conflict: "+c.Reason
	case c.Action == dnsplan.Create:
		item.Action, item.Detail = Create, "→ "+wanted+" ("+c.Reason+")"
	case c.Action == dnsplan.Delete:
		item.Action = Delete
	case c.Owner == dnsplan.OwnerGandiDefault:
		item.Action, item.Detail = Replace, c.Reason+"; → "+wanted
	default:
		item.Action, item.Detail = Update, c.Reason+"; → "+wanted
	}
	return item, true
}

func (s *DNSRecords) Apply(ctx context.Context, env *Env, _ Change) error {
	// Look again: the world is the truth, and may have moved since Plan.
	changes, provisional, err := s.diff(ctx, env)
	if err != nil {
		return err
	}
	if provisional {
		return errors.New("dns-records: Cloudron is not set up yet, so the records it expects are unknown; run \"chapterctl init\" first")
	}
	if err := defaultsConsent(changes, env.Options); err != nil {
		return err
	}
	if err := s.write(ctx, env, changes); err != nil {
		return err
	}
	if err := env.Record(outOwned, ownedAfter(env, changes)); err != nil {
		return err
	}
	if err := env.Record(outExpected, expectedJSON(changes)); err != nil {
		return err
	}
	return conflictsLeft(changes)
}

// write backs the zone up, then writes each change that writes.
func (s *DNSRecords) write(ctx context.Context, env *Env, changes []dnsplan.Change) error {
	domain, client := env.Config.Domain, env.Providers.Gandi
	backedUp := false
	for _, c := range changes {
		if !c.Writes() {
			continue
		}
		if !backedUp {
			if _, err := client.Backup(ctx, domain, env.Folder().BackupsDir(), env.Now()); err != nil {
				return fmt.Errorf("dns-records: back up the zone before writing: %w", err)
			}
			backedUp = true
		}
		expect := c.Have
		if seen, ok := s.seen[c.Key]; ok {
			expect = seen // what the plan was made from
		}
		var err error
		if len(c.Write.Values) == 0 {
			err = client.DeleteRRSet(ctx, domain, c.Key.Name, c.Key.Type, &expect)
		} else {
			err = client.PutRRSet(ctx, domain, c.Write, &expect)
		}
		if errors.Is(err, gandi.ErrChanged) {
			return fmt.Errorf("dns-records: %s changed at Gandi since the plan; nothing more was written, run chapterctl again to plan afresh: %w", c.Key, err)
		}
		if err != nil {
			return fmt.Errorf("dns-records: write %s: %w", c.Key, err)
		}
	}
	return nil
}

// defaultsConsent refuses, before anything is written, to replace Gandi's
// default records without --yes (or the organizer's yes to the plan).
func defaultsConsent(changes []dnsplan.Change, opts Options) error {
	if opts.Yes {
		return nil
	}
	var names []string
	for _, c := range changes {
		if c.Writes() && c.Owner == dnsplan.OwnerGandiDefault {
			names = append(names, fmt.Sprintf("%s %s (%s)", c.Type, c.Name, strings.Join(c.Current, ", ")))
		}
	}
	if len(names) == 0 {
		return nil
	}
	return &InputError{Field: "--yes", Msg: "chapterctl must replace Gandi's default records " + strings.Join(names, "; ") +
		"; rerun with --yes to allow it"}
}

// conflictsLeft names each record set left alone because it is someone
// else's, and the flag that would replace it.
func conflictsLeft(changes []dnsplan.Change) error {
	var lines []string
	for _, c := range changes {
		if c.Action == dnsplan.Conflict {
			lines = append(lines, fmt.Sprintf("%s: %s", c.Key, c.Reason))
		}
	}
	if len(lines) == 0 {
		return nil
	}
	return fmt.Errorf("dns-records: %d record set(s) were left as they are because they are someone else's; "+
		"every other record is written. %s", len(lines), strings.Join(lines, "; "))
}

// expectedJSON is the `expected` output.
func expectedJSON(changes []dnsplan.Change) string {
	raw, err := json.Marshal(dnsplan.Expected(changes))
	if err != nil {
		return "[]" // a []RecordSet of strings always marshals
	}
	return string(raw)
}
