package checks

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/internal/digitalocean"
	"github.com/chapterctl/chapterctl/internal/dnsq"
	"github.com/chapterctl/chapterctl/internal/gandi"
	"github.com/chapterctl/chapterctl/internal/state"
	"github.com/chapterctl/chapterctl/internal/workdir"
)

// offline is a network that is off: every connection is refused, or,
// when hang is set, never answers until the caller gives up.
type offline struct{ hang bool }

func (o offline) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	if o.hang {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return nil, errors.New("connect: network is unreachable")
}

// TestDoctorWithTheNetworkOff: with nothing reachable, every check that
// needs the network says it could not tell (or does not apply): none
// passes and none fails, and doctor ends within its timeouts.
func TestDoctorWithTheNetworkOff(t *testing.T) {
	for _, hang := range []bool{false, true} {
		dialer := offline{hang: hang}
		dir := workdir.Dir{Root: t.TempDir()}
		dir.Ensure()
		st := state.New()
		st.Steps["droplet"] = &state.Step{Status: state.Done, Outputs: map[string]string{"ipv4": "203.0.113.10",
			"host_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"}}
		cfg := &chapter.Config{Domain: "redrockdsa.org", Chat: "matrix", MatrixServerName: "domain", Mail: chapter.Mail{Enabled: true}}
		env := &Env{Dir: dir, Config: cfg, State: st, Dialer: dialer,
			DNS:          &dnsq.Querier{Dialer: dialer, Timeout: 200 * time.Millisecond},
			Cloudron:     cloudron.New("https://my.redrockdsa.org/", dialer, cloudron.Options{Token: "t", RequestTimeout: time.Second}),
			Gandi:        gandi.New("pat", dialer, nil),
			DigitalOcean: digitalocean.New("dop", dialer, nil),
		}
		exps := []dnsq.Expectation{{Name: "my.redrockdsa.org", Type: 1, Values: []string{"203.0.113.10"}}}
		local := map[string]bool{"chapterctl.state": true, "chapterctl.secrets-mode": true}
		list := All(exps)
		for i, c := range list {
			if d, ok := c.(Def); ok {
				d.Limit = 2 * time.Second // the test's bound, not the product's
				list[i] = d
			}
		}
		start := time.Now()
		out := Fold(Run(context.Background(), env, list, 2*time.Second))
		if took := time.Since(start); took > 10*time.Second {
			t.Errorf("hang=%v: doctor took %s with the network off", hang, took)
		}
		for _, o := range out {
			id, r := o.Check.ID(), o.Result
			if local[id] {
				continue
			}
			if r.Status == Pass || r.Status == Fail || r.Status == Warn {
				t.Errorf("hang=%v: %s is %s with the network off: %s", hang, id, r.Status, r.Detail)
			}
		}
	}
}
