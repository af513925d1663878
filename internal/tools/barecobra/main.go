// Command barecobra is a cobra program with one command and nothing else: the
// baseline that BenchmarkStartupHelp compares chapterctl's start-up against.
package main

import (
	"os"

	"github.com/spf13/cobra"
)

func main() {
	root := &cobra.Command{Use: "bare", Short: "Do nothing", Run: func(*cobra.Command, []string) {}}
	if root.Execute() != nil {
		os.Exit(1)
	}
}
