package server

import "runtime"

// serveProcs gives Go's scheduler one processor (P) more than the
// operations graphhttp lets execute at once (executing, the
// --max-concurrent gate), unless the environment getenv reads sets
// GOMAXPROCS or the gate already leaves a P free; it returns the undo.
//
// Why: the gate holds as many operations executing as there are CPUs,
// and each one that finishes hands its turn straight to the next waiter,
// which runs next on the same P. With every P busy that way, the
// scheduler looks for connections with a request waiting only when a P
// runs out of work or every 10 ms (sysmon), and the goroutines it then
// finds wait in the global run queue behind the chain of handed-over
// turns. Requests were read late and unevenly: the rotating search at
// 100,000 catalogue pages had a p99 of 230-250 ms at 16 connections while
// the server timed 99.9% of its requests under 25 ms. A P the gate
// cannot fill reads requests and writes answers as they come; the
// operating system shares the cores among the threads. See
// docs/performance.md, "The scheduler's spare P".
func serveProcs(getenv func(string) string, executing int) (restore func()) {
	if getenv("GOMAXPROCS") != "" || executing <= 0 || executing < runtime.GOMAXPROCS(0) {
		return func() {}
	}
	runtime.GOMAXPROCS(executing + 1)
	// Back to Go's own choice (the CPUs the process may use, followed as
	// they change), which setting GOMAXPROCS had turned off.
	return runtime.SetDefaultGOMAXPROCS
}
