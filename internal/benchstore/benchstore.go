// Package benchstore builds stores of generated pages for benchmarks: the
// pages cmd/loadtest serves (internal/pagegen, one show), parsed by the
// real extractor and applied through store.Apply, so that a benchmark
// reads the indexes and records a server reads.
package benchstore

import (
	"context"
	"os"
	"path/filepath"
	"sync"

	"podcastgraph/ingest"
	"podcastgraph/internal/pagegen"
	"podcastgraph/store"
)

// Options of the generated pages: the same as cmd/loadtest's.
var Options = pagegen.Options{Shows: 1, Seed: 1}

// New creates a store of the given number of generated pages in dir.
func New(dir string, pages int) (*store.Store, error) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, "bench.db"), store.Options{NoSync: true})
	if err != nil {
		return nil, err
	}
	if err := fill(ctx, st, pages); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

func fill(ctx context.Context, st *store.Store, pages int) error {
	vocab := ingest.DefaultVocabulary()
	if err := st.SetVocabulary(ctx, vocab.Topics()); err != nil {
		return err
	}
	batch := make([]*ingest.Document, 0, 1024)
	for i := range pages {
		name, data := pagegen.Page(i, Options)
		doc, err := ingest.Parse(name, data, vocab)
		if err != nil {
			return err
		}
		batch = append(batch, doc)
		if len(batch) == cap(batch) || i == pages-1 {
			if _, err := st.Apply(ctx, batch, store.ApplyOptions{Fingerprint: vocab.Fingerprint()}); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	return nil
}

// Shared returns a store of the given number of pages made once per test
// binary; Cleanup removes it (call it from TestMain after m.Run).
func Shared(pages int) (*store.Store, error) {
	shared.once.Do(func() {
		dir, err := os.MkdirTemp("", "benchstore-*")
		if err != nil {
			shared.err = err
			return
		}
		shared.dir = dir
		shared.st, shared.err = New(dir, pages)
	})
	return shared.st, shared.err
}

var shared struct {
	once sync.Once
	dir  string
	st   *store.Store
	err  error
}

// Cleanup closes and removes the shared store, if one was made.
func Cleanup() {
	if shared.st != nil {
		shared.st.Close()
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
}
