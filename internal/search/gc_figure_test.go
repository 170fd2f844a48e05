package search_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"testing"
	"time"

	"podcastgraph/internal/search"
)

// TestGCFigure prints what the index saved in PODCAST_SEARCH_DIR (by
// TestSearchFigures) costs the collector once loaded: its heap objects and
// bytes, the load's time, and the median of 9 forced collections with it
// loaded against without it (a collection marks what the heap keeps, so
// the difference is what marking the index costs each cycle); then the
// collector's share of the CPU (of its time and the program's) over
// 20,000 requests' worth of pointer-bearing garbage under the serving
// policy, with the index's bytes added 0, 1 and 2 times to the soft limit.
func TestGCFigure(t *testing.T) {
	dir := os.Getenv("PODCAST_SEARCH_DIR")
	if dir == "" {
		t.Skip("set PODCAST_SEARCH_DIR")
	}
	path := search.Path(filepath.Join(dir, "bench.db"))
	gcTime := func() time.Duration {
		var d []time.Duration
		for range 9 {
			s := time.Now()
			runtime.GC()
			d = append(d, time.Since(s))
		}
		slices.Sort(d)
		return d[len(d)/2]
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	empty := gcTime()
	start := time.Now()
	ix, err := search.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	load := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	loaded := gcTime()
	fmt.Printf("load %v; heap %d objects, %.1f MB; runtime.GC median %v without the index, %v with it (%d things)\n",
		load.Round(time.Millisecond), after.HeapObjects-before.HeapObjects, float64(after.HeapAlloc-before.HeapAlloc)/(1<<20),
		empty.Round(time.Microsecond), loaded.Round(time.Microsecond), ix.Len())
	// A server's requests: pointer-bearing garbage, the last 300
	// requests' live, under the serving policy's soft limit with the
	// index's bytes added factor times (internal/pipeline/gc.go).
	type node struct {
		next *node
		_    [40]byte
	}
	var ring [300]*node
	runtime.GC()
	var live runtime.MemStats
	runtime.ReadMemStats(&live)
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	for _, factor := range []int64{0, 1, 2} {
		debug.SetMemoryLimit(96<<20 + factor*max(int64(live.HeapAlloc)-16<<20, 0))
		runtime.GC()
		s := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}, {Name: "/cpu/classes/user:cpu-seconds"}, {Name: "/gc/cycles/total:gc-cycles"}}
		metrics.Read(s)
		gc0, user0, n0 := s[0].Value.Float64(), s[1].Value.Float64(), s[2].Value.Uint64()
		start := time.Now()
		for r := range 20000 {
			var head *node
			for range 1000 {
				head = &node{next: head}
			}
			ring[r%len(ring)] = head
		}
		took := time.Since(start)
		metrics.Read(s)
		fmt.Printf("kept bytes added %d times: %d collections, GC %.0f%% of the CPU, 20,000 requests in %v\n",
			factor, s[2].Value.Uint64()-n0, 100*(s[0].Value.Float64()-gc0)/(s[0].Value.Float64()-gc0+s[1].Value.Float64()-user0), took.Round(time.Millisecond))
	}
	runtime.KeepAlive(ix)
}
