package graph_test

import (
	"context"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"podcastgraph/internal/benchstore"
	"podcastgraph/store"
)

// BenchmarkDiscoveryQuery runs, through gqlgen and the loaders, a query
// asking for an episode's 10 related episodes with their reasons and the
// co-guests of its guests, each iteration on another of the latest
// thousand episodes of a catalogue store of BENCH_PAGES pages (default
// 20,000) kept in BENCH_DIR, and reports the p50 and p99 latencies:
//
//	BENCH_DIR=/tmp/bench BENCH_PAGES=100000 go test -run '^$' -bench Discovery -benchtime 2000x ./graph
func BenchmarkDiscoveryQuery(b *testing.B) {
	n := 20_000
	if v, err := strconv.Atoi(os.Getenv("BENCH_PAGES")); err == nil && v > 0 {
		n = v
	}
	dir := os.Getenv("BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	ctx := context.Background()
	st, err := benchstore.Catalogue(ctx, dir, n)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	shows, err := st.Shows(ctx, store.Window{First: 1, Last: -1})
	if err != nil || len(shows.Slugs) == 0 {
		b.Fatal(shows, err)
	}
	total, _ := st.EpisodeCounts(ctx, []store.Scope{store.ShowScope(shows.Slugs[0])})
	h := serverFor(st)
	const query = `query($n: Int!, $show: String) { episode(number: $n, show: $show) { title
		related(first: 10) { totalCount edges { score node { code title } sharedGuests { name } sharedTopics { name } sharedTerms } }
		guests { name coGuestsConnection(first: 10) { totalCount edges { sharedEpisodeCount node { name } } } } } }`
	vars := func(i int) map[string]any { return map[string]any{"n": total[0] - i%1000, "show": shows.Slugs[0]} }
	size := post(b, h, query, vars(0), nil)
	took := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		t := time.Now()
		post(b, h, query, vars(i), nil)
		took = append(took, time.Since(t))
	}
	b.StopTimer()
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(float64(size), "answer-bytes")
}
