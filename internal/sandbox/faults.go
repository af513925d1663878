package sandbox

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/chapterctl/chapterctl/internal/sandbox/cloudron"
	"github.com/chapterctl/chapterctl/internal/sandbox/digitalocean"
	"github.com/chapterctl/chapterctl/internal/sandbox/dnssim"
	"github.com/chapterctl/chapterctl/internal/sandbox/droplet"
	"github.com/chapterctl/chapterctl/internal/sandbox/gandi"
	"github.com/chapterctl/chapterctl/internal/sandbox/mailgun"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"github.com/chapterctl/chapterctl/internal/workdir"
)

// Faults lists every fault the world knows, sorted by name.
func Faults() []world.FaultSpec {
	var all []world.FaultSpec
	for _, list := range [][]world.FaultSpec{
		digitalocean.Faults(), gandi.Faults(), dnssim.Faults(), droplet.Faults(),
		cloudron.Faults(), mailgun.Faults(), coreFaults(),
	} {
		all = append(all, list...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	return all
}

func coreFaults() []world.FaultSpec {
	return []world.FaultSpec{
		{Name: world.CrashAt, Kind: world.KindReliability,
			Description: "end the chapterctl process right after the world commits the named mutation (crash-at=POINT or POINT#N; points are in the journal)"},
		{Name: world.Latency, Kind: world.KindReliability,
			Description: "delay every answer of every simulator (latency=200ms)"},
	}
}

// FaultStatus is one row of `sandbox faults`.
type FaultStatus struct {
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	Active      bool   `json:"active"`
	Param       string `json:"param,omitempty"`
	Description string `json:"description"`
}

// FaultStatuses reports every fault and whether data has it active.
func FaultStatuses(data *world.Data) []FaultStatus {
	var rows []FaultStatus
	for _, f := range Faults() {
		param, active := data.Faults[f.Name]
		rows = append(rows, FaultStatus{Name: f.Name, Kind: f.Kind, Active: active, Param: param, Description: f.Description})
	}
	return rows
}

func findFault(name string) (world.FaultSpec, error) {
	for _, f := range Faults() {
		if f.Name == name {
			return f, nil
		}
	}
	return world.FaultSpec{}, fmt.Errorf(`no fault named %q: "chapterctl sandbox faults" lists them`, name)
}

// Break turns a fault on: "NAME" or "NAME=PARAM". A world-state fault
// changes the world now; a served fault is switched on for the simulators.
func Break(dir workdir.Dir, arg string) error {
	name, param, _ := strings.Cut(arg, "=")
	spec, err := findFault(name)
	if err != nil {
		return err
	}
	w, err := open(dir)
	if err != nil {
		return err
	}
	return w.Update(context.Background(), "", func(d *world.Data) error {
		if spec.Break != nil {
			if err := spec.Break(d, param); err != nil {
				return fmt.Errorf("break %s: %w", name, err)
			}
		}
		d.Faults[name] = param
		return nil
	})
}

// Heal turns one fault off, or every active fault when name is "".
func Heal(dir workdir.Dir, name string) error {
	w, err := open(dir)
	if err != nil {
		return err
	}
	var names []string
	if name != "" {
		if _, err := findFault(name); err != nil {
			return err
		}
		names = []string{name}
	} else {
		w.Read(func(d *world.Data) {
			for n := range d.Faults {
				names = append(names, n)
			}
		})
	}
	return w.Update(context.Background(), "", func(d *world.Data) error {
		for _, n := range names {
			spec, err := findFault(n)
			if err != nil {
				return err
			}
			if spec.Heal != nil {
				if err := spec.Heal(d); err != nil {
					return fmt.Errorf("heal %s: %w", n, err)
				}
			}
			delete(d.Faults, n)
		}
		return nil
	})
}

// open loads the world for a change made outside any simulator.
func open(dir workdir.Dir) (*world.World, error) {
	data, err := Load(dir)
	if err != nil {
		return nil, err
	}
	return world.New(data, worldPath(dir), world.Options{}), nil
}
