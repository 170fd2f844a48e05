package store

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"
	"unsafe"

	bolt "go.etcd.io/bbolt"

	"podcastgraph/internal/podcast"
)

// reads holds the read API. Store and Snapshot both embed it: on a Store
// each call is its own read transaction; on a Snapshot every call reads the
// same transaction, so a whole request sees one committed state.
type reads struct {
	read func(ctx context.Context, fn func(*reader) error) error
}

// reader is one read transaction, with the decoded-record cache valid for
// the generation it sees.
type reader struct {
	tx    *bolt.Tx
	gen   uint64
	cache *recordCache
	// buckets are the top-level buckets opened so far: a request opens
	// the same few again and again, and each Tx.Bucket is a search of the
	// root and an allocation.
	buckets []openBucket
	// show is the last show slug decoded from an index key; the keys of a
	// page share their show, and this saves a string per key.
	show string
}

type openBucket struct {
	name string
	b    *bolt.Bucket
	c    *bolt.Cursor // made by cursor, on first use
}

// bucket returns the top-level bucket name, opened once per reader.
func (r *reader) bucket(name []byte) *bolt.Bucket { return r.opened(name).b }

// cursor returns a cursor of the top-level bucket name, the same one every
// time for a reader: a fresh cursor costs an allocation and grows its
// stack of pages again at its first seek, and a request walks the same
// index tens of times (a page per guest). The caller positions it and is
// done with it before anything else calls cursor for that bucket.
func (r *reader) cursor(name []byte) *bolt.Cursor {
	o := r.opened(name)
	if o.c == nil && o.b != nil {
		o.c = o.b.Cursor()
	}
	return o.c
}

// opened returns the reader's entry of the top-level bucket name, opening
// it the first time. The entry is valid until the next call.
func (r *reader) opened(name []byte) *openBucket {
	for i := range r.buckets {
		if o := &r.buckets[i]; o.name == string(name) {
			return o
		}
	}
	r.buckets = append(r.buckets, openBucket{name: string(name), b: r.tx.Bucket(name)})
	return &r.buckets[len(r.buckets)-1]
}

// episodeFromSortKey is the package's episodeFromSortKey, sharing the show
// slug's string between keys.
func (r *reader) episodeFromSortKey(byDate bool, sk []byte) (podcast.EpisodeKey, bool) {
	ek, ok := decodeSortKey(byDate, sk, r.show)
	r.show = ek.Show
	return ek, ok
}

func (s *Store) readTx(ctx context.Context, fn func(*reader) error) error {
	s.batchReads.Add(1)
	return s.view(ctx, func(tx *bolt.Tx) error {
		return fn(&reader{tx: tx, gen: generation(tx), cache: s.cache})
	})
}

// Snapshot is a consistent read view for the length of one request. Its
// methods may be called from many goroutines: they take turns on the one
// transaction. Close releases it; a long-open snapshot keeps bbolt from
// reusing pages written since, so hold it only for a request.
type Snapshot struct {
	reads
	store  *Store
	start  time.Time
	mu     sync.Mutex
	r      *reader
	closed bool
}

// ErrClosed is returned by a Snapshot used after Close.
var ErrClosed = errors.New("store: snapshot is closed")

// Snapshot begins a read transaction; it counts as one read transaction.
func (s *Store) Snapshot(ctx context.Context) (*Snapshot, error) { return s.snapshot(ctx, s.cache) }

// ScanSnapshot is Snapshot for reading much of the store once, as the
// search index does when it is built or catches up with a bulk write: its
// reads neither use nor fill the decoded-record cache, which would
// otherwise be left full of records no request asked for (a scan of
// 100,000 episodes left 64 MB of them on the heap, which the collector
// then marked on every cycle, and evicted the records requests read
// again; docs/performance.md, "Scans kept out of the record cache").
func (s *Store) ScanSnapshot(ctx context.Context) (*Snapshot, error) { return s.snapshot(ctx, nil) }

