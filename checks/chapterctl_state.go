package checks

import (
	"context"
	"errors"
	"os"
	"strconv"

	"github.com/chapterctl/chapterctl/internal/state"
)

// StateReadable checks .chapterctl/state.json, chapterctl's record of what
// it created: without it, chapterctl has to rediscover the chapter's resources.
type StateReadable struct{}

func (StateReadable) ID() string    { return "chapterctl.state" }
func (StateReadable) Title() string { return "chapterctl's state file is readable" }

func (StateReadable) Run(_ context.Context, env *Env) Result {
	if _, err := os.Stat(env.Dir.StateFile()); errors.Is(err, os.ErrNotExist) {
		return Result{Status: Skip, Detail: "no state file: chapterctl has not set anything up in this folder",
			Fix: `run "chapterctl init" here, or pass -C with the chapter's folder`}
	}
	_, st, err := state.Open(env.Dir.StateFile())
	if err != nil {
		return Result{Status: Fail, Detail: err.Error(),
			Fix: "restore .chapterctl/state.json from .chapterctl/state.json.bak, or move it aside and rerun chapterctl init, which finds the chapter's resources again"}
	}
	return Result{Status: Pass, Detail: "schema " + strconv.Itoa(st.Schema) + ", stack " + st.StackID}
}
