package steps

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/chapterctl/chapterctl/internal/digitalocean"
	"github.com/chapterctl/chapterctl/internal/sshx"
	"github.com/chapterctl/chapterctl/templates"
)

// A droplet created a moment ago may be missing from the list by tag for a
// second or two (reference/digitalocean.md): after a lost create answer the
// list is asked again for this long before a second create is sent.
const (
	lostCreateFirstLook = 250 * time.Millisecond
	lostCreateLookFor   = 15 * time.Second
)

// findOrCreateDroplet looks for the chapter's droplet by tag again (a
// killed run may have made it since Plan) and creates it only if none is
// there.
func findOrCreateDroplet(ctx context.Context, env *Env) (digitalocean.Droplet, error) {
	d, found, err := chapterDroplet(ctx, env)
	if err != nil || found {
		return d, err
	}
	if err := checkDropletSize(ctx, env); err != nil {
		return digitalocean.Droplet{}, err
	}
	spec, err := dropletSpec(ctx, env)
	if err != nil {
		return digitalocean.Droplet{}, err
	}
	for attempt := 1; ; attempt++ {
		d, err := env.Providers.DigitalOcean.CreateDroplet(ctx, spec)
		if err == nil {
			return d, env.Record(outID, fmt.Sprint(d.ID))
		}
		if !errors.Is(err, digitalocean.ErrCreateUncertain) || attempt == 2 {
			return digitalocean.Droplet{}, err
		}
		// The create may have happened: adopt what the tag shows, and
		// create again only when nothing is there (the same user data, so
		// the recorded host key stays right).
		d, found, lookErr := lookForLostCreate(ctx, env)
		if lookErr != nil || found {
			return d, lookErr
		}
		env.Log.Info("droplet: the lost create made nothing; creating again", "err", err)
	}
}

// lookForLostCreate lists by tag until the droplet shows or the listing's
// usual lag has passed.
func lookForLostCreate(ctx context.Context, env *Env) (digitalocean.Droplet, bool, error) {
	start, pause := time.Now(), lostCreateFirstLook
	for {
		d, found, err := chapterDroplet(ctx, env)
		if err != nil || found || time.Since(start) > lostCreateLookFor {
			return d, found, err
		}
		env.Progress.Waiting("the droplet a lost create may have made to be listed", time.Since(start))
		select {
		case <-ctx.Done():
			return digitalocean.Droplet{}, false, ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, 4*time.Second)
	}
}

// dropletSpec is the droplet to create. Its SSH host key is made here and
// its public half recorded before the create is sent: once the droplet
// exists, the key it will show is already known. The private half goes
// only into the user data, never into the state.
func dropletSpec(ctx context.Context, env *Env) (digitalocean.DropletSpec, error) {
	fingerprint := env.Output("ssh-key", "fingerprint")
	if fingerprint == "" {
		return digitalocean.DropletSpec{}, errors.New(`droplet: the chapter's SSH key is not registered yet: run "chapterctl init" to do the ssh-key step first`)
	}
	image, err := env.Providers.DigitalOcean.UbuntuImage(ctx, "24.04", "22.04")
	if err != nil {
		return digitalocean.DropletSpec{}, err
	}
	_, hostPrivate, hostPublic, err := sshx.GenerateKey()
	if err != nil {
		return digitalocean.DropletSpec{}, fmt.Errorf("droplet: host key: %w", err)
	}
	userData, err := templates.UserData(templates.CloudInit{HostKeyPrivate: string(hostPrivate), HostKeyPublic: hostPublic})
	if err != nil {
		return digitalocean.DropletSpec{}, fmt.Errorf("droplet: %w", err)
	}
	// A new droplet's key is not rotated yet: say so before naming it.
	for _, out := range [][2]string{{outHostKeyRotated, ""}, {outHostKeyNext, ""}, {outHostKey, hostPublic}} {
		if err := env.Record(out[0], out[1]); err != nil {
			return digitalocean.DropletSpec{}, err
		}
	}
	return digitalocean.DropletSpec{
		Name: env.Config.Hostname(), Region: env.Config.Region, Size: env.Config.Size, Image: image.Slug,
		SSHKeyFingerprints: []string{fingerprint}, UserData: string(userData),
		Tags: []string{stackTag(env)}, IPv6: true, Monitoring: true,
	}, nil
}
