package chapter

import (
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// field is one key chapter.yaml accepts: a value decoded into into, or, for organizer
// and mail, a mapping of nested fields.
type field struct {
	key    string
	into   any
	nested []field
}

// fieldsOf lists the keys of a struct from its yaml tags, pointing into v, so the keys
// the parser accepts can never drift from the ones Marshal writes.
func fieldsOf(v reflect.Value) []field {
	fields := make([]field, 0, v.NumField())
	for i := range v.NumField() {
		f := field{key: v.Type().Field(i).Tag.Get("yaml")}
		if fv := v.Field(i); fv.Kind() == reflect.Struct {
			f.nested = fieldsOf(fv)
		} else {
			f.into = fv.Addr().Interface()
		}
		fields = append(fields, f)
	}
	return fields
}

func findField(fields []field, key string) (field, bool) {
	for _, f := range fields {
		if f.key == key {
			return f, true
		}
	}
	return field{}, false
}

// expected says in words what a field's value must look like, for type errors, and
// which kind of node holds it.
func expected(f field) (string, yaml.Kind) {
	switch f.into.(type) {
	case *bool:
		return "true or false", yaml.ScalarNode
	case *[]string:
		return "a list of plain values, like [maria, info]", yaml.SequenceNode
	case *map[string][]string:
		return "a mapping of list names to members, like {members: [maria]}", yaml.MappingNode
	case *string:
		return "a single plain value", yaml.ScalarNode
	}
	return "a mapping with its fields indented under it", yaml.MappingNode
}

// describe names what was found instead, quoting a scalar so a typo is easy to spot.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	}
	return "something else"
}

// unknownKeyProblem refuses a key and suggests the known key it most likely means, or
// lists them all when none is close: a typo silently ignored would apply a default the
// organizer did not choose.
func unknownKeyProblem(prefix, key string, fields []field) string {
	path := joinPath(prefix, key)
	if best := closestKey(key, fields); best != "" {
		return fmt.Sprintf("unknown field %q; did you mean %q?", path, joinPath(prefix, best))
	}
	known := make([]string, len(fields))
	for i, f := range fields {
		known[i] = f.key
	}
	in := ""
	if prefix != "" {
		in = " in " + prefix
	}
	return fmt.Sprintf("unknown field %q; the fields%s are %s", path, in, strings.Join(known, ", "))
}

// closestKey returns the known key within two edits of key, if any. The bound keeps
// suggestions to real typos ("regon", "relya", "display-name") and not guesses.
func closestKey(key string, fields []field) string {
	best, bestDist := "", 3
	for _, f := range fields {
		d := editDistance(strings.ToLower(key), f.key)
		if d < bestDist && d < len(key) {
			best, bestDist = f.key, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes: keys are ASCII.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func joinPath(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}
