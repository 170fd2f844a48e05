package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"

	"podcastgraph/internal/podcast"
)

// EpisodeOrder is the sort of an episode sequence.
type EpisodeOrder struct {
	ByDate bool // release date (undated last either way), else number
	Desc   bool
}

// EpisodeQuery selects a page of episodes. Filters combine (AND); the
// smallest of the show, guest and topic indexes drives the walk and the
// others are checked by key, so a filtered page never scans everything.
type EpisodeQuery struct {
	Show, Guest, Topic string
	// ReleasedAfter and ReleasedBefore bound the release date, exclusive;
	// either one excludes undated episodes.
	ReleasedAfter, ReleasedBefore *podcast.Date
	Order                         EpisodeOrder
	Window                        Window
	WantTotal                     bool // compute Total (a count read, or a walk for combined filters)
	// Heads reads the page's episodes without their texts (see
	// podcast.Episode.Partial); EpisodeTexts reads those.
	Heads bool
}

// EpisodePage is a page of episodes with their sort keys (what cursors
// encode). Pages are shared (the record cache keeps those at the ends of
// lists) and read only.
type EpisodePage struct {
	Episodes             []*podcast.Episode
	Keys                 []podcast.EpisodeKey
	SortKeys             [][]byte // one per key: what Cursor encodes
	HasPrevious, HasNext bool
	Total                int
	warmed               byte // warm's sum, kept so that its loads are made
}

