package checks

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"

	"github.com/chapterctl/chapterctl/internal/secrets"
)

// SecretsPrivate checks that .chapterctl/secrets.json, which holds the
// provider tokens and the admin password, is readable by its owner only.
type SecretsPrivate struct{}

func (SecretsPrivate) ID() string    { return "chapterctl.secrets-mode" }
func (SecretsPrivate) Title() string { return "The secrets file is private" }

func (SecretsPrivate) Run(_ context.Context, env *Env) Result {
	path := env.Dir.SecretsFile()
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return Result{Status: Skip, Detail: "no secrets are stored in this folder"}
	case err != nil:
		return Result{Status: Unknown, Detail: err.Error()}
	case runtime.GOOS == "windows":
		// Windows has ACLs, not mode bits; the mode says nothing there.
		return Result{Status: Skip, Detail: "file modes do not apply on Windows"}
	}
	if mode := info.Mode().Perm(); mode&0o077 != 0 {
		return Result{Status: Fail,
			Detail: fmt.Sprintf(".chapterctl/secrets.json has mode %04o: other users of this computer can read the chapter's tokens", mode),
			Fix:    "run: chmod 600 .chapterctl/secrets.json"}
	}
	if _, err := secrets.Load(path); err != nil {
		return Result{Status: Fail, Detail: err.Error(), Fix: "fix .chapterctl/secrets.json by hand, or remove it and run chapterctl init again to re-enter the tokens"}
	}
	return Result{Status: Pass, Detail: "mode 0600"}
}
