package mailgun

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// Record purposes (world.MailgunRecord.Purpose).
const (
	purposeSPF      = "spf"
	purposeDKIM     = "dkim"
	purposeTracking = "tracking"
	purposeMX       = "mx"
)

// spfValue is what Mailgun asks for at the domain, EU domains included.
const spfValue = "v=spf1 include:mailgun.org ~all"

// selectors are DKIM selectors Mailgun has been seen to choose (reference
// §3). The simulator picks one per domain name, so a product that
// hard-codes one finds out here rather than in production.
var selectors = []string{"k1", "mx", "s1", "smtp", "pic", "mta"}

func selectorFor(name string) string {
	h := fnv.New32a()
	h.Write([]byte(name))
	return selectors[h.Sum32()%uint32(len(selectors))]
}

// newDKIMKey makes an RSA key of bits and returns its public half as the
// record's p= value. The private half is never needed: nothing is signed.
func newDKIMKey(bits int) (string, error) {
	key, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return "", fmt.Errorf("dkim key: %w", err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return "", fmt.Errorf("dkim key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(der), nil
}

// trackingTarget is the CNAME target of the tracking host in each region.
func trackingTarget(region string) string {
	if region == RegionEU {
		return "eu.mailgun.org"
	}
	return "mailgun.org"
}

// mxHosts are the receiving hosts of each region.
func mxHosts(region string) []string {
	if region == RegionEU {
		return []string{"mxa.eu.mailgun.org", "mxb.eu.mailgun.org"}
	}
	return []string{"mxa.mailgun.org", "mxb.mailgun.org"}
}

// expectedRecords are the records Mailgun asks for, not yet checked: all
// "unknown", nothing cached (reference, "What a simulator must reproduce").
func expectedRecords(dom *world.MailgunDomain) (sending, receiving []world.MailgunRecord) {
	sending = append(sending, unchecked(purposeSPF, "TXT", dom.Name, spfValue, ""))
	sending = append(sending, dkimRecords(dom)...)
	sending = append(sending, unchecked(purposeTracking, "CNAME", dom.WebPrefix+"."+dom.Name, trackingTarget(dom.Region), ""))
	for _, host := range mxHosts(dom.Region) {
		// Receiving MX records carry no name: it is the domain itself
		// (reference §2; the harder shape for a client).
		receiving = append(receiving, unchecked(purposeMX, "MX", "", host, "10"))
	}
	return sending, receiving
}

// dkimRecords is the DKIM TXT record, or with automatic sender security
// the two CNAMEs Mailgun then asks for instead. Their names and targets
// are unverified (reference §3); chapterctl leaves the option off.
func dkimRecords(dom *world.MailgunDomain) []world.MailgunRecord {
	if !dom.UseAutomaticSenderSecurity {
		name := dom.DKIMSelector + "._domainkey." + dom.DKIMHost
		return []world.MailgunRecord{unchecked(purposeDKIM, "TXT", name, "k=rsa; p="+dom.DKIMPublicKey, "")}
	}
	var records []world.MailgunRecord
	for _, label := range []string{"pdk1", "pdk2"} {
		name := label + "._domainkey." + dom.DKIMHost
		target := label + "._domainkey." + dom.ID + ".dkim1.mailgun.com"
		records = append(records, unchecked(purposeDKIM, "CNAME", name, target, ""))
	}
	return records
}

func unchecked(purpose, recordType, name, value, priority string) world.MailgunRecord {
	return world.MailgunRecord{Purpose: purpose, RecordType: recordType, Name: name, Value: value,
		Priority: priority, Valid: "unknown", Cached: []string{}}
}

// rootDomain is the registered domain name is under: the Gandi zone that
// holds it, or else its last two labels.
func rootDomain(d *world.Data, name string) string {
	for _, zone := range d.Gandi.Domains {
		if name == zone.FQDN || strings.HasSuffix(name, "."+zone.FQDN) {
			return zone.FQDN
		}
	}
	labels := strings.Split(name, ".")
	if len(labels) <= 2 {
		return name
	}
	return strings.Join(labels[len(labels)-2:], ".")
}

// validSelector tells whether s is an RFC 2822 atom: atext only, so no dots.
func validSelector(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		isAlnum := c < 128 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9')
		if !isAlnum && !strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", c) {
			return false
		}
	}
	return true
}

// validDomainName tells whether name looks like a host name with at least
// two labels.
func validDomainName(name string) bool {
	labels := strings.Split(name, ".")
	if len(name) > 253 || len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, c := range l {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
