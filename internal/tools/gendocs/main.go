// Command gendocs writes chapterctl's command reference (Markdown, one page per
// command) from the cobra command tree, so the docs can never say something
// the commands do not do. Run it with `go generate` at the module root.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gendocs DIR")
		os.Exit(2)
	}
	if err := generate(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}
