package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/chapterctl/chapterctl/internal/sshx"
)

// outElementFederate is recorded ("false") before chapterctl writes
// default_federate into Element's config.json, and cleared once it took it
// out again: with an open policy only a value chapterctl set is removed,
// never one a person chose (docs/decisions.md).
const outElementFederate = "element_default_federate"

// elementWant is what chapterctl owns in Element's config.json: the
// homeserver it points at, and whether new rooms are local by default.
type elementWant struct {
	BaseURL, ServerName string
	// NoFederate: "default_federate": false (allow-list or closed).
	NoFederate bool
}

func (s Chat) elementWant(env *Env) elementWant {
	name := env.Output(s.ID(), outServerName)
	if name == "" {
		name = wantedPolicy(env.Config).ServerName
	}
	return elementWant{BaseURL: "https://" + synapseApp.subdomain + "." + env.Config.Domain, ServerName: name,
		NoFederate: wantedPolicy(env.Config).Restricted}
}

// elementConfig is config.json decoded with numbers kept as written; on
// encoding the keys come out sorted (encoding/json), which Element does
// not mind, and the file is rewritten only when something differs.
type elementConfig map[string]any

func parseElementConfig(raw []byte) (elementConfig, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var cfg elementConfig
	if err := dec.Decode(&cfg); err != nil {
		return nil, err
	}
	if cfg == nil {
		return nil, errors.New("it is null, not an object of settings")
	}
	return cfg, nil
}

func (c elementConfig) homeserver() map[string]any {
	dsc, _ := c["default_server_config"].(map[string]any)
	hs, _ := dsc["m.homeserver"].(map[string]any)
	return hs
}

// differences lists what must change, in words for the plan; owned says
// chapterctl set default_federate.
func (c elementConfig) differences(want elementWant, owned bool) []string {
	var diff []string
	hs := c.homeserver()
	base, _ := hs["base_url"].(string)
	name, _ := hs["server_name"].(string)
	if strings.TrimSuffix(base, "/") != want.BaseURL || name != want.ServerName {
		diff = append(diff, fmt.Sprintf("homeserver %s (%s), not %q (%q)", want.BaseURL, want.ServerName, base, name))
	}
	federate, set := c["default_federate"]
	switch {
	case want.NoFederate && federate != false:
		diff = append(diff, "default_federate false (new rooms stay on this server)")
	case !want.NoFederate && set && owned:
		diff = append(diff, "default_federate removed (new rooms may federate)")
	}
	return diff
}

// apply edits c to want. Other keys of default_server_config (an identity
// server) and of m.homeserver are kept.
func (c elementConfig) apply(want elementWant, owned bool) {
	if c.homeserver() == nil {
		dsc, ok := c["default_server_config"].(map[string]any)
		if !ok {
			dsc = map[string]any{}
			c["default_server_config"] = dsc
		}
		dsc["m.homeserver"] = map[string]any{}
	}
	hs := c.homeserver()
	hs["base_url"], hs["server_name"] = want.BaseURL, want.ServerName
	// Element refuses to load when these are mixed with default_server_config.
	delete(c, "default_server_name")
	delete(c, "default_hs_url")
	if want.NoFederate {
		c["default_federate"] = false
	} else if owned {
		delete(c, "default_federate")
	}
}

func (c elementConfig) bytes() ([]byte, error) {
	raw, err := json.MarshalIndent(map[string]any(c), "", "  ")
	return append(raw, '\n'), err
}

// elementLook is Element's config.json as found on the server.
type elementLook struct {
	file  remoteFile
	cfg   elementConfig
	want  elementWant
	owned bool
	diff  []string
}

func (s Chat) elementResource(env *Env) string { return "settings of " + elementApp.resource(env) }

// elementReady says whether Element's file can be looked at now; else the
// plan's words for when.
func (s Chat) elementReady(env *Env) (string, bool) {
	switch {
	case env.Output(s.ID(), elementApp.key+"_installed") == "":
		return "once Element is installed", false
	case !env.Done(dropletStepID):
		return "once the droplet is ready", false
	}
	return "", true
}

func (s Chat) lookElement(ctx context.Context, env *Env, conn sshx.Runner) (elementLook, error) {
	path, err := appDataPath(elementApp, env.Output(s.ID(), elementApp.key+"_app_id"), "config.json")
	if err != nil {
		return elementLook{}, err
	}
	look := elementLook{file: remoteFile{ssh: conn, path: path, name: "Element's config.json"}, want: s.elementWant(env),
		owned: env.Output(s.ID(), outElementFederate) != ""}
	raw, err := look.file.read(ctx)
	if err != nil {
		return look, err
	}
	if look.cfg, err = parseElementConfig(raw); err != nil {
		return look, fmt.Errorf("chat: Element's config.json (%s on the server) is not valid JSON: %v; fix it, or put back "+
			"config.json.chapterctl.bak from the same folder, then run \"chapterctl init\" again", path, err)
	}
	look.diff = look.cfg.differences(look.want, look.owned)
	return look, nil
}

// planElement is the plan's item for Element's settings, if any.
func (s Chat) planElement(ctx context.Context, env *Env, conn sshx.Runner) (*Item, error) {
	want := s.elementWant(env)
	if when, ok := s.elementReady(env); !ok {
		if !want.NoFederate {
			return nil, nil // the package's preset is checked once it is there
		}
		return &Item{Action: Update, Resource: s.elementResource(env), Detail: "default_federate false, " + when}, nil
	}
	look, err := s.lookElement(ctx, env, conn)
	if err != nil || len(look.diff) == 0 {
		return nil, err
	}
	return &Item{Action: Update, Resource: s.elementResource(env), Detail: strings.Join(look.diff, "; ")}, nil
}

// applyElement mirrors the federation policy in Element and points it at
// the chapter's server. Element is a static client that reads config.json
// in the browser, so no restart follows (docs/decisions.md).
func (s Chat) applyElement(ctx context.Context, env *Env, conn sshx.Runner) error {
	if _, ok := s.elementReady(env); !ok {
		return nil
	}
	look, err := s.lookElement(ctx, env, conn)
	if err != nil {
		return err
	}
	_, federateSet := look.cfg["default_federate"]
	if len(look.diff) == 0 {
		if !look.want.NoFederate && look.owned && !federateSet {
			// A run killed after taking the key out: it is gone, so is
			// chapterctl's claim on it.
			return env.Record(outElementFederate, "")
		}
		return nil
	}
	if look.want.NoFederate && !look.owned {
		// Recorded before the write: a run killed right after it still
		// knows the value is chapterctl's.
		if err := env.Record(outElementFederate, "false"); err != nil {
			return err
		}
		look.owned = true
	}
	if err := look.file.backup(ctx, true); err != nil {
		return err
	}
	look.cfg.apply(look.want, look.owned)
	content, err := look.cfg.bytes()
	if err != nil {
		return fmt.Errorf("chat: write Element's config.json: %w", err)
	}
	if err := look.file.write(ctx, content); err != nil {
		return err
	}
	after, err := s.lookElement(ctx, env, conn)
	if err != nil {
		return err
	}
	if len(after.diff) != 0 {
		return fmt.Errorf("chat: Element's config.json does not hold what chapterctl wrote (%s); check the file in the Cloudron "+
			"dashboard (Element, File Manager), then run \"chapterctl init\" again", strings.Join(after.diff, "; "))
	}
	if !look.want.NoFederate && look.owned && federateSet {
		return env.Record(outElementFederate, "")
	}
	return nil
}
