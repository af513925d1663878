package cmd

import (
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/chapterctl/chapterctl/cmd/ui"
)

func testRoot() *cobra.Command {
	io, _, _, _ := ui.Test()
	return NewCmdRoot(&Factory{IO: io, Now: time.Now, Getenv: func(string) string { return "" }})
}

// walk visits every command a user can see, root first.
func walk(c *cobra.Command, visit func(*cobra.Command)) {
	visit(c)
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() {
			walk(sub, visit)
		}
	}
}

// TestHelpText holds every command to the house rules for help, as
// tailscale's TestDocs does for its own.
func TestHelpText(t *testing.T) {
	walk(testRoot(), func(c *cobra.Command) {
		t.Run(c.CommandPath(), func(t *testing.T) {
			short := c.Short
			if short == "" {
				t.Fatal("no short help")
			}
			if r, _ := utf8.DecodeRuneInString(short); !unicode.IsUpper(r) {
				t.Errorf("short help %q does not start with a capital letter", short)
			}
			if strings.HasSuffix(short, ".") {
				t.Errorf("short help %q ends with a period", short)
			}
			// "Show", not "Shows": the short help is an order to the program.
			if verb := strings.Fields(short)[0]; strings.HasSuffix(verb, "s") && !strings.HasSuffix(verb, "ss") {
				t.Errorf("short help %q does not start with an imperative verb", short)
			}
			if !strings.HasPrefix(c.UseLine(), c.CommandPath()) {
				t.Errorf("usage %q does not start with the full command path", c.UseLine())
			}
			if strings.TrimSpace(c.Example) == "" {
				t.Error("no example")
			}
			for _, line := range strings.Split(c.Example, "\n") {
				line = strings.TrimSpace(line)
				if line != "" && !strings.HasPrefix(line, "#") && !strings.Contains(line, "chapterctl") {
					t.Errorf("example line %q runs no chapterctl command", line)
				}
			}
			check := func(f *pflag.Flag) {
				if strings.TrimSpace(f.Usage) == "" {
					t.Errorf("flag --%s has no usage text", f.Name)
				}
			}
			c.LocalNonPersistentFlags().VisitAll(check)
			c.PersistentFlags().VisitAll(check)
		})
	})
}

// TestContractCommands pins the command names DESIGN.md promises.
func TestContractCommands(t *testing.T) {
	root := testRoot()
	for _, path := range []string{
		"init", "plan", "status", "mail enable", "dns plan", "dns apply", "dns verify",
		"doctor", "upgrade", "sandbox faults", "sandbox break", "sandbox heal",
		"sandbox journal", "sandbox world", "sandbox serve", "version", "completion",
	} {
		c, rest, err := root.Find(strings.Fields(path))
		if err != nil || len(rest) != 0 || c.CommandPath() != "chapterctl "+path {
			t.Errorf("command %q not found (got %q, %v)", path, c.CommandPath(), err)
		}
	}
	flags := map[string][]string{
		"init": {"yes", "sandbox", "world", "config"}, "plan": {"json"}, "status": {"json"},
		"mail enable": {"mailbox", "relay"}, "doctor": {"json", "check"}, "upgrade": {"yes"},
		"sandbox faults": {"json"}, "sandbox world": {"json"}, "sandbox serve": {"json"},
	}
	for path, names := range flags {
		c, _, _ := root.Find(strings.Fields(path))
		for _, name := range names {
			if c.Flags().Lookup(name) == nil {
				t.Errorf("%s has no --%s", path, name)
			}
		}
	}
	for _, name := range []string{"chdir", "debug", "accessible"} {
		if root.PersistentFlags().Lookup(name) == nil {
			t.Errorf("no global --%s", name)
		}
	}
	if root.PersistentFlags().ShorthandLookup("C") == nil {
		t.Error("no global -C")
	}
}
