package server

import (
	"runtime"
	"testing"
)

// Serving gives the scheduler one P more than the operations the gate
// lets execute, and gives Go its own choice back afterwards; a user's
// GOMAXPROCS, an open gate or one that leaves a P free change nothing.
func TestServeProcs(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	noEnv := func(string) string { return "" }
	restore := serveProcs(noEnv, procs)
	if got := runtime.GOMAXPROCS(0); got != procs+1 {
		t.Errorf("gate of %d on %d Ps: GOMAXPROCS %d while serving, want %d", procs, procs, got, procs+1)
	}
	restore()
	if got := runtime.GOMAXPROCS(0); got != procs {
		t.Errorf("after serving: GOMAXPROCS %d, want Go's own %d back", got, procs)
	}
	userSet := func(k string) string {
		if k == "GOMAXPROCS" {
			return "7"
		}
		return ""
	}
	for name, c := range map[string]struct {
		getenv    func(string) string
		executing int
	}{
		"GOMAXPROCS set":  {userSet, procs},
		"gate off":        {noEnv, 0},
		"gate leaves a P": {noEnv, procs - 1},
	} {
		restore := serveProcs(c.getenv, c.executing)
		if got := runtime.GOMAXPROCS(0); got != procs {
			t.Errorf("%s: GOMAXPROCS %d while serving, want %d unchanged", name, got, procs)
		}
		restore()
	}
}
