package steps

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/chapterctl/chapterctl/internal/dnsplan"
	"github.com/chapterctl/chapterctl/internal/gandi"
)

// DNSHost points my.<domain> and the app names at the droplet (A, and AAAA
// when the droplet has IPv6), early, so that propagation overlaps the
// install.
type DNSHost struct {
	// seen is the zone's record sets as the last Plan read them: Apply
	// writes only if they are still so (gandi.ErrChanged otherwise).
	seen map[string]gandi.RRSet
}

// NewDNSHost returns the dns-host step.
func NewDNSHost() Step { return &DNSHost{} }

func (*DNSHost) ID() string    { return "dns-host" }
func (*DNSHost) Title() string { return "DNS records for the server and app names" }

// hostOwner says whose a record set in the way is.
type hostOwner int

const (
	ownedByUs      hostOwner = iota // points at the droplet already (a TTL to fix)
	ownedByGandi                    // a registrar default: --yes may replace it
	ownedBySomeone                  // a conflict: only --replace NAME/TYPE may
)

// hostWrite is one record set dns-host would write (Values empty: delete).
type hostWrite struct {
	want, have gandi.RRSet // have.Values empty: absent
	owner      hostOwner   // when have is present
}

func (w hostWrite) key() string { return rrKey(w.want.Name, w.want.Type) }

// hostDiff compares the zone with what the droplet's addresses need.
func hostDiff(domain string, zone []gandi.RRSet, names []string, ipv4, ipv6 string) []hostWrite {
	have := map[string]gandi.RRSet{}
	for _, rr := range zone {
		rr = gandi.Normalize(rr)
		have[rrKey(rr.Name, rr.Type)] = rr
	}
	var writes []hostWrite
	for _, name := range names {
		wanted := map[string]string{"A": ipv4, "AAAA": ipv6, "CNAME": ""}
		for _, typ := range []string{"CNAME", "A", "AAAA"} { // a CNAME goes before the A it blocks
			want := gandi.RRSet{Name: name, Type: typ}
			if v := wanted[typ]; v != "" {
				want.TTL, want.Values = hostTTL, []string{v}
			}
			cur := have[rrKey(name, typ)]
			if len(cur.Values) == 0 && len(want.Values) == 0 || len(cur.Values) > 0 && gandi.Equal(cur, want) {
				continue
			}
			w := hostWrite{want: want, have: cur}
			switch {
			case len(cur.Values) == 0:
			case len(want.Values) > 0 && sameValues(cur, want):
				w.owner = ownedByUs
			case dnsplan.IsGandiDefault(cur):
				w.owner = ownedByGandi
			default:
				w.owner = ownedBySomeone
			}
			writes = append(writes, w)
		}
	}
	// A CAA that forbids Let's Encrypt would stop Cloudron's first
	// certificate (platform-setup): settled here, before it, with consent.
	for _, c := range dnsplan.CAAFixes(domain, zone, names) {
		writes = append(writes, hostWrite{want: c.Write, have: c.Have, owner: ownedBySomeone})
	}
	return writes
}

// hostWriteItem is the plan's line for one write.
func hostWriteItem(domain string, w hostWrite, opts Options) Item {
	fqdn := hostFQDN(domain, w.want.Name)
	item := Item{Resource: w.want.Type + " " + fqdn}
	target := strings.Join(w.want.Values, " ")
	switch {
	case len(w.have.Values) == 0:
		item.Action, item.Detail = Create, fmt.Sprintf("→ %s, TTL %d", target, hostTTL)
		return item
	case len(w.want.Values) == 0:
		item.Action = Delete
	case w.owner == ownedByUs:
		item.Action, item.Detail = Update, fmt.Sprintf("TTL %d → %d", w.have.TTL, hostTTL)
		return item
	default:
		item.Action = Replace
	}
	was := strings.Join(w.have.Values, " ")
	switch w.owner {
	case ownedByGandi:
		item.Detail = fmt.Sprintf("Gandi's default record (%s); --yes replaces it", was)
	case ownedBySomeone:
		if dnsplan.ReplaceAllowed(opts.Replace, domain, w.want.Name, w.want.Type) {
			item.Detail = fmt.Sprintf("was %s; replaced as --replace %s asked", was, w.key())
		} else {
			item.Detail = fmt.Sprintf("conflict: %s is someone else's record (%s); rerun with --replace %s to replace it", w.key(), was, w.key())
			item.NeedsConsent = w.key()
		}
	}
	if item.Action == Replace && target != "" {
		item.Detail += "; → " + target
	}
	return item
}

