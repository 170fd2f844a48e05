package store_test

import (
	"compress/gzip"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"podcastgraph/ingest"
	"podcastgraph/store"
)

// schema1Store copies testdata/schema1.db.gz, a store written by the
// release before binary records (schema version 1: the two seed pages
// ingested by its `ingest` command, then copied compactly), into a
// temporary file and returns its path.
func schema1Store(t *testing.T) string { return fixtureStore(t, "schema1") }

// fixtureStore copies testdata/NAME.db.gz into a temporary file and
// returns its path.
func fixtureStore(t *testing.T, name string) string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name+".db.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name+".db")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, zr); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// recordBuckets are the buckets whose values are records.
var recordBuckets = []string{"shows", "guests", "topics", "vocab", "episodes", "docs", "frags"}

// rawState reads a closed store file's schema version, whether it is
// marked migrating, how many of its records are JSON and binary, and how
// many of its sources are in schema 1's form (an entry per name).
func rawState(t *testing.T, path string) (version uint32, migrating bool, jsonN, binaryN, oldSources int) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket([]byte("meta"))
		version = binary.BigEndian.Uint32(meta.Get([]byte("schema")))
		migrating = meta.Get([]byte("migrating")) != nil
		if err := tx.Bucket([]byte("epsrc")).ForEach(func(_, v []byte) error {
			if len(v) == 0 {
				oldSources++
			}
			return nil
		}); err != nil {
			return err
		}
		for _, name := range recordBuckets {
			if err := tx.Bucket([]byte(name)).ForEach(func(_, v []byte) error {
				switch {
				case len(v) > 0 && v[0] == '{':
					jsonN++
				case len(v) > 0 && v[0] == 1:
					binaryN++
				default:
					t.Errorf("bucket %s: value %q is neither JSON nor binary", name, v)
				}
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return
}

// fixtureFingerprint returns the extractor fingerprint a closed store
// file recorded for its documents: the seeds applied again with it
// are the same pages read by the same extractor, whatever this build's
// extractor version is.
func fixtureFingerprint(t *testing.T, path string) string {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var fp string
	err = db.View(func(tx *bolt.Tx) error {
		_, v := tx.Bucket([]byte("docs")).Cursor().First()
		var err error
		if fp, err = store.DocFingerprint(v); err != nil {
			return fmt.Errorf("docs record %q: %w", v, err)
		}
		return nil
	})
	if err != nil || fp == "" {
		t.Fatalf("fixture fingerprint %q: %v", fp, err)
	}
	return fp
}

func seedDocs(t *testing.T) []*ingest.Document {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "seeds", "*.txt"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("seeds: %v %v", paths, err)
	}
	var docs []*ingest.Document
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := ingest.Parse(filepath.Base(p), data, ingest.DefaultVocabulary())
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, doc)
	}
	return docs
}

var ingestedAt = regexp.MustCompile(`"ingestedAt": "[^"]*"`)

