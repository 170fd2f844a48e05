package pipeline

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

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
//
// What the server keeps resident from the start on purpose, the search
// index above all (about 30 MB of heap at 100,000 catalogue pages once
// its postings are read from its saved file, mapped; 95 MB before), is
// added to the limit (serveKeptFactor times): with the index inside a 96
// MiB limit the collector ran without pause and the rotating nested page
// at 100,000 catalogue pages fell from about 1,850 to 1,100-1,200 req/s
// (docs/performance.md, "The collector and the search index").
const (
	serveHeap      = 96 << 20
	serveGCPercent = 400
	// serveBaseline is the live heap of a server without a search index
	// when it starts serving: what serveHeap already counts.
	serveBaseline = 16 << 20
)

// ServeGC applies the serving policy, unless the environment getenv reads
// (the one the run was given) sets GOGC or GOMEMLIMIT; it returns the
// undo, and retune, which sets the limit again from kept (nil: nothing
// kept beyond the live heap at this call): the server calls it as what it
// keeps grows (the search index, as pages arrive).
func ServeGC(getenv func(string) string, kept func() int64) (retune, restore func()) {
	if tuned(getenv) {
		return func() {}, func() {}
	}
	keptNow := func() int64 {
		if kept == nil {
			return 0
		}
		return max(kept(), 0)
	}
	// other is what the live heap holds at the start beyond the baseline
	// and beyond what kept counts: it stays, while kept follows the index
	// both ways (it shrinks once the index reads its postings from its
	// saved file; frozen into the limit, the heap the index held when a
	// start-up ingest ended kept the limit at 428 MB at 100,000 catalogue
	// pages).
	other := max(int64(max(liveHeap(), serveBaseline)-serveBaseline)-keptNow(), 0)
	limitFor := func() int64 { return serveLimit(other + keptNow()) }
	gc, limit := debug.SetGCPercent(serveGCPercent), debug.SetMemoryLimit(limitFor())
	return func() { debug.SetMemoryLimit(limitFor()) },
		func() { debug.SetGCPercent(gc); debug.SetMemoryLimit(limit) }
}

// serveLimit is the soft memory limit while serving for a server that
// keeps kept bytes on purpose: serveHeap plus serveKeptFactor times kept.
func serveLimit(kept int64) int64 {
	return serveHeap + serveKeptFactor*max(kept, 0)
}

// serveKeptFactor is how many times what the server keeps (beyond
// serveBaseline) the limit adds. The search index holds no pointers now (a
// few hundred large arrays), so a cycle need not scan it; but it still
// fills the limit, and added once it left the rotating nested page at
// 100,000 catalogue pages about 35 MB of headroom: a cycle every few
// requests, each marking the record cache. Three pairs on a quiet machine
// (docs/performance.md, "The search index without pointers"): added once
// 1,163-1,380 req/s, p99 28.6-35.5 ms, RssAnon 174 MB; added twice
// 1,727-1,818 req/s, p99 20.5-21.6 ms, RssAnon 254-256 MB.
const serveKeptFactor = 2

// liveHeap collects and returns the bytes of heap still in use.
func liveHeap() uint64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
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
