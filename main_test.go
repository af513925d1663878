package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/chapterctl/chapterctl/internal/lock"
	"github.com/chapterctl/chapterctl/internal/sandbox"
	"github.com/chapterctl/chapterctl/internal/sandbox/dnssim"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"github.com/chapterctl/chapterctl/internal/state"
	"github.com/chapterctl/chapterctl/internal/workdir"
)

// TestMain makes the real chapterctl available to the scripts as a command.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"chapterctl": main})
}

// TestScript runs the CLI scenarios in testdata/script, each in a fresh folder.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("NO_COLOR", "1")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": exitCode,
			"holdlock": holdLock,
			"journal":  journalCmd,
			// seed-expected stands for the dns-records step until it is built.
			"seed-expected": seedExpected,
		},
	})
}

// exitcode N PROGRAM ARGS... runs PROGRAM and checks it exits with N; its
// output is then there for stdout and stderr as after exec.
func exitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %v", err)
	}
	got := 0
	var exitErr *exec.ExitError
	if err := ts.Exec(args[1], args[2:]...); errors.As(err, &exitErr) {
		got = exitErr.ExitCode()
	} else if err != nil {
		ts.Fatalf("exitcode: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// holdlock takes the chapter folder's lock for the rest of the script, as a
// running chapterctl would.
func holdLock(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: holdlock")
	}
	dir := workdir.Dir{Root: ts.MkAbs(".")}
	ts.Check(dir.Ensure())
	held, err := lock.Acquire(dir.LockFile(), "init", time.Now())
	ts.Check(err)
	ts.Defer(func() { held.Release() })
}

// journal mark | journal quiet: "mark" remembers how long the sandbox
// journal is; "quiet" fails if any request since the mark changed the world
// (a rerun must make 0 mutating requests).
func journalCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 || (args[0] != "mark" && args[0] != "quiet") {
		ts.Fatalf("usage: journal mark|quiet")
	}
	dir := workdir.Dir{Root: ts.MkAbs(".")}
	data, err := os.ReadFile(sandbox.JournalPath(dir))
	ts.Check(err)
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	markFile := ts.MkAbs(".journal-mark")
	if args[0] == "mark" {
		ts.Check(os.WriteFile(markFile, []byte(strconv.Itoa(len(lines))), 0o600))
		return
	}
	raw, err := os.ReadFile(markFile)
	ts.Check(err)
	from, _ := strconv.Atoi(string(raw))
	for _, line := range lines[from:] {
		var e world.Entry
		ts.Check(json.Unmarshal([]byte(line), &e))
		if e.Mutating {
			ts.Fatalf("a request changed the world after the mark: %s", line)
		}
	}
	ts.Logf("%d requests since the mark, none mutating", len(lines)-from)
}

// seed-expected DOMAIN records, as the dns-records step's "expected"
// output, the sandbox zone of DOMAIN as Gandi holds it now: a record list
// the zone is known to match, for scripts that break it afterwards.
func seedExpected(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: seed-expected DOMAIN")
	}
	dir := workdir.Dir{Root: ts.MkAbs(".")}
	data, err := sandbox.Load(dir)
	ts.Check(err)
	sets := dnssim.PlainZone(data, args[0])
	if len(sets) == 0 {
		ts.Fatalf("seed-expected: the sandbox has no zone %s", args[0])
	}
	text, err := json.Marshal(sets)
	ts.Check(err)
	store, st, err := state.Open(dir.StateFile())
	ts.Check(err)
	st.Step("dns-records").SetOutput("expected", string(text))
	ts.Check(store.Save(st))
}
