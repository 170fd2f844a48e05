package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"

	bolt "go.etcd.io/bbolt"

	"podcastgraph/internal/podcast"
)

// A write gathers what its documents change and writes each key once, in
// key order, at the end: a bulk ingest restates the same facts on page
// after page (each page lists the ten episodes before it, and their
// guests), and the keys a batch moves are spread over the whole of the
// refs, pairs and guest-index keyspaces. Written one change at a time, in
// document order, they made every write seek and shift entries across
// most of those B+trees, again and again; written once each, in order, a
// write visits each page once.

// refCount is a fragment's reference count within one write: read from
// the refs bucket at its first use, then moved in memory.
type refCount struct {
	stored uint32 // the count in the refs bucket
	n      uint32 // the count now
	value  []byte // the fragment's value, when the write added it
}

// count returns the reference count of the fragment key, reading it at
// its first use in the write.
func (w *writer) count(key []byte) *refCount {
	if rc, ok := w.refCounts[string(key)]; ok {
		return rc
	}
	rc := &refCount{}
	if v := w.refsC.Get(key); len(v) == 4 {
		rc.stored = binary.BigEndian.Uint32(v)
	}
	rc.n = rc.stored
	w.refCounts[string(key)] = rc
	return rc
}

// ref adds one reference to a fragment, marking its entity dirty when the
// fragment is new. Counts live apart from the facts, in small entries
// packed many to a page: a page restating a fact moves a count, not the
// fact.
func (w *writer) ref(f fragment) {
	rc := w.count(f.key)
	rc.n++
	if rc.n == 1 {
		rc.value = f.value
		w.markDirty(f.key)
	}
}

// unref drops one reference, marking the fragment's entity dirty when none
// is left.
func (w *writer) unref(key []byte) {
	rc := w.count(key)
	if rc.n > 0 {
		rc.n--
	}
	if rc.n == 0 {
		w.markDirty(key)
	}
}

// flushRefs writes the reference counts the write moved, in key order,
// with the fragments that appeared (stored, from no reference to some) or
// disappeared (deleted, from some to none).
func (w *writer) flushRefs() error {
	for _, k := range slices.Sorted(maps.Keys(w.refCounts)) {
		rc := w.refCounts[k]
		if rc.n == rc.stored {
			continue
		}
		key := []byte(k)
		if rc.n == 0 {
			if err := w.b.refs.Delete(key); err != nil {
				return err
			}
			if err := w.b.frags.Delete(key); err != nil {
				return err
			}
			continue
		}
		if err := w.b.refs.Put(key, u32(rc.n)); err != nil {
			return err
		}
		if rc.stored == 0 {
			if err := w.b.frags.Put(key, rc.value); err != nil {
				return err
			}
		}
	}
	clear(w.refCounts)
	return nil
}

// indexOp adds (put) or removes an entry of the bynum or bydate index.
type indexOp struct {
	byDate bool
	put    bool
	key    []byte
}

// index records an index change for flushIndexes.
func (w *writer) index(byDate, put bool, key []byte) {
	w.indexOps = append(w.indexOps, indexOp{byDate: byDate, put: put, key: key})
}

// flushIndexes applies the index changes the rebuilds gathered, each index
// in key order. A write changes an index key at most once (keys name the
// episode, and an episode is rebuilt once per write), so the order of
// changes to one key never matters.
func (w *writer) flushIndexes() error {
	slices.SortFunc(w.indexOps, func(a, b indexOp) int {
		if a.byDate != b.byDate {
			if a.byDate {
				return 1
			}
			return -1
		}
		return bytes.Compare(a.key, b.key)
	})
	for _, op := range w.indexOps {
		b := w.b.bynum
		if op.byDate {
			b = w.b.bydate
		}
		var err error
		if op.put {
			err = b.Put(op.key, nil)
		} else {
			err = b.Delete(op.key)
		}
		if err != nil {
			return err
		}
	}
	w.indexOps = w.indexOps[:0]
	return nil
}

// sortedDeltas returns the keys of deltas whose change is not zero, in
// order.
func sortedDeltas(deltas map[string]int) []string {
	keys := make([]string, 0, len(deltas))
	for k, d := range deltas {
		if d != 0 {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// sourceOp adds (add) or removes a document from an episode's sources.
type sourceOp struct {
	name string
	add  bool
}

// source records that the document name names episode k (add) or no
// longer does, for flushSources: a page names the ten episodes its
// listing holds, which the pages around it name too, so an episode's
// list of sources is read and written once per write rather than once
// per page.
func (w *writer) source(k podcast.EpisodeKey, name string, add bool) {
	w.sourceOps[k] = append(w.sourceOps[k], sourceOp{name: name, add: add})
}

// flushSources applies the source changes of the write, in episode key
// order, each episode's in the order they were made.
func (w *writer) flushSources() error {
	keys := make([][]byte, 0, len(w.sourceOps))
	for k := range w.sourceOps {
		keys = append(keys, episodeKey(k))
	}
	slices.SortFunc(keys, bytes.Compare)
	epsrc := newCursorBucket(w.b.epsrc)
	for _, ekey := range keys {
		k, _ := parseEpisodeKey(ekey)
		if err := flushSourcesOf(epsrc, ekey, w.sourceOps[k]); err != nil {
			return fmt.Errorf("sources of %s %d: %w", k.Show, k.Number, err)
		}
	}
	clear(w.sourceOps)
	return nil
}

// flushSourcesOf applies ops to the sources of the episode at ekey: its
// list is read once, and written once if it changed (deleted once empty).
func flushSourcesOf(b cursorBucket, ekey []byte, ops []sourceOp) error {
	stored, err := sourceNames(b.Get(ekey))
	if err != nil {
		return err
	}
	names := stored
	changed := false
	for _, op := range ops {
		i, found := slices.BinarySearchFunc(names, op.name, func(n []byte, name string) int {
			return bytes.Compare(n, []byte(name))
		})
		switch {
		case op.add && !found:
			names = slices.Insert(names, i, []byte(op.name))
			changed = true
		case !op.add && found:
			names = slices.Delete(names, i, i+1)
			changed = true
		}
	}
	switch {
	case !changed:
		return nil
	case len(names) == 0:
		return b.Delete(ekey)
	}
	return b.Put(ekey, encodeSourceNames(names))
}

// cursorBucket is a bucket whose Get goes through one cursor, reused from
// key to key: bbolt's Get makes a cursor, and grows its stack, for every
// key, and a write reads thousands of counts. Seek starts from the root
// each time, so the cursor may be reused after Puts and Deletes.
type cursorBucket struct {
	*bolt.Bucket
	c *bolt.Cursor
}

func newCursorBucket(b *bolt.Bucket) cursorBucket {
	return cursorBucket{Bucket: b, c: b.Cursor()}
}

// Get returns the value of key, or nil, as bolt.Bucket.Get does for a
// bucket without nested buckets.
func (b cursorBucket) Get(key []byte) []byte {
	k, v := b.c.Seek(key)
	if !bytes.Equal(k, key) {
		return nil
	}
	return v
}
