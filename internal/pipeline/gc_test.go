package pipeline

import (
	"runtime"
	"runtime/debug"
	"testing"
)

// TestGCPoliciesReadTheGivenEnvironment: the collector's policies step
// aside when the environment the run was given sets GOGC or GOMEMLIMIT,
// whatever the process's says, and apply otherwise; the undo puts the
// collector back as it was.
func TestGCPoliciesReadTheGivenEnvironment(t *testing.T) {
	policies := map[string]struct {
		apply   func(getenv func(string) string) func()
		limit   int64
		percent int
	}{
		"bulk":  {func(getenv func(string) string) func() { return BulkGC(getenv, 10, 1) }, bulkHeap, bulkGCPercent},
		"build": {BuildGC, bulkHeap, bulkGCPercent},
		"serve": {func(getenv func(string) string) func() { _, restore := ServeGC(getenv, nil); return restore }, serveHeap, serveGCPercent},
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
				percent := debug.SetGCPercent(100)
				debug.SetGCPercent(percent)
				getenv := func(k string) string { return e.vars[k] }
				restore := p.apply(getenv)
				got := debug.SetMemoryLimit(-1)
				gotPercent := debug.SetGCPercent(percent)
				debug.SetGCPercent(gotPercent)
				restore()
				want, wantPercent := limit, percent
				if e.apply {
					want, wantPercent = p.limit, p.percent
				}
				if got != want {
					t.Errorf("memory limit %d under the policy, want %d", got, want)
				}
				if gotPercent != wantPercent {
					t.Errorf("GOGC %d under the policy, want %d", gotPercent, wantPercent)
				}
				if after := debug.SetGCPercent(percent); after != percent {
					t.Errorf("GOGC %d after the undo, want %d as before", after, percent)
				}
				if after := debug.SetMemoryLimit(-1); after != limit {
					t.Errorf("memory limit %d after the undo, want %d as before", after, limit)
				}
			})
		}
	}
}

// TestServeLimitCountsWhatTheServerKeeps: the serving limit is the
// budget alone for a server that holds little; the live heap it holds
// beyond the baseline (the record cache) is added twice, as room for the
// garbage of a heap a cycle must mark; the search index once (it must fit,
// but a cycle does not scan it); and the limit follows both as they
// change, down too (the index's postings leaving the heap for its mapped
// file, the cache emptied).
func TestServeLimitCountsWhatTheServerKeeps(t *testing.T) {
	if got := serveLimit(0, 0); got != serveHeap {
		t.Errorf("nothing kept: limit %d, want %d", got, serveHeap)
	}
	const mib = 1 << 20
	held := make([]byte, 64*mib)
	for i := range held {
		held[i] = byte(i)
	}
	limit := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(limit)
	var index int64
	retune, restore := ServeGC(func(string) string { return "" }, func() int64 { return index })
	defer restore()
	now := func() int64 {
		runtime.GC() // the live heap retune reads is the last cycle's
		retune()
		return debug.SetMemoryLimit(-1)
	}
	// 64 MiB of live heap, not the index's: twice.
	if got := now(); got < serveHeap+2*(64*mib-serveBaseline) {
		t.Errorf("64 MiB held: limit %d MiB, want at least %d MiB", got>>20, (serveHeap+2*(64*mib-serveBaseline))>>20)
	}
	// The same 64 MiB as the index: once.
	index = int64(len(held))
	if got := now(); got < serveHeap+index || got >= serveHeap+index+2*serveBaseline {
		t.Errorf("an index of 64 MiB: limit %d MiB, want %d MiB and not much more", got>>20, (serveHeap+index)>>20)
	}
	// The index gone from the heap: the limit comes down.
	index = 0
	runtime.KeepAlive(held)
	held = nil
	if got := now(); got >= serveHeap+2*serveBaseline {
		t.Errorf("nothing held any more: limit %d MiB, want under %d MiB", got>>20, (serveHeap+2*serveBaseline)>>20)
	}
}
