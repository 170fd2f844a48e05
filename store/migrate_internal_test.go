package store

import (
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	bolt "go.etcd.io/bbolt"

	"podcastgraph/internal/podcast"
)

// A migration cut short (by a crash between its transactions) leaves a
// file whose records mix both encodings: it reads the same, read-only,
// and the next Open finishes the migration.
func TestMigrationResumes(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "schema1.db")
	gunzipFile(t, filepath.Join("testdata", "schema1.db.gz"), path)

	var keys []podcast.EpisodeKey
	var want []*podcast.Episode
	st, err := Open(ctx, path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	wantSources := allSources(t, st)
	st.Close()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketEpisodes).ForEach(func(k, v []byte) error {
			ek, _ := parseEpisodeKey(k)
			e, err := decodeEpisode(v)
			keys, want = append(keys, ek), append(want, e)
			return err
		}); err != nil {
			return err
		}
		if err := startMigration(tx); err != nil {
			return err
		}
		_, done, err := migrateRecords(tx.Bucket(bucketEpisodes), bucketEpisodes, nil, len(keys)/2)
		if done || err != nil {
			t.Errorf("half the episodes migrated: done %v, %v", done, err)
		}
		_, done, err = migrateSources(tx.Bucket(bucketEpSrc), nil, tx.Bucket(bucketEpSrc).Stats().KeyN/2+1)
		if done {
			t.Errorf("half the sources migrated, and done")
		}
		forms := map[bool]int{} // by whether the entry is a list
		_ = tx.Bucket(bucketEpSrc).ForEach(func(_, v []byte) error { forms[len(v) > 0]++; return nil })
		if forms[true] == 0 || forms[false] == 0 {
			t.Errorf("sources by form (list true): %v, want both", forms)
		}
		return err
	})
	db.Close()
	if err != nil || len(keys) < 4 {
		t.Fatalf("%d episodes: %v", len(keys), err)
	}
	mixed := countEncodings(t, path)
	if mixed[true] == 0 || mixed[false] == 0 {
		t.Fatalf("episodes by encoding (JSON true): %v, want both", mixed)
	}

	for _, opts := range []Options{{ReadOnly: true}, {}} {
		st, err := Open(ctx, path, opts)
		if err != nil {
			t.Fatal(err)
		}
		got, err := st.EpisodesByKey(ctx, keys)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("read-only %v: episodes differ from the schema 1 file's", opts.ReadOnly)
		}
		if got := allSources(t, st); !reflect.DeepEqual(got, wantSources) {
			t.Errorf("read-only %v: sources differ from the schema 1 file's:\n%v\nwant\n%v", opts.ReadOnly, got, wantSources)
		}
		st.Close()
	}
	if n := countEncodings(t, path); n[true] != 0 {
		t.Errorf("after Open: %d episodes still JSON", n[true])
	}
}

// allSources returns the sources of every episode of the store's only show.
func allSources(t *testing.T, st *Store) [][]podcast.Source {
	t.Helper()
	var keys []podcast.EpisodeKey
	for n := range 400 {
		keys = append(keys, podcast.EpisodeKey{Show: "devops-paradox", Number: n})
	}
	srcs, err := st.Sources(context.Background(), keys)
	if err != nil {
		t.Fatal(err)
	}
	named := 0
	for _, s := range srcs {
		named += len(s)
	}
	if named < 10 {
		t.Fatalf("%d sources in the fixture", named)
	}
	return srcs
}

// countEncodings counts a closed file's episode records by whether they are JSON.
func countEncodings(t *testing.T, path string) map[bool]int {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n := map[bool]int{}
	_ = db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketEpisodes).ForEach(func(_, v []byte) error { n[isJSON(v)]++; return nil })
	})
	return n
}

func gunzipFile(t *testing.T, from, to string) {
	t.Helper()
	f, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, zr); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
