package world

import "time"

// Gandi is the simulated Gandi account: its LiveDNS domains. Owned by
// internal/sandbox/gandi; the DNS servers serve it.
type Gandi struct {
	Domains []*Domain `json:"domains"`
	// TokenDomains limits the personal access token (Tokens.Gandi) to these
	// domains, as a PAT can be; empty means every domain of the account.
	TokenDomains []string `json:"token_domains,omitempty"`
	// LegacyAPIKeys are keys accepted with the deprecated
	// "Authorization: Apikey <key>" scheme. chapterctl never sends one.
	LegacyAPIKeys []string `json:"legacy_api_keys,omitempty"`
}

// Domain is one domain in LiveDNS.
type Domain struct {
	FQDN               string     `json:"fqdn"`
	Nameservers        []string   `json:"nameservers"`
	Expires            time.Time  `json:"expires"`
	AutomaticSnapshots bool       `json:"automatic_snapshots"`
	Records            []RRSet    `json:"records"` // the zone as the API has it now
	Snapshots          []Snapshot `json:"snapshots,omitempty"`
	// Published are the zone's versions with the time each reaches the
	// authoritative servers (a write takes a moment to propagate). The
	// servers answer from the newest version already published.
	Published []ZoneVersion `json:"published,omitempty"`
	// Broken keeps, per active doctor fault, what its Break changed, so
	// that Heal can put it back (see internal/sandbox/gandi).
	Broken map[string]FaultStash `json:"broken,omitempty"`
}

// FaultStash is what a doctor fault changed in a domain: one record set
// before and after the fault (nil when absent), or the expiry date.
type FaultStash struct {
	Name string `json:"name,omitempty"`
	Type string `json:"type,omitempty"`
	// Index is where the rrset stood in the zone, so that a deleted one
	// comes back in its place.
	Index         int       `json:"index,omitempty"`
	Before        *RRSet    `json:"before,omitempty"`
	After         *RRSet    `json:"after,omitempty"`
	ExpiresBefore time.Time `json:"expires_before,omitzero"`
	ExpiresAfter  time.Time `json:"expires_after,omitzero"`
}

// RRSet is a record set in Gandi's own shape (as its API returns it).
type RRSet struct {
	Name   string   `json:"rrset_name" yaml:"rrset_name"`
	Type   string   `json:"rrset_type" yaml:"rrset_type"`
	TTL    int      `json:"rrset_ttl" yaml:"rrset_ttl"`
	Values []string `json:"rrset_values" yaml:"rrset_values"`
}

// ZoneVersion is the zone as it was written at one moment.
type ZoneVersion struct {
	At      time.Time `json:"at"` // when the authoritative servers serve it
	Records []RRSet   `json:"records"`
}

// Snapshot is a LiveDNS zone snapshot.
type Snapshot struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Automatic bool      `json:"automatic"`
	CreatedAt time.Time `json:"created_at"`
	ZoneData  []RRSet   `json:"zone_data"`
}

// Publish records the zone's current records as a version the
// authoritative servers serve from time at; older versions that at has made
// unreachable are dropped.
func (dom *Domain) Publish(at time.Time) {
	records := make([]RRSet, len(dom.Records))
	for i, r := range dom.Records {
		r.Values = append([]string(nil), r.Values...)
		records[i] = r
	}
	kept := dom.Published[:0]
	for _, v := range dom.Published {
		if v.At.After(at) {
			continue // superseded before it was ever served
		}
		kept = append(kept, v)
	}
	// Only the newest version already due is still needed below at.
	if n := len(kept); n > 1 {
		kept = kept[n-1:]
	}
	dom.Published = append(kept, ZoneVersion{At: at, Records: records})
}

// ServedAt returns the records the authoritative servers answer with at
// time now, and false if the zone is not served yet.
func (dom *Domain) ServedAt(now time.Time) ([]RRSet, bool) {
	for i := len(dom.Published) - 1; i >= 0; i-- {
		if !dom.Published[i].At.After(now) {
			return dom.Published[i].Records, true
		}
	}
	return nil, false
}

// DomainByFQDN finds a LiveDNS domain.
func (d *Data) DomainByFQDN(fqdn string) *Domain {
	for _, dom := range d.Gandi.Domains {
		if dom.FQDN == fqdn {
			return dom
		}
	}
	return nil
}
