package pipeline

import (
	"runtime/debug"
	"testing"
)

// TestGCPoliciesReadTheGivenEnvironment: the collector's policies step
// aside when the environment the run was given sets GOGC or GOMEMLIMIT,
// whatever the process's says, and apply otherwise; the undo puts the
// collector back as it was.
func TestGCPoliciesReadTheGivenEnvironment(t *testing.T) {
	policies := map[string]struct {
		apply func(getenv func(string) string) func()
		limit int64
	}{
		"bulk":  {func(getenv func(string) string) func() { return BulkGC(getenv, 10, 1) }, bulkHeap},
		"serve": {func(getenv func(string) string) func() { _, restore := ServeGC(getenv, nil); return restore }, serveHeap},
	}
	envs := map[string]struct {
		vars  map[string]string
		apply bool
	}{
		"none":       {map[string]string{}, true},
		"GOGC":       {map[string]string{"GOGC": "200"}, false},
		"GOMEMLIMIT": {map[string]string{"GOMEMLIMIT": "1GiB"}, false},
	}
	for pname, p := range policies {
		for ename, e := range envs {
			t.Run(pname+"/"+ename, func(t *testing.T) {
				limit := debug.SetMemoryLimit(-1) // reads it
				getenv := func(k string) string { return e.vars[k] }
				restore := p.apply(getenv)
				got := debug.SetMemoryLimit(-1)
				restore()
				want := limit
				if e.apply {
					want = p.limit
				}
				if got != want {
					t.Errorf("memory limit %d under the policy, want %d", got, want)
				}
				if after := debug.SetMemoryLimit(-1); after != limit {
					t.Errorf("memory limit %d after the undo, want %d as before", after, limit)
				}
			})
		}
	}
}

// TestServeLimitCountsWhatTheServerKeeps: a server that holds much from
// the start (the search index) gets that on top of the serving budget, so
// the collector does not run without pause; one that holds little gets
// the budget alone; and the limit follows what the index holds both ways,
// also down when it leaves the heap (its postings read from its saved
// file) after having been there when serving began.
func TestServeLimitCountsWhatTheServerKeeps(t *testing.T) {
	if got := serveLimit(0); got != serveHeap {
		t.Errorf("nothing kept: limit %d, want %d", got, serveHeap)
	}
	kept := make([]byte, 64<<20)
	for i := range kept {
		kept[i] = byte(i)
	}
	limit := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(limit)
	var index int64
	retune, restore := ServeGC(func(string) string { return "" }, func() int64 { return index })
	got := debug.SetMemoryLimit(-1)
	// What is kept grows after the start (pages arrive, the index with
	// them): retune follows it.
	index = 512 << 20
	retune()
	grown := debug.SetMemoryLimit(-1)
	restore()
	if grown-got != serveKeptFactor*index {
		t.Errorf("an index of 512 MiB after the start: limit %d MiB, %d MiB before, want %d MiB more", grown>>20, got>>20, (serveKeptFactor*index)>>20)
	}
	if got < serveHeap+serveKeptFactor*((64<<20)-serveBaseline) {
		t.Errorf("64 MiB kept: limit %d MiB, want at least %d MiB", got>>20, (serveHeap+serveKeptFactor*((64<<20)-serveBaseline))>>20)
	}

	// The 64 MiB are the index's when serving starts, then leave the heap.
	index = int64(len(kept))
	retune, restore = ServeGC(func(string) string { return "" }, func() int64 { return index })
	atStart := debug.SetMemoryLimit(-1)
	index = 0
	retune()
	shrunk := debug.SetMemoryLimit(-1)
	restore()
	if atStart < serveHeap+serveKeptFactor*(int64(len(kept))-serveBaseline) || shrunk > serveHeap+serveKeptFactor*(16<<20) {
		t.Errorf("an index of 64 MiB at the start, then none: limit %d MiB, then %d MiB, want at most %d MiB",
			atStart>>20, shrunk>>20, (serveHeap+serveKeptFactor*(16<<20))>>20)
	}
	if kept[len(kept)-1] != byte(len(kept)-1) {
		t.Fatal("kept changed")
	}
}
