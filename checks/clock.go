package checks

import "time"

// ClockTime is t as an organizer reads it on their own clock: "14:05"
// today, "Nov 26 14:05" on another day.
func ClockTime(t, now time.Time) string {
	t, now = t.Local(), now.Local()
	if y, m, d := t.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return t.Format("15:04")
	}
	return t.Format("Jan 2 15:04")
}
