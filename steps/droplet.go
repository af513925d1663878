package steps

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/digitalocean"
)

// Cloudron's floor (reference/cloudron-operations.md): less memory or disk
// and the installer refuses, or the apps do not fit.
const (
	minDropletMemoryMiB = 2048
	minDropletDiskGB    = 20
)

// The droplet step's outputs.
const (
	outID          = "id"
	outIPv4        = "ipv4"
	outIPv6        = "ipv6"
	outHostKey     = "host_key"      // the pinned host key, authorized_keys form
	outHostKeyNext = "host_key_next" // a rotation in flight: the key being installed
	// outHostKeyRotated is "true" once the cloud-init host key (whose
	// private half the droplet's metadata keeps) has been replaced.
	outHostKeyRotated = "host_key_rotated"
)

// dropletStep finds the chapter's droplet by its stack tag, or creates it;
// waits until it is active; then replaces its host key over a connection
// pinned to the key cloud-init installed, and writes known_hosts.
type dropletStep struct{}

// NewDroplet is the droplet step.
func NewDroplet() Step { return dropletStep{} }

func (dropletStep) ID() string    { return "droplet" }
func (dropletStep) Title() string { return "Server droplet at DigitalOcean" }

// stackTag marks everything chapterctl makes for this chapter. The droplet
// is found by it, never by name: names are not unique at DigitalOcean.
func stackTag(env *Env) string { return "chapterctl:" + env.StackID() }

func (s dropletStep) Plan(ctx context.Context, env *Env) (Change, error) {
	name := env.Config.Hostname()
	d, found, err := chapterDroplet(ctx, env)
	if err != nil {
		return Change{}, err
	}
	if !found {
		if err := checkDropletSize(ctx, env); err != nil {
			return Change{}, err
		}
		return Change{Items: []Item{{Action: Create, Resource: "droplet " + name,
			Detail: fmt.Sprintf("%s in %s, Ubuntu LTS, tagged %s", env.Config.Size, env.Config.Region, stackTag(env))}}}, nil
	}
	resource := fmt.Sprintf("droplet %s (%d)", name, d.ID)
	if env.Output(s.ID(), outID) != strconv.Itoa(d.ID) {
		return Change{Items: []Item{{Action: Adopt, Resource: resource, Detail: "found by its tag " + stackTag(env)}}}, nil
	}
	var todo []string
	if d.Status != "active" || d.PublicIPv4 == "" || env.Output(s.ID(), outIPv4) != d.PublicIPv4 {
		todo = append(todo, "wait until it is active")
	}
	if env.Output(s.ID(), outHostKeyRotated) != "true" || env.Output(s.ID(), outHostKeyNext) != "" {
		todo = append(todo, "replace the SSH host key cloud-init installed")
	}
	if !knownHostsCurrent(env, d.PublicIPv4) {
		todo = append(todo, "write "+env.Folder().Rel(env.Folder().KnownHosts()))
	}
	if len(todo) == 0 {
		return Change{}, nil
	}
	return Change{Items: []Item{{Action: Update, Resource: resource, Detail: strings.Join(todo, "; ")}}}, nil
}

func (s dropletStep) Apply(ctx context.Context, env *Env, _ Change) error {
	d, err := s.createdAndActive(ctx, env)
	if errors.Is(err, digitalocean.ErrCreateFailed) {
		// The create action errored: that droplet never starts and holds
		// nothing. It is ours (tagged), so it is deleted and made anew,
		// once; a second failure is DigitalOcean's to explain.
		env.Log.Warn("droplet create errored; deleting it and creating another", "id", d.ID)
		if err := env.Providers.DigitalOcean.DeleteDroplet(ctx, d.ID); err != nil {
			return err
		}
		if err := env.Record(outID, ""); err != nil {
			return err
		}
		d, err = s.createdAndActive(ctx, env)
	}
	if err != nil {
		return err
	}
	for _, out := range [][2]string{{outIPv4, d.PublicIPv4}, {outIPv6, d.PublicIPv6}} {
		if env.Output(s.ID(), out[0]) != out[1] {
			if err := env.Record(out[0], out[1]); err != nil {
				return err
			}
		}
	}
	if err := settleHostKey(ctx, env, d.PublicIPv4); err != nil {
		return err
	}
	return writeKnownHosts(env, d.PublicIPv4)
}

// createdAndActive finds or creates the droplet, records its id at once,
// and waits until it is active.
func (s dropletStep) createdAndActive(ctx context.Context, env *Env) (digitalocean.Droplet, error) {
	d, err := findOrCreateDroplet(ctx, env)
	if err != nil {
		return d, err
	}
	if id := strconv.Itoa(d.ID); env.Output(s.ID(), outID) != id {
		if err := env.Record(outID, id); err != nil {
			return d, err
		}
	}
	what := "droplet " + env.Config.Hostname() + " to become active"
	active, err := env.Providers.DigitalOcean.WaitActive(ctx, d.ID, func(waited time.Duration, _ string) {
		env.Progress.Waiting(what, waited)
	})
	if err != nil {
		return d, err
	}
	return active, nil
}

// chapterDroplet is the droplet tagged with this chapter's stack tag. Two
// are refused: which one is the chapter's is for a person to say.
func chapterDroplet(ctx context.Context, env *Env) (digitalocean.Droplet, bool, error) {
	list, err := env.Providers.DigitalOcean.DropletsByTag(ctx, stackTag(env))
	switch {
	case err != nil:
		return digitalocean.Droplet{}, false, err
	case len(list) == 0:
		return digitalocean.Droplet{}, false, nil
	case len(list) > 1:
		ids := make([]string, 0, len(list))
		for _, d := range list {
			ids = append(ids, strconv.Itoa(d.ID))
		}
		return digitalocean.Droplet{}, false, fmt.Errorf("droplet: %d droplets carry the tag %s (ids %s): "+
			"delete the ones that are not the chapter's server in the DigitalOcean control panel, then run chapterctl again",
			len(list), stackTag(env), strings.Join(ids, ", "))
	}
	return list[0], true, nil
}

// checkDropletSize refuses, before anything is created, a size too small
// for Cloudron or not offered in the region.
func checkDropletSize(ctx context.Context, env *Env) error {
	sizes, err := env.Providers.DigitalOcean.Sizes(ctx, env.Config.Region)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(sizes, func(s digitalocean.Size) bool { return s.Slug == env.Config.Size })
	if i < 0 {
		return fmt.Errorf("droplet: the size %q in chapter.yaml's size field is not offered in region %q; pick one that is (\"s-2vcpu-4gb\" for instance)",
			env.Config.Size, env.Config.Region)
	}
	if sz := sizes[i]; sz.MemoryMiB < minDropletMemoryMiB || sz.Disk < minDropletDiskGB {
		return fmt.Errorf("droplet: the size %q in chapter.yaml's size field has %d MiB of memory and %d GB of disk, "+
			"but Cloudron needs at least %d MiB and %d GB, so set size to a larger one such as s-2vcpu-4gb",
			sz.Slug, sz.MemoryMiB, sz.Disk, minDropletMemoryMiB, minDropletDiskGB)
	}
	return nil
}
