package lock

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSecondAcquireIsRefusedWithHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	since := time.Date(2026, 11, 25, 14, 2, 0, 0, time.UTC)
	first, err := Acquire(path, "init", since)
	if err != nil {
		t.Fatalf("first Acquire: %v", err)
	}
	_, err = Acquire(path, "upgrade", since)
	var held *HeldError
	if !errors.As(err, &held) {
		t.Fatalf("second Acquire error = %v, want *HeldError", err)
	}
	if held.Holder == nil || held.Holder.PID != os.Getpid() || held.Holder.Command != "init" {
		t.Fatalf("holder = %+v, want this pid running init", held.Holder)
	}
	if !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) {
		t.Errorf("message %q does not name the pid", err)
	}

	if err := first.Release(); err != nil {
		t.Fatalf("Release: %v", err)
	}
	if _, err := os.Stat(path + ".info"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("holder info still present after release: %v", err)
	}
	again, err := Acquire(path, "plan", since)
	if err != nil {
		t.Fatalf("Acquire after release: %v", err)
	}
	again.Release()
}

func TestHeldWithoutReadableInfoStillRefuses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	first, err := Acquire(path, "init", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer first.Release()
	if err := os.WriteFile(path+".info", []byte("{half"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(path, "plan", time.Now())
	var held *HeldError
	if !errors.As(err, &held) || held.Holder != nil {
		t.Fatalf("error = %v, want a HeldError without holder", err)
	}
	if !strings.Contains(err.Error(), "another chapterctl process") {
		t.Errorf("message %q does not explain the refusal", err)
	}
}
