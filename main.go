// Command chapterctl gives a volunteer chapter its own secure chat and email
// on its own domain. See README.md and docs/.
package main

import (
	"os"

	"github.com/chapterctl/chapterctl/cmd"
)

//go:generate go run ./internal/tools/gendocs docs/cli

func main() {
	os.Exit(cmd.Main())
}
