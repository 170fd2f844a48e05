package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"podcastgraph/ingest"
	"podcastgraph/internal/pagegen"
	"podcastgraph/store"
)

// generated parses generated pages from..to-1.
func generated(t *testing.T, from, to int) []*ingest.Document {
	t.Helper()
	var docs []*ingest.Document
	for i := from; i < to; i++ {
		name, data := pagegen.Page(i, pagegen.Options{Shows: 2, Seed: 1})
		doc, err := ingest.Parse(name, data, ingest.DefaultVocabulary())
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, doc)
	}
	return docs
}

// Compact shrinks the file and changes nothing it holds; the compacted
// file takes writes like any other.
func TestCompact(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "c.db")
	before := fillStore(t, path)
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}

	res, err := store.Compact(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if res.After >= res.Before || fi.Size() != res.After {
		t.Errorf("compacted %d bytes to %d (file %d), want smaller", res.Before, res.After, fi.Size())
	}
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("compacted file's mode %v, want the old file's -rw-r-----", fi.Mode())
	}
	if _, err := os.Stat(path + ".compact"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary file left behind: %v", err)
	}

	st := openCompacted(t, path, before)
	changed := generated(t, 50, 200)
	for _, d := range changed {
		d.SHA256 += "-2"
		d.Episode.Title += " (revised)"
	}
	apply(t, st, append(changed, generated(t, 300, 350)...)...)
	if _, err := st.Verify(ctx); err != nil {
		t.Fatalf("after writes to the compacted file: %v", err)
	}

	// The open store holds the file: Compact waits, then gives up.
	_, err = store.Compact(ctx, path, store.Options{LockTimeout: 50 * time.Millisecond})
	if !errors.Is(err, store.ErrInUse) || !strings.Contains(err.Error(), path) {
		t.Errorf("compact of a file in use: %v, want ErrInUse naming the file", err)
	}
}

// Compact refuses what is not a store, and leaves it as it was.
func TestCompactRefusesOtherFiles(t *testing.T) {
	dir := t.TempDir()
	foreign := filepath.Join(dir, "foreign.db")
	db, err := bolt.Open(foreign, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("other")); return err })
	db.Close()
	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte(strings.Repeat("not a database ", 500)), 0o600)
	for _, path := range []string{foreign, text} {
		before, _ := os.ReadFile(path)
		if _, err := store.Compact(context.Background(), path, store.Options{}); err == nil {
			t.Errorf("%s: compacted", path)
		}
		if after, _ := os.ReadFile(path); string(after) != string(before) {
			t.Errorf("%s: changed by a refused compaction", path)
		}
	}
}

// A store opened while another process replaced the file (as Compact
// does, holding the lock) ends up on the file now at the path, not the
// one replaced.
func TestOpenFollowsReplacedFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path, next := filepath.Join(dir, "s.db"), filepath.Join(dir, "next.db")
	holder, err := store.Open(ctx, path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	other, err := store.Open(ctx, next, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	apply(t, other, corpus()...)
	want := dump(t, other)
	other.Close()

	opened := make(chan *store.Store)
	go func() {
		st, err := store.Open(ctx, path, store.Options{LockTimeout: 30 * time.Second, NoSync: true})
		if err != nil {
			t.Error(err)
		}
		opened <- st
	}()
	time.Sleep(100 * time.Millisecond) // let it open the old file and wait for its lock
	if err := os.Rename(next, path); err != nil {
		t.Fatal(err)
	}
	holder.Close()
	st := <-opened
	if st == nil {
		t.FailNow()
	}
	defer st.Close()
	if got := dump(t, st); got != want {
		t.Errorf("opened the replaced file, not the one at the path")
	}
}

// A copy committed in many transactions, with both files' mapped pages
// dropped from memory between them (as a large file's copy is), holds
// every bucket, key, value and sequence of the old file, byte for byte.
func TestCompactInManyTransactions(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "c.db")
	answers := fillStore(t, path)
	before := rawContents(t, path)

	res, err := store.CompactEvery(ctx, path, 16<<10)
	if err != nil {
		t.Fatal(err)
	}
	if res.After >= res.Before {
		t.Errorf("compacted %d bytes to %d, want smaller", res.Before, res.After)
	}
	if after := rawContents(t, path); after != before {
		t.Errorf("the copy differs from the old file:\n%s", firstDifference(before, after))
	}
	openCompacted(t, path, answers)
}

// fillStore writes a store at path in three transactions (pages freed by
// rewrites, pages part full) and closes it; it returns what it answers.
func fillStore(t *testing.T, path string) string {
	t.Helper()
	st, err := store.Open(context.Background(), path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	apply(t, st, corpus()...)
	for _, batch := range [][2]int{{0, 150}, {150, 300}} {
		apply(t, st, generated(t, batch[0], batch[1])...)
	}
	return dump(t, st)
}

// openCompacted opens the compacted store at path, checks that it answers
// what it did before (answers) and verifies; it is closed at the test's end.
func openCompacted(t *testing.T, path, answers string) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if got := dump(t, st); got != answers {
		t.Errorf("compaction changed what the store answers")
	}
	if _, err := st.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	return st
}

// rawContents lists every bucket (with its sequence), key and value of
// the bbolt file at path, one line each, in order.
func rawContents(t *testing.T, path string) string {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var sb strings.Builder
	var walk func(prefix string, b *bolt.Bucket) error
	walk = func(prefix string, b *bolt.Bucket) error {
		fmt.Fprintf(&sb, "bucket %s sequence %d\n", prefix, b.Sequence())
		return b.ForEach(func(k, v []byte) error {
			if v == nil {
				return walk(fmt.Sprintf("%s/%x", prefix, k), b.Bucket(k))
			}
			fmt.Fprintf(&sb, "%s %x = %x\n", prefix, k, v)
			return nil
		})
	}
	err = db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return walk(fmt.Sprintf("%x", name), b)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return sb.String()
}

// firstDifference returns the first line where a and b differ.
func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d: %.200s\nnow:     %.200s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("%d lines, now %d", len(al), len(bl))
}
