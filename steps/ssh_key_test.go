package steps

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/chapterctl/chapterctl/internal/sandbox/digitalocean"
	"github.com/chapterctl/chapterctl/internal/sshx"
)

func TestSSHKeyMadeOnceAndRegistered(t *testing.T) {
	run := fastDigitalOcean(newSandboxRun(t, testChapter(), NewSSHKey()))
	if err := run.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	keyFile := run.Dir.KeyFile()
	private, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	for path, mode := range map[string]os.FileMode{keyFile: 0o600, keyFile + ".pub": 0o644} {
		if info, err := os.Stat(path); err != nil || info.Mode().Perm() != mode {
			t.Errorf("%s: %v, mode %v; want %v", path, err, info.Mode().Perm(), mode)
		}
	}
	_, keys, _ := run.digitalOcean()
	st := loadState(t, run.Dir)
	if len(keys) != 1 || keys[0].Fingerprint != st.Output("ssh-key", "fingerprint") || st.Output("ssh-key", "key_id") == "" {
		t.Fatalf("keys at DigitalOcean %+v, outputs %+v", keys, st.Steps["ssh-key"].Outputs)
	}

	run.requireEmptyRerun(t)
	if again, _ := os.ReadFile(keyFile); !bytes.Equal(again, private) {
		t.Fatal("the rerun replaced the key file")
	}
}

// A run killed after registering the key, before recording it, leaves a
// key the account has and the state does not know: it is adopted.
func TestSSHKeyRegisteredByAKilledRunIsAdopted(t *testing.T) {
	run := fastDigitalOcean(newSandboxRun(t, testChapter(), NewSSHKey()))
	_, private, authorized, err := sshx.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Dir.Ensure(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(run.Dir.KeyFile(), private, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run.Providers.DigitalOcean.EnsureKey(context.Background(), "chapterctl", authorized); err != nil {
		t.Fatal(err)
	}
	plans, err := run.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if items := plans[0].Change.Items; len(items) != 1 || items[0].Action != Adopt {
		t.Fatalf("plan = %+v, want adopt", items)
	}
	if err := run.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, keys, _ := run.digitalOcean(); len(keys) != 1 {
		t.Fatalf("keys = %+v, want the one registered", keys)
	}
	if pub, _ := os.ReadFile(run.Dir.KeyFile() + ".pub"); string(pub) != authorized+"\n" {
		t.Fatalf(".pub = %q, want it rewritten from the key", pub)
	}
	run.requireEmptyRerun(t)
}

func TestSSHKeySurvivesRateLimit(t *testing.T) {
	run := fastDigitalOcean(newSandboxRun(t, testChapter(), NewSSHKey()))
	run.breakFault(t, digitalocean.FaultRateLimit, "2")
	if err := run.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, keys, _ := run.digitalOcean(); len(keys) != 1 {
		t.Fatalf("keys = %+v", keys)
	}
}
