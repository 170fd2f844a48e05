package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"podcastgraph/internal/benchstore"
	"podcastgraph/internal/podcast"
	"podcastgraph/store"
)

// Store reads as the loaders make them, on generated pages (the same as
// cmd/loadtest's):
//
//	go test -run '^$' -bench . -benchmem ./store
const benchPages = 2000

func TestMain(m *testing.M) {
	code := m.Run()
	benchstore.Cleanup()
	os.Exit(code)
}

func benchStore(b *testing.B) (*store.Store, []string) {
	b.Helper()
	st, err := benchstore.Shared(benchPages)
	if err != nil {
		b.Fatal(err)
	}
	p, err := st.Guests(context.Background(), store.GuestQuery{ByCount: true, Desc: true, Window: store.Window{First: 30, Last: -1}})
	if err != nil || len(p.Slugs) < 30 {
		b.Fatalf("guests: %v %v", p, err)
	}
	return st, p.Slugs
}

func BenchmarkEpisodePages(b *testing.B) {
	st, guests := benchStore(b)
	ctx := context.Background()
	first := func(n int) store.Window { return store.Window{First: n, Last: -1} }
	after := podcast.Date{Year: 2001, Month: 1, Day: 1}
	var byGuest []store.EpisodeQuery
	for _, g := range guests {
		byGuest = append(byGuest, store.EpisodeQuery{Guest: g, Order: store.EpisodeOrder{Desc: true}, Window: first(5)})
	}
	for _, c := range []struct {
		name string
		qs   []store.EpisodeQuery
	}{
		{"newest 20 + total", []store.EpisodeQuery{{Order: store.EpisodeOrder{Desc: true}, Window: first(20), WantTotal: true}}},
		{"last 20 + total", []store.EpisodeQuery{{Order: store.EpisodeOrder{Desc: true}, Window: store.Window{First: -1, Last: 20}, WantTotal: true}}},
		{"30 guests × 5 newest", byGuest},
		{"topic + date range + total", []store.EpisodeQuery{{Topic: "ai", ReleasedAfter: &after, Order: store.EpisodeOrder{ByDate: true, Desc: true}, Window: first(20), WantTotal: true}}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				if _, err := st.Episodes(ctx, c.qs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkRecordsByKey(b *testing.B) {
	st, guests := benchStore(b)
	ctx := context.Background()
	var keys []podcast.EpisodeKey
	for n := range 20 {
		keys = append(keys, podcast.EpisodeKey{Show: "generated-show-1", Number: n*50 + 1})
	}
	b.Run("20 episodes", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			eps, err := st.EpisodesByKey(ctx, keys)
			if err != nil || eps[0] == nil {
				b.Fatal(eps, err)
			}
		}
	})
	b.Run("30 guests", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := st.GuestsBySlug(ctx, guests); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Reading episodes by key with the record cache off, so that every read
// decodes (at 100,000 episodes most reads miss the cache): binary records
// against the JSON of schema 1, on copies of the same file.
//
//	go test -run '^$' -bench EpisodesByKeyUncached -benchmem -count 5 ./store
func BenchmarkEpisodesByKeyUncached(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	st, err := benchstore.New(dir, benchPages)
	if err != nil {
		b.Fatal(err)
	}
	binaryPath, jsonPath := st.Path(), filepath.Join(dir, "json.db")
	_, err = st.BackupFile(ctx, jsonPath)
	st.Close()
	if err == nil {
		err = store.EpisodesAsJSON(jsonPath)
	}
	if err != nil {
		b.Fatal(err)
	}
	var keys []podcast.EpisodeKey
	for n := 1; n <= benchPages; n += 7 {
		keys = append(keys, podcast.EpisodeKey{Show: "generated-show-1", Number: n})
	}
	for _, c := range []struct{ name, path string }{{"binary", binaryPath}, {"json", jsonPath}} {
		b.Run(c.name, func(b *testing.B) {
			st, err := store.Open(ctx, c.path, store.Options{ReadOnly: true, CacheBytes: -1})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				at := i * 20 % (len(keys) - 20)
				eps, err := st.EpisodesByKey(ctx, keys[at:at+20])
				if err != nil || eps[0] == nil || eps[19] == nil {
					b.Fatal(eps, err)
				}
			}
		})
	}
}
