package steps

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/dnsplan"
	"github.com/chapterctl/chapterctl/internal/gandi"
	"github.com/chapterctl/chapterctl/internal/secrets"
)

// recordsRun is a chapter set up through chat, with mail turned on at
// Cloudron (the mail step's part, done here through the API), whose next
// Apply runs dns-records alone.
func recordsRun(t *testing.T, foreign ...gandi.RRSet) *cloudronRun {
	t.Helper()
	return recordsRunWith(t, testChapter(), foreign...)
}

func recordsRunWith(t *testing.T, cfg *chapter.Config, foreign ...gandi.RRSet) *cloudronRun {
	t.Helper()
	ctx := context.Background()
	r := installedCloudron(t, cfg, NewPlatformSetup(), NewChat())
	for _, rr := range foreign {
		if err := r.Providers.Gandi.PutRRSet(ctx, hostTestDomain, rr, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Apply(ctx); err != nil {
		t.Fatalf("setup through chat: %v", err)
	}
	if err := r.dashboard(r.Secrets[secrets.CloudronToken]).EnableMail(ctx, hostTestDomain); err != nil {
		t.Fatal(err)
	}
	r.Steps = append(r.Steps, NewDNSRecords())
	return r
}

// cloudronExpects is Cloudron's own expected value of a mail record.
func (s *cloudronRun) cloudronExpects(t *testing.T, kind string) string {
	t.Helper()
	st, err := s.dashboard(s.Secrets[secrets.CloudronToken]).MailStatus(context.Background(), hostTestDomain)
	if err != nil {
		t.Fatal(err)
	}
	c, ok := st.Check(kind)
	if !ok {
		t.Fatalf("Cloudron reports no %s check", kind)
	}
	return c.Expected
}

func txtTexts(rr gandi.RRSet) []string {
	var out []string
	for _, v := range rr.Values {
		out = append(out, gandi.TXTText(v))
	}
	slices.Sort(out)
	return out
}

func TestDNSRecordsWritesWhatCloudronExpectsAndKeepsTheRest(t *testing.T) {
	verification := gandi.RRSet{Name: "@", Type: "TXT", TTL: 3600,
		Values: []string{`"google-site-verification=abc123"`, `"v=spf1 include:_spf.google.com ~all"`}}
	www := gandi.RRSet{Name: "www", Type: "CNAME", TTL: 3600, Values: []string{"redrock.github.io."}}
	r := recordsRun(t, verification, www)
	dkim := r.cloudronExpects(t, "dkim")
	if err := r.Apply(context.Background()); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	zone := r.zoneOf(t)
	if got := txtTexts(zone["@/TXT"]); !slices.Equal(got, []string{"google-site-verification=abc123",
		"v=spf1 include:_spf.google.com a:my.redrockdsa.org ~all"}) {
		t.Errorf("apex TXT %q: want the verification kept and one merged SPF", got)
	}
	if !gandi.Equal(zone["www/CNAME"], www) {
		t.Errorf("www CNAME changed: %+v", zone["www/CNAME"])
	}
	if got := zone["@/MX"].Values; !slices.Equal(got, []string{"10 my.redrockdsa.org."}) {
		t.Errorf("MX %q", got)
	}
	if got := txtTexts(zone["cloudron._domainkey/TXT"]); len(got) != 1 || got[0] != dkim {
		t.Errorf("DKIM %q, want Cloudron's %q", got, dkim)
	}
	if got := txtTexts(zone["_dmarc/TXT"]); len(got) != 1 || got[0] != r.cloudronExpects(t, "dmarc") {
		t.Errorf("DMARC %q", got)
	}
	backups, _ := os.ReadDir(r.Dir.BackupsDir())
	if len(backups) == 0 {
		t.Error("no zone backup before the writes")
	}
	var expected []dnsplan.RecordSet
	if err := json.Unmarshal([]byte(loadState(t, r.Dir).Output("dns-records", "expected")), &expected); err != nil {
		t.Fatalf("expected output: %v", err)
	}
	found := false
	for _, rs := range expected {
		if rs.Name == hostTestDomain && rs.Type == "TXT" {
			found = slices.Contains(rs.Values, "google-site-verification=abc123")
		}
	}
	if !found {
		t.Errorf("expected output lacks the whole apex TXT: %+v", expected)
	}
	r.requireEmptyRerun(t)
}

func TestDNSRecordsRepairsDoctorFaults(t *testing.T) {
	r := recordsRun(t)
	ctx := context.Background()
	if err := r.Apply(ctx); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	healthy := r.zoneOf(t)
	for _, fault := range []string{"dkim-missing", "spf-two", "mx-wrong", "dmarc-missing"} {
		r.breakFault(t, fault, "")
	}
	if err := r.Apply(ctx); err != nil {
		t.Fatalf("repair: %v", err)
	}
	repaired := r.zoneOf(t)
	for key, rr := range repaired {
		if key != "@/TXT" && !sameValues(rr, healthy[key]) {
			t.Errorf("%s = %q after the repair, was %q", key, rr.Values, healthy[key].Values)
		}
	}
	// The second SPF someone added is merged into the one record: both
	// senders stay allowed, under the stricter policy.
	if got := txtTexts(repaired["@/TXT"]); !slices.Equal(got, []string{"v=spf1 a:my.redrockdsa.org include:spf.protection.outlook.com -all"}) {
		t.Errorf("apex TXT %q after the repair, want one merged SPF", got)
	}
	r.requireEmptyRerun(t)
}

func TestDNSRecordsLeavesAForeignMXUntilReplaceNamesIt(t *testing.T) {
	google := gandi.RRSet{Name: "@", Type: "MX", TTL: 3600, Values: []string{"1 aspmx.l.google.com.", "5 alt1.aspmx.l.google.com."}}
	r := recordsRun(t, google)
	ctx := context.Background()
	err := r.Apply(ctx)
	if err == nil || !strings.Contains(err.Error(), "--replace @/MX") {
		t.Fatalf("Apply = %v, want the MX conflict named with its flag", err)
	}
	zone := r.zoneOf(t)
	if !gandi.Equal(zone["@/MX"], google) {
		t.Errorf("the foreign MX changed: %q", zone["@/MX"].Values)
	}
	if len(zone["cloudron._domainkey/TXT"].Values) != 1 {
		t.Error("the records without conflict were not written")
	}
	r.Options.Replace = []string{"@/MX"}
	if err := r.Apply(ctx); err != nil {
		t.Fatalf("Apply with --replace @/MX: %v", err)
	}
	if got := r.zoneOf(t)["@/MX"].Values; !slices.Equal(got, []string{"10 my.redrockdsa.org."}) {
		t.Errorf("MX %q after --replace", got)
	}
}

func TestDNSRecordsNeedsYesForGandisDefaults(t *testing.T) {
	r := recordsRun(t)
	r.Options.Yes = false
	before := len(r.gandiWrites(t))
	err := r.Apply(context.Background())
	var input *InputError
	if !errors.As(err, &input) || !strings.Contains(err.Error(), "--yes") || !strings.Contains(err.Error(), "spool.mail.gandi.net") {
		t.Fatalf("Apply = %v, want an input error naming Gandi's MX and --yes", err)
	}
	if n := len(r.gandiWrites(t)) - before; n != 0 {
		t.Errorf("%d writes at Gandi before consent", n)
	}
}

// Mail off in chapter.yaml: Cloudron still sends as the domain, so SPF and
// DKIM are written; the MX and DMARC stay the domain owner's.
func TestDNSRecordsWithMailOffWritesOnlyWhatSendingNeeds(t *testing.T) {
	cfg := testChapter()
	cfg.Mail.Enabled = false
	r := recordsRunWith(t, cfg)
	before := r.zoneOf(t)
	if err := r.Apply(context.Background()); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	zone := r.zoneOf(t)
	if !gandi.Equal(zone["@/MX"], before["@/MX"]) {
		t.Errorf("MX %q: with mail off it is not chapterctl's to change", zone["@/MX"].Values)
	}
	if _, ok := zone["_dmarc/TXT"]; ok {
		t.Error("a DMARC record was written with mail off")
	}
	if got := txtTexts(zone["@/TXT"]); !slices.Equal(got, []string{"v=spf1 a:my.redrockdsa.org ~all"}) {
		t.Errorf("SPF %q", got)
	}
	if len(zone["cloudron._domainkey/TXT"].Values) != 1 {
		t.Error("no DKIM record")
	}
}

// The mail step's relay_records (the contract between the two steps):
// Mailgun's SPF include merged into the one SPF, its DKIM and tracking
// CNAME added, its MX never written.
func TestDNSRecordsMergesTheRelayRecords(t *testing.T) {
	r := recordsRun(t)
	relay := `[{"name":"redrockdsa.org","type":"TXT","values":["v=spf1 include:mailgun.org ~all"]},` +
		`{"name":"k1._domainkey.redrockdsa.org","type":"TXT","values":["k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDb"]},` +
		`{"name":"email.redrockdsa.org","type":"CNAME","values":["mailgun.org"]},` +
		`{"name":"redrockdsa.org","type":"MX","values":["10 mxa.mailgun.org","10 mxb.mailgun.org"]}]`
	last := len(r.Steps) - 1
	r.Steps = append(r.Steps[:last:last], recordedStep{"mail", map[string]string{"relay_records": relay}}, r.Steps[last])
	if err := r.Apply(context.Background()); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	zone := r.zoneOf(t)
	if got := txtTexts(zone["@/TXT"]); !slices.Equal(got, []string{"v=spf1 a:my.redrockdsa.org include:mailgun.org ~all"}) {
		t.Errorf("SPF %q, want one record with both", got)
	}
	if got := txtTexts(zone["k1._domainkey/TXT"]); len(got) != 1 || !strings.HasPrefix(got[0], "k=rsa; p=MIGf") {
		t.Errorf("Mailgun DKIM %q", got)
	}
	if got := zone["email/CNAME"].Values; !slices.Equal(got, []string{"mailgun.org."}) {
		t.Errorf("tracking CNAME %q", got)
	}
	if got := zone["@/MX"].Values; !slices.Equal(got, []string{"10 my.redrockdsa.org."}) {
		t.Errorf("MX %q: Mailgun's must never be written", got)
	}
	r.requireEmptyRerun(t)
}
