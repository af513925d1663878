package dnsplan

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	"github.com/chapterctl/chapterctl/internal/gandi"
)

const domain = "redrockdsa.org"

// gandiZone is a new Gandi zone plus extra record sets.
func gandiZone(extra ...gandi.RRSet) []gandi.RRSet {
	zone := slices.Clone(gandiDefaults)
	for i := range zone {
		zone[i].TTL = gandi.DefaultTTL
	}
	for _, rr := range extra {
		i := slices.IndexFunc(zone, func(z gandi.RRSet) bool { return KeyOf(z) == KeyOf(rr) })
		if i >= 0 {
			zone[i] = rr
		} else {
			zone = append(zone, rr)
		}
	}
	return zone
}

// dkimValue is a DKIM record for a fresh RSA key of bits.
func dkimValue(t *testing.T, bits int) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return "v=DKIM1; t=s; p=" + base64.StdEncoding.EncodeToString(pub)
}

// chapterInputs is what a chapter with mail on asks Cloudron for.
func chapterInputs(dkim string) Inputs {
	return Inputs{Domain: domain, IPv4: "203.0.113.10", IPv6: "2001:db8::10", Hosts: []string{"my", "matrix", "chat", "@"},
		Mail: []MailRecord{
			{Kind: "mx", Name: "@", Type: "MX", Expected: "10 my.redrockdsa.org."},
			{Kind: "spf", Name: "@", Type: "TXT", Expected: "v=spf1 a:my.redrockdsa.org ~all"},
			{Kind: "dkim", Name: "cloudron._domainkey", Type: "TXT", Expected: dkim},
			{Kind: "dmarc", Name: "_dmarc", Type: "TXT", Expected: "v=DMARC1; p=reject; pct=100"},
		}}
}

