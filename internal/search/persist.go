package search

import (
	"bufio"
	"encoding/gob"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// saved is what Save writes: the index but for what Load derives again
// (the sorted words, the stems, the live map).
type saved struct {
	Version               int
	Gen                   uint64
	Docs                  []doc
	Meta                  []meta
	Facets                []uint32
	Terms                 map[string]*postings
	SumLen, NumLen        [numFields]float64
	Shows, Topics, Guests []string
	Counts                map[string]int
	Sugg                  [2][]suggTok
}

// fileVersion changes when the layout of a saved index does: an index of
// another version is rebuilt.
const fileVersion = 3

// Save writes the index to path atomically (a temporary file renamed into
// place), with the generation it reflects. It returns the bytes written.
func (ix *Index) Save(path string) (int64, error) {
	ix.mu.RLock()
	s := saved{Version: fileVersion, Gen: ix.gen, Docs: ix.docs, Meta: ix.meta, Facets: ix.facets, Terms: ix.terms, SumLen: ix.sumLen, NumLen: ix.numLen,
		Shows: ix.shows.Names, Topics: ix.topics.Names, Guests: ix.guests.Names, Counts: ix.counts, Sugg: ix.sugg}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		ix.mu.RUnlock()
		return 0, fmt.Errorf("search: save: %w", err)
	}
	w := bufio.NewWriterSize(tmp, 1<<20)
	err = gob.NewEncoder(w).Encode(&s)
	ix.mu.RUnlock()
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	var size int64
	if st, serr := tmp.Stat(); serr == nil {
		size = st.Size()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return 0, fmt.Errorf("search: save %s: %w", path, err)
	}
	return size, nil
}

// Load reads an index Save wrote. A missing file is os.ErrNotExist
// (wrapped); a damaged one or one of another version is an error: the
// caller rebuilds.
func Load(path string) (*Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("search: load: %w", err)
	}
	defer f.Close()
	return load(bufio.NewReaderSize(f, 1<<20))
}

func load(r io.Reader) (*Index, error) {
	var s saved
	if err := gob.NewDecoder(r).Decode(&s); err != nil {
		return nil, fmt.Errorf("search: load: %w", err)
	}
	if s.Version != fileVersion {
		return nil, fmt.Errorf("search: load: index version %d, want %d", s.Version, fileVersion)
	}
	ix := New()
	ix.meta, ix.facets = s.Meta, s.Facets
	if len(ix.meta) != len(s.Docs) {
		return nil, fmt.Errorf("search: load: %d docs, %d metas", len(s.Docs), len(ix.meta))
	}
	ix.gen, ix.docs, ix.sumLen, ix.numLen, ix.sugg = s.Gen, s.Docs, s.SumLen, s.NumLen, s.Sugg
	if s.Terms != nil {
		ix.terms = s.Terms
	}
	if s.Counts != nil {
		ix.counts = s.Counts
	}
	ix.shows.Names, ix.topics.Names, ix.guests.Names = s.Shows, s.Topics, s.Guests
	for id := range ix.docs {
		if m := &ix.meta[id]; m.Live {
			ix.live[liveKey(m.Kind, ix.docs[id].Key)] = uint32(id)
		} else {
			ix.dead++
		}
	}
	ix.setAverages()
	terms := make([]string, 0, len(ix.terms))
	for t := range ix.terms {
		terms = append(terms, t)
	}
	ix.mergeTerms(terms)
	return ix, nil
}
