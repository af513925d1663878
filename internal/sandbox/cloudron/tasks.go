package cloudron

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// step is a task step to schedule: its progress and simulated length.
type step struct {
	percent int
	message string
	length  time.Duration
}

// taskSpec describes a task to start.
type taskSpec struct {
	typ, action string
	appID       string
	target      string
	steps       []step
	// wait is the index of the step that waits for waitHost's A record
	// (-1: none).
	wait       int
	waitHost   string
	dnsTimeout time.Duration
}

// startTask adds a task, scheduled from now. The cloudron-task-fails
// fault is taken here, inside the same change, so that it is spent only
// on a task that really starts.
func startTask(c *world.Cloudron, d *world.Data, now time.Time, spec taskSpec) *world.CloudronTask {
	t := &world.CloudronTask{
		ID:        strconv.Itoa(d.Next("cloudron.task")),
		Type:      spec.typ,
		Action:    spec.action,
		AppID:     spec.appID,
		Target:    spec.target,
		CreatedAt: now,
		Wait:      spec.wait,
		WaitHost:  spec.waitHost,
		Crash:     takeFault(d, FaultTaskFails),
	}
	for _, s := range spec.steps {
		t.Steps = append(t.Steps, world.CloudronTaskStep{Percent: s.percent, Message: s.message, Length: s.length})
	}
	schedule(t, 0, now, d)
	if hasWait(t) {
		t.WaitDeadline = t.Steps[t.Wait].At.Add(scaled(d, spec.dnsTimeout))
	}
	if t.Action == "box_update" {
		t.RestartAt = t.EndsAt.Add(-scaled(d, boxRestart))
	}
	c.Tasks = append(c.Tasks, t)
	return t
}

// schedule dates the steps from index from on, starting at at, and sets
// EndsAt, stopping at an unresolved DNS wait.
func schedule(t *world.CloudronTask, from int, at time.Time, d *world.Data) {
	for i := from; i < len(t.Steps); i++ {
		t.Steps[i].At = at
		if hasWait(t) && i == t.Wait && t.WaitReadyAt.IsZero() {
			return
		}
		at = at.Add(scaled(d, t.Steps[i].Length))
	}
	t.EndsAt = at
}

func hasWait(t *world.CloudronTask) bool {
	return t.WaitHost != "" && t.Wait >= 0 && t.Wait < len(t.Steps)
}

// waiting tells whether t is blocked on its DNS wait at now.
func waiting(t *world.CloudronTask, now time.Time) bool {
	return !t.Finished && hasWait(t) && t.WaitReadyAt.IsZero() && !now.Before(t.Steps[t.Wait].At)
}

// restarting tells whether the box is down for a platform update at now.
func restarting(c *world.Cloudron, now time.Time) bool {
	for _, t := range c.Tasks {
		if !t.Finished && !t.RestartAt.IsZero() && !now.Before(t.RestartAt) {
			return true
		}
	}
	return false
}

// takeFault spends one use of a counted fault inside a world change (the
// world's TakeFault would lock the world again).
func takeFault(d *world.Data, name string) bool {
	param, active := d.Faults[name]
	if !active {
		return false
	}
	if n, err := strconv.Atoi(param); err == nil && n > 1 {
		d.Faults[name] = strconv.Itoa(n - 1)
	} else {
		delete(d.Faults, name)
	}
	return true
}