func mustWants(t *testing.T, in Inputs) []Want {
	t.Helper()
	w, err := Wants(in)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func byKey(changes []Change) map[string]Change {
	out := map[string]Change{}
	for _, c := range changes {
		out[c.Key.String()] = c
	}
	return out
}

// applyChanges writes the plan's writable changes into zone, as Gandi would.
func applyChanges(zone []gandi.RRSet, changes []Change) []gandi.RRSet {
	out := slices.Clone(zone)
	for _, c := range changes {
		if !c.Writes() {
			continue
		}
		out = slices.DeleteFunc(out, func(rr gandi.RRSet) bool { return KeyOf(rr) == c.Key })
		if len(c.Write.Values) > 0 {
			out = append(out, c.Write)
		}
	}
	return out
}

func TestDiffOnANewGandiZone(t *testing.T) {
	dkim := dkimValue(t, 2048)
	changes := Diff(domain, gandiZone(), mustWants(t, chapterInputs(dkim)), Policy{})
	got := byKey(changes)
	for key, want := range map[string]struct {
		action Action
		owner  Owner
	}{
		"@/A":                     {Update, OwnerGandiDefault},
		"@/MX":                    {Update, OwnerGandiDefault},
		"@/TXT":                   {Update, OwnerGandiDefault},
		"my/A":                    {Create, OwnerChapterctl},
		"chat/AAAA":               {Create, OwnerChapterctl},
		"cloudron._domainkey/TXT": {Create, OwnerChapterctl},
		"_dmarc/TXT":              {Create, OwnerChapterctl},
	} {
		if c := got[key]; c.Action != want.action || c.Owner != want.owner {
			t.Errorf("%s: %s by %s (%s), want %s by %s", key, c.Action, c.Owner, c.Reason, want.action, want.owner)
		}
	}
	if spf := got["@/TXT"].Wanted; !slices.Equal(spf, []string{"v=spf1 a:my.redrockdsa.org ~all"}) {
		t.Errorf("apex TXT wanted %q: Gandi's own SPF is replaced, not merged", spf)
	}
	// The DKIM key is one record, in 255-byte strings.
	w := got["cloudron._domainkey/TXT"].Write
	if len(w.Values) != 1 || gandi.TXTText(w.Values[0]) != dkim || !strings.Contains(w.Values[0], `" "`) {
		t.Errorf("DKIM write %q", w.Values)
	}
	rerun := Diff(domain, applyChanges(gandiZone(), changes), mustWants(t, chapterInputs(dkim)), Policy{})
	for _, c := range rerun {
		if c.Action != Keep {
			t.Errorf("after apply, %s: %s (%s), want keep", c.Key, c.Action, c.Reason)
		}
	}
}

func TestDiffKeepsForeignRecords(t *testing.T) {
	dkim := dkimValue(t, 4096)
	foreign := gandiZone(
		gandi.RRSet{Name: "@", Type: "TXT", TTL: 3600, Values: []string{`"v=spf1 include:_spf.google.com ~all"`, `"google-site-verification=abc123"`}},
		gandi.RRSet{Name: "www", Type: "CNAME", TTL: 3600, Values: []string{"redrock.github.io."}},
	)
	in := chapterInputs(dkim)
	changes := Diff(domain, foreign, mustWants(t, in), Policy{})
	got := byKey(changes)
	txt := got["@/TXT"]
	if txt.Action != Update || txt.Owner != OwnerForeign {
		t.Fatalf("apex TXT: %s by %s (%s)", txt.Action, txt.Owner, txt.Reason)
	}
	wantTXT := []string{"google-site-verification=abc123", "v=spf1 include:_spf.google.com a:my.redrockdsa.org ~all"}
	if !slices.Equal(txt.Wanted, wantTXT) || txt.Write.TTL != 3600 {
		t.Errorf("apex TXT wanted %q TTL %d, want %q with its own TTL", txt.Wanted, txt.Write.TTL, wantTXT)
	}
	if _, touched := got["www/CNAME"]; touched {
		t.Error("www is not a name chapterctl needs: its CNAME must not be in the plan")
	}
	dk := got["cloudron._domainkey/TXT"].Write
	if len(dk.Values) != 1 || gandi.TXTText(dk.Values[0]) != dkim || strings.Count(dk.Values[0], `" "`) < 2 {
		t.Errorf("4096-bit DKIM must be one value of several strings: %q", dk.Values)
	}
	after := applyChanges(foreign, changes)
	for _, c := range Diff(domain, after, mustWants(t, in), Policy{}) {
		if c.Action != Keep {
			t.Errorf("rerun: %s %s (%s)", c.Key, c.Action, c.Reason)
		}
	}
	var spfs int
	for _, rr := range after {
		for _, v := range rr.Values {
			if rr.Type == "TXT" && IsSPF(gandi.TXTText(v)) && rr.Name == "@" {
				spfs++
			}
		}
	}
	if spfs != 1 {
		t.Errorf("%d SPF records at the apex after apply, want 1", spfs)
	}
}

func TestDiffConflicts(t *testing.T) {
	zone := gandiZone(
		gandi.RRSet{Name: "@", Type: "MX", TTL: 3600, Values: []string{"1 aspmx.l.google.com.", "5 alt1.aspmx.l.google.com."}},
		gandi.RRSet{Name: "@", Type: "CAA", TTL: 3600, Values: []string{`0 issue "digicert.com"`}},
		gandi.RRSet{Name: "chat", Type: "CNAME", TTL: 3600, Values: []string{"redrock.github.io."}},
	)
	in := chapterInputs(dkimValue(t, 1024))
	got := byKey(Diff(domain, zone, mustWants(t, in), Policy{}))
	for _, key := range []string{"@/MX", "@/CAA", "chat/CNAME"} {
		c := got[key]
		if c.Action != Conflict || c.Owner != OwnerForeign || !strings.Contains(c.Reason, "--replace "+key) {
			t.Errorf("%s: %s by %s (%s), want a conflict naming --replace %s", key, c.Action, c.Owner, c.Reason, key)
		}
	}
	if c := got["chat/CNAME"]; len(c.Wanted) != 0 {
		t.Errorf("chat/CNAME would become %q, want deleted", c.Wanted)
	}

	// Named with --replace, each becomes a write; the CAA keeps the other CA.
	replaced := byKey(Diff(domain, zone, mustWants(t, in), Policy{Replace: []string{"@/MX", "redrockdsa.org/CAA", "chat/cname"}}))
	if c := replaced["@/MX"]; c.Action != Update || !slices.Equal(c.Wanted, []string{"10 my.redrockdsa.org"}) {
		t.Errorf("@/MX with --replace: %s %q", c.Action, c.Wanted)
	}
	if c := replaced["@/CAA"]; c.Action != Update || !slices.Equal(c.Wanted, []string{`0 issue "digicert.com"`, `0 issue "letsencrypt.org"`}) {
		t.Errorf("@/CAA with --replace: %s %q", c.Action, c.Wanted)
	}
	if c := replaced["chat/CNAME"]; c.Action != Delete {
		t.Errorf("chat/CNAME with --replace: %s", c.Action)
	}
}

func TestDiffRepairsWhatChapterctlWrote(t *testing.T) {
	dkim := dkimValue(t, 1024)
	in := chapterInputs(dkim)
	good := applyChanges(gandiZone(), Diff(domain, gandiZone(), mustWants(t, in), Policy{}))
	ours := map[Key]bool{}
	for _, c := range Diff(domain, good, mustWants(t, in), Policy{}) {
		ours[c.Key] = true
	}
	set := func(zone []gandi.RRSet, rr gandi.RRSet) []gandi.RRSet {
		out := slices.DeleteFunc(slices.Clone(zone), func(z gandi.RRSet) bool { return KeyOf(z) == KeyOf(rr) })
		if len(rr.Values) > 0 {
			out = append(out, rr)
		}
		return out
	}
	tests := []struct {
		fault string
		zone  []gandi.RRSet
		key   string
	}{
		{"mx-wrong", set(good, gandi.RRSet{Name: "@", Type: "MX", TTL: 3600, Values: []string{"10 mx.example.net."}}), "@/MX"},
		{"mx-missing", set(good, gandi.RRSet{Name: "@", Type: "MX"}), "@/MX"},
		{"dkim-wrong", set(good, gandi.RRSet{Name: "cloudron._domainkey", Type: "TXT", TTL: 3600, Values: []string{gandi.QuoteTXT(dkim[:40] + "x" + dkim[41:])}}), "cloudron._domainkey/TXT"},
		{"dmarc-missing", set(good, gandi.RRSet{Name: "_dmarc", Type: "TXT"}), "_dmarc/TXT"},
		{"spf-two", set(good, gandi.RRSet{Name: "@", Type: "TXT", TTL: 3600, Values: []string{
			`"v=spf1 a:my.redrockdsa.org ~all"`, `"v=spf1 include:spf.protection.outlook.com -all"`}}), "@/TXT"},
		{"spf-missing", set(good, gandi.RRSet{Name: "@", Type: "TXT"}), "@/TXT"},
	}
	for _, tt := range tests {
		t.Run(tt.fault, func(t *testing.T) {
			changes := Diff(domain, tt.zone, mustWants(t, in), Policy{Ours: ours})
			c := byKey(changes)[tt.key]
			if !c.Writes() {
				t.Fatalf("%s: %s (%s), want a repair", tt.key, c.Action, c.Reason)
			}
			for _, other := range changes {
				if other.Key != c.Key && other.Action != Keep {
					t.Errorf("%s changes too: %s", other.Key, other.Action)
				}
			}
			for _, again := range Diff(domain, applyChanges(tt.zone, changes), mustWants(t, in), Policy{Ours: ours}) {
				if again.Action != Keep {
					t.Errorf("after the repair, %s: %s", again.Key, again.Action)
				}
			}
		})
	}
	// Without the state's word, a changed MX is someone else's.
	if c := byKey(Diff(domain, tests[0].zone, mustWants(t, in), Policy{}))["@/MX"]; c.Action != Conflict {
		t.Errorf("unowned changed MX: %s, want conflict", c.Action)
	}
}

func TestDiffMergesMailgunAndNeverItsMX(t *testing.T) {
	in := chapterInputs(dkimValue(t, 1024))
	in.Relay = []RecordSet{
		{Name: domain, Type: "TXT", Values: []string{"v=spf1 include:mailgun.org ~all"}},
		{Name: "k1._domainkey." + domain, Type: "TXT", Values: []string{"k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC"}},
		{Name: "email." + domain, Type: "CNAME", Values: []string{"mailgun.org"}},
		{Name: domain, Type: "MX", Values: []string{"10 mxa.mailgun.org", "10 mxb.mailgun.org"}},
	}
	got := byKey(Diff(domain, gandiZone(), mustWants(t, in), Policy{}))
	if spf := got["@/TXT"].Wanted; !slices.Equal(spf, []string{"v=spf1 a:my.redrockdsa.org include:mailgun.org ~all"}) {
		t.Errorf("SPF %q", spf)
	}
	if c := got["email/CNAME"]; c.Action != Create || !slices.Equal(c.Write.Values, []string{"mailgun.org."}) {
		t.Errorf("tracking CNAME %s %q", c.Action, c.Write.Values)
	}
	if c := got["k1._domainkey/TXT"]; c.Action != Create {
		t.Errorf("Mailgun DKIM %s", c.Action)
	}
	if mx := got["@/MX"].Wanted; !slices.Equal(mx, []string{"10 my.redrockdsa.org"}) {
		t.Errorf("MX %q: Mailgun's must never be wanted", mx)
	}
}

func TestCloudronsSPFEchoIsNotMerged(t *testing.T) {
	// Cloudron's resolver still saw Gandi's SPF: its expected value echoes
	// Gandi's include, which must not come back into the record.
	in := chapterInputs("v=DKIM1; t=s; p=AAAA")
	in.Mail[1].Current = "v=spf1 include:_mailcust.gandi.net ?all"
	in.Mail[1].Expected = "v=spf1 a:my.redrockdsa.org include:_mailcust.gandi.net ?all"
	got := byKey(Diff(domain, gandiZone(), mustWants(t, in), Policy{}))["@/TXT"]
	if !slices.Equal(got.Wanted, []string{"v=spf1 a:my.redrockdsa.org ~all"}) {
		t.Errorf("SPF %q", got.Wanted)
	}
}

func TestExpectedIsTheWholeRRSets(t *testing.T) {
	zone := gandiZone(gandi.RRSet{Name: "@", Type: "TXT", TTL: 3600, Values: []string{`"google-site-verification=abc123"`, `"v=spf1 include:_spf.google.com ~all"`}})
	exp := Expected(Diff(domain, zone, mustWants(t, chapterInputs("v=DKIM1; t=s; p=AAAA")), Policy{}))
	var apex RecordSet
	for _, rs := range exp {
		if rs.Name == domain && rs.Type == "TXT" {
			apex = rs
		}
		if strings.HasSuffix(rs.Name, ".") || rs.Name == "" {
			t.Errorf("name %q: want an FQDN without the final dot", rs.Name)
		}
	}
	if !slices.Equal(apex.Values, []string{"google-site-verification=abc123", "v=spf1 include:_spf.google.com a:my.redrockdsa.org ~all"}) {
		t.Errorf("apex TXT expected %q", apex.Values)
	}
}

func TestPlainAndStored(t *testing.T) {
	for _, tt := range []struct{ typ, stored, plain string }{
		{"TXT", `"v=spf1 " "-all"`, "v=spf1 -all"},
		{"MX", "10 My.Example.org.", "10 my.example.org"},
		{"CNAME", "target", "target." + domain},
		{"A", "203.0.113.10", "203.0.113.10"},
	} {
		if got := Plain(domain, tt.typ, tt.stored); got != tt.plain {
			t.Errorf("Plain(%s %q) = %q, want %q", tt.typ, tt.stored, got, tt.plain)
		}
	}
	if got := Stored("MX", "10 my.example.org"); got != "10 my.example.org." {
		t.Errorf("Stored MX = %q", got)
	}
}
