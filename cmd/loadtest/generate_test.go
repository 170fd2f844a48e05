package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"podcastgraph/internal/pagegen"
)

// Generating into a kept directory leaves the pages already there with
// the same bytes untouched (their times too, so an ingest finds them
// unchanged by their status), and writes those that differ.
func TestGenerateKeepsSamePages(t *testing.T) {
	dir := t.TempDir()
	opts := pagegen.Options{Shows: 1, Seed: 3}
	if _, err := generate(context.Background(), dir, 5, opts); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 5 {
		t.Fatalf("%d pages written (%v), want 5", len(entries), err)
	}
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	var changed string
	for i, e := range entries {
		p := filepath.Join(dir, e.Name())
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			changed = p
			if err := os.WriteFile(p, []byte("edited"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(p, old, old); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := generate(context.Background(), dir, 5, opts); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if rewritten := !fi.ModTime().Equal(old); rewritten != (p == changed) {
			t.Errorf("%s rewritten: %v, want %v", e.Name(), rewritten, p == changed)
		}
	}
	if b, _ := os.ReadFile(changed); string(b) == "edited" {
		t.Errorf("%s keeps its edited bytes", changed)
	}
}
