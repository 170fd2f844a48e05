package search_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"podcastgraph/internal/search"
)

// TestGCFigure prints what the index saved in PODCAST_SEARCH_DIR (by
// TestSearchFigures) costs the collector once loaded: its heap objects and
// bytes, the load's time, and the median of 9 forced collections with it
// loaded against without it (a collection marks what the heap keeps, so
// the difference is what marking the index costs each cycle).
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
	runtime.KeepAlive(ix)
}
