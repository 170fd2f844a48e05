package store_test

import (
	"context"
	"crypto/sha256"
	"path/filepath"
	"reflect"
	"testing"

	"podcastgraph/store"
)

// What is remembered of a fetched URL survives closing and reopening the
// file, is returned for that URL only, and writing it leaves the graph's
// generation alone (it is not the graph).
func TestFetchedRemembered(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "f.db")
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	gen, _ := st.Generation()
	want := &store.Fetched{ETag: `"v1"`, LastModified: "Wed, 02 Dec 2026 10:00:00 GMT", SHA256: sha256.Sum256([]byte("body")),
		Fingerprint: "fp", Episodes: 3, Guests: 2, Topics: 1, Warnings: []string{"line 4: repaired &nbsp;"}}
	const u = "https://example.com/feed.xml"
	if err := st.PutFetched(ctx, u, want); err != nil {
		t.Fatal(err)
	}
	if g, _ := st.Generation(); g != gen {
		t.Errorf("generation moved from %d to %d", gen, g)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = store.Open(ctx, path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, err := st.FetchedURLs(ctx, []string{"https://example.com/other", u})
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != nil || !reflect.DeepEqual(got[1], want) {
		t.Fatalf("after reopening: %+v, want [nil %+v]", got, want)
	}
	if err := st.CheckConsistency(); err != nil {
		t.Fatal(err)
	}
}
