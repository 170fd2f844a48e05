package pipeline

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"podcastgraph/ingest"
	"podcastgraph/internal/pagegen"
	"podcastgraph/store"
)

// writePages writes n generated pages to a new directory and returns
// their paths.
func writePages(t *testing.T, n int) []string {
	t.Helper()
	dir := t.TempDir()
	var files []string
	for i := range n {
		name, data := pagegen.Page(i, pagegen.Options{Shows: 1, Seed: 7})
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
	}
	return files
}

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "p.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// known lists which of files unchanged would skip.
func known(in *Ingester, files []string) []bool {
	out := make([]bool, len(files))
	for i, r := range in.unchanged(context.Background(), files) {
		out[i] = r != nil
	}
	return out
}

// TestWhatARestartSkips: after an ingest, every file is known unchanged
// from its description alone; a file whose modification time, size or
// status change time moved, or that is gone, is not; nor is any file when
// the vocabulary changed or with Rescan.
func TestWhatARestartSkips(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	files := writePages(t, 6)
	in := &Ingester{Store: st, Vocab: ingest.DefaultVocabulary(), Batch: 4, Settle: -1}
	if sum, err := in.Files(ctx, files, io.Discard); err != nil || sum.Added != 6 {
		t.Fatalf("first ingest: %+v, %v", sum, err)
	}
	if got := known(in, files); !equalBools(got, []bool{true, true, true, true, true, true}) {
		t.Fatalf("unchanged files known after an ingest: %v", got)
	}

	fi, err := os.Stat(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(files[0], fi.ModTime(), fi.ModTime().Add(time.Second)); err != nil { // mtime moved
		t.Fatal(err)
	}
	if err := os.Chmod(files[1], 0o600); err != nil { // only the status change time moves
		t.Fatal(err)
	}
	if err := os.WriteFile(files[2], append(mustRead(t, files[2]), '\n'), 0o644); err != nil { // size
		t.Fatal(err)
	}
	if err := os.Remove(files[3]); err != nil {
		t.Fatal(err)
	}
	want := []bool{false, false, false, false, true, true}
	if got := known(in, files); !equalBools(got, want) {
		t.Fatalf("known unchanged after edits: %v, want %v", got, want)
	}

	rescan := &Ingester{Store: st, Vocab: ingest.DefaultVocabulary(), Rescan: true}
	if got := known(rescan, files); !equalBools(got, make([]bool, len(files))) {
		t.Fatalf("with Rescan: %v, want none", got)
	}
	vocab, err := ingest.ParseVocabulary("other.json", []byte(`[{"name": "DNS"}]`))
	if err != nil {
		t.Fatal(err)
	}
	other := &Ingester{Store: st, Vocab: vocab}
	if got := known(other, files); !equalBools(got, make([]bool, len(files))) {
		t.Fatalf("with another vocabulary: %v, want none", got)
	}
}

// TestAFreshFileIsNotTrusted: a file whose times are not yet older than
// its read by the settle time (it may still change within the same clock
// tick) is ingested but its description is not recorded, so the next run
// reads it again.
func TestAFreshFileIsNotTrusted(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	files := writePages(t, 2)
	// The second file's times are in the future: never settled during
	// the test, however slow the machine.
	future := time.Now().Add(time.Hour)
	if err := os.Chtimes(files[1], future, future); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(files[0], old, old); err != nil {
		t.Fatal(err)
	}
	in := &Ingester{Store: st, Vocab: ingest.DefaultVocabulary(), Batch: 4}
	if sum, err := in.Files(ctx, files, io.Discard); err != nil || sum.Added != 2 {
		t.Fatalf("ingest: %+v, %v", sum, err)
	}
	// The first file's status change time is now (Chtimes moved it),
	// so neither is settled under the default.
	if got := known(in, files); !equalBools(got, []bool{false, false}) {
		t.Fatalf("known unchanged with DefaultSettle: %v, want none", got)
	}
	srcs, err := st.SourceFiles(ctx, []string{filepath.Base(files[0]), filepath.Base(files[1])})
	if err != nil || srcs[0] != nil || srcs[1] != nil {
		t.Fatalf("recorded: %+v, %v; want none", srcs, err)
	}
	// Trusted at once (as the tests' Settle -1 says), the past one is
	// recorded; the future one never is.
	in.Settle = time.Nanosecond
	if _, err := in.Files(ctx, files, io.Discard); err != nil {
		t.Fatal(err)
	}
	if got := known(in, files); !equalBools(got, []bool{true, false}) {
		t.Fatalf("known unchanged with a settle of 1 ns: %v, want [true false]", got)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func equalBools(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
