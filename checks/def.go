package checks

import (
	"context"
	"time"
)

// Areas group doctor's output, in the order it shows them.
const (
	AreaChapterctl = "chapterctl"
	AreaDNS        = "DNS"
	AreaServer     = "Server"
	AreaPlatform   = "Platform"
	AreaTLS        = "Certificates"
	AreaMail       = "Email"
	AreaChat       = "Chat"
)

// Def is a check as data: its id, title and place, what it depends on,
// and how it looks. Each check is one Def in a file of its own.
type Def struct {
	Key  string // the id, e.g. "mail.spf"
	Name string // the title
	Area string
	// Impact says who is hurt when it fails, in plain words ("members
	// cannot receive email"): doctor leads a failing group with it.
	Impact string
	// Needs are the ids of the checks this one cannot be right without:
	// when one of them fails, this one's trouble follows from it.
	Needs []string
	Limit time.Duration // 0: doctor's default timeout
	Look  func(ctx context.Context, env *Env) Result
}

func (d Def) ID() string                               { return d.Key }
func (d Def) Title() string                            { return d.Name }
func (d Def) Run(ctx context.Context, env *Env) Result { return d.Look(ctx, env) }
func (d Def) DependsOn() []string                      { return d.Needs }
func (d Def) Timeout() time.Duration                   { return d.Limit }
func (d Def) Group() string                            { return d.Area }
func (d Def) PeopleImpact() string                     { return d.Impact }

// Timeouts by what a check waits on (doctor-checks.md §4).
const (
	dnsLimit  = 6 * time.Second
	httpLimit = 10 * time.Second
	sshLimit  = 15 * time.Second
	apiLimit  = 20 * time.Second
	// mailStatusLimit: Cloudron's mail status runs its DNS, blocklist and
	// SMTP probes on the server (5 s each, some in turn) before answering.
	mailStatusLimit = 45 * time.Second
	rdapLimit       = 10 * time.Second
)

func unknown(detail, fix string) Result { return Result{Status: Unknown, Detail: detail, Fix: fix} }
func pass(detail string) Result         { return Result{Status: Pass, Detail: detail} }
func skip(detail string) Result         { return Result{Status: Skip, Detail: detail} }
