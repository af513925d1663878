package cloudron

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// flexID is a task id as Cloudron writes it: a string in 9.x ("2742"), a
// number in some older answers and documents (reference/cloudron.md §3).
type flexID string

func (id *flexID) UnmarshalJSON(raw []byte) error {
	raw = bytes.TrimSpace(raw)
	switch {
	case bytes.Equal(raw, []byte("null")):
		*id = ""
		return nil
	case len(raw) > 0 && raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		*id = flexID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return fmt.Errorf("a task id must be a string or a number, not %s", raw)
	}
	if _, err := strconv.ParseInt(n.String(), 10, 64); err != nil {
		return fmt.Errorf("a task id must be a whole number, not %s", raw)
	}
	*id = flexID(n.String())
	return nil
}

// Task is a long-running Cloudron job (install, update, backup…).
type Task struct {
	ID        string
	Type      string // app, backup, update, …
	Percent   int
	Message   string
	Active    bool
	Pending   bool
	Success   bool
	ErrorText string // error.message (errorMessage before v7) when it failed
	ErrorCode string // stopped, crashed, timeout
}

// Done tells whether the task has ended, well or not.
func (t Task) Done() bool { return !t.Active && !t.Pending }

type taskJSON struct {
	ID           flexID `json:"id"`
	Type         string `json:"type"`
	Percent      int    `json:"percent"`
	Message      string `json:"message"`
	Active       bool   `json:"active"`
	Pending      bool   `json:"pending"`
	Success      bool   `json:"success"`
	ErrorMessage string `json:"errorMessage"` // before v7
	Error        *struct {
		Message string `json:"message"`
		Code    string `json:"code"`
	} `json:"error"`
}

func (j taskJSON) task() Task {
	t := Task{ID: string(j.ID), Type: j.Type, Percent: j.Percent, Message: j.Message, Active: j.Active, Pending: j.Pending,
		Success: j.Success, ErrorText: j.ErrorMessage}
	if j.Error != nil {
		t.ErrorText, t.ErrorCode = j.Error.Message, j.Error.Code
	}
	return t
}

// Task reads a task.
func (c *Client) Task(ctx context.Context, id string) (Task, error) {
	t, err := c.task(ctx, id)
	if err != nil {
		return Task{}, fmt.Errorf("cloudron: %w", err)
	}
	return t, nil
}

func (c *Client) task(ctx context.Context, id string) (Task, error) {
	var j taskJSON
	if err := c.do(ctx, call{method: http.MethodGet, path: "/tasks/" + url.PathEscape(id), out: &j}); err != nil {
		return Task{}, fmt.Errorf("read task %s: %w", id, err)
	}
	t := j.task()
	if t.ID == "" {
		t.ID = id
	}
	return t, nil
}

// WaitTask waits until task id ends, calling report (if not nil) whenever
// its progress changes. A task that ends without success is a *TaskError.
// The box restarting (a platform update) does not end the wait.
func (c *Client) WaitTask(ctx context.Context, id string, report func(percent int, message string)) (Task, error) {
	ctx, cancel := withWaitLimit(ctx, taskWaitLimit)
	defer cancel()
	var last Task
	seen := false
	err := poll(ctx, "Cloudron task "+id, func(ctx context.Context) (bool, error) {
		t, err := c.task(ctx, id)
		if err != nil {
			return false, err
		}
		if report != nil && (!seen || t.Percent != last.Percent || t.Message != last.Message) {
			report(t.Percent, t.Message)
		}
		last, seen = t, true
		if !t.Done() {
			return false, nil
		}
		if !t.Success {
			msg := t.ErrorText
			if msg == "" {
				msg = t.Message
			}
			return false, &TaskError{ID: t.ID, Type: t.Type, Message: msg, Code: t.ErrorCode}
		}
		return true, nil
	})
	if err != nil {
		return last, fmt.Errorf("cloudron: %w", err)
	}
	return last, nil
}
