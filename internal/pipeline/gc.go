package pipeline

import "runtime/debug"

// bulkHeap is the heap a bulk ingest may grow to before the collector runs
// (unless GOGC or GOMEMLIMIT say otherwise): a batch's garbage is large and
// short-lived, and collecting it at the default pace costs a third of the
// run. Memory stays bounded by this figure however many pages there are.
// 640 MiB rather than 384 took 100,000 pages from 4,640–5,630 to
// 5,313–5,836 pages/s in runs paired minute by minute; GOMEMLIMIT=384MiB
// trades that back for memory.
const bulkHeap = 640 << 20

// serveHeap and serveGCPercent are the collector's settings while serving
// (unless GOGC or GOMEMLIMIT say otherwise). A request allocates much and
// keeps little: the live heap is the record cache and a few MB. Since
// episodes are cached as heads it is about 17 MB at 10,000 pages, and
// collecting at every 2.5-fold growth (GOGC 150, the setting before) ran
// a cycle every 25 MB of allocation. Collecting at every fivefold growth
// under the same soft limit gave, in five pairs of runs on a quiet machine
// (docs/performance.md, "The collector"), median 1,671 against 1,560 req/s
// and p99 21.5 against 23.4 ms on the rotating nested page at 10,000
// pages, for about 25 MB more resident memory (90-92 against 61-68 MB
// anonymous). The soft limit keeps the heap near 100 MB whatever the
// store's size: at 100,000 pages the limit, not the percentage, sets the
// pace.
const (
	serveHeap      = 96 << 20
	serveGCPercent = 400
)

// ServeGC applies the serving policy, unless the environment getenv reads
// (the one the run was given) sets GOGC or GOMEMLIMIT; it returns the
// undo.
func ServeGC(getenv func(string) string) (restore func()) {
	if tuned(getenv) {
		return func() {}
	}
	gc, limit := debug.SetGCPercent(serveGCPercent), debug.SetMemoryLimit(serveHeap)
	return func() { debug.SetGCPercent(gc); debug.SetMemoryLimit(limit) }
}

// BulkGC switches the collector to the bulk policy for a run of n pages
// longer than one batch, unless the user tuned it (GOGC or GOMEMLIMIT in
// the environment getenv reads); it returns the undo.
func BulkGC(getenv func(string) string, n, batch int) (restore func()) {
	if tuned(getenv) || n <= batch {
		return func() {}
	}
	gc, limit := debug.SetGCPercent(-1), debug.SetMemoryLimit(bulkHeap)
	return func() {
		debug.SetGCPercent(gc)
		debug.SetMemoryLimit(limit)
		// The bulk heap is garbage now, but with no allocation to pace
		// it the collector would not run, and an idle server would keep
		// the ingest's peak (630 MB after 10,000 pages) resident for
		// good. Collect it and return it to the OS at once.
		debug.FreeOSMemory()
	}
}

// tuned reports whether the environment getenv reads sets the collector.
func tuned(getenv func(string) string) bool {
	return getenv("GOGC") != "" || getenv("GOMEMLIMIT") != ""
}
