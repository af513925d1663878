package debuglog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const secret = "tok_9f8e7d6c5b4a"

// account resolves, through LogValue, to a group that holds the secret.
type account struct{ name, token string }

func (a account) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", a.name), slog.String("auth", "Bearer "+a.token))
}

// bearer prints the secret through fmt.Stringer.
type bearer struct{ token string }

func (b bearer) String() string { return "Bearer " + b.token }

// openTemp opens a log in a fresh directory; readLog closes it and returns
// the bytes that reached the file.
func openTemp(t *testing.T, r *Redactor) *Log {
	t.Helper()
	l, err := Open(t.TempDir(), time.Now(), r, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return l
}

func readLog(t *testing.T, l *Log) string {
	t.Helper()
	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	data, err := os.ReadFile(l.Path)
	if err != nil {
		t.Fatalf("read log: %v", err)
	}
	return string(data)
}

func TestHandlerRedactsSecrets(t *testing.T) {
	tests := []struct {
		name string
		log  func(r *Redactor, l *slog.Logger)
		hide string   // must not appear in the file
		keep []string // non-secret text that must survive intact
	}{
		{"message", func(r *Redactor, l *slog.Logger) {
			l.Info("using token " + secret + " for droplet 42")
		}, secret, []string{"using token ", " for droplet 42"}},
		{"string attr", func(r *Redactor, l *slog.Logger) {
			l.Debug("request", "header", "Bearer "+secret, "droplet", 42)
		}, secret, []string{"header=\"Bearer ", "droplet=42", "level=DEBUG"}},
		{"error attr", func(r *Redactor, l *slog.Logger) {
			err := fmt.Errorf("gandi: put record: %w", errors.New("bad key "+secret))
			l.Error("step failed", "err", err)
		}, secret, []string{"gandi: put record: bad key ", "step failed"}},
		{"nested group", func(r *Redactor, l *slog.Logger) {
			l.Info("call", slog.Group("http", slog.Group("req", slog.String("url", "https://x/?t="+secret), slog.Int("try", 2))))
		}, secret, []string{"http.req.url=", "http.req.try=2"}},
		{"WithAttrs", func(r *Redactor, l *slog.Logger) {
			l.With("client", "key="+secret, "region", "fra1").Info("ready")
		}, secret, []string{"region=fra1", "msg=ready"}},
		{"WithGroup and WithAttrs", func(r *Redactor, l *slog.Logger) {
			l.WithGroup("do").With("auth", secret).Info("ready", "n", 1)
		}, secret, []string{"do.auth=", "do.n=1"}},
		{"LogValuer", func(r *Redactor, l *slog.Logger) {
			l.Info("login", "account", account{name: "chapter", token: secret})
		}, secret, []string{"account.name=chapter", "account.auth=\"Bearer "}},
		{"Stringer", func(r *Redactor, l *slog.Logger) {
			l.Info("header", "value", bearer{secret})
		}, secret, []string{"value=\"Bearer "}},
		{"string slice", func(r *Redactor, l *slog.Logger) {
			l.Info("exec", "argv", []string{"curl", "-H", "X-Token: " + secret})
		}, secret, []string{"curl -H X-Token: "}},
		{"struct", func(r *Redactor, l *slog.Logger) {
			l.Info("config", "cfg", struct{ User, Pass string }{"admin", secret})
		}, secret, []string{"User:admin"}},
		{"number", func(r *Redactor, l *slog.Logger) {
			r.Add("918273")
			l.Info("pin", "code", 918273, "tries", 3)
		}, "918273", []string{"tries=3"}},
		{"key api_token, unregistered value", func(r *Redactor, l *slog.Logger) {
			l.Info("auth", "api_token", "unregistered-value-1", "user", "chapter")
		}, "unregistered-value-1", []string{"api_token=" + Redacted, "user=chapter"}},
		{"key Authorization in group, unregistered value", func(r *Redactor, l *slog.Logger) {
			l.Info("req", slog.Group("headers", slog.String("Authorization", "Bearer unregistered-2"), slog.String("Accept", "json")))
		}, "unregistered-2", []string{"headers.Authorization=" + Redacted, "headers.Accept=json"}},
		{"secret key hides a whole group", func(r *Redactor, l *slog.Logger) {
			l.Info("ssh", slog.Group("credentials", slog.String("user", "unregistered-3")))
		}, "unregistered-3", []string{"credentials=" + Redacted}},
		{"secret key via With", func(r *Redactor, l *slog.Logger) {
			l.With(slog.Int("password", 55667788)).Info("db")
		}, "55667788", []string{"password=" + Redacted}},
		{"secret that the text handler would escape", func(r *Redactor, l *slog.Logger) {
			r.Add(`pa"ss wo\rd`)
			l.Info("pw", "value", `x pa"ss wo\rd y`)
		}, `pa\"ss wo\\rd`, []string{`value="x ` + Redacted + ` y"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRedactor(secret)
			l := openTemp(t, r)
			tt.log(r, l.Logger)
			got := readLog(t, l)

			if tt.hide != "" && strings.Contains(got, tt.hide) {
				t.Errorf("log contains %q:\n%s", tt.hide, got)
			}
			if !strings.Contains(got, Redacted) {
				t.Errorf("log lacks %q:\n%s", Redacted, got)
			}
			for _, k := range tt.keep {
				if !strings.Contains(got, k) {
					t.Errorf("log lost %q:\n%s", k, got)
				}
			}
		})
	}
}

// The record logged after Add must be clean even though its logger was
// derived, and its attributes redacted, before the secret was known.
func TestHandlerSecretAddedAfterWith(t *testing.T) {
	r := NewRedactor()
	var buf bytes.Buffer
	derived := slog.New(NewHandler(slog.NewTextHandler(&buf, nil), r)).
		WithGroup("cfg").With("dsn", "postgres://late-secret-xyz@db")

	derived.Info("before")
	if !strings.Contains(buf.String(), "late-secret-xyz") {
		t.Fatalf("unregistered value was hidden before Add: %s", buf.String())
	}
	buf.Reset()
	r.Add("late-secret-xyz")
	derived.Info("after")
	if got := buf.String(); strings.Contains(got, "late-secret-xyz") || !strings.Contains(got, "cfg.dsn=postgres://"+Redacted+"@db") {
		t.Errorf("record after Add = %q, want the dsn redacted", got)
	}
}

func TestHandlerNilRedactorStillHidesSecretKeys(t *testing.T) {
	var buf bytes.Buffer
	slog.New(NewHandler(slog.NewTextHandler(&buf, nil), nil)).Info("m", "token", "abcdefgh", "n", 1)
	if got, want := buf.String(), "token="+Redacted+" n=1"; !strings.Contains(got, want) {
		t.Errorf("got %q, want it to contain %q", got, want)
	}
}

func TestHandlerEnabledFollowsNext(t *testing.T) {
	h := NewHandler(slog.NewTextHandler(&bytes.Buffer{}, &slog.HandlerOptions{Level: slog.LevelWarn}), NewRedactor())
	for _, h := range []slog.Handler{h, h.WithGroup("g").WithAttrs([]slog.Attr{slog.Int("a", 1)})} {
		if h.Enabled(context.Background(), slog.LevelInfo) {
			t.Error("Enabled(Info) = true under a Warn handler")
		}
		if !h.Enabled(context.Background(), slog.LevelError) {
			t.Error("Enabled(Error) = false under a Warn handler")
		}
	}
}

// Run with -race: Add races with Handle and with the derived handlers' cache.
// Each secret is logged only after Add returned, so it must never be written.
func TestConcurrentAddWhileLogging(t *testing.T) {
	r := NewRedactor()
	l := openTemp(t, r)
	derived := l.Logger.WithGroup("run").With("id", 7)

	const count = 200
	secrets := make(chan string)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range secrets {
				derived.Info("got "+s, "value", s)
				l.Logger.Debug("plain", "n", len(s))
			}
		}()
	}
	var all []string
	for i := range count {
		s := "concurrent-secret-" + strconv.Itoa(1000+i)
		all = append(all, s)
		r.Add(s)
		secrets <- s
	}
	close(secrets)
	wg.Wait()

	got := readLog(t, l)
	if n := strings.Count(got, "\n"); n != 2*count {
		t.Errorf("log has %d lines, want %d", n, 2*count)
	}
	for _, s := range all {
		if strings.Contains(got, s) {
			t.Fatalf("log contains %q", s)
		}
	}
}
