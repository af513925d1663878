package dnsplan

import (
	"strings"
	"testing"

	"github.com/chapterctl/chapterctl/internal/gandi"
)

func TestRestoreChangesMakeTheZoneTheBackup(t *testing.T) {
	backup := gandiZone(gandi.RRSet{Name: "@", Type: "NS", TTL: 10800, Values: []string{"ns1.gandi.net."}},
		gandi.RRSet{Name: "chat", Type: "CNAME", TTL: 3600, Values: []string{"redrock.github.io."}})
	in := chapterInputs("v=DKIM1; t=s; p=AAAA")
	in.Hosts = []string{"my"}
	now := applyChanges(backup, Diff(domain, backup, mustWants(t, in), Policy{Replace: []string{"@/MX"}}))
	now = append(now, gandi.RRSet{Name: "chat", Type: "A", TTL: 300, Values: []string{"203.0.113.10"}})
	now = applyChanges(now, []Change{{Key: Key{"chat", "CNAME"}, Action: Delete}})
	changes := RestoreChanges(domain, backup, now)
	restored := applyChanges(now, changes)
	if len(RestoreChanges(domain, backup, restored)) != 0 {
		t.Fatalf("after the restore the zone still differs: %+v", RestoreChanges(domain, backup, restored))
	}
	var order []string
	for _, c := range changes {
		order = append(order, string(c.Action)+" "+c.Key.String())
	}
	got := strings.Join(order, ", ")
	if !strings.HasPrefix(got, "delete ") || !strings.Contains(got, "delete chat/A") || !strings.Contains(got, "create chat/CNAME") {
		t.Errorf("restore order %s: deletions first, the CNAME back", got)
	}
	for _, c := range changes {
		if c.Key.Type == "NS" {
			t.Errorf("the apex NS is Gandi's: %s", c.Action)
		}
	}
}

func TestParseBackupRefusesWhatIsNotOne(t *testing.T) {
	for raw, want := range map[string]string{
		`{"rrset_name":"@"}`: "not a JSON array",
		`[{"rrset_type":"A","rrset_values":["192.0.2.1"]}]`: "no rrset_name",
		`[{"rrset_name":"@","rrset_type":"A","rrset_values":["192.0.2.1"]},{"rrset_name":"@","rrset_type":"a","rrset_values":["192.0.2.2"]}]`: "twice",
	} {
		if _, err := ParseBackup([]byte(raw)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseBackup(%s) = %v, want %q", raw, err, want)
		}
	}
	zone, err := ParseBackup([]byte(`[{"rrset_name":"@","rrset_type":"A","rrset_ttl":300,"rrset_values":["192.0.2.1"],"rrset_href":"x"}]`))
	if err != nil || len(zone) != 1 {
		t.Errorf("ParseBackup of a Gandi rrset = %v, %v", zone, err)
	}
}