func (s *Store) snapshot(ctx context.Context, cache *recordCache) (*Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	tx, err := s.db.Begin(false)
	if err != nil {
		return nil, err
	}
	s.readTxs.Add(1)
	sn := &Snapshot{store: s, start: time.Now(), r: &reader{tx: tx, gen: generation(tx), cache: cache}}
	sn.reads = reads{read: func(ctx context.Context, fn func(*reader) error) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		sn.mu.Lock()
		defer sn.mu.Unlock()
		if sn.closed {
			return ErrClosed
		}
		s.batchReads.Add(1)
		return fn(sn.r)
	}}
	return sn, nil
}

// Generation returns the generation the snapshot sees.
func (sn *Snapshot) Generation() uint64 { return sn.r.gen }

// Close ends the snapshot's transaction; it is safe to call twice.
func (sn *Snapshot) Close() error {
	sn.mu.Lock()
	defer sn.mu.Unlock()
	if sn.closed {
		return nil
	}
	sn.closed = true
	err := sn.r.tx.Rollback()
	if sn.store.observe != nil {
		sn.store.observe(false, time.Since(sn.start), err)
	}
	return err
}

// cachedJSON decodes the value at key of bucket into a T, through the
// cache: records are immutable within a generation, so a decoded record
// is shared by every reader of that generation.
func cachedJSON[T any](r *reader, bucket []byte, key []byte, dst **T) error {
	var buf [96]byte
	ck := recordKey(buf[:0], bucket, key)
	if v, ok := r.cache.get(r.gen, ck); ok {
		*dst, _ = v.(*T)
		return nil
	}
	raw := r.bucket(bucket).Get(key)
	if raw == nil {
		*dst = nil
		return nil
	}
	t, err := decodeRecord[T](raw)
	if err != nil {
		return err
	}
	r.cache.put(r.gen, string(ck), t, len(raw))
	*dst = t
	return nil
}

// recordKey appends the record cache's key for key of bucket to b.
func recordKey(b, bucket, key []byte) []byte {
	return append(append(append(b, bucket...), 0), key...)
}

// recordCache holds decoded records of one generation, up to a byte
// budget (measured as the size of their encoded form). A reader of another
// generation neither reads nor fills it, except that a newer generation
// replaces it: a cached record is never older or newer than the snapshot
// asking for it.
type recordCache struct {
	mu     sync.Mutex
	gen    uint64
	size   int
	budget int
	m      map[string]cachedRecord
	// heads are the episodes' heads (cachedEpisodeHead), by show and
	// number: a nested page looks up hundreds, and a lookup by number
	// indexes an array where one by record key hashes and compares some
	// 30 bytes kept elsewhere in memory.
	heads     map[string]*showHeads
	headBytes int // of size, held by heads
	// ends are lists' pages at either end, by endPageKey, kept
	// within a budget of their own (endBudget), beside the records': a
	// nested page asks each of its guests for their latest episodes, and
	// at 100,000 episodes those pages took the room of the heads the same
	// nested pages read.
	ends     map[string]cachedEnd
	endBytes int
}

type cachedEnd struct {
	p    *EpisodePage
	size int
}

// endBudget is the budget of ends: a quarter of the records'.
func (c *recordCache) endBudget() int { return c.budget / 4 }

type cachedRecord struct {
	v    any
	size int
}

func newRecordCache(budget int) *recordCache {
	return &recordCache{budget: budget, m: map[string]cachedRecord{}}
}

func (c *recordCache) get(gen uint64, key []byte) (any, bool) {
	if !c.reading(gen) {
		return nil, false
	}
	defer c.mu.Unlock()
	e, ok := c.m[string(key)] // no allocation: the compiler looks up by the bytes
	return e.v, ok
}

// put keeps v unless it is over a sixteenth of the budget; to make room it
// drops arbitrary entries (map order), which costs nothing to track.
func (c *recordCache) put(gen uint64, key string, v any, size int) {
	if !c.admit(gen, size) {
		return
	}
	defer c.mu.Unlock()
	if _, ok := c.m[key]; ok {
		return
	}
	c.makeRoom(size)
	c.m[key] = cachedRecord{v: v, size: size}
	c.size += size
}

// reading locks c for a lookup by a reader of generation gen. It reports
// false, with c unlocked, when c holds nothing for it (no cache, or
// another generation's).
func (c *recordCache) reading(gen uint64) bool {
	if c == nil || c.budget <= 0 {
		return false
	}
	c.mu.Lock()
	if gen != c.gen {
		c.mu.Unlock()
		return false
	}
	return true
}

