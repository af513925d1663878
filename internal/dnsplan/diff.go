package dnsplan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/chapterctl/chapterctl/internal/gandi"
)

// Action is what applying the plan does to one record set.
type Action string

const (
	Create Action = "create"
	Update Action = "update"
	Delete Action = "delete"
	Keep   Action = "keep"
	// Conflict: the change would alter someone else's record; it is left
	// alone until the organizer names it with --replace NAME/TYPE.
	Conflict Action = "conflict"
)

// Change is the plan for one record set: the JSON of `dns plan --json`
// (fields are only ever added).
type Change struct {
	Name    string   `json:"name"` // fully qualified, no final dot
	Type    string   `json:"type"`
	Action  Action   `json:"action"`
	Current []string `json:"current"` // plain values the zone holds
	Wanted  []string `json:"wanted"`  // plain values after apply (for a conflict: what chapterctl would write)
	Owner   Owner    `json:"owner"`
	Reason  string   `json:"reason,omitempty"`

	Key Key `json:"-"`
	// Have is the set as the zone holds it, Write what to put there (no
	// values: delete), both in Gandi's stored form.
	Have  gandi.RRSet `json:"-"`
	Write gandi.RRSet `json:"-"`
}

// Writes tells whether applying c changes the zone.
func (c Change) Writes() bool { return c.Action == Create || c.Action == Update || c.Action == Delete }

// Policy is what decides ownership beyond the zone itself.
type Policy struct {
	// Ours are the record sets chapterctl wrote before (the state says so):
	// they may change without consent, e.g. a DKIM key Cloudron rotated or
	// an MX someone altered afterwards.
	Ours map[Key]bool
	// Replace are the sets the organizer agreed to replace (--replace).
	Replace []string
	// SPF reads the SPF records an include names, to count a merged
	// record's lookups whole (nil: its own terms only).
	SPF SPFLookup
}

// zoneIndex is the zone by key: stored sets and plain values.
type zoneIndex struct {
	domain string
	sets   map[Key]gandi.RRSet
	plain  map[Key][]string
}

func indexZone(domain string, zone []gandi.RRSet) zoneIndex {
	z := zoneIndex{domain: domain, sets: map[Key]gandi.RRSet{}, plain: map[Key][]string{}}
	for _, rr := range zone {
		k := KeyOf(rr)
		rr.Name, rr.Type = k.Name, k.Type
		z.sets[k] = rr
		z.plain[k] = plainValues(domain, rr)
	}
	return z
}

// Diff compares the zone with the wanted record sets, one change per set
// chapterctl needs (kept ones included), in the order they must be written:
// a CNAME in the way of a name goes before the records it blocks, a CAA
// that forbids Let's Encrypt comes first of all.
func Diff(domain string, zone []gandi.RRSet, wants []Want, p Policy) []Change {
	z := indexZone(domain, zone)
	var changes []Change
	changes = append(changes, caaChanges(z, wants, p)...)
	cnameDone := map[string]bool{}
	for _, w := range wants {
		if w.Type != "CNAME" && !cnameDone[w.Name] {
			cnameDone[w.Name] = true
			if k := (Key{w.Name, "CNAME"}); len(z.plain[k]) > 0 {
				changes = append(changes, z.classify(k, nil, Exact, MailTTL, "a CNAME cannot share a name with the "+w.Type+" chapterctl needs", p))
			}
		}
		target, note := z.target(w, p.SPF)
		mode := w.Mode
		if note != "" {
			mode = Exact // no merge possible: their SPF would be replaced, so it needs consent
		}
		c := z.classify(w.key(), target, mode, w.TTL, w.Why, p)
		if note != "" && c.Action != Keep {
			c.Reason = note + "; " + c.Reason
		}
		changes = append(changes, c)
	}
	return changes
}

// target is what w's set must hold, given the zone: for TXT modes, every
// value that is not the SPF or DMARC record is kept.
func (z zoneIndex) target(w Want, lookup SPFLookup) (values []string, note string) {
	current := z.plain[w.key()]
	switch w.Mode {
	case SPF:
		var spfs, others []string
		for _, v := range current {
			switch {
			case IsSPF(v) && isGandiDefaultValue(w.key(), v):
				// Gandi's own SPF goes with Gandi's MX: replaced, not merged.
			case IsSPF(v):
				spfs = append(spfs, v)
			default:
				others = append(others, v)
			}
		}
		merged, err := MergeSPF(spfs, w.Values, w.All, lookup)
		if err != nil {
			// Merging is impossible: chapterctl's own record is what it
			// would write, only with --replace.
			merged, _ = MergeSPF(nil, w.Values, w.All, nil)
			return sortedSet(append(others, merged)), "cannot merge: " + err.Error()
		}
		return sortedSet(append(others, merged)), ""
	case DMARC:
		var dmarcs, others []string
		for _, v := range current {
			if isDMARC(v) {
				dmarcs = append(dmarcs, v)
			} else {
				others = append(others, v)
			}
		}
		if len(dmarcs) == 1 && hasTags(dmarcs[0], w.Values[0]) {
			return current, ""
		}
		return sortedSet(append(others, w.Values[0])), ""
	}
	return sortedSet(w.Values), ""
}

