package cmd

import (
	"github.com/spf13/cobra"
)

func NewCmdCompletion(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "completion SHELL",
		Short: "Print the shell completion script for bash, zsh, fish or powershell",
		Long: `Print a script that makes your shell complete chapterctl's commands and flags.
Load it in the current shell, or save it where your shell reads completions.`,
		Example: `  # bash, this shell only
  source <(chapterctl completion bash)

  # zsh, every new shell
  chapterctl completion zsh > "${fpath[1]}/_chapterctl"

  # fish
  chapterctl completion fish > ~/.config/fish/completions/chapterctl.fish`,
		ValidArgs: []string{"bash", "zsh", "fish", "powershell"},
		Args:      cobra.MatchAll(cobra.ExactArgs(1), cobra.OnlyValidArgs),
		// Completion scripts are generated from the tree, so they cover every
		// command and flag without being kept by hand.
		RunE: func(c *cobra.Command, args []string) error {
			root, out := c.Root(), f.IO.Out
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(out, true)
			case "zsh":
				return root.GenZshCompletion(out)
			case "fish":
				return root.GenFishCompletion(out, true)
			default:
				return root.GenPowerShellCompletionWithDesc(out)
			}
		},
	}
}