// A store written by the previous release opens: read-only as it is, and
// for writing migrated to binary records, with every answer the same; its
// pages, ingested again, are unchanged; and it equals what this build
// makes of the same pages.
func TestOpenMigratesSchema1(t *testing.T) {
	ctx := context.Background()
	path := schema1Store(t)
	if v, _, jsonN, binaryN, oldSources := rawState(t, path); v != 1 || jsonN == 0 || binaryN != 0 || oldSources == 0 {
		t.Fatalf("fixture: schema %d, %d JSON and %d binary records, %d sources; want a schema 1 file", v, jsonN, binaryN, oldSources)
	}

	fingerprint := fixtureFingerprint(t, path)
	ro, err := store.Open(ctx, path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	before := dump(t, ro)
	ro.Close()
	if !strings.Contains(before, "avery-pennarun") || !strings.Contains(before, "Bringing Back the Original Internet Vision") {
		t.Fatalf("the fixture read back without its seed data:\n%.2000s", before)
	}
	if v, _, _, binaryN, _ := rawState(t, path); v != 1 || binaryN != 0 {
		t.Fatalf("opening read-only changed the file: schema %d, %d binary records", v, binaryN)
	}

	st, err := store.Open(ctx, path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if after := dump(t, st); after != before {
		t.Errorf("migration changed what the store answers:\n%s\n---\n%s", before, after)
	}
	if _, err := st.Verify(ctx); err != nil {
		t.Errorf("verify after migration: %v", err)
	}
	gen, _ := st.Generation()
	res, err := st.Apply(ctx, seedDocs(t), store.ApplyOptions{Fingerprint: fingerprint})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Status != store.Unchanged {
			t.Errorf("%s ingested again: %s, want unchanged", r.Name, r.Status)
		}
	}
	if g, _ := st.Generation(); g != gen {
		t.Errorf("generation moved from %d to %d", gen, g)
	}
	migrated := dump(t, st)
	st.Close()
	if v, migrating, jsonN, binaryN, oldSources := rawState(t, path); v != store.SchemaVersion || migrating || jsonN != 0 || binaryN == 0 || oldSources != 0 {
		t.Errorf("after migration: schema %d, migrating %v, %d JSON and %d binary records, %d sources in the old form",
			v, migrating, jsonN, binaryN, oldSources)
	}

	fresh := open(t)
	if _, err := fresh.Apply(ctx, seedDocs(t), store.ApplyOptions{Fingerprint: fingerprint}); err != nil {
		t.Fatal(err)
	}
	norm := func(s string) string { return ingestedAt.ReplaceAllString(s, `"ingestedAt": "-"`) }
	if got, want := norm(dump(t, fresh)), norm(migrated); got != want {
		t.Errorf("this build made another graph of the same pages:\n%s\n---\n%s", got, want)
	}
}

// recordBytes reads every value of the record buckets of a closed store
// file.
func recordBytes(t *testing.T, path string) map[string]string {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string]string{}
	err = db.View(func(tx *bolt.Tx) error {
		for _, name := range recordBuckets {
			if err := tx.Bucket([]byte(name)).ForEach(func(k, v []byte) error {
				out[name+"/"+string(k)] = string(v)
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A store written by the release before feeds (schema 2: testdata/
// schema2.db.gz, the two seed pages ingested by its `ingest` command, then
// compacted) opens: read-only as it is; for writing marked version 3 with
// every record byte for byte as it was and every answer the same; its
// pages ingested again are unchanged, and a feed show that states the
// pages' slug gets another.
func TestOpenMigratesSchema2(t *testing.T) {
	ctx := context.Background()
	path := fixtureStore(t, "schema2")
	if v, migrating, jsonN, _, _ := rawState(t, path); v != 2 || migrating || jsonN != 0 {
		t.Fatalf("fixture: schema %d, migrating %v, %d JSON records; want a schema 2 file", v, migrating, jsonN)
	}
	fingerprint := fixtureFingerprint(t, path)
	records := recordBytes(t, path)
	ro, err := store.Open(ctx, path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	before := dump(t, ro)
	ro.Close()
	if !strings.Contains(before, "avery-pennarun") {
		t.Fatalf("the fixture read back without its seed data:\n%.2000s", before)
	}
	if v, _, _, _, _ := rawState(t, path); v != 2 {
		t.Fatalf("opening read-only changed the schema to %d", v)
	}

	st, err := store.Open(ctx, path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if after := dump(t, st); after != before {
		t.Errorf("migration changed what the store answers:\n%s\n---\n%s", before, after)
	}
	res, err := st.Apply(ctx, seedDocs(t), store.ApplyOptions{Fingerprint: fingerprint})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Status != store.Unchanged {
			t.Errorf("%s ingested again: %s, want unchanged", r.Name, r.Status)
		}
	}
	st.Close()
	if v, _, _, _, _ := rawState(t, path); v != store.SchemaVersion {
		t.Fatalf("after opening for writing: schema %d, want %d", v, store.SchemaVersion)
	}
	after := recordBytes(t, path)
	if len(after) != len(records) {
		t.Errorf("%d records before, %d after", len(records), len(after))
	}
	for k, v := range records {
		if after[k] != v {
			t.Errorf("record %q changed", k)
		}
	}

	st, err = store.Open(ctx, path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	apply(t, st, item(feedShow("devops-paradox", "DevOps Paradox", "guid-feed"), "x", 0, "2025-01-01"))
	wantNumbers(t, st, "devops-paradox-2", map[int]string{1: "Item x"})
	if _, err := st.Verify(ctx); err != nil {
		t.Fatal(err)
	}
}
