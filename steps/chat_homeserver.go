package steps

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// synapsePolicy is what chapterctl owns in Synapse's homeserver.yaml
// (docs/decisions.md): the server name, the federation allow-list, and,
// with an allow-list, no notary key servers.
type synapsePolicy struct {
	ServerName string
	// Restricted: federation_domain_whitelist is set to Allow (empty:
	// closed); otherwise the key is absent and every server may federate.
	Restricted bool
	Allow      []string
	// NoKeyServers: trusted_key_servers is []. Wanted exactly when
	// Restricted: matrix.org, the default notary, is outside the list.
	NoKeyServers bool
}

func (p synapsePolicy) equal(q synapsePolicy) bool {
	return p.ServerName == q.ServerName && p.Restricted == q.Restricted && slices.Equal(p.Allow, q.Allow) &&
		p.NoKeyServers == q.NoKeyServers
}

// key identifies the policy, for the state's record of the one Synapse
// runs with.
func (p synapsePolicy) key() string {
	allow := "*"
	if p.Restricted {
		allow = "[" + strings.Join(p.Allow, ",") + "]"
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "server_name=%s\nallow=%s\nno_key_servers=%t\n", p.ServerName, allow, p.NoKeyServers))
	return hex.EncodeToString(sum[:8])
}

// describe says the federation part of the policy in a few words.
func (p synapsePolicy) describe() string {
	switch {
	case !p.Restricted:
		return "open (any Matrix server)"
	case len(p.Allow) == 0:
		return "closed (no other server)"
	}
	return "allow-list (" + strings.Join(p.Allow, ", ") + ")"
}

// homeserver is homeserver.yaml as a YAML node tree: editing it keeps the
// package's comments and every key chapterctl does not own.
type homeserver struct {
	doc  yaml.Node
	root *yaml.Node
}

var errNotMapping = errors.New("its top level is not a mapping of settings")

func parseHomeserver(raw []byte) (*homeserver, error) {
	h := &homeserver{}
	if err := yaml.Unmarshal(raw, &h.doc); err != nil {
		return nil, err
	}
	if h.doc.Kind != yaml.DocumentNode || len(h.doc.Content) != 1 || h.doc.Content[0].Kind != yaml.MappingNode {
		return nil, errNotMapping
	}
	h.root = h.doc.Content[0]
	return h, nil
}

// value is the node of a top-level key, or nil.
func (h *homeserver) value(key string) *yaml.Node {
	for i := 0; i+1 < len(h.root.Content); i += 2 {
		if h.root.Content[i].Value == key {
			return h.root.Content[i+1]
		}
	}
	return nil
}

// set replaces a top-level key's value, or adds the key at the end with
// a comment saying where it came from.
func (h *homeserver) set(key string, value *yaml.Node) {
	for i := 0; i+1 < len(h.root.Content); i += 2 {
		if h.root.Content[i].Value == key {
			value.LineComment = h.root.Content[i+1].LineComment
			h.root.Content[i+1] = value
			return
		}
	}
	name := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key,
		HeadComment: "Set by chapterctl from chapter.yaml."}
	h.root.Content = append(h.root.Content, name, value)
}

func (h *homeserver) remove(key string) {
	for i := 0; i+1 < len(h.root.Content); i += 2 {
		if h.root.Content[i].Value == key {
			h.root.Content = slices.Delete(h.root.Content, i, i+2)
			return
		}
	}
}

// policy reads what the file says, as Synapse would read it: a null
// allow-list is no allow-list.
func (h *homeserver) policy() (synapsePolicy, error) {
	var p synapsePolicy
	if n := h.value("server_name"); n != nil && n.Kind == yaml.ScalarNode {
		p.ServerName = n.Value
	}
	if n := h.value("federation_domain_whitelist"); n != nil && n.Tag != "!!null" {
		if n.Kind != yaml.SequenceNode {
			return p, errors.New("federation_domain_whitelist is not a list")
		}
		p.Restricted, p.Allow = true, []string{}
		for _, item := range n.Content {
			if item.Kind != yaml.ScalarNode {
				return p, errors.New("federation_domain_whitelist holds something other than server names")
			}
			p.Allow = append(p.Allow, item.Value)
		}
	}
	if n := h.value("trusted_key_servers"); n != nil && n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		p.NoKeyServers = true
	}
	return p, nil
}

// apply writes want into the tree. server_name keeps its quoting style.
func (h *homeserver) apply(want synapsePolicy) {
	if n := h.value("server_name"); n != nil && n.Kind == yaml.ScalarNode {
		n.Value = want.ServerName
	} else {
		h.set("server_name", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: want.ServerName, Style: yaml.DoubleQuotedStyle})
	}
	if want.Restricted {
		list := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
		for _, name := range want.Allow {
			list.Content = append(list.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: name})
		}
		h.set("federation_domain_whitelist", list)
	} else {
		h.remove("federation_domain_whitelist")
	}
	if want.NoKeyServers {
		h.set("trusted_key_servers", &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle})
	} else if n := h.value("trusted_key_servers"); n != nil && n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		// Only the empty list is chapterctl's; without it Synapse uses
		// its default notary again.
		h.remove("trusted_key_servers")
	}
}

func (h *homeserver) bytes() ([]byte, error) {
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&h.doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
