package pipeline

import (
	"context"
	"io"
	"testing"
	"time"

	"podcastgraph/ingest"
)

// TestProgressRate: the rate is measured from the last mark at or before
// the window's start, so it follows the recent pace, and the time left is
// what remains at that rate.
func TestProgressRate(t *testing.T) {
	now := time.Now()
	p := &Progress{started: true, start: now.Add(-30 * time.Second), total: 100, done: 20,
		marks: []progressMark{{now.Add(-30 * time.Second), 0}, {now.Add(-20 * time.Second), 10}, {now.Add(-5 * time.Second), 20}}}
	p.Add(10) // at about now: 30 done, 20 of them in the last 20 s
	if len(p.marks) != 3 || p.marks[0].done != 10 {
		t.Fatalf("marks after add: %+v", p.marks)
	}
	s := p.stateAt(now)
	if s.Done != 30 || s.Total != 100 || s.Percent() != 30 || s.Elapsed != 30*time.Second {
		t.Fatalf("state: %+v", s)
	}
	if s.Rate != 1 || s.Left != 70*time.Second {
		t.Fatalf("rate %v/s, left %v; want 1/s, 70s", s.Rate, s.Left)
	}
	var unknown ProgressState
	if unknown.Percent() != 100 {
		t.Fatalf("an empty run is %v%% done", unknown.Percent())
	}
	if s := (*Progress)(nil).State(); s.Started {
		t.Fatal("a nil Progress started")
	}
}

// TestFilesReportsProgress: Files counts every document into Progress,
// those known unchanged as well as those read.
func TestFilesReportsProgress(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	files := writePages(t, 5)
	var steps int
	p := &Progress{}
	in := &Ingester{Store: st, Vocab: ingest.DefaultVocabulary(), Batch: 2, Settle: -1, Progress: p,
		Step: func() { steps++ }}
	for run := range 2 {
		sum, err := in.Files(ctx, files, io.Discard)
		if err != nil || sum.Unread != 5*run {
			t.Fatalf("run %d: %+v, %v", run, sum, err)
		}
		if s := p.State(); !s.Started || s.Done != 5 || s.Total != 5 || s.Left != 0 {
			t.Fatalf("run %d: %+v", run, s)
		}
	}
	if steps != 3 { // the second run commits nothing
		t.Fatalf("%d steps, want 3 (one per committed batch)", steps)
	}
}
