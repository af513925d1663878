package main

import "testing"

// BenchmarkSandboxInit is a whole `init --sandbox --yes` in a world at time
// scale 0: every simulated wait is instant, so what is left is chapterctl's
// own cost (and the simulators'), process start included.
func BenchmarkSandboxInit(b *testing.B) {
	bin := buildChapterctl(b)
	for b.Loop() {
		b.StopTimer()
		dir := sandboxFolder(b, bin)
		b.StartTimer()
		if out, err := chapterctl(bin, dir, "init", "--sandbox", "--yes"); err != nil {
			b.Fatalf("init: %v\n%s", err, out)
		}
	}
}
