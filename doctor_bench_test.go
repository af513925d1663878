package main

import (
	"encoding/json"
	"os/exec"
	"testing"
	"time"
)

// BenchmarkDoctorLatency runs doctor with 200 ms added to every answer of
// every simulated service. Checks run concurrently and share answers, so
// the wall time should be close to the slowest single check, not the sum:
// wall/slowest and sum/wall are reported.
func BenchmarkDoctorLatency(b *testing.B) {
	bin := buildChapterctl(b)
	dir := doctorFolder(b, bin)
	if out, err := chapterctl(bin, dir, "sandbox", "break", "latency=200ms"); err != nil {
		b.Fatalf("break: %v\n%s", err, out)
	}
	var wall, slowest, sum time.Duration
	for b.Loop() {
		start := time.Now()
		out, _ := exec.Command(bin, "-C", dir, "doctor", "--json").Output()
		wall += time.Since(start)
		var v struct {
			Checks []struct {
				DurationMS int64 `json:"duration_ms"`
			} `json:"checks"`
		}
		if err := json.Unmarshal(out, &v); err != nil {
			b.Fatalf("doctor --json: %v\n%s", err, out)
		}
		var max time.Duration
		for _, c := range v.Checks {
			d := time.Duration(c.DurationMS) * time.Millisecond
			sum += d
			if d > max {
				max = d
			}
		}
		slowest += max
	}
	b.ReportMetric(float64(wall)/float64(slowest), "wall/slowest")
	b.ReportMetric(float64(sum)/float64(wall), "sum/wall")
	b.ReportMetric(float64(slowest.Milliseconds())/float64(b.N), "slowest-ms/op")
}
