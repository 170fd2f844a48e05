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
// the budget alone.
func TestServeLimitCountsWhatTheServerKeeps(t *testing.T) {
	if got := serveLimit(0); got != serveHeap {
		t.Errorf("nothing kept: limit %d, want %d", got, serveHeap)
	}
	kept := make([]byte, 64<<20)
	for i := range kept {
		kept[i] = byte(i)
	}
	limit := debug.SetMemoryLimit(-1)
	var index int64
	retune, restore := ServeGC(func(string) string { return "" }, func() int64 { return index })
	got := debug.SetMemoryLimit(-1)
	// What is kept grows after the start (pages arrive, the index with
	// them): retune follows it.
	index = 512 << 20
	retune()
	grown := debug.SetMemoryLimit(-1)
	restore()
	debug.SetMemoryLimit(limit)
	if grown != serveHeap+serveKeptFactor*index {
		t.Errorf("an index of 512 MiB after the start: limit %d MiB, want %d MiB", grown>>20, (serveHeap+serveKeptFactor*index)>>20)
	}
	if got < serveHeap+serveKeptFactor*((64<<20)-serveBaseline) {
		t.Errorf("64 MiB kept: limit %d MiB, want at least %d MiB", got>>20, (serveHeap+serveKeptFactor*((64<<20)-serveBaseline))>>20)
	}
	if kept[len(kept)-1] != byte(len(kept)-1) {
		t.Fatal("kept changed")
	}
}
