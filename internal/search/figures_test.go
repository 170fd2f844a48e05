package search_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"podcastgraph/internal/benchstore"
	"podcastgraph/internal/podcast"
	"podcastgraph/internal/search"
	"podcastgraph/store"
)

// FigureQueries are the rotation the figures and cmd/loadtest's search
// workload use, by class.
var figureQueries = map[string][]string{
	"one-word":   {"kubernetes", "observability", "gitops", "microservices", "serverless"},
	"three-word": {"platform engineering observability", "edge computing careers", "site reliability testing", "machine learning virtualization", "time series databases"},
	"typo":       {"obsrevability", "kuberntes", "microservise", "virtualisation", "serverles"},
	"phrase":     {`"site reliability engineering"`, `"platform engineering"`, `"edge computing"`, `"machine learning"`, `"time series databases"`},
}

// TestSearchFigures prints the index's figures on a generated store:
// PODCAST_SEARCH_FIGURES=100000 go test -run TestSearchFigures -v ./search/
// (the store is built first, which takes a while; PODCAST_SEARCH_DIR keeps
// it between runs). Each query is the full work of a search field: the
// search with facets, the page's 20 hits read from a snapshot, highlighted.
func TestSearchFigures(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("PODCAST_SEARCH_FIGURES"))
	if n <= 0 {
		t.Skip("set PODCAST_SEARCH_FIGURES to a number of pages")
	}
	ctx := context.Background()
	dir := os.Getenv("PODCAST_SEARCH_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	var st *store.Store
	var err error
	if _, serr := os.Stat(filepath.Join(dir, "bench.db")); serr == nil {
		st, err = store.Open(ctx, filepath.Join(dir, "bench.db"), store.Options{NoSync: true})
	} else {
		start := time.Now()
		st, err = benchstore.New(dir, n)
		t.Logf("store of %d pages built in %v", n, time.Since(start))
	}
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	os.Remove(search.Path(st.Path()))
	start := time.Now()
	f, err := search.Open(ctx, st, search.Options{})
	if err != nil {
		t.Fatal(err)
	}
	build := time.Since(start)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(search.Path(st.Path()))
	di, _ := os.Stat(st.Path())
	runtime.GC() // the built index is garbage once the feeder is closed
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start = time.Now()
	ix, err := search.Load(search.Path(st.Path()))
	if err != nil {
		t.Fatal(err)
	}
	load := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	fmt.Printf("things indexed: %d; built from the store in %v (%.0f things/s); saved index %d MB, store file %d MB; load %v, heap %d MB\n",
		ix.Len(), build.Round(time.Millisecond), float64(ix.Len())/build.Seconds(), fi.Size()>>20, di.Size()>>20, load.Round(time.Millisecond),
		(int64(after.HeapAlloc)-int64(before.HeapAlloc))>>20)

	sn, err := st.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	one := func(q string) int { return searchPage(t, ix, sn, q) }
	runtime.GC() // the build's garbage is not the searches'
	const runs = 400
	fmt.Printf("%-11s %9s %9s %9s  %s\n", "query", "p50", "p99", "hits", "(each query of the class in turn, "+strconv.Itoa(runs)+" runs)")
	for _, class := range []string{"one-word", "three-word", "typo", "phrase"} {
		qs := figureQueries[class]
		var d []time.Duration
		hits := 0
		for i := range runs {
			q := qs[i%len(qs)]
			s := time.Now()
			hits += one(q)
			d = append(d, time.Since(s))
		}
		slices.Sort(d)
		fmt.Printf("%-11s %9v %9v %9d\n", class, d[len(d)/2].Round(time.Microsecond), d[len(d)*99/100].Round(time.Microsecond), hits/runs)
	}
	var d []time.Duration
	prefixes := suggestPrefixes
	for i := range 2000 {
		s := time.Now()
		if _, err := ix.Suggest(prefixes[i%len(prefixes)], 10, sn.Generation()); err != nil {
			t.Fatal(err)
		}
		d = append(d, time.Since(s))
	}
	slices.Sort(d)
	fmt.Printf("%-11s %9v %9v\n", "suggest", d[len(d)/2].Round(time.Microsecond), d[len(d)*99/100].Round(time.Microsecond))
}

func keysOf(hits []search.Hit) (out []podcast.EpisodeKey) {
	for _, h := range hits {
		if h.Kind == search.KindEpisode {
			if k, ok := search.ParseEpisodeRef(h.Key); ok {
				out = append(out, k)
			}
		}
	}
	return out
}

