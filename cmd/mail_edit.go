package cmd

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/chapterctl/chapterctl/internal/chapter"
)

// mailEdit is what `mail enable`'s flags add to chapter.yaml.
type mailEdit struct {
	Mailboxes []string
	Lists     map[string][]string // name → members, in flag order
	ListOrder []string
	CatchAll  []string
	Relay     string
}

// parseMailFlags reads the flags; a malformed one is an input error naming it.
func parseMailFlags(opts *MailEnableOptions) (mailEdit, error) {
	e := mailEdit{Mailboxes: lower(opts.Mailboxes), CatchAll: lower(opts.CatchAll), Lists: map[string][]string{}}
	for _, raw := range opts.Lists {
		name, members, ok := strings.Cut(raw, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		if !ok || name == "" || strings.TrimSpace(members) == "" {
			return e, inputErrorf("--list %q: write it as NAME=member,member (e.g. --list board=maria,info)", raw)
		}
		if _, seen := e.Lists[name]; !seen {
			e.ListOrder = append(e.ListOrder, name)
		}
		for _, m := range strings.Split(members, ",") {
			if m = strings.ToLower(strings.TrimSpace(m)); m != "" {
				e.Lists[name] = appendNew(e.Lists[name], m)
			}
		}
	}
	switch opts.Relay {
	case "", chapter.RelayMailgun:
		e.Relay = opts.Relay
	default:
		return e, inputErrorf("--relay %q: the only relay is mailgun", opts.Relay)
	}
	return e, nil
}

func lower(list []string) []string {
	var out []string
	for _, s := range list {
		out = appendNew(out, strings.ToLower(strings.TrimSpace(s)))
	}
	return out
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// applyMailEdit adds e to the chapter.yaml text raw, through yaml.v3's
// node tree so that the organizer's comments and order stay; it turns
// mail on. The caller validates the result with the chapter loader.
func applyMailEdit(raw []byte, e mailEdit) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s is not a YAML mapping; fix it, then run the command again", chapter.FileName)
	}
	mail := mappingValue(doc.Content[0], "mail", yaml.MappingNode)
	if mail.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: mail is not a mapping; fix it, then run the command again", chapter.FileName)
	}
	setScalar(mappingValue(mail, "enabled", yaml.ScalarNode), "true", "!!bool")
	appendToSeq(mappingValue(mail, "mailboxes", yaml.SequenceNode), e.Mailboxes)
	if len(e.ListOrder) > 0 {
		lists := mappingValue(mail, "lists", yaml.MappingNode)
		for _, name := range e.ListOrder {
			appendToSeq(mappingValue(lists, name, yaml.SequenceNode), e.Lists[name])
		}
	}
	appendToSeq(mappingValue(mail, "catch_all", yaml.SequenceNode), e.CatchAll)
	if e.Relay != "" {
		setScalar(mappingValue(mail, "relay", yaml.ScalarNode), e.Relay, "!!str")
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	return out.Bytes(), enc.Close()
}

// mappingValue returns key's value in m, adding it (of kind) when absent.
// A key present with an empty value (null) becomes kind.
func mappingValue(m *yaml.Node, key string, kind yaml.Kind) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v := m.Content[i+1]
			if v.Kind == yaml.ScalarNode && v.Tag == "!!null" && kind != yaml.ScalarNode {
				*v = yaml.Node{Kind: kind, Style: yaml.FlowStyle, LineComment: v.LineComment}
			}
			return v
		}
	}
	v := &yaml.Node{Kind: kind}
	if kind == yaml.SequenceNode {
		v.Style = yaml.FlowStyle // as chapterctl writes lists
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key, Tag: "!!str"}, v)
	return v
}

func setScalar(n *yaml.Node, value, tag string) {
	n.Kind, n.Value, n.Tag, n.Style = yaml.ScalarNode, value, tag, 0
}

func appendToSeq(seq *yaml.Node, values []string) {
	if seq.Kind != yaml.SequenceNode {
		return // the loader names the field's wrong type
	}
	for _, v := range values {
		present := false
		for _, item := range seq.Content {
			present = present || item.Value == v
		}
		if !present {
			seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: v, Tag: "!!str"})
		}
	}
}
