package search

import (
	"cmp"
	"slices"
	"sync"
	"unsafe"
)

// A term's impacts are its postings as a search scores them: the live
// docs in order, each with its BM25 weight of the term (fieldWeight: the
// fields' term frequencies under their boosts and length norms). Reading
// a list from its entries costs a varint walk over the positions and the
// doc's meta (a cache miss a doc, the lengths); reading its impacts costs
// one pass over two arrays. They hold only while the index does not
// change (the norms follow the average lengths, which every update
// moves), so the cache is emptied by any write: a served index changes
// at each ingest and is searched many times in between.
//
// Only lists of at least minImpactList entries are kept (shorter ones are
// read about as fast from their entries), and at most the cache's budget
// of bytes (Options.CacheBytes, impactBudget by default): the least
// recently used go first.
const impactBudget = 32 << 20

// minImpactList is a variable so that tests can turn the cache off.
var minImpactList uint32 = 256

type impactList struct {
	docs []uint32
	w    []float64 // by doc: fieldWeight, the same float64 a walk computes
	// A phrase reads the words' positions: a list read for one has them
	// too (positions), beside the weights.
	at   []uint32 // by doc: where its positions start in pos; one more at the end
	pos  []uint32 // field<<24 | position, as appendPositions gives them
	used uint64   // the cache's clock when last read
}

func (l *impactList) bytes() int64 {
	return int64(cap(l.docs))*4 + int64(cap(l.w))*8 + int64(cap(l.at))*4 + int64(cap(l.pos))*4 + int64(unsafe.Sizeof(*l))
}

// positions returns the positions of the list's i-th doc.
func (l *impactList) positions(i int) []uint32 { return l.pos[l.at[i]:l.at[i+1]] }

// impactCache is an Index's impacts by term, for one state of the index
// (epoch). Searches read under the index's read lock and share it, so it
// has a lock of its own.
type impactCache struct {
	mu    sync.Mutex
	epoch uint64 // the index's epoch the lists are of
	lists map[listKey]*impactList
	bytes int64
	clock uint64
	// budget is the most bytes kept: 0 for impactBudget, negative for
	// none (set before the index is shared: Feeder.adopt).
	budget int64
	// hot is, by doc, what the pass over a search's hits reads of its
	// meta (hotMeta), made when first needed in an epoch.
	hot []hotMeta
}

// hotMeta is what the pass over a search's hits reads of a doc's meta
// when it counts no facet from the docs' topics or guests: a quarter of
// the bytes, so that the hits' scattered loads find more of them cached.
type hotMeta struct {
	Show int32
	Year int16
	Kind Kind
}

// changed marks a write to the index: the impacts read so far no longer
// hold. Called with the index's write lock held.
func (ix *Index) changed() { ix.epoch++ }

// listKey names a kept list: its term, and whether it is the term's
// positions rather than its weights.
type listKey struct {
	term      uint32
	positions bool
}

// impacts returns the impacts of term id (whose list is pl), read from
// its entries and kept when they are not yet; nil for a list too short
// to keep. Called with the index's read lock held.
func (ix *Index) impacts(id uint32, pl *plist) *impactList {
	return ix.kept(listKey{id, false}, pl)
}

// positionsOf is impacts for a phrase: the term's live docs and their
// positions.
func (ix *Index) positionsOf(id uint32, pl *plist) *impactList {
	return ix.kept(listKey{id, true}, pl)
}

func (ix *Index) kept(key listKey, pl *plist) *impactList {
	c := &ix.impactCache
	if pl == nil || pl.N < minImpactList || c.budget < 0 {
		return nil
	}
	c.mu.Lock()
	c.reset(ix)
	c.clock++
	if l := c.lists[key]; l != nil {
		l.used = c.clock
		c.mu.Unlock()
		return l
	}
	c.mu.Unlock()
	l := ix.readList(pl, key.positions)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.epoch != ix.epoch {
		return l // cannot happen under the read lock; keep nothing stale
	}
	if old := c.lists[key]; old != nil { // another search read it meanwhile
		old.used = c.clock
		return old
	}
	l.used = c.clock
	c.lists[key] = l
	c.bytes += l.bytes()
	if budget := cmp.Or(c.budget, impactBudget); c.bytes > budget {
		c.evict(budget * 3 / 4)
	}
	return l
}

// reset empties c when the index changed since it was filled. Called
// with c's lock held.
func (c *impactCache) reset(ix *Index) {
	if c.epoch != ix.epoch || c.lists == nil {
		c.epoch, c.lists, c.bytes, c.hot = ix.epoch, map[listKey]*impactList{}, 0, c.hot[:0]
	}
}

// hotMetas returns the docs' hotMeta. Called with the index's read lock
// held.
func (ix *Index) hotMetas() []hotMeta {
	c := &ix.impactCache
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reset(ix)
	if len(c.hot) != len(ix.meta) {
		c.hot = slices.Grow(c.hot[:0], len(ix.meta))[:len(ix.meta)]
		for d := range ix.meta {
			m := &ix.meta[d]
			c.hot[d] = hotMeta{Show: m.Show, Year: m.Year, Kind: m.Kind}
		}
	}
	return c.hot
}

// evict drops the least recently used lists until at most keep bytes
// remain.
func (c *impactCache) evict(keep int64) {
	type aged struct {
		id   listKey
		used uint64
	}
	all := make([]aged, 0, len(c.lists))
	for id, l := range c.lists {
		all = append(all, aged{id, l.used})
	}
	slices.SortFunc(all, func(a, b aged) int {
		switch {
		case a.used < b.used:
			return -1
		case a.used > b.used:
			return 1
		}
		return 0
	})
	for _, a := range all {
		if c.bytes <= keep {
			break
		}
		c.bytes -= c.lists[a.id].bytes()
		delete(c.lists, a.id)
	}
}

// readList walks pl's entries: its live docs and their weights, and
// their positions too when positions is set (a phrase's words).
func (ix *Index) readList(pl *plist, positions bool) *impactList {
	l := &impactList{docs: make([]uint32, 0, pl.N), w: make([]float64, 0, pl.N)}
	if positions {
		l.at = make([]uint32, 1, pl.N+1)
	}
	it := ix.iter(pl)
	for it.next() {
		m := &ix.meta[it.doc]
		if !m.Live {
			continue
		}
		l.docs = append(l.docs, it.doc)
		l.w = append(l.w, ix.fieldWeight(it.buf, it.at, m))
		if positions {
			l.pos = it.appendPositions(l.pos)
			l.at = append(l.at, uint32(len(l.pos)))
		}
	}
	return l
}

// impactBytes returns the bytes the cache holds.
func (ix *Index) impactBytes() int64 {
	c := &ix.impactCache
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.epoch != ix.epoch {
		return 0
	}
	return c.bytes + int64(cap(c.hot))*int64(unsafe.Sizeof(hotMeta{}))
}