// BenchmarkSearch runs the rotation on the index saved beside the store
// in PODCAST_SEARCH_DIR (run TestSearchFigures first), without the store:
// the index's own share of a search.
func BenchmarkSearch(b *testing.B) {
	ix := benchIndex(b)
	for _, class := range []string{"one-word", "three-word", "typo", "phrase"} {
		b.Run(class, func(b *testing.B) {
			qs := figureQueries[class]
			for i := 0; b.Loop(); i++ {
				if _, err := ix.Search(&search.Query{Text: qs[i%len(qs)], First: 20, Facets: 10}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSearchFacets is BenchmarkSearch with facets of 100 values:
// every facet; every one but the guests (the topics are then counted from
// the topics' sets of episodes); none.
func BenchmarkSearchFacets(b *testing.B) {
	ix := benchIndex(b)
	for _, v := range []struct {
		name      string
		n         int
		uncounted search.FacetSet
	}{{"all", 100, 0}, {"no-guests", 100, search.FacetGuests}, {"none", 0, 0}} {
		for _, class := range []string{"one-word", "three-word"} {
			b.Run(v.name+"/"+class, func(b *testing.B) {
				qs := figureQueries[class]
				for i := 0; b.Loop(); i++ {
					if _, err := ix.Search(&search.Query{Text: qs[i%len(qs)], First: 20, Facets: v.n, Uncounted: v.uncounted}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// benchIndex loads the index saved in $PODCAST_SEARCH_DIR (by
// TestSearchFigures), or skips.
func benchIndex(b *testing.B) *search.Index {
	dir := os.Getenv("PODCAST_SEARCH_DIR")
	if dir == "" {
		b.Skip("set PODCAST_SEARCH_DIR")
	}
	ix, err := search.Load(search.Path(filepath.Join(dir, "bench.db")))
	if err != nil {
		b.Fatal(err)
	}
	return ix
}

// BenchmarkSuggest is BenchmarkSearch's for suggest: ten prefixes in turn.
func BenchmarkSuggest(b *testing.B) {
	ix := benchIndex(b)
	for _, p := range suggestPrefixes {
		b.Run(p, func(b *testing.B) {
			for b.Loop() {
				if _, err := ix.Suggest(p, 10, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

var suggestPrefixes = []string{"k", "ku", "kub", "obs", "gus", "site rel", "mirr", "priya s", "generated", "edge c"}

// searchPage is the work of one search field: the search with facets, the
// page's 20 hits read from the snapshot, highlighted. It returns the
// total.
func searchPage(t testing.TB, ix *search.Index, sn *store.Snapshot, q string) int {
	res, err := ix.Search(&search.Query{Text: q, First: 20, Facets: 100, Generation: sn.Generation()})
	if err != nil {
		t.Fatal(err)
	}
	eachHighlight(t, sn, res, func(*podcast.Episode, search.Highlight) {})
	return res.Total
}

// eachHighlight reads the hits' episodes from sn and calls f with each
// highlight of their texts (title, summary, description), as the search
// field makes them.
func eachHighlight(t testing.TB, sn *store.Snapshot, res *search.Result, f func(*podcast.Episode, search.Highlight)) {
	eps, err := sn.EpisodesByKey(context.Background(), keysOf(res.Hits))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range eps {
		if e == nil {
			continue
		}
		for _, ft := range []struct {
			field search.Field
			text  *string
		}{{search.FieldTitle, e.Title}, {search.FieldSummary, &e.Summary}, {search.FieldDescription, e.Description}} {
			if ft.text == nil {
				continue
			}
			if hl, ok := search.HighlightText(ft.field, *ft.text, res.Terms); ok {
				f(e, hl)
			}
		}
	}
}

// BenchmarkSearchPage is searchPage on the store and index in
// PODCAST_SEARCH_DIR, by class.
func BenchmarkSearchPage(b *testing.B) {
	dir := os.Getenv("PODCAST_SEARCH_DIR")
	if dir == "" {
		b.Skip("set PODCAST_SEARCH_DIR")
	}
	ix, sn := openSaved(b, dir)
	for _, class := range []string{"one-word", "three-word", "typo", "phrase"} {
		b.Run(class, func(b *testing.B) {
			qs := figureQueries[class]
			for i := 0; b.Loop(); i++ {
				searchPage(b, ix, sn, qs[i%len(qs)])
			}
		})
	}
}

// openSaved opens the store in dir (bench.db, read only) and the index
// saved beside it, and returns the index and a snapshot of the store,
// closed when tb ends.
func openSaved(tb testing.TB, dir string) (*search.Index, *store.Snapshot) {
	tb.Helper()
	ix, err := search.Load(search.Path(filepath.Join(dir, "bench.db")))
	if err != nil {
		tb.Fatal(err)
	}
	st, err := store.Open(context.Background(), filepath.Join(dir, "bench.db"), store.Options{ReadOnly: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	sn, err := st.Snapshot(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { sn.Close() })
	return ix, sn
}
