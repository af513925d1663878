package main

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// BenchmarkStartupHelp measures a whole process running `--help`: chapterctl
// against a bare cobra binary, to see what chapterctl's own start-up (package
// initialisation, the command tree) costs. Compare the two ns/op.
func BenchmarkStartupHelp(b *testing.B) {
	dir := b.TempDir()
	binaries := map[string]string{
		"chapterctl": ".",
		"barecobra":  "./internal/tools/barecobra",
	}
	for name, pkg := range binaries {
		out := filepath.Join(dir, name)
		if msg, err := exec.Command("go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
			b.Fatalf("build %s: %v\n%s", name, err, msg)
		}
	}
	for _, name := range []string{"barecobra", "chapterctl"} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if err := exec.Command(filepath.Join(dir, name), "--help").Run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
