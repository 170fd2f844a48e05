package search_test

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"podcastgraph/internal/search"
)

// TestSearchCPU prints the CPU time of a search and of a search page
// (searchPage) by class, on the store and index in PODCAST_SEARCH_DIR
// (as BenchmarkSearch's), PODCAST_SEARCH_CPU rounds of 20 searches
// each: the median and the least of the rounds, in the thread's own CPU
// time, which other processes sharing the cores do not inflate as they
// do a benchmark's wall time. Run base and changed binaries in turn:
// PODCAST_SEARCH_CPU=40 PODCAST_SEARCH_DIR=... go test -run TestSearchCPU -v ./internal/search/
func TestSearchCPU(t *testing.T) {
	rounds, _ := strconv.Atoi(os.Getenv("PODCAST_SEARCH_CPU"))
	dir := os.Getenv("PODCAST_SEARCH_DIR")
	if rounds <= 0 || dir == "" {
		t.Skip("set PODCAST_SEARCH_CPU (rounds) and PODCAST_SEARCH_DIR")
	}
	ix, sn := openSaved(t, dir)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
			t.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	const per = 20
	for _, what := range []string{"search", "page"} {
		for _, class := range []string{"one-word", "three-word", "typo", "phrase"} {
			qs := figureQueries[class]
			var d []time.Duration
			for range rounds {
				start := cpu()
				for i := range per {
					if what == "search" {
						if _, err := ix.Search(&search.Query{Text: qs[i%len(qs)], First: 20, Facets: 10}); err != nil {
							t.Fatal(err)
						}
					} else {
						searchPage(t, ix, sn, qs[i%len(qs)])
					}
				}
				d = append(d, (cpu()-start)/per)
			}
			slices.Sort(d)
			fmt.Printf("cpu %-6s %-10s median %7.3f ms  least %7.3f ms\n", what, class, float64(d[len(d)/2])/1e6, float64(d[0])/1e6)
		}
	}
}
