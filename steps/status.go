package steps

import (
	"fmt"

	"github.com/chapterctl/chapterctl/internal/state"
)

// StepStatus is one row of `chapterctl status`. State is one of done, pending
// or failed: the JSON contract has no "running", since a step is only ever
// running inside a live process; one left running was cut short.
type StepStatus struct {
	ID     string `json:"id"`
	State  string `json:"state"`
	Detail string `json:"detail"`
}

// Statuses reports each step of list in order, as the state records it.
func Statuses(list []Outline, st *state.State) []StepStatus {
	rows := make([]StepStatus, 0, len(list))
	for _, o := range list {
		row := StepStatus{ID: o.ID, State: string(state.Pending), Detail: o.Title}
		if rec, ok := st.Lookup(o.ID); ok {
			switch rec.Status {
			case state.Done:
				row.State = string(state.Done)
				if !rec.FinishedAt.IsZero() {
					row.Detail = fmt.Sprintf("%s (done %s)", o.Title, rec.FinishedAt.Local().Format("2006-01-02 15:04"))
				}
			case state.Failed:
				row.State, row.Detail = string(state.Failed), rec.Error
			case state.Running:
				row.Detail = o.Title + " (cut short; rerunning resumes it)"
			}
		}
		rows = append(rows, row)
	}
	return rows
}