// hostConsent is the first write the organizer has not agreed to, as one
// sentence with what to do, or nil.
func hostConsent(domain string, writes []hostWrite, opts Options) error {
	var refusals []error
	for _, w := range writes {
		fqdn, was := hostFQDN(domain, w.want.Name), strings.Join(w.have.Values, " ")
		switch {
		case len(w.have.Values) == 0 || w.owner == ownedByUs:
		case w.owner == ownedByGandi && !opts.Yes:
			refusals = append(refusals, fmt.Errorf("%s has Gandi's default %s record (%s), which chapterctl must replace; "+
				"rerun with --yes to allow it", fqdn, w.want.Type, was))
		case w.owner == ownedBySomeone && !dnsplan.ReplaceAllowed(opts.Replace, domain, w.want.Name, w.want.Type):
			refusals = append(refusals, fmt.Errorf("%s already has a %s record (%s) that chapterctl did not make; "+
				"to replace it, rerun with --replace %s", fqdn, w.want.Type, was, w.key()))
		}
	}
	if len(refusals) == 0 {
		return nil
	}
	// Only the organizer can lift these (--yes, --replace): input, not a
	// failure to retry.
	return &InputError{Field: "--replace", Msg: errors.Join(refusals...).Error()}
}

func (s *DNSHost) Plan(ctx context.Context, env *Env) (Change, error) {
	domain, names := env.Config.Domain, hostNames(env.Config)
	ipv4, ipv6 := env.Output("droplet", "ipv4"), env.Output("droplet", "ipv6")
	// Before the droplet exists its address is unknown, but who owns each
	// name is not: the plan still shows every conflict, so init can ask
	// (or stop) before anything is created. A placeholder address stands in.
	placeholder := ipv4 == ""
	if placeholder {
		ipv4, ipv6 = "192.0.2.1", "2001:db8::1"
	}
	zone, err := env.Providers.Gandi.Zone(ctx, domain)
	if err != nil {
		return Change{}, fmt.Errorf("dns-host: read the zone: %w", err)
	}
	s.seen = map[string]gandi.RRSet{}
	for _, rr := range zone {
		rr = gandi.Normalize(rr)
		s.seen[rrKey(rr.Name, rr.Type)] = rr
	}
	var change Change
	for _, w := range hostDiff(domain, zone, names, ipv4, ipv6) {
		item := hostWriteItem(domain, w, env.Options)
		if placeholder {
			item.Detail = strings.NewReplacer(ipv4, "the droplet's address", ipv6, "the droplet's address").Replace(item.Detail)
		}
		change.Items = append(change.Items, item)
	}
	if change.IsEmpty() && env.Output(s.ID(), "names") != strings.Join(sortedNames(names), ",") {
		change.Items = append(change.Items, Item{Action: Adopt, Resource: "DNS names of the droplet",
			Detail: "already in the zone: " + strings.Join(sortedNames(names), ", ")})
	}
	return change, nil
}

func (s *DNSHost) Apply(ctx context.Context, env *Env, _ Change) error {
	domain, names := env.Config.Domain, hostNames(env.Config)
	ipv4, ipv6 := env.Output("droplet", "ipv4"), env.Output("droplet", "ipv6")
	if ipv4 == "" {
		return fmt.Errorf("dns-host: %w", errDropletUnknown)
	}
	gandiClient := env.Providers.Gandi
	// Look again: the world is the truth, and may have moved since Plan.
	zone, err := gandiClient.Zone(ctx, domain)
	if err != nil {
		return fmt.Errorf("dns-host: read the zone: %w", err)
	}
	writes := hostDiff(domain, zone, names, ipv4, ipv6)
	if err := hostConsent(domain, writes, env.Options); err != nil {
		return err
	}
	if len(writes) > 0 {
		if _, err := gandiClient.Backup(ctx, domain, env.Folder().BackupsDir(), env.Now()); err != nil {
			return fmt.Errorf("dns-host: back up the zone before writing: %w", err)
		}
	}
	for _, w := range writes {
		expect := w.have
		if s.seen != nil {
			expect = s.seen[w.key()] // what the plan was made from; absent if it saw none
		}
		expect.Name, expect.Type = w.want.Name, w.want.Type
		if len(w.want.Values) == 0 {
			err = gandiClient.DeleteRRSet(ctx, domain, w.want.Name, w.want.Type, &expect)
		} else {
			err = gandiClient.PutRRSet(ctx, domain, w.want, &expect)
		}
		if errors.Is(err, gandi.ErrChanged) {
			return fmt.Errorf("dns-host: %s changed at Gandi since the plan; nothing more was written, run chapterctl again to plan afresh: %w",
				w.key(), err)
		}
		if err != nil {
			return fmt.Errorf("dns-host: write %s: %w", w.key(), err)
		}
	}
	return env.Record("names", strings.Join(sortedNames(names), ","))
}
