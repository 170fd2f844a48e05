package search

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestCompactFigure prints how long compaction holds the index saved in
// PODCAST_SEARCH_DIR (by TestSearchFigures): every posting rewritten, as
// when an eighth of the docs are dead.
func TestCompactFigure(t *testing.T) {
	dir := os.Getenv("PODCAST_SEARCH_DIR")
	if dir == "" {
		t.Skip("set PODCAST_SEARCH_DIR")
	}
	ix, err := Load(Path(filepath.Join(dir, "bench.db")))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	ix.compact()
	t.Logf("compaction of %d docs: %v", len(ix.docs), time.Since(start).Round(time.Millisecond))
}
