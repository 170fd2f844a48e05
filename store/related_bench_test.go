package store_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"podcastgraph/internal/benchstore"
	"podcastgraph/internal/podcast"
	"podcastgraph/store"
)

// catalogue opens the catalogue store of BENCH_PAGES pages (default
// 20,000) kept in BENCH_DIR (default: the test's temporary directory, so
// built each run):
//
//	BENCH_DIR=/tmp/bench BENCH_PAGES=100000 go test -run '^$' -bench 'Related|Timeline' ./store
func catalogue(b *testing.B) *store.Store {
	b.Helper()
	n := 20_000
	if v, err := strconv.Atoi(os.Getenv("BENCH_PAGES")); err == nil && v > 0 {
		n = v
	}
	dir := os.Getenv("BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	st, err := benchstore.Catalogue(context.Background(), dir, n)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

// BenchmarkRelatedEpisodes ranks the related episodes of one episode,
// each iteration a different one of the last thousand.
func BenchmarkRelatedEpisodes(b *testing.B) {
	st := catalogue(b)
	ctx := context.Background()
	total, _ := st.EpisodeCounts(ctx, []store.Scope{store.AllEpisodes})
	shows, err := st.Shows(ctx, store.Window{First: 1, Last: -1})
	if err != nil || len(shows.Slugs) == 0 {
		b.Fatal(shows, err)
	}
	b.ResetTimer()
	for i := range b.N {
		k := podcast.EpisodeKey{Show: shows.Slugs[0], Number: total[0] - i%1000}
		list, err := st.RelatedEpisodes(ctx, []podcast.EpisodeKey{k})
		if err != nil || list[0] == nil {
			b.Fatalf("%v %v", k, err)
		}
	}
}

// BenchmarkTimeline reads the timeline of the commonest topic.
func BenchmarkTimeline(b *testing.B) {
	st := catalogue(b)
	ctx := context.Background()
	p, err := st.Topics(ctx, store.TopicQuery{ByCount: true, Desc: true, Window: store.Window{First: 1, Last: -1}})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := st.Timelines(ctx, []store.TimelineQuery{{Scope: store.TopicScope(p.Slugs[0])}}); err != nil {
			b.Fatal(err)
		}
	}
}
