package search

import (
	"bufio"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// saved is what Save writes: the index but for what Load derives again
// (the lookup tables from strings to numbers). Every part of it is an
// array of numbers or bytes: it decodes into a few large allocations, none
// of which the collector has to scan.
type saved struct {
	Version         int
	Gen             uint64
	Docs            []doc
	Text            []byte
	Meta            []meta
	Facets          []uint32
	Terms           []byte
	TermAt          []uint32
	Lists           []plist
	Post            []byte
	Sorted          []uint32
	Stems           []byte
	StemAt          []uint32
	Forms, NextForm []uint32
	SumLen, NumLen  [numFields]float64
	Names           [3]savedNames // shows, topics, guests
	Sugg            [2][]suggTok
}

// savedNames is an interner as saved.
type savedNames struct {
	Text     []byte
	At       []uint32
	Episodes []int32
}

// fileVersion changes when the layout of a saved index does: an index of
// another version is rebuilt. 4: terms, postings and the docs' strings as
// arrays (strtab.go).
const fileVersion = 4

// Save writes the index to path atomically (a temporary file renamed into
// place), with the generation it reflects. It returns the bytes written.
func (ix *Index) Save(path string) (int64, error) {
	ix.mu.RLock()
	lists, post := ix.packed()
	s := saved{Version: fileVersion, Gen: ix.gen, Docs: ix.docs, Text: ix.text, Meta: ix.meta, Facets: ix.facets,
		Terms: ix.terms.text, TermAt: ix.terms.at, Lists: lists, Post: post, Sorted: ix.sorted,
		Stems: ix.stems.text, StemAt: ix.stems.at, Forms: ix.forms, NextForm: ix.nextForm, SumLen: ix.sumLen, NumLen: ix.numLen,
		Sugg: ix.sugg}
	for i, in := range ix.interners() {
		s.Names[i] = savedNames{in.text, in.at, in.episodes}
	}
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
	if err := ix.restore(&s); err != nil {
		return nil, fmt.Errorf("search: load: %w", err)
	}
	return ix, nil
}

// restore makes ix the index s holds, after checking that its parts fit
// together (a damaged file decodes into parts that do not).
func (ix *Index) restore(s *saved) error {
	var ok bool
	if ix.terms, ok = strtabOf(s.Terms, s.TermAt); !ok {
		return errors.New("terms do not fit their text")
	}
	if ix.stems, ok = strtabOf(s.Stems, s.StemAt); !ok {
		return errors.New("stems do not fit their text")
	}
	for i, in := range ix.interners() {
		n := s.Names[i]
		if in.strtab, ok = strtabOf(n.Text, n.At); !ok || len(n.Episodes) != in.len() {
			return errors.New("names do not fit their text")
		}
		in.episodes = n.Episodes
	}
	nt := ix.terms.len()
	switch {
	case len(s.Meta) != len(s.Docs):
		return fmt.Errorf("%d docs, %d metas", len(s.Docs), len(s.Meta))
	case len(s.Lists) != nt || len(s.Sorted) != nt || len(s.NextForm) != nt || len(s.Forms) != ix.stems.len():
		return fmt.Errorf("%d terms, %d postings, %d sorted, %d forms; %d stems, %d firsts", nt, len(s.Lists), len(s.Sorted), len(s.NextForm), ix.stems.len(), len(s.Forms))
	}
	for _, p := range s.Lists {
		if uint64(p.Off)+uint64(p.Len) > uint64(len(s.Post)) || p.Cap != p.Len {
			return errors.New("postings outside their array")
		}
	}
	for i, d := range s.Docs {
		for _, sp := range [...]span{d.Key, d.Sugg, d.Fold} {
			if uint64(sp.Off)+uint64(sp.Len) > uint64(len(s.Text)) {
				return fmt.Errorf("doc %d outside the text", i)
			}
		}
		m := s.Meta[i]
		if uint64(m.Facets)+uint64(m.NTopics)+uint64(m.NGuests) > uint64(len(s.Facets)) || m.Show < -1 || int(m.Show) >= ix.shows.len() {
			return fmt.Errorf("doc %d outside the facets", i)
		}
		for j, id := range s.Facets[m.Facets : m.Facets+uint32(m.NTopics)+uint32(m.NGuests)] {
			if (j < int(m.NTopics) && int(id) >= ix.topics.len()) || (j >= int(m.NTopics) && int(id) >= ix.guests.len()) {
				return fmt.Errorf("doc %d names a topic or guest out of range", i)
			}
		}
	}
	for _, list := range s.Sugg {
		for _, t := range list {
			if int(t.Doc) >= len(s.Docs) || uint64(t.Off)+uint64(t.Len) > uint64(s.Docs[t.Doc].Fold.Len) {
				return errors.New("a suggestion outside its doc")
			}
		}
	}
	for _, ids := range [][]uint32{s.Sorted, s.NextForm, s.Forms} {
		for _, id := range ids {
			if id != noTerm && int(id) >= nt {
				return errors.New("a term number out of range")
			}
		}
	}
	ix.gen, ix.docs, ix.text, ix.meta, ix.facets = s.Gen, s.Docs, s.Text, s.Meta, s.Facets
	ix.lists, ix.post, ix.sorted, ix.forms, ix.nextForm = s.Lists, s.Post, s.Sorted, s.Forms, s.NextForm
	ix.sumLen, ix.numLen, ix.sugg = s.SumLen, s.NumLen, s.Sugg
	ix.live = newIDTable(len(ix.docs))
	for id := range ix.docs {
		if ix.meta[id].Live {
			ix.setLive(uint32(id))
		} else {
			ix.dead++
		}
	}
	ix.setAverages()
	return nil
}
