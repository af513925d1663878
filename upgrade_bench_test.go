package main

import "testing"

// BenchmarkSandboxUpgrade is a whole `upgrade --yes` of a chapter whose
// world offers a newer Cloudron and two newer apps, at time scale 0: the
// backup, the three updates and the convergence pass over init's steps,
// process start included.
func BenchmarkSandboxUpgrade(b *testing.B) {
	bin := buildChapterctl(b)
	for b.Loop() {
		b.StopTimer()
		dir := initedForUpgrade(b, bin)
		b.StartTimer()
		if out, err := chapterctl(bin, dir, "upgrade", "--yes"); err != nil {
			b.Fatalf("upgrade: %v\n%s", err, out)
		}
	}
}

// BenchmarkSandboxUpgradeNoOp is the rerun right after an upgrade: every
// step looks at the world and finds nothing to do.
func BenchmarkSandboxUpgradeNoOp(b *testing.B) {
	bin := buildChapterctl(b)
	dir := initedForUpgrade(b, bin)
	if out, err := chapterctl(bin, dir, "upgrade", "--yes"); err != nil {
		b.Fatalf("upgrade: %v\n%s", err, out)
	}
	for b.Loop() {
		if out, err := chapterctl(bin, dir, "upgrade", "--yes"); err != nil {
			b.Fatalf("rerun: %v\n%s", err, out)
		}
	}
}
