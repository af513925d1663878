package cmd

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Set by the release build (goreleaser.yaml) with -ldflags -X.
var (
	version = ""
	commit  = ""
	date    = ""
)

// Version is this build's version: the release's, else the module version
// `go install …@vX` records, else "dev".
func Version() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}

func NewCmdVersion(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print chapterctl's version",
		Args:    cobra.NoArgs,
		Example: "  chapterctl version",
		RunE: func(*cobra.Command, []string) error {
			line := fmt.Sprintf("chapterctl %s (%s/%s", Version(), runtime.GOOS, runtime.GOARCH)
			if commit != "" {
				line += ", commit " + commit
			}
			if date != "" {
				line += ", built " + date
			}
			_, err := fmt.Fprintln(f.IO.Out, line+")")
			return err
		},
	}
}