// admit locks c for an entry of size bytes read at generation gen,
// emptying it first for a newer generation. It reports false, with c
// unlocked, when the entry is not to be kept: over a sixteenth of the
// budget, or of an older generation than c's.
func (c *recordCache) admit(gen uint64, size int) bool {
	if c == nil || c.budget <= 0 || size > c.budget/16 {
		return false
	}
	c.mu.Lock()
	switch {
	case gen < c.gen:
		c.mu.Unlock()
		return false
	case gen > c.gen:
		c.reset(gen)
	}
	return true
}

// reset empties the cache for generation gen; c.mu is held.
func (c *recordCache) reset(gen uint64) {
	c.gen, c.size, c.m, c.heads, c.headBytes = gen, 0, map[string]cachedRecord{}, nil, 0
	c.ends, c.endBytes = nil, 0
}

// makeRoom drops arbitrary entries (map order), which costs nothing to
// track, until size more bytes fit in the budget; c.mu is held. It drops
// from whichever of the records and the heads hold more, so that neither
// kind crowds the other out.
func (c *recordCache) makeRoom(size int) {
	for c.size+size > c.budget {
		headsFirst := 2*c.headBytes > c.size
		if !c.drop(headsFirst) && !c.drop(!headsFirst) {
			return
		}
	}
}

// drop drops one head, or one record; it reports whether there was one.
func (c *recordCache) drop(head bool) bool {
	if !head {
		for k, e := range c.m {
			delete(c.m, k)
			c.size -= e.size
			return true
		}
		return false
	}
	for show, sh := range c.heads {
		freed := sh.dropOne()
		dropped := freed >= 0
		freed = max(freed, 0)
		if sh.n == 0 {
			delete(c.heads, show)
			freed += sh.index()
		}
		c.size -= freed
		c.headBytes -= freed
		if dropped {
			return true
		}
	}
	return false
}

// getHead returns the cached head of show's episode number.
func (c *recordCache) getHead(gen uint64, show string, number int) (*podcast.Episode, bool) {
	if !c.reading(gen) {
		return nil, false
	}
	defer c.mu.Unlock()
	if sh := c.heads[show]; sh != nil {
		if h := sh.get(number); h != nil {
			return h, true
		}
	}
	return nil, false
}

// getHeads sets heads[i] to the cached head of keys[i], where it has one,
// under one lock: a page's lookups, made one after the other with nothing
// between them, wait on memory together rather than in turn.
func (c *recordCache) getHeads(gen uint64, keys []podcast.EpisodeKey, heads []*podcast.Episode) {
	if !c.reading(gen) {
		return
	}
	defer c.mu.Unlock()
	var sh *showHeads
	show := ""
	for i, k := range keys {
		if sh == nil || k.Show != show {
			if sh, show = c.heads[k.Show], k.Show; sh == nil {
				continue
			}
		}
		heads[i] = sh.get(k.Number)
	}
}

// putHead keeps h as the head of show's episode number, as put keeps a
// record. The pages of slots it makes count against the budget too, as
// long as they are held.
func (c *recordCache) putHead(gen uint64, show string, number int, h *podcast.Episode, size int) {
	if h == nil || !c.admit(gen, size) {
		return
	}
	defer c.mu.Unlock()
	sh := c.heads[show]
	if sh != nil && sh.get(number) != nil {
		return
	}
	room := size
	if sh == nil || !sh.hasPage(number) {
		room += headPageBytes
	}
	c.makeRoom(room) // may drop show's heads, and pages (then its page is made again, a page over)
	if sh = c.heads[show]; sh == nil {
		if c.heads == nil {
			c.heads = map[string]*showHeads{}
		}
		sh = &showHeads{}
		c.heads[strings.Clone(show)] = sh
	}
	size += sh.put(number, h, size)
	c.size += size
	c.headBytes += size
}

// getEnd returns the cached end page at key, or nil.
func (c *recordCache) getEnd(gen uint64, key []byte) *EpisodePage {
	if !c.reading(gen) {
		return nil
	}
	defer c.mu.Unlock()
	return c.ends[string(key)].p // no allocation: the compiler looks up by the bytes
}

