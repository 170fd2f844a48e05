package benchstore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"podcastgraph/ingest"
	"podcastgraph/internal/pagegen"
	"podcastgraph/store"
)

// CatalogueOptions are the catalogue-shaped pages (internal/pagegen):
// topics on 7-25% of the episodes, guests on up to about 250.
var CatalogueOptions = pagegen.Options{Shows: 1, Seed: 1, Catalogue: true}

// Catalogue opens the store of the given number of catalogue pages kept
// in dir (catalogue-N.db), building it first when it is not there; a
// benchmark given the same dir twice builds it once. The caller closes
// it.
func Catalogue(ctx context.Context, dir string, pages int) (*store.Store, error) {
	path := filepath.Join(dir, fmt.Sprintf("catalogue-%d.db", pages))
	if _, err := os.Stat(path); err == nil {
		return store.Open(ctx, path, store.Options{NoSync: true})
	}
	tmp := path + ".building"
	_ = os.Remove(tmp)
	st, err := store.Open(ctx, tmp, store.Options{NoSync: true})
	if err != nil {
		return nil, err
	}
	vocab := ingest.DefaultVocabulary()
	if err := st.SetVocabulary(ctx, vocab.Topics()); err != nil {
		st.Close()
		return nil, err
	}
	batch := make([]*ingest.Document, 0, 1024)
	for i := range pages {
		name, data := pagegen.Page(i, CatalogueOptions)
		doc, err := ingest.Parse(name, data, vocab)
		if err != nil {
			st.Close()
			return nil, err
		}
		batch = append(batch, doc)
		if len(batch) == cap(batch) || i == pages-1 {
			if _, err := st.Apply(ctx, batch, store.ApplyOptions{Fingerprint: vocab.Fingerprint()}); err != nil {
				st.Close()
				return nil, err
			}
			batch = batch[:0]
		}
	}
	if err := st.Close(); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, err
	}
	return store.Open(ctx, path, store.Options{NoSync: true})
}
