package checks

import (
	"slices"
)

// Fold groups results by root cause: a check that is not right while a
// check it depends on failed or could not tell follows from that one. Its
// own verdict would only repeat the cause (no A record, so no certificate,
// no federation…), so it becomes Unknown with Cause set to the root: one
// problem counted once. The root is followed through chains (dns.a →
// tls.cert → matrix.federation all point at dns.a).
func Fold(outcomes []Outcome) []Outcome {
	index := map[string]int{}
	for i, o := range outcomes {
		index[o.Check.ID()] = i
	}
	done := make([]bool, len(outcomes))
	var visit func(i int, path []int)
	visit = func(i int, path []int) {
		if done[i] || slices.Contains(path, i) { // a cycle is a bug: left as is
			return
		}
		path = append(path, i)
		o := &outcomes[i]
		for _, dep := range dependsOn(o.Check) {
			j, ok := index[dep]
			if !ok {
				continue
			}
			visit(j, path)
			d := outcomes[j].Result
			if d.Status != Fail && d.Status != Unknown {
				continue
			}
			if o.Result.Status == Pass || o.Result.Status == Skip || o.Result.Cause != "" {
				break
			}
			root := dep
			if d.Cause != "" {
				root = d.Cause
			}
			o.Result.Cause = root
			o.Result.Status = Unknown
			o.Result.Fix = ""
			break
		}
		done[i] = true
	}
	for i := range outcomes {
		visit(i, nil)
	}
	return outcomes
}

func dependsOn(c Check) []string {
	if d, ok := c.(interface{ DependsOn() []string }); ok {
		return d.DependsOn()
	}
	return nil
}

// Impact is who a check's failure hurts, "" when it does not say.
func Impact(c Check) string {
	if d, ok := c.(interface{ PeopleImpact() string }); ok {
		return d.PeopleImpact()
	}
	return ""
}

// AreaOf is the area a check belongs to.
func AreaOf(c Check) string {
	if d, ok := c.(interface{ Group() string }); ok {
		return d.Group()
	}
	return AreaChapterctl
}

// Arrange orders folded outcomes for people: each failing root first,
// those that hurt members before the others, with what follows from it
// right after; then warnings, then what could not be told; then the
// rest in the list's own order.
func Arrange(outcomes []Outcome) []Outcome {
	rank := func(o Outcome) int {
		switch {
		case o.Result.Cause != "":
			return -1 // placed after its root
		case o.Result.Status == Fail && Impact(o.Check) != "":
			return 0
		case o.Result.Status == Fail:
			return 1
		case o.Result.Status == Warn:
			return 2
		case o.Result.Status == Unknown:
			return 3
		}
		return 4
	}
	var roots []Outcome
	for _, o := range outcomes {
		if rank(o) >= 0 {
			roots = append(roots, o)
		}
	}
	slices.SortStableFunc(roots, func(a, b Outcome) int { return rank(a) - rank(b) })
	out := make([]Outcome, 0, len(outcomes))
	for _, r := range roots {
		out = append(out, r)
		for _, o := range outcomes {
			if o.Result.Cause == r.Check.ID() {
				out = append(out, o)
			}
		}
	}
	return out
}
