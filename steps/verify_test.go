package steps

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/dnsq"
	"github.com/chapterctl/chapterctl/internal/sandbox/dnssim"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// seededRecordList stands for the dns-records step (another part builds
// it): it records, as its "expected" output, the zone as the sandbox's
// Gandi holds it, which the authoritative servers are known to serve;
// edit may then make the list ask for something the zone does not hold.
type seededRecordList struct {
	w    *world.World
	edit func([]dnssim.PlainRRSet) []dnssim.PlainRRSet
}

func (s seededRecordList) ID() string    { return expectedFromStep }
func (s seededRecordList) Title() string { return "recorded record list" }

func (s seededRecordList) list(env *Env) (string, error) {
	var sets []dnssim.PlainRRSet
	s.w.Read(func(d *world.Data) { sets = dnssim.PlainZone(d, env.Config.Domain) })
	if s.edit != nil {
		sets = s.edit(sets)
	}
	text, err := json.Marshal(sets)
	return string(text), err
}

func (s seededRecordList) Plan(_ context.Context, env *Env) (Change, error) {
	text, err := s.list(env)
	if err != nil || env.Output(s.ID(), expectedOutput) == text {
		return Change{}, err
	}
	return Change{Items: []Item{{Action: Adopt, Resource: "record list"}}}, nil
}

func (s seededRecordList) Apply(_ context.Context, env *Env, _ Change) error {
	text, err := s.list(env)
	if err != nil {
		return err
	}
	return env.Record(expectedOutput, text)
}

// verifiedChapter is a sandbox chapter with Cloudron set up and the chat
// apps installed, then the record list and the verify step.
func verifiedChapter(t *testing.T, verify *Verify, edit func([]dnssim.PlainRRSet) []dnssim.PlainRRSet) *cloudronRun {
	t.Helper()
	r := installedCloudron(t, testChapter(), NewPlatformSetup(), NewChat())
	r.Steps = append(r.Steps, seededRecordList{w: r.Sandbox.World, edit: edit}, verify)
	return r
}

// forgetVerified makes the next run verify again, as a changed record list
// would.
func forgetVerified(t *testing.T, r *cloudronRun) {
	t.Helper()
	store, st := openState(t, r.sandboxRun)
	st.Step("verify").SetOutput(verifiedDigest, "")
	if err := store.Save(st); err != nil {
		t.Fatal(err)
	}
}

func (p *progressLog) has(t *testing.T, want string) bool {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.lines {
		if strings.Contains(l, want) {
			return true
		}
	}
	return false
}

func (p *progressLog) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lines, p.waits = nil, nil
}

func TestVerifyPassesThenRerunAsksNothing(t *testing.T) {
	r := verifiedChapter(t, NewVerify().(*Verify), nil)
	ctx := context.Background()
	if err := r.Apply(ctx); err != nil {
		t.Fatalf("Apply: %v\nprogress: %q", err, r.Progress.lines)
	}
	for _, want := range []string{
		"✓ my.redrockdsa.org A: authoritative ✓, resolvers agreeing 3/3",
		"✓ redrockdsa.org MX: authoritative ✓",
		"✓ certificate: matrix.redrockdsa.org: valid certificate",
		"✓ certificate: chat.redrockdsa.org: valid certificate",
		"✓ certificate: redrockdsa.org: valid certificate",
		"✓ certificate: my.redrockdsa.org: valid certificate",
		// The world's DigitalOcean account blocks port 25, as new ones do.
		`! Outgoing mail (port 25)`, "chapterctl mail enable --relay mailgun",
	} {
		if !r.Progress.has(t, want) {
			t.Errorf("no progress line with %q in %q", want, r.Progress.lines)
		}
	}
	st := loadState(t, r.Dir)
	if st.Output("verify", verifiedDigest) != expectedDigest(st.Output(expectedFromStep, expectedOutput)) ||
		st.Output("verify", verifiedAt) == "" || st.Output("verify", recheckOut) != "" || st.Output("verify", propagatingOut) != "" {
		t.Errorf("outputs = %+v", st.Steps["verify"].Outputs)
	}
	// Verify only reads: a rerun plans nothing and sends no mutating request.
	r.requireEmptyRerun(t)
}

func TestVerifyWaitsOutStaleResolversAndCertificates(t *testing.T) {
	r := verifiedChapter(t, NewVerify().(*Verify), nil)
	ctx := context.Background()
	if err := r.Apply(ctx); err != nil {
		t.Fatalf("Apply: %v", err)
	}

	// A resolver with an old answer cached is propagation, not a fault;
	// a certificate 10 days from its end is a warning.
	r.breakFault(t, dnssim.FaultResolversDisagree, "")
	r.breakFault(t, "cert-expiring", "")
	forgetVerified(t, r)
	r.Progress.reset()
	before := time.Now()
	if err := r.Apply(ctx); err != nil {
		t.Fatalf("Apply with a stale resolver: %v", err)
	}
	if !r.Progress.has(t, "still propagating: my.redrockdsa.org A at 8.8.8.8, recheck after ") ||
		!r.Progress.has(t, "! my.redrockdsa.org A: authoritative ✓, resolvers agreeing 2/3") {
		t.Errorf("progress %q: want the stale resolver and its recheck time", r.Progress.lines)
	}
	if !r.Progress.has(t, "! certificate: matrix.redrockdsa.org: the certificate expires") {
		t.Errorf("progress %q: want the expiring certificate warned", r.Progress.lines)
	}
	st := loadState(t, r.Dir)
	recheck, err := time.Parse(time.RFC3339, st.Output("verify", recheckOut))
	if err != nil || !recheck.After(before) {
		t.Errorf("recheck_after = %q (%v), want a time after the run", st.Output("verify", recheckOut), err)
	}
	if !strings.Contains(st.Output("verify", propagatingOut), "my.redrockdsa.org A at 8.8.8.8") {
		t.Errorf("propagating = %q", st.Output("verify", propagatingOut))
	}

	// An expired certificate fails, naming the host and the fix.
	r.breakFault(t, "cert-expired", "")
	forgetVerified(t, r)
	err = r.Apply(ctx)
	var stepErr *StepError
	if !errors.As(err, &stepErr) || stepErr.ID != "verify" || !strings.Contains(err.Error(), "matrix.redrockdsa.org: the certificate has expired") ||
		!strings.Contains(err.Error(), "Cloudron dashboard") {
		t.Fatalf("Apply with expired certificates = %v", err)
	}
}

