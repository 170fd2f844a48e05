package cli

import (
	"bytes"
	"testing"
	"time"

	"podcastgraph/internal/pipeline"
)

func TestRenderProgress(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    pipeline.ProgressState
		want string
	}{
		{"before any rate", pipeline.ProgressState{Started: true, Total: 100_000},
			"ingest: 0 / 100,000 documents (0.0%)"},
		{"midway", pipeline.ProgressState{Started: true, Done: 12_288, Total: 100_000, Rate: 5119.6, Left: 17*time.Second + 200*time.Millisecond},
			"ingest: 12,288 / 100,000 documents (12.2%), 5,120 docs/s, 17s left"},
		{"minutes left", pipeline.ProgressState{Started: true, Done: 999, Total: 1000_000, Rate: 550, Left: 30*time.Minute + 5*time.Second},
			"ingest: 999 / 1,000,000 documents (0.0%), 550 docs/s, 30m05s left"},
		{"hours left", pipeline.ProgressState{Started: true, Done: 1, Total: 10_000_000, Rate: 500, Left: 5*time.Hour + 33*time.Minute + 20*time.Second},
			"ingest: 1 / 10,000,000 documents (0.0%), 500 docs/s, 5h33m left"},
		{"all but one", pipeline.ProgressState{Started: true, Done: 99_999, Total: 100_000, Rate: 6000, Left: time.Millisecond},
			"ingest: 99,999 / 100,000 documents (99.9%), 6,000 docs/s, 0s left"},
		{"done", pipeline.ProgressState{Started: true, Done: 100_000, Total: 100_000, Rate: 6000},
			"ingest: 100,000 / 100,000 documents (100.0%), 6,000 docs/s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := renderProgress(tc.s); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

// TestNoProgressOffATerminal: a standard error that is not a terminal gets
// no progress line, and the report goes to stdout untouched.
func TestNoProgressOffATerminal(t *testing.T) {
	var stdout, stderr bytes.Buffer
	env := &Env{Getenv: func(string) string { return "" }, Stdout: &stdout, Stderr: &stderr}
	out, stop := showProgress(env, &pipeline.Progress{}, &stdout)
	if out != &stdout {
		t.Fatalf("the report goes to %T, not stdout", out)
	}
	time.Sleep(2 * progressEvery)
	stop()
	if stderr.Len() > 0 {
		t.Fatalf("stderr got %q", stderr.String())
	}
}
