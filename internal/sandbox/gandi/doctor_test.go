package gandi

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

const testDKIM = `"v=DKIM1; t=s; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAx" "ZZlongkeypart"`

// chapterData is a world whose example.org is set up as chapterctl leaves
// it: the server, two apps, DKIM and DMARC beside Gandi's defaults.
func chapterData() *world.Data {
	dom := NewDomain(testZone, time.Now())
	a := func(name string) world.RRSet {
		return world.RRSet{Name: name, Type: "A", TTL: 300, Values: []string{"203.0.113.10"}}
	}
	dom.Records = append(dom.Records, a("my"), a("chat"), a("element"),
		txt("cloudron._domainkey", 300, testDKIM), txt("_dmarc", 300, `"v=DMARC1; p=quarantine"`))
	dom.Records[indexOf(dom.Records, "@", "TXT")].Values = append(dom.Records[indexOf(dom.Records, "@", "TXT")].Values,
		`"google-site-verification=abc"`)
	dom.Publish(time.Now())
	return &world.Data{Schema: world.SchemaVersion, TimeScale: 0.001, Faults: map[string]string{},
		Gandi: world.Gandi{Domains: []*world.Domain{NewDomain("other.org", time.Now()), dom}}}
}

func faultSpec(t *testing.T, name string) world.FaultSpec {
	t.Helper()
	for _, f := range Faults() {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no fault %s", name)
	return world.FaultSpec{}
}

func values(dom *world.Domain, name, typ string) []string {
	if i := indexOf(dom.Records, name, typ); i >= 0 {
		return dom.Records[i].Values
	}
	return nil
}

// faultCheck tells whether a domain of chapterData shows a doctor fault.
type faultCheck struct {
	fault  string
	broken func(dom *world.Domain) bool
}

func doctorFaultChecks() []faultCheck {
	spfCount := func(dom *world.Domain) int {
		return len(slices.DeleteFunc(slices.Clone(values(dom, "@", "TXT")), func(v string) bool { return !isSPF(v) }))
	}
	return []faultCheck{
		{FaultDKIMMissing, func(dom *world.Domain) bool { return values(dom, "cloudron._domainkey", "TXT") == nil }},
		{FaultDKIMWrong, func(dom *world.Domain) bool {
			v := values(dom, "cloudron._domainkey", "TXT")
			return len(v) == 1 && v[0] != testDKIM && strings.Contains(v[0], "p=") && strings.HasSuffix(v[0], `"ZZlongkeypart"`)
		}},
		{FaultSPFMissing, func(dom *world.Domain) bool {
			return spfCount(dom) == 0 && slices.Equal(values(dom, "@", "TXT"), []string{`"google-site-verification=abc"`})
		}},
		{FaultSPFTwo, func(dom *world.Domain) bool { return spfCount(dom) == 2 }},
		{FaultMXMissing, func(dom *world.Domain) bool { return values(dom, "@", "MX") == nil }},
		{FaultMXWrong, func(dom *world.Domain) bool { return slices.Equal(values(dom, "@", "MX"), []string{wrongMX}) }},
		{FaultDMARCMissing, func(dom *world.Domain) bool { return values(dom, "_dmarc", "TXT") == nil }},
		{FaultAppRecordMissing, func(dom *world.Domain) bool {
			return values(dom, "chat", "A") == nil && values(dom, "element", "A") != nil && values(dom, "my", "A") != nil
		}},
		{FaultMyRecordMissing, func(dom *world.Domain) bool { return values(dom, "my", "A") == nil }},
		{FaultCAAForbidsLetsEncrypt, func(dom *world.Domain) bool {
			return slices.Equal(values(dom, "@", "CAA"), []string{`0 issue "digicert.com"`})
		}},
		{FaultDomainExpiring, func(dom *world.Domain) bool {
			left := time.Until(dom.Expires)
			return left > 9*24*time.Hour && left <= 10*24*time.Hour
		}},
	}
}

func TestDoctorFaultsBreakAndHeal(t *testing.T) {
	t.Parallel()
	for _, tt := range doctorFaultChecks() {
		t.Run(tt.fault, func(t *testing.T) {
			d := chapterData()
			dom := d.DomainByFQDN(testZone)
			original, expires := cloneRecords(dom.Records), dom.Expires
			spec := faultSpec(t, tt.fault)
			if err := spec.Break(d, ""); err != nil {
				t.Fatal(err)
			}
			if !tt.broken(dom) {
				t.Fatalf("not broken: %+v", dom.Records)
			}
			if tt.fault != FaultDomainExpiring {
				served, _ := dom.ServedAt(time.Now().Add(time.Second))
				if !reflect.DeepEqual(served, dom.Records) {
					t.Error("the broken zone was not published to the DNS servers")
				}
			}
			if err := spec.Heal(d); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(dom.Records, original) || !dom.Expires.Equal(expires) || len(dom.Broken) != 0 {
				t.Errorf("after heal: %+v, expires %s, stash %v", dom.Records, dom.Expires, dom.Broken)
			}
			served, _ := dom.ServedAt(time.Now().Add(time.Second))
			if !reflect.DeepEqual(served, original) {
				t.Error("the healed zone was not published")
			}
		})
	}
}

func TestHealKeepsARepairMadeMeanwhile(t *testing.T) {
	t.Parallel()
	d := chapterData()
	dom := d.DomainByFQDN(testZone)
	spec := faultSpec(t, FaultDKIMMissing)
	if err := spec.Break(d, ""); err != nil {
		t.Fatal(err)
	}
	repaired := txt("cloudron._domainkey", 300, `"v=DKIM1; t=s; p=NEWKEY"`)
	dom.Records = append(dom.Records, repaired) // chapterctl dns apply published a new key
	if err := spec.Heal(d); err != nil {
		t.Fatal(err)
	}
	if got := values(dom, "cloudron._domainkey", "TXT"); !slices.Equal(got, repaired.Values) {
		t.Errorf("heal overwrote the repair: %q", got)
	}
}

func TestBreakingTwiceStillHealsToTheOriginal(t *testing.T) {
	t.Parallel()
	d := chapterData()
	dom := d.DomainByFQDN(testZone)
	spec := faultSpec(t, FaultSPFTwo)
	for range 2 {
		if err := spec.Break(d, ""); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(values(dom, "@", "TXT")); n != 3 {
		t.Errorf("apex TXT has %d values after two breaks, want 3", n)
	}
	spec.Heal(d)
	if n := len(values(dom, "@", "TXT")); n != 2 {
		t.Errorf("apex TXT has %d values after heal, want the 2 it had", n)
	}
}

func TestBreakNeedsWhatItBreaks(t *testing.T) {
	t.Parallel()
	for _, fault := range []string{FaultDKIMMissing, FaultDKIMWrong, FaultDMARCMissing, FaultMyRecordMissing, FaultAppRecordMissing} {
		d := &world.Data{Gandi: world.Gandi{Domains: []*world.Domain{NewDomain(testZone, time.Now())}}}
		before := cloneRecords(d.Gandi.Domains[0].Records)
		if err := faultSpec(t, fault).Break(d, ""); err == nil {
			t.Errorf("%s broke a zone that lacks its record", fault)
		}
		if !reflect.DeepEqual(d.Gandi.Domains[0].Records, before) {
			t.Errorf("%s changed the zone while failing", fault)
		}
	}
	if err := faultSpec(t, FaultMXMissing).Break(&world.Data{}, ""); err == nil {
		t.Error("a fault broke a world without domains")
	}
}

func TestFaultParamPicksTheHostOrDomain(t *testing.T) {
	t.Parallel()
	d := chapterData()
	if err := faultSpec(t, FaultAppRecordMissing).Break(d, "element.example.org"); err != nil {
		t.Fatal(err)
	}
	dom := d.DomainByFQDN(testZone)
	if values(dom, "element", "A") != nil || values(dom, "chat", "A") == nil {
		t.Errorf("app-record-missing=element.example.org: %+v", dom.Records)
	}
	if err := faultSpec(t, FaultMXMissing).Break(d, "other.org"); err != nil {
		t.Fatal(err)
	}
	if values(d.DomainByFQDN("other.org"), "@", "MX") != nil || values(dom, "@", "MX") == nil {
		t.Error("mx-missing=other.org did not pick other.org")
	}
}
