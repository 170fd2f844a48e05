package pipeline

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// bulkHeap and bulkGCPercent are the collector's settings during a bulk
// ingest (unless GOGC or GOMEMLIMIT say otherwise): it collects at each
// tripling of the heap, and at bulkHeap whatever the pace. A batch's
// garbage is large and short-lived, and collecting it at the default
// pace costs a third of the run. 640 MiB rather than 384 took 100,000
// pages from 4,640-5,630 to 5,313-5,836 pages/s in runs paired minute by
// minute; GOMEMLIMIT=384MiB trades that back for memory. Until
// 2026-12-04 the collector did not run at all below bulkHeap: every
// ingest, of 100 pages or 100,000, grew its heap to 640 MiB, and on this
// machine touching that much new memory cost about half a second (page
// faults): the 10,000 default pages took 3.12-3.27 s by `ingest` with
// 659-666 MB peak resident, against 2.59-2.67 s and 250-272 MB at each
// tripling; 100,000 catalogue pages 33.8-33.9 against 32.1-34.2 s, 848-850
// against 853-866 MB (docs/performance.md, "Ingest").
const (
	bulkHeap      = 640 << 20
	bulkGCPercent = 200
)

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
// anonymous). At 100,000 pages the soft limit, not the percentage, sets
// the pace.
//
// The limit starts at serveHeap and grows with what the server holds, in
// two parts. The search
// index (kept: pointer-free arrays, about 33 MB of heap at 100,000
// catalogue pages once its postings are read from its saved file, mapped)
// is added once: it must fit, but a cycle does not scan it. The rest of
// the live heap beyond serveBaseline, chiefly the record cache, is added
// serveLiveFactor times: each cycle marks it, so the room for garbage
// grows with it, as GOGC would have it. Both are read again every time
// the server retunes, so the limit follows the index down when it leaves
// the heap and the record cache up as it fills. On the rotating nested
// page at 100,000 catalogue pages (docs/performance.md, "Catalogue
// scale: the search index mapped"), a limit near 157 MiB cost 6-20% of
// the throughput of the 286 MiB the policy before set, and 200 MiB
// matched it, with 80 MB less resident.
const (
	serveHeap      = 96 << 20
	serveGCPercent = 400
	// serveBaseline is the live heap of a server without a search index
	// when it starts serving: what serveHeap already counts.
	serveBaseline = 16 << 20
	// serveLiveFactor is how many times the live heap beyond the
	// baseline and the index the limit adds.
	serveLiveFactor = 2
)

// ServeGC applies the serving policy, unless the environment getenv reads
// (the one the run was given) sets GOGC or GOMEMLIMIT; it returns the
// undo, and retune, which sets the limit again from kept (nil: nothing
// kept) and the live heap of the last cycle: the server calls it every
// few seconds.
func ServeGC(getenv func(string) string, kept func() int64) (retune, restore func()) {
	if tuned(getenv) {
		return func() {}, func() {}
	}
	limitFor := func(live uint64) int64 {
		k := int64(0)
		if kept != nil {
			k = max(kept(), 0)
		}
		return serveLimit(k, int64(live)-k-serveBaseline)
	}
	gc, limit := debug.SetGCPercent(serveGCPercent), debug.SetMemoryLimit(limitFor(liveHeap(true)))
	return func() { debug.SetMemoryLimit(limitFor(liveHeap(false))) },
		func() { debug.SetGCPercent(gc); debug.SetMemoryLimit(limit) }
}

// serveLimit is the soft memory limit while serving for a server that
// keeps kept bytes of pointer-free index and other bytes of live heap
// beyond serveBaseline.
func serveLimit(kept, other int64) int64 {
	return serveHeap + max(kept, 0) + serveLiveFactor*max(other, 0)
}

// liveHeap returns the bytes of heap in use at the end of the last
// cycle, collecting first when collect is set.
func liveHeap(collect bool) uint64 {
	if collect {
		runtime.GC()
	}
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
	if !Bulk(n, batch) {
		return func() {}
	}
	return BuildGC(getenv)
}

// Bulk reports whether an ingest of n documents in batches of batch is a
// bulk one: longer than one batch. The collector's bulk policy and the
// search index's hold at start-up (server) apply to those.
func Bulk(n, batch int) bool { return n > batch }

// BuildGC switches the collector to the bulk policy for other bulk work,
// such as building the search index from the store, unless the user
// tuned it; it returns the undo. Building the index of 100,000 catalogue
// pages holds up to 500 MB of live heap, which the default pace let grow
// to twice that: 1,146 MB peak resident before, 953 MB under this policy,
// ready as fast (docs/performance.md, "Scans kept out of the record
// cache").
func BuildGC(getenv func(string) string) (restore func()) {
	if tuned(getenv) {
		return func() {}
	}
	gc, limit := debug.SetGCPercent(bulkGCPercent), debug.SetMemoryLimit(bulkHeap)
	return func() {
		debug.SetGCPercent(gc)
		debug.SetMemoryLimit(limit)
		// The bulk heap is garbage now, but with no allocation to pace
		// it the collector would not run, and an idle server would keep
		// the ingest's peak (up to bulkHeap) resident for good. Collect
		// it and return it to the OS at once.
		debug.FreeOSMemory()
	}
}

// tuned reports whether the environment getenv reads sets the collector.
func tuned(getenv func(string) string) bool {
	return getenv("GOGC") != "" || getenv("GOMEMLIMIT") != ""
}
