package steps

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/chapterctl/chapterctl/internal/gandi"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

const hostTestDomain = "redrockdsa.org"

// zoneOf reads the chapter's zone at the simulated Gandi, normalised.
func (s *sandboxRun) zoneOf(t *testing.T) map[string]gandi.RRSet {
	t.Helper()
	zone, err := s.Providers.Gandi.Zone(context.Background(), hostTestDomain)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]gandi.RRSet{}
	for _, rr := range zone {
		rr = gandi.Normalize(rr)
		out[rrKey(rr.Name, rr.Type)] = rr
	}
	return out
}

// gandiWrites are the mutating requests Gandi has seen.
func (s *sandboxRun) gandiWrites(t *testing.T) []world.Entry {
	t.Helper()
	var out []world.Entry
	for _, e := range s.mutations(t) {
		if e.Service == "gandi" {
			out = append(out, e)
		}
	}
	return out
}

func TestDNSHostFreshApplyWritesEveryName(t *testing.T) {
	run := withDroplet(t, testChapter(), "", NewDNSHost())
	initial := run.zoneOf(t)
	if err := run.Apply(context.Background()); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	st := loadState(t, run.Dir)
	ipv4, ipv6 := st.Output("droplet", "ipv4"), st.Output("droplet", "ipv6")
	if ipv6 == "" {
		t.Fatal("the fixture droplet has no IPv6: AAAA records untested")
	}
	zone := run.zoneOf(t)
	// Exactly the expected record sets changed: A and AAAA on five names,
	// Gandi's webmail CNAME gone; everything else as Gandi made it.
	var changed []string
	for key, rr := range zone {
		if !gandi.Equal(rr, initial[key]) {
			changed = append(changed, key)
		}
	}
	for key := range initial {
		if _, ok := zone[key]; !ok {
			changed = append(changed, key+" (deleted)")
		}
	}
	slices.Sort(changed)
	want := "@/A @/AAAA chat/A chat/AAAA matrix/A matrix/AAAA my/A my/AAAA webmail/A webmail/AAAA webmail/CNAME (deleted)"
	if got := strings.Join(changed, " "); got != want {
		t.Errorf("changed rrsets:\n got %s\nwant %s", got, want)
	}
	names := []string{"my", "matrix", "chat", "webmail", "@"}
	for _, name := range names {
		if got := zone[rrKey(name, "A")]; got.TTL != hostTTL || !slices.Equal(got.Values, []string{ipv4}) {
			t.Errorf("%s/A = %+v, want %s TTL %d", name, got, ipv4, hostTTL)
		}
		if ipv6 != "" {
			if got := zone[rrKey(name, "AAAA")]; !slices.Equal(got.Values, []string{gandi.Normalize(gandi.RRSet{Type: "AAAA", Values: []string{ipv6}}).Values[0]}) {
				t.Errorf("%s/AAAA = %+v, want %s", name, got, ipv6)
			}
		}
	}
	if _, ok := zone["webmail/CNAME"]; ok {
		t.Error("Gandi's webmail CNAME is still there next to the A")
	}
	if _, ok := zone["www/CNAME"]; !ok {
		t.Error("a name chapterctl does not need (www) was touched")
	}
	if got := st.Output("dns-host", "names"); got != "@,chat,matrix,my,webmail" {
		t.Errorf("names output = %q", got)
	}
	backups, _ := os.ReadDir(run.Dir.BackupsDir())
	if len(backups) != 1 {
		t.Fatalf("backups = %v, want one, made before the first write", backups)
	}
	before, _ := os.ReadFile(run.Dir.BackupsDir() + "/" + backups[0].Name())
	if !strings.Contains(string(before), "217.70.184.38") {
		t.Errorf("the backup is not the zone before the writes:\n%s", before)
	}

	// Rerun: nothing to plan, nothing written.
	writes := len(run.mutations(t))
	plans, err := run.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if change := plans[2].Change; !change.IsEmpty() {
		t.Errorf("plan after apply = %+v, want empty", change.Items)
	}
	if err := run.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := run.mutations(t)[writes:]; len(got) != 0 {
		t.Errorf("rerun mutated: %+v", got)
	}
}

func TestDNSHostNeedsYesForGandiDefaults(t *testing.T) {
	run := withDroplet(t, testChapter(), "", NewDNSHost())
	run.Options.Yes = false
	err := run.Apply(context.Background())
	if err == nil || !strings.Contains(err.Error(), "Gandi's default A record (217.70.184.38)") || !strings.Contains(err.Error(), "--yes") {
		t.Fatalf("Apply without --yes: %v", err)
	}
	if got := run.gandiWrites(t); len(got) != 0 {
		t.Errorf("wrote without consent: %+v", got)
	}
	if got := run.zoneOf(t)["@/A"]; !slices.Equal(got.Values, []string{"217.70.184.38"}) {
		t.Errorf("apex A = %+v, want Gandi's parking untouched", got)
	}

	run.Options.Yes = true
	if err := run.Apply(context.Background()); err != nil {
		t.Fatalf("Apply with --yes: %v", err)
	}
	ipv4 := loadState(t, run.Dir).Output("droplet", "ipv4")
	if got := run.zoneOf(t)["@/A"]; !slices.Equal(got.Values, []string{ipv4}) {
		t.Errorf("apex A = %+v, want the droplet", got)
	}
}

