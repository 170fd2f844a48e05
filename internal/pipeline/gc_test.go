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
		"serve": {ServeGC, serveHeap},
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
