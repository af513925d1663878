package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/chapterctl/chapterctl/cmd/ui"
	"github.com/chapterctl/chapterctl/internal/sandbox"
)

// noWorld makes "not a sandbox folder" an input error (exit 2).
func noWorld(err error) error {
	if errors.Is(err, sandbox.ErrNoWorld) {
		return &inputError{msg: err.Error()}
	}
	return err
}

func sandboxFaultsRun(opts *SandboxOptions) error {
	data, err := sandbox.Load(opts.F.Dir)
	if err != nil {
		return noWorld(err)
	}
	rows := sandbox.FaultStatuses(data)
	if opts.JSON {
		return opts.IO.WriteJSON(rows)
	}
	table := make([][]string, len(rows))
	for i, r := range rows {
		mark, name := opts.IO.Mark(ui.MarkPending), r.Name
		if r.Active {
			mark = opts.IO.Mark(ui.MarkFail)
			if r.Param != "" {
				name += "=" + r.Param
			}
		}
		table[i] = []string{mark, name, r.Kind, r.Description}
	}
	fmt.Fprint(opts.IO.Out, opts.IO.Table([]string{"", "FAULT", "KIND", "WHAT IT DOES"}, table))
	return nil
}

// sandboxChangeRun breaks or heals a fault. It takes the folder lock: a
// running init or `sandbox serve` owns the world in memory and would
// overwrite the change.
func sandboxChangeRun(verb string, opts *SandboxOptions) error {
	if !sandbox.Exists(opts.F.Dir) {
		return noWorld(sandbox.ErrNoWorld)
	}
	held, err := lockFolder(opts.F, "sandbox "+verb)
	if err != nil {
		return err
	}
	defer held.Release()
	if verb == "break" {
		err = sandbox.Break(opts.F.Dir, opts.Fault)
	} else {
		err = sandbox.Heal(opts.F.Dir, opts.Fault)
	}
	if err != nil {
		return &inputError{msg: err.Error()}
	}
	switch {
	case verb == "break":
		fmt.Fprintf(opts.IO.Out, "Fault %s is on.\n", opts.Fault)
	case opts.Fault == "":
		fmt.Fprintln(opts.IO.Out, "Every fault is off.")
	default:
		fmt.Fprintf(opts.IO.Out, "Fault %s is off.\n", opts.Fault)
	}
	return nil
}

func sandboxJournalRun(opts *SandboxOptions) error {
	if !sandbox.Exists(opts.F.Dir) {
		return noWorld(sandbox.ErrNoWorld)
	}
	f, err := os.Open(sandbox.JournalPath(opts.F.Dir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil // nothing has asked the world anything yet
	}
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(opts.IO.Out, f)
	return err
}

func sandboxWorldRun(opts *SandboxOptions) error {
	data, err := sandbox.Load(opts.F.Dir)
	if err != nil {
		return noWorld(err)
	}
	view := sandbox.View(data, opts.F.Now())
	if opts.JSON {
		return opts.IO.WriteJSON(view)
	}
	out := opts.IO.Out
	fmt.Fprintln(out, opts.IO.Bold("Droplets"))
	var rows [][]string
	for _, d := range view.Droplets {
		rows = append(rows, []string{fmt.Sprint(d.ID), d.Name, d.Status, d.IP, strings.Join(d.Tags, " ")})
	}
	fmt.Fprint(out, opts.IO.Table([]string{"ID", "NAME", "STATUS", "IP", "TAGS"}, rows))
	for _, zone := range sortedKeys(view.Zones) {
		fmt.Fprintln(out, opts.IO.Bold("Zone "+zone))
		rows = rows[:0]
		for _, r := range view.Zones[zone] {
			rows = append(rows, []string{r.Name, r.Type, fmt.Sprint(r.TTL), strings.Join(r.Values, " ")})
		}
		fmt.Fprint(out, opts.IO.Table([]string{"NAME", "TYPE", "TTL", "VALUES"}, rows))
	}
	if c := view.Cloudron; c != nil {
		fmt.Fprintf(out, "%s %s (activated: %v)\n", opts.IO.Bold("Cloudron"), c.Version, c.Activated)
		rows = rows[:0]
		for _, a := range c.Apps {
			rows = append(rows, []string{a.AppStoreID, a.Subdomain, a.InstallationState, a.Version})
		}
		fmt.Fprint(out, opts.IO.Table([]string{"APP", "SUBDOMAIN", "STATE", "VERSION"}, rows))
	}
	return nil
}

// sandboxServeRun keeps the world's simulators running until interrupted,
// for clients chapterctl does not contain. It holds the folder lock: while
// it runs, the world is in its hands.
func sandboxServeRun(ctx context.Context, opts *SandboxOptions) error {
	if !sandbox.Exists(opts.F.Dir) {
		return noWorld(sandbox.ErrNoWorld)
	}
	held, err := lockFolder(opts.F, "sandbox serve")
	if err != nil {
		return err
	}
	defer held.Release()
	sb, err := sandbox.Start(ctx, opts.F.Dir)
	if err != nil {
		return err
	}
	defer sb.Close()
	sb.StartDropletFronts()
	endpoints := sb.Endpoints()
	if opts.JSON {
		line, err := json.Marshal(endpoints)
		if err != nil {
			return err
		}
		fmt.Fprintln(opts.IO.Out, string(line))
	} else {
		fmt.Fprintf(opts.IO.Out, "DigitalOcean  %s\nGandi         %s\nMailgun       %s\nDNS           %s (authoritative), %s (resolvers)\nCA            %s\n",
			endpoints.DigitalOcean, endpoints.Gandi, endpoints.Mailgun, endpoints.DNS.Authoritative,
			strings.Join(endpoints.DNS.Resolvers, " "), endpoints.CAFile)
		for ip, addr := range endpoints.SSH {
			fmt.Fprintf(opts.IO.Out, "SSH %s  %s\n", ip, addr)
		}
		for ip, url := range endpoints.Cloudron {
			fmt.Fprintf(opts.IO.Out, "Cloudron %s  %s\n", ip, url)
		}
		fmt.Fprintln(opts.IO.Out, "Serving until interrupted (Ctrl-C).")
	}
	<-ctx.Done()
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
