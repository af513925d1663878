package chapter

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// header is the first line Marshal writes, so someone who finds the file knows what it
// is and what to do after editing it.
const header = "# chapterctl setup for this chapter (no secrets); edit it, then run \"chapterctl plan\"\n"

// Load reads and parses the chapter.yaml at path. A missing file returns an error that
// wraps fs.ErrNotExist, so callers can offer to run the wizard instead.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("chapter: read setup: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes and validates a chapter.yaml; name is the file name used in messages.
// Every problem found is returned at once, joined and in line order, each a *FieldError,
// so that one edit can fix them all.
func Parse(name string, data []byte) (*Config, error) {
	p := &parser{file: name, lines: map[string]int{}, failed: map[string]bool{}}
	root, fatal := p.document(data)
	if fatal != nil {
		return nil, fatal
	}
	c := Default()
	p.dropDuplicateKeys(root, "")
	p.mapping(root, "", fieldsOf(reflect.ValueOf(&c).Elem()))
	if !c.Mail.Enabled && !hasValue(root, "webmail") {
		// Webmail without mail cannot work; turning mail off should not also require
		// turning off a default the organizer never wrote.
		c.Webmail = WebmailNone
	}
	normalize(&c)
	if p.failed["mail.mailboxes"] || p.failedUnder("organizer.username") {
		// List members and catch-all entries are checked against these; every one would
		// be reported as "not a mailbox" until the type error is fixed.
		p.failed["mail.lists"], p.failed["mail.catch_all"] = true, true
	}

	v := validator{file: name, lineOf: p.lineOf}
	for _, e := range v.check(&c) {
		if !p.failedUnder(e.Field) {
			p.errs = append(p.errs, e)
		}
	}
	if len(p.errs) > 0 {
		slices.SortStableFunc(p.errs, func(a, b *FieldError) int { return cmp.Compare(sortLine(a), sortLine(b)) })
		return nil, joinErrors(p.errs)
	}
	return &c, nil
}

// sortLine puts problems without a line (a required field left out) after the ones
// found while reading the file from top to bottom.
func sortLine(e *FieldError) int {
	if e.Line == 0 {
		return math.MaxInt
	}
	return e.Line
}

// Marshal writes c as chapter.yaml: fields in the order of Config, lists in flow style
// like the examples in the docs, and a header comment. It does not validate.
func (c *Config) Marshal() ([]byte, error) {
	var doc yaml.Node
	if err := doc.Encode(c); err != nil {
		return nil, fmt.Errorf("chapter: encode setup: %w", err)
	}
	flowSequences(&doc)
	var buf bytes.Buffer
	buf.WriteString(header)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("chapter: encode setup: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("chapter: encode setup: %w", err)
	}
	return buf.Bytes(), nil
}

func flowSequences(n *yaml.Node) {
	if n.Kind == yaml.SequenceNode {
		n.Style = yaml.FlowStyle
	}
	for _, child := range n.Content {
		flowSequences(child)
	}
}

// parser collects the problems of one file and the line of every field it saw, so that
// validation errors can point at the line to edit.
type parser struct {
	file   string
	lines  map[string]int  // dotted path, or path[i] for a list item → line
	failed map[string]bool // paths whose value could not be decoded
	errs   []*FieldError
}

func (p *parser) add(line int, field, problem string) {
	p.errs = append(p.errs, &FieldError{File: p.file, Line: line, Field: field, Problem: problem})
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// document returns the top-level mapping, or the single error that makes reading any
// further pointless: bad syntax, nothing in the file, or not a mapping.
func (p *parser) document(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, p.fatal(0, "", "the file is empty; run \"chapterctl init\" to write it, or set at least domain, organizer, region and size")
		}
		return nil, p.syntaxError(err, data)
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		return nil, p.fatal(next.Line, "", "the file holds more than one YAML document; keep one and remove the \"---\" line")
	} else if !errors.Is(err, io.EOF) {
		return nil, p.syntaxError(err, data)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = resolveAlias(root.Content[0])
	}
	switch {
	case isNull(root):
		return nil, p.fatal(0, "", "the file is empty; run \"chapterctl init\" to write it, or set at least domain, organizer, region and size")
	case root.Kind != yaml.MappingNode:
		return nil, p.fatal(root.Line, "", fmt.Sprintf("the file must be a mapping of fields like \"domain: example.org\", not %s", describe(root)))
	}
	return root, nil
}

func (p *parser) fatal(line int, field, problem string) error {
	return &FieldError{File: p.file, Line: line, Field: field, Problem: problem}
}

// parserProblems are the yaml messages raised by its parser rather than its scanner.
// For these yaml reports a line counted from 0 (its scanner errors count from 1), so
// without a correction the message would point one line above the problem.
var parserProblems = []string{
	"did not find expected key",
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"did not find expected '-' indicator",
	"did not find expected node content",
	"did not find expected <document start>",
}