// classify compares one set with its target and says whose it is and
// whether chapterctl may write it.
func (z zoneIndex) classify(k Key, target []string, mode Mode, ttl int, why string, p Policy) Change {
	current := z.plain[k]
	c := Change{Name: FQDN(z.domain, k.Name), Type: k.Type, Key: k, Current: nonNil(current), Wanted: nonNil(target),
		Owner: OwnerChapterctl, Have: z.sets[k]}
	c.Have.Name, c.Have.Type = k.Name, k.Type
	c.Write = gandi.RRSet{Name: k.Name, Type: k.Type, TTL: ttl, Values: z.stored(k, target)}
	removed := slices.DeleteFunc(slices.Clone(current), func(v string) bool { return slices.Contains(target, v) })
	switch {
	case slices.Equal(current, target):
		c.Action, c.Reason = Keep, why
		return c
	case len(current) == 0:
		c.Action, c.Reason = Create, why
		return c
	case len(target) == 0:
		c.Action = Delete
	default:
		c.Action = Update
	}
	defaultsOnly := !slices.ContainsFunc(removed, func(v string) bool { return !isGandiDefaultValue(k, v) })
	switch {
	case p.Ours[k]:
		c.Write.TTL, c.Reason = z.sets[k].TTL, why+"; chapterctl wrote this record set before"
	case len(removed) == 0:
		c.Write.TTL = z.sets[k].TTL // shared with their values: their TTL stays
		c.Owner, c.Reason = z.owner(k), why+"; added next to the values already there, which are kept"
	case defaultsOnly:
		c.Owner, c.Reason = OwnerGandiDefault, fmt.Sprintf("Gandi's default record (%s); --yes replaces it", strings.Join(removed, ", "))
	case mode == SPF && !slices.ContainsFunc(removed, func(v string) bool { return !IsSPF(v) }):
		c.Write.TTL = z.sets[k].TTL
		c.Owner, c.Reason = OwnerForeign, why+"; merged into the one SPF record, every mechanism already there kept"
	case ReplaceAllowed(p.Replace, z.domain, k.Name, k.Type):
		c.Owner, c.Reason = OwnerForeign, fmt.Sprintf("was %s; replaced as --replace %s asked", strings.Join(removed, ", "), k)
	default:
		c.Owner, c.Action = OwnerForeign, Conflict
		c.Reason = fmt.Sprintf("%s is someone else's record (%s); rerun with --replace %s to replace it", k, strings.Join(removed, ", "), k)
	}
	if c.Write.TTL == 0 {
		c.Write.TTL = ttl
	}
	return c
}

// owner is whose values a set holds: Gandi's if all are its defaults.
func (z zoneIndex) owner(k Key) Owner {
	if slices.ContainsFunc(z.plain[k], func(v string) bool { return !isGandiDefaultValue(k, v) }) {
		return OwnerForeign
	}
	return OwnerGandiDefault
}

// stored is the target values in Gandi's form, each value already in the
// zone kept exactly as stored there (a TXT's string boundaries are its
// owner's).
func (z zoneIndex) stored(k Key, target []string) []string {
	have := z.sets[k]
	out := make([]string, 0, len(target))
	for _, v := range target {
		s := Stored(k.Type, v)
		for _, h := range have.Values {
			if Plain(z.domain, k.Type, h) == v {
				s = h
				break
			}
		}
		out = append(out, s)
	}
	return out
}

// caaChanges adds Let's Encrypt to every CAA set that governs a host name
// chapterctl needs a certificate for and forbids it. Adding an issuer is a
// change of someone's security policy: always their consent (or ours).
func caaChanges(z zoneIndex, wants []Want, p Policy) []Change {
	var changes []Change
	done := map[Key]bool{}
	for _, w := range wants {
		if w.Type != "A" {
			continue
		}
		k, values, ok := caaFor(z.plain, w.Name)
		if !ok || done[k] || AllowsLetsEncrypt(values) {
			continue
		}
		done[k] = true
		c := z.classify(k, sortedSet(append(slices.Clone(values), caaAllowLetsEncrypt)), Exact, MailTTL,
			"Let's Encrypt must be allowed to issue Cloudron's certificates", p)
		if c.Action == Update && c.Owner != OwnerChapterctl && !ReplaceAllowed(p.Replace, z.domain, k.Name, k.Type) {
			c.Owner, c.Action = OwnerForeign, Conflict
			c.Reason = fmt.Sprintf("%s allows only %s to issue certificates, so Cloudron's Let's Encrypt certificates would fail; "+
				"rerun with --replace %s to add letsencrypt.org to it", k, strings.Join(values, ", "), k)
		}
		changes = append(changes, c)
	}
	return changes
}

func isDMARC(text string) bool {
	t := strings.ToLower(strings.TrimSpace(text))
	return strings.HasPrefix(t, "v=dmarc1")
}

// hasTags tells whether the DMARC record have has every tag of want, with
// the same value (Cloudron's rule: extra tags such as rua are fine).
func hasTags(have, want string) bool {
	got := dmarcTags(have)
	for k, v := range dmarcTags(want) {
		if got[k] != v {
			return false
		}
	}
	return true
}

func dmarcTags(text string) map[string]string {
	tags := map[string]string{}
	for _, part := range strings.Split(text, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		tags[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}
	return tags
}

func nonNil(values []string) []string {
	if values == nil {
		return []string{}
	}
	return values
}

// Expected is every record set the zone must serve once the plan is
// applied, in the plain shape of the `expected` output: what verify and
// `dns verify` check. A set to delete is not served; a conflict's is what
// chapterctl needs, so a kept foreign record shows as wrong there.
func Expected(changes []Change) []RecordSet {
	out := []RecordSet{}
	for _, c := range changes {
		if len(c.Wanted) == 0 {
			continue
		}
		out = append(out, RecordSet{Name: c.Name, Type: c.Type, Values: c.Wanted})
	}
	return out
}
