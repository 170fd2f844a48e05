package pipeline_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"podcastgraph/ingest"
	"podcastgraph/internal/fetch"
	"podcastgraph/internal/pagegen"
	"podcastgraph/internal/pipeline"
	"podcastgraph/store"
)

// feedServer serves documents by path, with an ETag unless told not to,
// answering 304 to a matching If-None-Match, and counts what it is asked.
type feedServer struct {
	*httptest.Server
	mu          sync.Mutex
	docs        map[string][]byte
	etags       map[string]string // "" for a document served without validators
	hits        map[string]int
	conditional map[string]int // requests that carried If-None-Match
	notModified int
}

func newFeedServer(t testing.TB) *feedServer {
	fs := &feedServer{docs: map[string][]byte{}, etags: map[string]string{}, hits: map[string]int{}, conditional: map[string]int{}}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		defer fs.mu.Unlock()
		fs.hits[r.URL.Path]++
		body, ok := fs.docs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if inm := r.Header.Get("If-None-Match"); inm != "" {
			fs.conditional[r.URL.Path]++
			if inm == fs.etags[r.URL.Path] {
				fs.notModified++
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		if e := fs.etags[r.URL.Path]; e != "" {
			w.Header().Set("ETag", e)
		}
		w.Write(body)
	}))
	t.Cleanup(fs.Close)
	return fs
}

// set serves body at path, with etag ("" for none).
func (fs *feedServer) set(path string, body []byte, etag string) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.docs[path], fs.etags[path] = body, etag
}

func (fs *feedServer) count(m map[string]int, path string) int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return m[path]
}