func TestDNSHostStopsAtSomeoneElsesRecord(t *testing.T) {
	run := withDroplet(t, testChapter(), "", NewDNSHost())
	foreign := gandi.RRSet{Name: "chat", Type: "CNAME", TTL: 10800, Values: []string{"example.github.io."}}
	if err := run.Providers.Gandi.PutRRSet(context.Background(), hostTestDomain, foreign, nil); err != nil {
		t.Fatal(err)
	}
	before := run.zoneOf(t)
	writes := len(run.gandiWrites(t))

	err := run.Apply(context.Background()) // --yes is on: it must not be enough
	if err == nil || !strings.Contains(err.Error(), "chat."+hostTestDomain+" already has a CNAME record (example.github.io.)") ||
		!strings.Contains(err.Error(), "--replace chat/CNAME") {
		t.Fatalf("Apply over a foreign CNAME: %v", err)
	}
	if got := run.gandiWrites(t)[writes:]; len(got) != 0 {
		t.Errorf("the zone was written despite the conflict: %+v", got)
	}
	if after := run.zoneOf(t); len(after) != len(before) || !gandi.Equal(after["chat/CNAME"], foreign) {
		t.Errorf("zone changed: %v", after)
	}

	run.Options.Replace = []string{"chat/CNAME"}
	if err := run.Apply(context.Background()); err != nil {
		t.Fatalf("Apply with --replace chat/CNAME: %v", err)
	}
	zone := run.zoneOf(t)
	if _, ok := zone["chat/CNAME"]; ok || len(zone["chat/A"].Values) != 1 {
		t.Errorf("chat after replace: CNAME %+v, A %+v", zone["chat/CNAME"], zone["chat/A"])
	}
}

// A run killed after its writes and before the checkpoint: the rerun finds
// the records in the zone, adopts them and writes nothing.
func TestDNSHostAdoptsRecordsAKilledRunWrote(t *testing.T) {
	run := withDroplet(t, testChapter(), "", NewDNSHost())
	steps := run.Steps
	run.Steps = steps[:2]
	if err := run.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	atKill, err := os.ReadFile(run.Dir.StateFile())
	if err != nil {
		t.Fatal(err)
	}
	run.Steps = steps
	if err := run.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(run.Dir.StateFile(), atKill, 0o600); err != nil {
		t.Fatal(err)
	}
	writes := len(run.mutations(t))
	plans, err := run.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if items := plans[2].Change.Items; len(items) != 1 || items[0].Action != Adopt {
		t.Fatalf("plan after the kill = %+v, want one adopt", items)
	}
	if err := run.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := run.mutations(t)[writes:]; len(got) != 0 {
		t.Errorf("adopting wrote: %+v", got)
	}
	if got := loadState(t, run.Dir).Output("dns-host", "names"); got == "" {
		t.Error("the names were not recorded")
	}
}

// Gandi's 5xx answers are retried: the run ends with the zone right.
func TestDNSHostSurvivesGandi5xx(t *testing.T) {
	run := withDroplet(t, testChapter(), "", NewDNSHost())
	run.breakWorldFault(t, "gandi-5xx", "2")
	if err := run.Apply(context.Background()); err != nil {
		t.Fatalf("Apply with Gandi failing twice: %v", err)
	}
	ipv4 := loadState(t, run.Dir).Output("droplet", "ipv4")
	if got := run.zoneOf(t)["my/A"]; !slices.Equal(got.Values, []string{ipv4}) {
		t.Errorf("my/A = %+v", got)
	}
}

// A CAA that lets only another CA issue would stop Cloudron's first
// certificate: dns-host settles it before platform-setup, with consent.
func TestDNSHostAddsLetsEncryptToAForeignCAAOnlyWithConsent(t *testing.T) {
	run := withDroplet(t, testChapter(), "", NewDNSHost())
	caa := gandi.RRSet{Name: "@", Type: "CAA", TTL: 3600, Values: []string{`0 issue "digicert.com"`}}
	if err := run.Providers.Gandi.PutRRSet(context.Background(), hostTestDomain, caa, nil); err != nil {
		t.Fatal(err)
	}
	writes := len(run.gandiWrites(t))
	err := run.Apply(context.Background())
	if err == nil || !strings.Contains(err.Error(), "--replace @/CAA") {
		t.Fatalf("Apply under a CAA for another CA: %v", err)
	}
	if got := run.gandiWrites(t)[writes:]; len(got) != 0 {
		t.Errorf("the zone was written without consent: %+v", got)
	}
	run.Options.Replace = []string{"@/CAA"}
	if err := run.Apply(context.Background()); err != nil {
		t.Fatalf("Apply with --replace @/CAA: %v", err)
	}
	got := run.zoneOf(t)["@/CAA"].Values
	if !slices.Equal(got, []string{`0 issue "digicert.com"`, `0 issue "letsencrypt.org"`}) {
		t.Errorf("CAA after consent %q: the other CA kept, Let's Encrypt added", got)
	}
}