func taskByID(c *world.Cloudron, id string) *world.CloudronTask {
	for _, t := range c.Tasks {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// progress is the step a task has reached at now.
func progress(t *world.CloudronTask, now time.Time) world.CloudronTaskStep {
	cur := world.CloudronTaskStep{Percent: 0, Message: "Starting", At: t.CreatedAt}
	for _, s := range t.Steps {
		if !s.At.IsZero() && !now.Before(s.At) {
			cur = s
		}
	}
	return cur
}

type taskJSON struct {
	ID           string          `json:"id"`
	Type         string          `json:"type"`
	Percent      int             `json:"percent"`
	Message      string          `json:"message"`
	Active       bool            `json:"active"`
	Pending      bool            `json:"pending"`
	Success      bool            `json:"success"`
	Error        *taskErrorJSON  `json:"error"`
	Result       json.RawMessage `json:"result"`
	Args         []string        `json:"args"`
	CreationTime string          `json:"creationTime"`
	TS           string          `json:"ts"`
}

type taskErrorJSON struct {
	Message string `json:"message"`
	Code    string `json:"code,omitempty"`
}

// viewTask renders a task. Tasks run as soon as they are created (app
// tasks of different apps in parallel; whether the real box queues them
// is [U]), so pending is always false.
func viewTask(t *world.CloudronTask, now time.Time) taskJSON {
	cur := progress(t, now)
	v := taskJSON{ID: t.ID, Type: t.Type, Percent: cur.Percent, Message: cur.Message, Active: !t.Finished,
		Result: json.RawMessage("null"), Args: []string{}, CreationTime: isoTime(t.CreatedAt), TS: isoTime(cur.At)}
	if t.AppID != "" {
		v.Args = []string{t.AppID}
	}
	if t.Finished {
		v.Percent, v.TS = 100, isoTime(t.FinishedAt)
		v.Success = t.Error == nil
		if t.Error != nil {
			v.Message = t.Error.Message
			v.Error = &taskErrorJSON{Message: t.Error.Message, Code: t.Error.Code}
		} else {
			v.Message = "Done"
		}
	}
	return v
}

func (s *server) getTask(rw http.ResponseWriter, r *http.Request, _ caller) error {
	now := s.w.Now()
	var v *taskJSON
	s.read(func(c *world.Cloudron, _ *world.Data) {
		if t := taskByID(c, r.PathValue("id")); t != nil {
			tv := viewTask(t, now)
			v = &tv
		}
	})
	if v == nil {
		return fail(http.StatusNotFound, "No such task")
	}
	writeJSON(rw, http.StatusOK, v)
	return nil
}

func (s *server) stopTask(rw http.ResponseWriter, r *http.Request, _ caller) error {
	now := s.w.Now()
	err := s.update(r.Context(), "cloudron.task.stop", func(c *world.Cloudron, d *world.Data) error {
		t := taskByID(c, r.PathValue("id"))
		if t == nil {
			return fail(http.StatusNotFound, "No such task")
		}
		if t.Finished {
			return fail(http.StatusConflict, "task is not active")
		}
		failTask(c, t, now, &world.CloudronError{Message: fmt.Sprintf("Task %s stopped", t.ID), Code: "stopped"})
		return nil
	})
	if err != nil {
		return err
	}
	noContent(rw, http.StatusNoContent)
	return nil
}

// taskLogs answers the task's log as plain text lines, one per step
// reached, in the box's log line format.
func (s *server) taskLogs(rw http.ResponseWriter, r *http.Request, _ caller) error {
	now := s.w.Now()
	var lines []string
	found := s.read(func(c *world.Cloudron, _ *world.Data) {
		t := taskByID(c, r.PathValue("id"))
		if t == nil {
			return
		}
		lines = append(lines, fmt.Sprintf("%s box:tasks %s: starting task %s", isoTime(t.CreatedAt), t.ID, t.Action))
		for _, st := range t.Steps {
			if !st.At.IsZero() && !now.Before(st.At) {
				lines = append(lines, fmt.Sprintf("%s box:tasks %s: {\"percent\":%d,\"message\":%q}", isoTime(st.At), t.ID, st.Percent, st.Message))
			}
		}
		if t.Finished {
			v := viewTask(t, now)
			lines = append(lines, fmt.Sprintf("%s box:tasks %s: finished. success: %t %s", v.TS, t.ID, v.Success, errText(t.Error)))
		}
	})
	if !found || lines == nil {
		return fail(http.StatusNotFound, "No such task")
	}
	rw.Header().Set("Content-Type", "application/x-logs")
	rw.Header().Set("Content-Disposition", `attachment; filename="log.txt"`)
	io.WriteString(rw, strings.Join(lines, "\n")+"\n")
	return nil
}

func errText(e *world.CloudronError) string {
	if e == nil {
		return ""
	}
	return "error: " + e.Message
}