func seed(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "seeds", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// An unchanged URL costs a request and nothing else: a 304 (validators
// remembered in the store, across a restart) or a body hashing as the
// last one is neither parsed nor written; a changed one is ingested; one
// that cannot be fetched fails alone, naming itself.
func TestURLsConditional(t *testing.T) {
	ctx := context.Background()
	fs := newFeedServer(t)
	fs.set("/a.txt", seed(t, "000_3500f07eabefc183.txt"), `"a1"`)
	fs.set("/b.txt", seed(t, "001_2069fb2803647d3f.txt"), "")
	urls := []string{fs.URL + "/a.txt", fs.URL + "/b.txt", fs.URL + "/gone.txt", "ftp://example.com/feed.xml"}
	path := filepath.Join(t.TempDir(), "p.db")
	f := fetch.New(fetch.Config{AllowPrivate: true})

	run := func(t *testing.T, st *store.Store, urls []string) (pipeline.Summary, []pipeline.Result) {
		t.Helper()
		var mu sync.Mutex
		observed := 0 // the metrics' count: once per URL, whatever path it took
		ing := &pipeline.Ingester{Store: st, Vocab: ingest.DefaultVocabulary(), Batch: 16,
			Observe: func(pipeline.Result) { mu.Lock(); observed++; mu.Unlock() }}
		var got []pipeline.Result
		sum, err := ing.URLs(ctx, urls, pipeline.URLOptions{Fetcher: f, Each: func(r pipeline.Result) { got = append(got, r) }})
		if err != nil {
			t.Fatal(err)
		}
		if observed != len(urls) {
			t.Errorf("Observe told of %d results for %d URLs", observed, len(urls))
		}
		if len(got) != len(urls) {
			t.Fatalf("%d results for %d URLs", len(got), len(urls))
		}
		for i, r := range got {
			if r.Name != urls[i] {
				t.Fatalf("result %d is %s, want %s (results in the order given)", i, r.Name, urls[i])
			}
		}
		return sum, got
	}
	status := func(rs []pipeline.Result) string {
		var s []string
		for _, r := range rs {
			s = append(s, r.Status)
		}
		return strings.Join(s, " ")
	}
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, res := run(t, st, urls)
	if got := status(res); got != "added added failed failed" {
		t.Fatalf("first run: %s %+v", got, res)
	}
	if !strings.Contains(res[2].Error, urls[2]+": HTTP 404 Not Found") || !strings.Contains(res[3].Error, `scheme "ftp"`) {
		t.Errorf("failures: %q, %q", res[2].Error, res[3].Error)
	}
	added := res[0]

	writes := func() int64 { s, _ := st.Stats(); return s.WriteTxs }
	gen, _ := st.Generation()
	before := writes()
	sum, res := run(t, st, urls[:2])
	if got := status(res); got != "unchanged unchanged" || sum.NotModified != 1 || sum.SameBody != 1 {
		t.Fatalf("unchanged run: %s, %+v", got, sum)
	}
	if res[0].Episodes != added.Episodes || res[0].Guests != added.Guests || len(res[0].Warnings) != len(added.Warnings) {
		t.Errorf("unchanged result %+v lost the counts of %+v", res[0], added)
	}
	if w := writes() - before; w != 0 {
		t.Errorf("%d write transactions for unchanged URLs, want 0", w)
	}
	if g, _ := st.Generation(); g != gen {
		t.Errorf("generation moved %d -> %d", gen, g)
	}

	// A changed document is ingested; its new validators are remembered.
	fs.set("/a.txt", append(seed(t, "000_3500f07eabefc183.txt"), "\nOne more line.\n"...), `"a2"`)
	if _, res = run(t, st, urls[:1]); res[0].Status != "updated" {
		t.Fatalf("changed: %+v", res[0])
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	// After a restart, the validators are still sent.
	st, err = store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cond, nm := fs.count(fs.conditional, "/a.txt"), fs.notModified
	if sum, res = run(t, st, urls[:1]); res[0].Status != "unchanged" || sum.NotModified != 1 {
		t.Fatalf("after restart: %+v %+v", res[0], sum)
	}
	if fs.count(fs.conditional, "/a.txt") != cond+1 || fs.notModified != nm+1 {
		t.Errorf("after restart the request was not conditional")
	}
	if fs.count(fs.conditional, "/b.txt") != 0 {
		t.Errorf("validators sent for a document that had none")
	}
}

// BenchmarkRefreshUnchanged is the time to refresh 100 feeds none of
// which changed, from a local server: "304" answers conditional requests
// with 304, "same-body" sends no validators, so each body is fetched and
// hashed (neither is parsed nor written).
//
//	go test -run '^$' -bench RefreshUnchanged -count 5 ./internal/pipeline
func BenchmarkRefreshUnchanged(b *testing.B) {
	for _, validators := range []bool{true, false} {
		name := "304"
		if !validators {
			name = "same-body"
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			fs := newFeedServer(b)
			var urls []string
			for i := range 100 {
				pname, data := pagegen.Page(i, pagegen.Options{Shows: 1, Seed: 7})
				etag := ""
				if validators {
					etag = fmt.Sprintf(`"%d"`, i)
				}
				fs.set("/"+pname, data, etag)
				urls = append(urls, fs.URL+"/"+pname)
			}
			st, err := store.Open(ctx, filepath.Join(b.TempDir(), "p.db"), store.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			ing := &pipeline.Ingester{Store: st, Vocab: ingest.DefaultVocabulary(), Batch: 16}
			opts := pipeline.URLOptions{Fetcher: fetch.New(fetch.Config{AllowPrivate: true})}
			if sum, err := ing.URLs(ctx, urls, opts); err != nil || sum.Added != 100 {
				b.Fatalf("first round: %+v %v", sum, err)
			}
			before, _ := st.Stats()
			b.ResetTimer()
			for b.Loop() {
				sum, err := ing.URLs(ctx, urls, opts)
				if err != nil || sum.Unchanged != 100 {
					b.Fatalf("%+v %v", sum, err)
				}
			}
			after, _ := st.Stats()
			b.ReportMetric(float64(after.WriteTxs-before.WriteTxs)/float64(b.N), "writes/op")
		})
	}
}