// Episodes returns the page each query selects, with the episodes, in one
// transaction. Unknown show, guest or topic slugs select nothing; it returns
// an error only for a malformed window or when the store cannot be read.
func (s reads) Episodes(ctx context.Context, qs []EpisodeQuery) ([]*EpisodePage, error) {
	out := make([]*EpisodePage, len(qs))
	err := s.read(ctx, func(r *reader) error {
		for i, q := range qs {
			p, err := episodePage(r, q)
			if err != nil {
				return err
			}
			out[i] = p
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: episodes: %w", err)
	}
	return out, nil
}

// topicScope is the scope of a topic's episodes: the curated topic's,
// else the discovered topic's (a slug is never both: curated topics win).
func topicScope(slug string, count func(string) int) string {
	if s := scopeTopic(slug); count(s) > 0 {
		return s
	}
	if s := scopeDiscovered(slug); count(s) > 0 {
		return s
	}
	return scopeTopic(slug)
}

func episodePage(r *reader, q EpisodeQuery) (*EpisodePage, error) {
	counts := r.bucket(bucketCounts)
	bynum := r.bucket(bucketByNum)
	scopeCount := func(scope string) int {
		if v := counts.Get([]byte(scope)); len(v) == 4 {
			return int(binary.BigEndian.Uint32(v))
		}
		return 0
	}
	// Pick the smallest scope to drive the walk; check the rest by key.
	drive := scopeAll
	var others []string
	// The scopes asked for (a topic's costs two lookups: only when asked).
	var scopes [3]string
	n := 0
	if q.Guest != "" {
		scopes[n], n = scopeGuest(q.Guest), n+1
	}
	if q.Topic != "" {
		scopes[n], n = topicScope(q.Topic, scopeCount), n+1
	}
	if q.Show != "" {
		scopes[n], n = scopeShow(q.Show), n+1
	}
	for _, sc := range scopes[:n] {
		switch {
		case drive == scopeAll:
			drive = sc
		case scopeCount(sc) < scopeCount(drive):
			others, drive = append(others, drive), sc
		default:
			others = append(others, sc)
		}
	}
	prefix := append([]byte(drive), 0)
	bucketName := bucketByNum
	if q.Order.ByDate {
		bucketName = bucketByDate
	}
	dated := q.ReleasedAfter != nil || q.ReleasedBefore != nil
	var keep func(k []byte) bool
	if len(others) > 0 || (dated && !q.Order.ByDate) {
		days := r.bucket(bucketDays)
		keep = func(k []byte) bool {
			ek, ok := r.episodeFromSortKey(q.Order.ByDate, k[len(prefix):])
			if !ok {
				return false
			}
			nsk := numberSortKey(ek)
			for _, o := range others {
				if bynum.Get(indexKey(o, nsk)) == nil {
					return false
				}
			}
			if dated && !q.Order.ByDate {
				return inDateRange(days, ek, q)
			}
			return true
		}
	}
	w := q.Window
	if !validSortKey(q.Order.ByDate, w.After) || !validSortKey(q.Order.ByDate, w.Before) {
		return nil, ErrBadCursor
	}
	// A window with no cursor and no filter is a list's first (or last)
	// page: the same page for every request of the generation (a nested
	// page asks each of its guests for their latest episodes), kept by
	// the record cache rather than read each time. Pages are read only,
	// so the cached one is returned itself.
	var buf [96]byte
	var ck []byte
	if w.After == nil && w.Before == nil && keep == nil && !dated {
		ck = endPageKey(buf[:0], bucketName, q, drive)
		if p := r.cache.getEnd(r.gen, ck); p != nil {
			return p, nil
		}
	}
	keys, hasPrev, hasNext := page(r.cursor(bucketName), episodeSegments(prefix, q), prefix, w, keep)
	p := newEpisodePage(len(keys))
	p.HasPrevious, p.HasNext = hasPrev, hasNext
	size := len(ck) + endPageBytes
	for _, k := range keys {
		sk := k[len(prefix):]
		ek, ok := r.episodeFromSortKey(q.Order.ByDate, sk)
		if !ok {
			return nil, fmt.Errorf("corrupt index key %x", k)
		}
		p.Keys = append(p.Keys, ek)
		p.SortKeys = append(p.SortKeys, sk)
		size += len(k) + endPageKeyBytes
	}
	p.Episodes = p.Episodes[:len(p.Keys)]
	if q.Heads {
		r.cache.getHeads(r.gen, p.Keys, p.Episodes) // the cached ones, looked up together
	}
	for i, ek := range p.Keys {
		if p.Episodes[i] != nil {
			continue
		}
		var err error
		if q.Heads {
			p.Episodes[i], err = readEpisodeHead(r, ek)
		} else {
			err = cachedJSON(r, bucketEpisodes, episodeKey(ek), &p.Episodes[i])
		}
		if err != nil || p.Episodes[i] == nil {
			return nil, fmt.Errorf("episode %s %d: indexed but unreadable: %v", ek.Show, ek.Number, err)
		}
	}
	p.warmed = warm(p.Episodes)
	if q.WantTotal {
		switch {
		case len(others) == 0 && !dated:
			p.Total = scopeCount(drive)
		case len(others) == 0:
			lo, hi := dayBounds(q)
			days := scopeDays(r, drive)
			from, _ := slices.BinarySearch(days, lo)
			to, _ := slices.BinarySearch(days, hi)
			p.Total = to - from
		default:
			p.Total = count(r.cursor(bucketName), episodeSegments(prefix, q), keep)
		}
	}
	if ck != nil {
		// The sort keys are the walk's own copies (bbolt's bytes are
		// valid only in the transaction).
		r.cache.putEnd(r.gen, string(ck), p, size)
	}
	return p, nil
}

// warm reads a byte of each episode's code, title and release date. Each
// episode is a head or a record somewhere in the heap, and the page is
// answered some time after it is read: the answer then finds each one in
// the processor's cache, where it would otherwise wait on memory once per
// episode, and here the loads of one episode do not wait for another's.
// The sum is kept (EpisodePage.warmed) so that the loads are made.
func warm(es []*podcast.Episode) (sum byte) {
	for _, e := range es {
		sum += firstByte(e.Code)
		if e.Title != nil {
			sum += firstByte(*e.Title)
		}
		if e.ReleaseDate != nil {
			sum += byte(e.ReleaseDate.Day)
		}
	}
	return sum
}

// warmGuests is warm for guests read by slug (nil where unknown). Their
// sum goes into guestsWarmed: there is no page to keep it.
func warmGuests(gs []*podcast.Guest) {
	var sum byte
	for _, g := range gs {
		if g != nil {
			sum += firstByte(g.Slug) + firstByte(g.Name) + firstByte(g.Role) + firstByte(g.Organization)
		}
	}
	guestsWarmed.Add(uint32(sum))
}

var guestsWarmed atomic.Uint32

// firstByte returns s's first byte, or 0.
func firstByte(s string) byte {
	if s == "" {
		return 0
	}
	return s[0]
}

// endPageBytes and endPageKeyBytes are what an end page (a list's page
// at either end, kept by the record cache: recordCache.ends) and each of
// its episodes cost beside the bytes of their keys, as the cache counts
// them: the page and its cache entry; a pointer, a key and a sort key an
// episode (a heap profile at 100,000 catalogue pages put a guest's page
// of 5 at about 550 bytes). The episodes themselves are counted where
// the cache keeps them; one it drops stays as long as a page holding it.
const (
	endPageBytes    = 200
	endPageKeyBytes = 56
)

// endPageKey appends to b the record cache's key for the page q selects
// at an end of scope's list in bucket (the cache keeps end pages in a map
// of their own, so the key need not tell them from records).
func endPageKey(b, bucket []byte, q EpisodeQuery, scope string) []byte {
	var flags byte
	if q.Order.Desc {
		flags |= 1
	}
	if q.Heads {
		flags |= 2
	}
	if q.WantTotal {
		flags |= 4
	}
	b = append(append(b, bucket...), 0, flags)
	b = binary.AppendVarint(b, int64(q.Window.First))
	b = binary.AppendVarint(b, int64(q.Window.Last))
	return append(b, scope...)
}

// smallPage is an EpisodePage of up to smallPageLen episodes in one
// allocation: a nested page reads one such page per guest.
type smallPage struct {
	p        EpisodePage
	episodes [smallPageLen]*podcast.Episode
	keys     [smallPageLen]podcast.EpisodeKey
	sortKeys [smallPageLen][]byte
}

const smallPageLen = 5 // a guest's latest episodes on a nested page

// newEpisodePage returns an empty page with room for n episodes.
func newEpisodePage(n int) *EpisodePage {
	if n <= smallPageLen {
		sp := &smallPage{}
		sp.p.Episodes, sp.p.Keys, sp.p.SortKeys = sp.episodes[:0:n], sp.keys[:0:n], sp.sortKeys[:0:n]
		return &sp.p
	}
	return &EpisodePage{Episodes: make([]*podcast.Episode, 0, n), Keys: make([]podcast.EpisodeKey, 0, n), SortKeys: make([][]byte, 0, n)}
}

// daysOfScope names scopeDays' lists in the record cache as if they were
// a bucket; no bucket is called that.
var daysOfScope = []byte("#days")

// scopeDays returns the release days of scope's dated episodes in order.
// It reads them off the scope's by-date index once per generation and
// keeps them with the decoded records, so that a date-ranged totalCount
// is two binary searches rather than a walk of the range (bbolt keeps no
// counts of key ranges). A list too large for the cache is read each time.
func scopeDays(r *reader, scope string) []uint32 {
	var buf [96]byte
	ck := recordKey(buf[:0], daysOfScope, []byte(scope))
	if v, ok := r.cache.get(r.gen, ck); ok {
		if days, ok := v.([]uint32); ok {
			return days
		}
	}
	prefix := append([]byte(scope), 0)
	days := make([]uint32, 0, 64)
	c := r.bucket(bucketByDate).Cursor()
	for k, _ := c.Seek(prefix); len(k) >= len(prefix)+4 && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		d := binary.BigEndian.Uint32(k[len(prefix):])
		if d == noDay {
			break // undated episodes sort last
		}
		days = append(days, d)
	}
	r.cache.put(r.gen, string(ck), days, 4*len(days)+len(ck))
	return days
}

// inDateRange reads the episode's day and checks it against q's bounds.
func inDateRange(days *bolt.Bucket, ek podcast.EpisodeKey, q EpisodeQuery) bool {
	v := days.Get(episodeKey(ek))
	if len(v) != 4 {
		return false
	}
	lo, hi := dayBounds(q)
	d := binary.BigEndian.Uint32(v)
	return d >= lo && d < hi
}

// dayBounds returns the inclusive-exclusive day range [lo, hi) of q.
func dayBounds(q EpisodeQuery) (lo, hi uint32) {
	lo, hi = 0, noDay
	if q.ReleasedAfter != nil {
		lo = q.ReleasedAfter.Days() + 1
	}
	if q.ReleasedBefore != nil {
		hi = q.ReleasedBefore.Days()
	}
	return lo, hi
}

// episodeSegments lays out the sequence of an episode query.
func episodeSegments(prefix []byte, q EpisodeQuery) segments {
	end := prefixEnd(prefix)
	if !q.Order.ByDate {
		return segments{{regionLo: prefix, regionHi: end, lo: prefix, hi: end, desc: q.Order.Desc}}
	}
	undated := append(bytes.Clone(prefix), u32(noDay)...)
	lo, hi := dayBounds(q)
	datedLo := append(bytes.Clone(prefix), u32(lo)...)
	datedHi := append(bytes.Clone(prefix), u32(hi)...)
	segs := segments{{regionLo: prefix, regionHi: undated, lo: datedLo, hi: datedHi, desc: q.Order.Desc}}
	if q.ReleasedAfter == nil && q.ReleasedBefore == nil {
		segs = append(segs, segment{regionLo: undated, regionHi: end, lo: undated, hi: end, desc: q.Order.Desc})
	} else {
		segs = append(segs, segment{regionLo: undated, regionHi: end, lo: end, hi: end, desc: q.Order.Desc})
	}
	return segs
}

// ErrBadCursor is returned for a window whose sort keys cannot come from
// the sequence asked for.
var ErrBadCursor = errors.New("cursor does not belong to this list or order")

func validSortKey(byDate bool, sk []byte) bool {
	if sk == nil {
		return true
	}
	n := 5
	if byDate {
		n = 9
	}
	return len(sk) >= n && !bytes.ContainsRune(sk[n-1:], 0)
}

// ShowsWithNumber returns the slugs of the shows that have an episode
// numbered n, in slug order, at most limit of them: what an episode
// lookup by number alone needs to know whether it is ambiguous. It reads
// the index of every episode by number, whose keys put the shows of one
// number side by side. It returns an error only when the store cannot be
// read.
func (s reads) ShowsWithNumber(ctx context.Context, n, limit int) ([]string, error) {
	var out []string
	err := s.read(ctx, func(r *reader) error {
		if n < 0 || n > maxEpisodeNumber {
			return nil
		}
		prefix := indexKey(scopeAll, u32(uint32(n)))
		c := r.bucket(bucketByNum).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(out) < limit; k, _ = c.Next() {
			out = append(out, string(k[len(prefix):]))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: shows with episode %d: %w", n, err)
	}
	return out, nil
}
