package dnssim

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// The DNS faults.
const (
	// FaultIPListed lists the chapter droplet's IPv4 on every IP blocklist.
	FaultIPListed = "ip-listed"
	// FaultDomainListed lists the chapter's domain on the domain blocklists.
	FaultDomainListed = "domain-listed"
	// FaultDNSBLRefuses makes Spamhaus refuse the public resolvers.
	FaultDNSBLRefuses = "dnsbl-refuses"
	// FaultResolversDisagree makes the second public resolver stale.
	FaultResolversDisagree = "resolvers-disagree"
	// FaultDNSSlow delays every DNS answer.
	FaultDNSSlow = "dns-slow"
)

// defaultSlowDelay is dns-slow's delay when it names none: longer than
// miekg/dns's default 2-second read timeout, so a client that neither sets
// a deadline nor retries sees a timeout.
const defaultSlowDelay = 3 * time.Second

// Faults lists the DNS simulators' faults.
func Faults() []world.FaultSpec {
	listDropletIP, unlistDropletIP := listing(chapterIPv4)
	listDomain, unlistDomain := listing(chapterDomain)
	return []world.FaultSpec{
		{Name: FaultIPListed, Kind: world.KindDoctor,
			Description: "the chapter droplet's IPv4 is on every IP blocklist (ip-listed=127.0.0.11 picks Spamhaus ZEN's code, here PBL)",
			Break:       listDropletIP, Heal: unlistDropletIP},
		{Name: FaultDomainListed, Kind: world.KindDoctor,
			Description: "the chapter's domain is on the domain blocklists, Spamhaus DBL and SURBL (domain-listed=127.0.1.4 picks the DBL code)",
			Break:       listDomain, Heal: unlistDomain},
		{Name: FaultDNSBLRefuses, Kind: world.KindDoctor,
			Description: "Spamhaus answers 127.255.255.254 (query through a public resolver refused) to every query"},
		{Name: FaultResolversDisagree, Kind: world.KindDoctor,
			Description: "the second public resolver answers a stale A for my.<domain> (resolvers-disagree=IP, default " + defaultStaleIP + ")"},
		{Name: FaultDNSSlow, Kind: world.KindReliability,
			Description: "every DNS answer is delayed, real time (dns-slow=5s; default 3s, past the usual 2-second timeout)"},
	}
}

// chapterIPv4 is the chapter droplet's address: the first droplet's.
func chapterIPv4(d *world.Data) (string, error) {
	if len(d.DigitalOcean.Droplets) == 0 || d.DigitalOcean.Droplets[0].PublicIPv4 == "" {
		return "", errors.New("the world has no droplet with an IPv4 address yet")
	}
	return d.DigitalOcean.Droplets[0].PublicIPv4, nil
}

// chapterDomain is the chapter's domain: the first Gandi domain.
func chapterDomain(d *world.Data) (string, error) {
	if len(d.Gandi.Domains) == 0 {
		return "", errors.New("the world has no Gandi domain")
	}
	return d.Gandi.Domains[0].FQDN, nil
}

// listing makes a fault's Break and Heal: Break lists what subject names
// (with the code its parameter gives, if any), Heal delists it.
func listing(subject func(d *world.Data) (string, error)) (func(*world.Data, string) error, func(*world.Data) error) {
	brk := func(d *world.Data, code string) error {
		s, err := subject(d)
		if err != nil {
			return err
		}
		list(d, s, code)
		return nil
	}
	heal := func(d *world.Data) error {
		if s, err := subject(d); err == nil {
			unlist(d, s)
		}
		return nil
	}
	return brk, heal
}

// list adds subject to DNSBL.Listed, replacing an entry it already has.
// Healing removes every entry for subject, one the world was seeded with
// included.
func list(d *world.Data, subject, code string) {
	unlist(d, subject)
	entry := subject
	if code != "" {
		entry += "=" + code
	}
	d.DNSBL.Listed = append(d.DNSBL.Listed, entry)
}

func unlist(d *world.Data, subject string) {
	want, _ := parseListing(subject)
	d.DNSBL.Listed = slices.DeleteFunc(d.DNSBL.Listed, func(entry string) bool {
		s, _ := parseListing(entry)
		return strings.EqualFold(strings.TrimSuffix(s, "."), strings.TrimSuffix(want, "."))
	})
}
