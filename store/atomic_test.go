package store_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"podcastgraph/store"
)

// A failed write leaves the file as it was and no temporary file behind; a
// good one replaces it.
func TestWriteFileAtomically(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "snap.db")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	cut := errors.New("cut short")
	if _, err := store.WriteFileAtomically(path, func(w io.Writer) (int64, error) {
		n, _ := io.WriteString(w, "half of the new")
		return int64(n), cut
	}); !errors.Is(err, cut) {
		t.Fatalf("err = %v, want the write's error", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Fatalf("after a failed write the file holds %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("files left behind: %v", entries)
	}
	n, err := store.WriteFileAtomically(path, func(w io.Writer) (int64, error) {
		n, err := io.WriteString(w, "new")
		return int64(n), err
	})
	if b, _ := os.ReadFile(path); err != nil || n != 3 || string(b) != "new" {
		t.Fatalf("good write: n=%d err=%v file %q", n, err, b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("files left behind: %v", entries)
	}
}