// syntaxError keeps the line yaml reports; its messages carry no other structure.
func (p *parser) syntaxError(err error, data []byte) error {
	msg, line := strings.TrimPrefix(err.Error(), "yaml: "), 0
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		if slices.Contains(parserProblems, msg) {
			// At the end of the file the corrected line can be one past the last.
			lastLine := bytes.Count(bytes.TrimRight(data, "\n"), []byte("\n")) + 1
			line = min(line+1, lastLine)
		}
	}
	return p.fatal(line, "", "not valid YAML: "+msg+"; check the indentation, colons and quotes around this line")
}

// dropDuplicateKeys reports each key set twice in one mapping and removes the later
// copies, so decoding sees one value per key and does not report them again.
func (p *parser) dropDuplicateKeys(n *yaml.Node, prefix string) {
	switch n.Kind {
	case yaml.MappingNode:
		first := map[string]int{}
		kept := n.Content[:0]
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			path := joinPath(prefix, k.Value)
			if line, dup := first[k.Value]; dup {
				p.add(k.Line, path, fmt.Sprintf("%s is set twice (first on line %d); keep only one", path, line))
				continue
			}
			first[k.Value] = k.Line
			p.dropDuplicateKeys(v, path)
			kept = append(kept, k, v)
		}
		n.Content = kept
	case yaml.SequenceNode:
		for _, item := range n.Content {
			p.dropDuplicateKeys(item, prefix)
		}
	}
}

// mapping decodes the keys of n one by one into fields, refusing unknown keys and
// turning yaml's type errors into a message about the field.
func (p *parser) mapping(n *yaml.Node, prefix string, fields []field) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolveAlias(n.Content[i+1])
		path := joinPath(prefix, k.Value)
		f, known := findField(fields, k.Value)
		if !known {
			p.add(k.Line, path, unknownKeyProblem(prefix, k.Value, fields))
			continue
		}
		p.lines[path] = k.Line
		if isNull(v) {
			continue // "key:" with no value means the same as leaving the key out
		}
		if f.nested != nil {
			if v.Kind != yaml.MappingNode {
				p.typeError(v.Line, path, f, v)
				continue
			}
			p.mapping(v, path, f.nested)
			continue
		}
		if err := v.Decode(f.into); err != nil {
			line := v.Line
			var te *yaml.TypeError
			if errors.As(err, &te) && len(te.Errors) > 0 {
				if m := yamlLine.FindStringSubmatch(te.Errors[0]); m != nil {
					line, _ = strconv.Atoi(m[1])
				}
			}
			p.typeError(line, path, f, v)
			continue
		}
		p.recordLines(path, v)
	}
}

func (p *parser) typeError(line int, path string, f field, v *yaml.Node) {
	p.failed[path] = true
	want, kind := expected(f)
	problem := fmt.Sprintf("%s must be %s", path, want)
	// A list or mapping of the right kind failed on an item inside it: saying "not a
	// list" would be confusing, and the line already points at the item.
	if v.Kind == yaml.ScalarNode || v.Kind != kind {
		problem += ", not " + describe(v)
	}
	p.add(line, path, problem)
}

// recordLines remembers the line of each list item and nested key under path, so a
// problem with one mailbox or list member points at its own line.
func (p *parser) recordLines(path string, v *yaml.Node) {
	switch v.Kind {
	case yaml.SequenceNode:
		for i, item := range v.Content {
			p.lines[fmt.Sprintf("%s[%d]", path, i)] = item.Line
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(v.Content); i += 2 {
			key := path + "." + v.Content[i].Value
			p.lines[key] = v.Content[i].Line
			p.recordLines(key, resolveAlias(v.Content[i+1]))
		}
	}
}

// lineOf returns the line of path, or of its nearest parent that was written, so that
// a missing organizer.email points at the organizer block.
func (p *parser) lineOf(path string) int {
	for path != "" {
		if line, ok := p.lines[path]; ok {
			return line
		}
		cut := strings.LastIndexAny(path, ".[")
		if cut < 0 {
			return 0
		}
		path = path[:cut]
	}
	return 0
}

// failedUnder says whether field or one of its parents already has a type error, in
// which case its validation errors would only repeat it.
func (p *parser) failedUnder(field string) bool {
	for f := range p.failed {
		if field == f || strings.HasPrefix(field, f+".") || strings.HasPrefix(field, f+"[") {
			return true
		}
	}
	return false
}

func hasValue(mapping *yaml.Node, key string) bool {
	for i := 0; i+1 < len(mapping.Content); i += 2 {
		if mapping.Content[i].Value == key {
			return !isNull(resolveAlias(mapping.Content[i+1]))
		}
	}
	return false
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// normalize makes an empty list the same as an absent one, so that Parse(Marshal(c))
// gives back exactly c.
func normalize(c *Config) {
	if len(c.FederationAllow) == 0 {
		c.FederationAllow = nil
	}
	if len(c.Mail.Mailboxes) == 0 {
		c.Mail.Mailboxes = nil
	}
	if len(c.Mail.CatchAll) == 0 {
		c.Mail.CatchAll = nil
	}
	if len(c.Mail.Lists) == 0 {
		c.Mail.Lists = nil
	}
}
