package checks

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// HostClock is host.clock: the server's clock is synchronised and close
// to this computer's (2FA codes and certificates break when it drifts).
var HostClock = Def{Key: "host.clock", Name: "The server's clock is right", Area: AreaServer,
	Needs: []string{"host.ssh"}, Limit: sshLimit,
	Look: func(ctx context.Context, env *Env) Result {
		h, err := readHost(ctx, env)
		if err != nil {
			return hostUnknown(err)
		}
		epoch, err := strconv.ParseInt(strings.TrimSpace(h.sections["epoch"]), 10, 64)
		if err != nil {
			return unknown("the server's time could not be read", "")
		}
		drift := h.at.Sub(time.Unix(epoch, 0)).Abs().Round(time.Second)
		synced := strings.TrimSpace(h.sections["ntp"]) == "yes"
		fix := `run "chapterctl upgrade" to turn time synchronisation back on`
		switch {
		case drift > 5*time.Minute:
			return Result{Status: Fail, Detail: fmt.Sprintf("the server's clock is %s off", drift), Fix: fix}
		case drift > time.Minute || !synced:
			return Result{Status: Warn, Detail: fmt.Sprintf("the clock is %s off; synchronised: %v", drift, synced), Fix: fix}
		}
		return pass(fmt.Sprintf("synchronised, %s off this computer's", drift))
	}}
