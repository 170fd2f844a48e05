package search

import (
	"context"
	"path/filepath"
	"testing"

	"podcastgraph/ingest"
	"podcastgraph/internal/pagegen"
	"podcastgraph/store"
)

// StoreOfPages opens a new store (closed when the test ends) and returns
// it with apply, which writes generated pages from to to (pagegen, two
// shows, seed) in one write and returns the store's generation then. The
// tests of package search_test use it too.
func StoreOfPages(t *testing.T, seed int64) (*store.Store, func(from, to int) uint64) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "pages.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	vocab := ingest.DefaultVocabulary()
	return st, func(from, to int) uint64 {
		t.Helper()
		var docs []*ingest.Document
		for i := from; i < to; i++ {
			name, data := pagegen.Page(i, pagegen.Options{Shows: 2, Seed: seed})
			d, err := ingest.Parse(name, data, vocab)
			if err != nil {
				t.Fatal(err)
			}
			docs = append(docs, d)
		}
		if _, err := st.Apply(ctx, docs, store.ApplyOptions{Fingerprint: vocab.Fingerprint()}); err != nil {
			t.Fatal(err)
		}
		gen, err := st.Generation()
		if err != nil {
			t.Fatal(err)
		}
		return gen
	}
}

// TestFirstBuildAnswersAsARebuild: an index made from a store's whole
// journal (a new store, or a lost index file) is built as a rebuild is,
// its postings laid out once at the end (catchUp): it says it replayed
// the journal, and answers as the index a rebuild makes, scores and
// all.
func TestFirstBuildAnswersAsARebuild(t *testing.T) {
	ctx := context.Background()
	st, apply := StoreOfPages(t, 5)
	for batch := range 4 {
		apply(batch*50, (batch+1)*50)
	}
	f, err := Open(ctx, st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if info := f.StartInfo(); info.Loaded || info.Rebuilt || info.Replayed != 4 {
		t.Fatalf("start: %+v; want the 4 writes replayed", info)
	}
	ix := f.Index()
	if ix.Len() < 200 {
		t.Fatalf("%d things indexed", ix.Len())
	}
	// The same answers as the index a rebuild makes.
	sn, err := st.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	all, err := sn.All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	re := New()
	re.beginBulk()
	if err := fill(ctx, sn, re, sn.Generation(), nil, all.Episodes, all.Guests, all.Topics, all.Shows); err != nil {
		t.Fatal(err)
	}
	re.endBulk()
	for _, q := range []string{"kubernetes", "the", "obsrvability", `"platform engineering"`, "dat"} {
		a, err := ix.Search(&Query{Text: q, First: 20, Facets: 10})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := re.Search(&Query{Text: q, First: 20, Facets: 10})
		if a.Total != b.Total || len(a.Hits) != len(b.Hits) {
			t.Fatalf("%q: %d hits, a rebuild %d", q, a.Total, b.Total)
		}
		for i := range a.Hits {
			if a.Hits[i].Key != b.Hits[i].Key || a.Hits[i].Score != b.Hits[i].Score {
				t.Errorf("%q hit %d: %+v, a rebuild %+v", q, i, a.Hits[i], b.Hits[i])
			}
		}
	}
}