func TestVerifyFailsAtTheBoundNamingWhatIsServed(t *testing.T) {
	wrongIP := "203.0.113.99"
	edit := func(sets []dnssim.PlainRRSet) []dnssim.PlainRRSet {
		for i := range sets {
			if sets[i].Name == "my.redrockdsa.org" && sets[i].Type == "A" {
				sets[i].Values = []string{wrongIP}
			}
		}
		return append(sets, dnssim.PlainRRSet{Name: "_missing.redrockdsa.org", Type: "TXT", Values: []string{"never written"}})
	}
	r := verifiedChapter(t, &Verify{Wait: 300 * time.Millisecond}, edit)
	err := r.Apply(context.Background())
	var stepErr *StepError
	if !errors.As(err, &stepErr) || stepErr.ID != "verify" {
		t.Fatalf("Apply = %v, want the verify step to fail", err)
	}
	for _, want := range []string{
		"still do not serve 2 record sets",
		"my.redrockdsa.org A: the authoritative server", "serves " + r.ip + ", want " + wrongIP,
		`_missing.redrockdsa.org TXT: the authoritative server`, `serves NXDOMAIN, want "never written"`,
		`run "chapterctl dns apply"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if len(r.Progress.waits) == 0 {
		t.Error("the wait showed no progress")
	}
	// Not one public resolver heard of a record the authoritative servers
	// did not serve (it would cache the absence for hours): asked without
	// recursion, a resolver stand-in answers from its cache only, and
	// refuses what it has never looked up.
	for _, resolver := range dnsq.DefaultResolvers {
		for name, qtype := range map[string]uint16{"_missing.redrockdsa.org": dns.TypeTXT, "my.redrockdsa.org": dns.TypeA} {
			ans, _ := r.Providers.DNS.AskAuthoritative(context.Background(), resolver, name, qtype)
			if ans.Kind != dnsq.Refused {
				t.Errorf("%s has %s %s in its cache (%s): verify asked it before the authoritative servers served it",
					resolver, name, dns.TypeToString[qtype], ans.Kind)
			}
		}
	}
	if st := loadState(t, r.Dir); st.Output("verify", verifiedDigest) != "" {
		t.Error("a failed verify recorded the list as verified")
	}
}

func TestVerifyWithoutARecordListSaysWhatToRun(t *testing.T) {
	r := newSandboxRun(t, testChapter(), NewVerify())
	plans, err := r.Plan(context.Background())
	if err != nil || len(plans) != 1 || len(plans[0].Change.Items) != 1 || plans[0].Change.Items[0].Action != Check {
		t.Fatalf("Plan = %+v, %v; want one check", plans, err)
	}
	err = r.Apply(context.Background())
	if !errors.Is(err, ErrNoExpected) || !strings.Contains(err.Error(), "chapterctl dns apply") {
		t.Fatalf("Apply = %v, want ErrNoExpected naming the command", err)
	}
	if len(r.mutations(t)) != 0 {
		t.Error("verify changed the world")
	}
}

func TestParseExpectedRefusesUnusableLists(t *testing.T) {
	for _, text := range []string{"", "[]", "{", `[{"name":"x.org","type":"BOGUS","values":["1"]}]`, `[{"name":"x.org","type":"A","values":[]}]`} {
		if _, err := ParseExpected(text); err == nil {
			t.Errorf("ParseExpected(%q) accepted it", text)
		}
	}
	exps, err := ParseExpected(`[{"name":"my.x.org","type":"a","values":["203.0.113.10"]}]`)
	if err != nil || len(exps) != 1 || exps[0].Name != "my.x.org" || exps[0].Type != 1 {
		t.Errorf("ParseExpected = %+v, %v", exps, err)
	}
}

// TestVerifyAfterInit runs init's steps as they are built, dns-records and
// verify included: the provisioning path leaves a chapter verify passes
// (the droplet's name gives the reverse name, dns-host's records the app
// names, the apps their certificates).
func TestVerifyAfterInit(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a whole init")
	}
	r := fastDigitalOcean(newSandboxRun(t, testChapter()))
	// Init's own dns-records and verify: a seeded record list here would
	// overwrite what dns-records recorded.
	r.Steps = Init()
	if err := r.Apply(context.Background()); err != nil {
		t.Fatalf("Apply: %v\nprogress: %q", err, r.Progress.lines)
	}
	if !r.Progress.has(t, "✓ Reverse name (PTR) of the server") || !r.Progress.has(t, "✓ certificate: chat.redrockdsa.org") {
		t.Errorf("progress %q: want the reverse name and the apps' certificates checked", r.Progress.lines)
	}
	r.requireEmptyRerun(t)
}