// putEnd keeps p, of size bytes, as the end page at key, dropping
// arbitrary others (map order) to stay within endBudget.
func (c *recordCache) putEnd(gen uint64, key string, p *EpisodePage, size int) {
	if !c.admit(gen, size) {
		return
	}
	defer c.mu.Unlock()
	if _, ok := c.ends[key]; ok || size > c.endBudget()/16 {
		return
	}
	for k, old := range c.ends {
		if c.endBytes+size <= c.endBudget() {
			break
		}
		delete(c.ends, k)
		c.endBytes -= old.size
	}
	if c.ends == nil {
		c.ends = map[string]cachedEnd{}
	}
	c.ends[key] = cachedEnd{p, size}
	c.endBytes += size
}

// showHeads holds one show's cached heads by episode number: numbers
// below denseHeads in pages of headPageLen slots, made as they fill, so
// that a lookup is two indexings (shows number their episodes from 1,
// densely); any other number in a map. A page costs headPageBytes of the
// budget while it is held, and goes with its last head; the index of
// pages costs its bytes until the show's last head goes: sparse numbers
// cost more budget, never more memory.
type showHeads struct {
	pages []*headPage
	other map[int]headSlot
	n     int // heads held
	next  int // the number dropOne looks at first
}

type headPage struct {
	slots [headPageLen]headSlot
	n     int // heads held
}

type headSlot struct {
	h    *podcast.Episode // nil: none
	size int
}

const (
	headPageLen   = 256
	denseHeads    = 1 << 20
	headPageBytes = int(unsafe.Sizeof(headPage{}))
	pointerBytes  = int(unsafe.Sizeof(uintptr(0)))
)

func dense(number int) bool { return number >= 0 && number < denseHeads }

// get returns number's head, or nil.
func (sh *showHeads) get(number int) *podcast.Episode {
	if !dense(number) {
		return sh.other[number].h
	}
	if p := uint(number) / headPageLen; p < uint(len(sh.pages)) && sh.pages[p] != nil {
		return sh.pages[p].slots[uint(number)%headPageLen].h
	}
	return nil
}

// hasPage reports whether number needs no new page.
func (sh *showHeads) hasPage(number int) bool {
	p := number / headPageLen
	return !dense(number) || (p < len(sh.pages) && sh.pages[p] != nil)
}

// index returns the bytes of sh's index of pages.
func (sh *showHeads) index() int { return cap(sh.pages) * pointerBytes }

// put keeps h, of size bytes, under number, which holds none, and returns
// the bytes that made besides: a page, and the index's growth.
func (sh *showHeads) put(number int, h *podcast.Episode, size int) (more int) {
	sh.n++
	if !dense(number) {
		if sh.other == nil {
			sh.other = map[int]headSlot{}
		}
		sh.other[number] = headSlot{h, size}
		return 0
	}
	p := number / headPageLen
	if p >= len(sh.pages) {
		before := sh.index()
		sh.pages = append(sh.pages, make([]*headPage, p+1-len(sh.pages))...)
		more += sh.index() - before
	}
	if sh.pages[p] == nil {
		sh.pages[p] = &headPage{}
		more += headPageBytes
	}
	sh.pages[p].slots[number%headPageLen] = headSlot{h, size}
	sh.pages[p].n++
	return more
}

// dropOne drops one head and returns the bytes that frees (its page's
// too, when it was the page's last), or -1 when sh holds none. It looks
// on from where the last drop stopped, so that dropping many costs one
// walk of the pages.
func (sh *showHeads) dropOne() int {
	for number, e := range sh.other {
		delete(sh.other, number)
		sh.n--
		return e.size
	}
	if sh.n == 0 {
		return -1
	}
	for range 2 { // from next to the end, then from the start
		for p := sh.next / headPageLen; p < len(sh.pages); p++ {
			page := sh.pages[p]
			if page == nil {
				continue
			}
			for i := max(sh.next-p*headPageLen, 0); i < headPageLen; i++ {
				if page.slots[i].h == nil {
					continue
				}
				freed := page.slots[i].size
				page.slots[i] = headSlot{}
				page.n--
				sh.n--
				sh.next = p*headPageLen + i + 1
				if page.n == 0 {
					sh.pages[p] = nil
					freed += headPageBytes
				}
				return freed
			}
		}
		sh.next = 0
	}
	return -1
}
