package store

import (
	"bytes"
	"slices"
)

// cursor is what walk needs of an ordered key source: a *bbolt.Cursor or a
// sorted slice of keys built in memory.
type cursor interface {
	Seek(seek []byte) (key, value []byte)
	Next() (key, value []byte)
	Prev() (key, value []byte)
	Last() (key, value []byte)
}

// segment is a run of keys visited in one direction. A sequence (the order
// a connection pages through) is a list of segments: episodes by release
// date are the dated ones, then the undated ones, in either direction.
// region is the part of key space the segment owns (a cursor key falls in
// exactly one region); [lo, hi) is the part of it that matches the query.
type segment struct {
	regionLo, regionHi []byte
	lo, hi             []byte
	desc               bool
}

func (s segment) owns(k []byte) bool {
	return bytes.Compare(k, s.regionLo) >= 0 && bytes.Compare(k, s.regionHi) < 0
}

// walkSegment visits the keys of s, in its direction or against it when
// reverse, strictly past from when from is not nil. fn returns false to stop;
// walkSegment returns false when fn did.
func walkSegment(c cursor, s segment, reverse bool, from []byte, fn func(k []byte) bool) bool {
	if s.desc == reverse { // ascending
		var k []byte
		if from != nil && bytes.Compare(from, s.lo) >= 0 {
			k, _ = c.Seek(from)
			if k != nil && bytes.Equal(k, from) {
				k, _ = c.Next()
			}
		} else {
			k, _ = c.Seek(s.lo)
		}
		for ; k != nil && bytes.Compare(k, s.hi) < 0; k, _ = c.Next() {
			if !fn(k) {
				return false
			}
		}
		return true
	}
	end := s.hi
	if from != nil && bytes.Compare(from, end) < 0 {
		end = from
	}
	k, _ := c.Seek(end)
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	for ; k != nil && bytes.Compare(k, s.lo) >= 0; k, _ = c.Prev() {
		if bytes.Compare(k, end) >= 0 {
			continue
		}
		if !fn(k) {
			return false
		}
	}
	return true
}

// position is where a key stands in a sequence.
type position struct {
	seg int
	key []byte
}

// walkSequence visits the keys of segs in sequence order (or backwards),
// starting strictly past from when it is not nil.
func walkSequence(c cursor, segs []segment, reverse bool, from []byte, fn func(p position) bool) {
	order := make([]int, len(segs))
	for i := range order {
		order[i] = i
	}
	if reverse {
		slices.Reverse(order)
	}
	started := from == nil
	for _, i := range order {
		s := segs[i]
		var start []byte
		if !started {
			if !s.owns(from) {
				continue
			}
			started, start = true, from
		}
		if !walkSegment(c, s, reverse, start, func(k []byte) bool { return fn(position{seg: i, key: k}) }) {
			return
		}
	}
}

// before reports whether a comes before b in the sequence.
func (segs segments) before(a, b position) bool {
	if a.seg != b.seg {
		return a.seg < b.seg
	}
	c := bytes.Compare(a.key, b.key)
	if segs[a.seg].desc {
		return c > 0
	}
	return c < 0
}

type segments []segment

// segmentOf returns the segment owning k, or -1.
func (segs segments) segmentOf(k []byte) int {
	for i, s := range segs {
		if s.owns(k) {
			return i
		}
	}
	return -1
}

// Window selects a page of a sequence, Relay style.
type Window struct {
	First, Last   int    // -1 when not given
	After, Before []byte // sort keys decoded from cursors, nil when not given
}

// page walks a sequence under a window. keep filters candidates (nil keeps
// all). It returns the keys of the page in sequence order and whether items
// exist past either end of it.
func page(c cursor, segs segments, prefix []byte, w Window, keep func(k []byte) bool) (keys [][]byte, hasPrev, hasNext bool) {
	full := func(sk []byte) []byte {
		if sk == nil {
			return nil
		}
		return append(slices.Clip(prefix), sk...)
	}
	after, before := full(w.After), full(w.Before)
	var beforePos *position
	if before != nil {
		if i := segs.segmentOf(before); i >= 0 {
			beforePos = &position{seg: i, key: before}
		}
	}
	var afterPos *position
	if after != nil {
		if i := segs.segmentOf(after); i >= 0 {
			afterPos = &position{seg: i, key: after}
		}
	}
	exists := func(reverse bool, from []byte) bool {
		found := false
		walkSequence(c, segs, reverse, from, func(p position) bool {
			if keep == nil || keep(p.key) {
				found = true
				return false
			}
			return true
		})
		return found
	}
	var arena keyArena
	if w.Last >= 0 && w.First < 0 {
		// Backwards from before, stopping at after.
		arena.want = min(w.Last+1, 128)
		got := make([][]byte, 0, arena.want)
		walkSequence(c, segs, true, before, func(p position) bool {
			if afterPos != nil && !segs.before(*afterPos, p) {
				return false
			}
			if keep == nil || keep(p.key) {
				got = append(got, arena.clone(p.key))
			}
			return len(got) <= w.Last
		})
		if len(got) > w.Last {
			got, hasPrev = got[:w.Last], true
		}
		slices.Reverse(got)
		if before != nil && beforePos != nil {
			k, _ := c.Seek(before)
			hasNext = (k != nil && bytes.Equal(k, before) && (keep == nil || keep(k))) || exists(false, before)
		}
		return got, hasPrev, hasNext
	}
	limit := w.First
	arena.want = min(max(limit+1, 1), 128)
	got := make([][]byte, 0, arena.want)
	walkSequence(c, segs, false, after, func(p position) bool {
		if beforePos != nil && !segs.before(p, *beforePos) {
			return false
		}
		if keep == nil || keep(p.key) {
			got = append(got, arena.clone(p.key))
		}
		return limit < 0 || len(got) <= limit
	})
	if limit >= 0 && len(got) > limit {
		got, hasNext = got[:limit], true
	}
	if w.Last >= 0 && len(got) > w.Last {
		got, hasPrev = got[len(got)-w.Last:], true
	}
	if after != nil && afterPos != nil && !hasPrev {
		k, _ := c.Seek(after)
		hasPrev = (k != nil && bytes.Equal(k, after) && (keep == nil || keep(k))) || exists(true, after)
	}
	return got, hasPrev, hasNext
}

// keyArena copies keys out of bbolt's pages (valid only inside the
// transaction) into shared blocks: one allocation for a page of keys
// rather than one per key.
type keyArena struct {
	buf  []byte
	want int // keys expected: a block holds that many of the first's size
}

func (a *keyArena) clone(k []byte) []byte {
	if len(a.buf)+len(k) > cap(a.buf) {
		a.buf = make([]byte, 0, max(a.want, 4)*len(k))
	}
	start := len(a.buf)
	a.buf = append(a.buf, k...)
	return a.buf[start:len(a.buf):len(a.buf)]
}

// count walks a whole sequence and counts the keys kept.
func count(c cursor, segs segments, keep func(k []byte) bool) int {
	n := 0
	walkSequence(c, segs, false, nil, func(p position) bool {
		if keep == nil || keep(p.key) {
			n++
		}
		return true
	})
	return n
}

// sliceCursor is a cursor over sorted keys held in memory.
type sliceCursor struct {
	keys [][]byte
	i    int
}

func (s *sliceCursor) at() ([]byte, []byte) {
	if s.i < 0 || s.i >= len(s.keys) {
		return nil, nil
	}
	return s.keys[s.i], nil
}

func (s *sliceCursor) Seek(k []byte) ([]byte, []byte) {
	s.i, _ = slices.BinarySearchFunc(s.keys, k, bytes.Compare)
	return s.at()
}
func (s *sliceCursor) Next() ([]byte, []byte) { s.i++; return s.at() }
func (s *sliceCursor) Prev() ([]byte, []byte) { s.i--; return s.at() }
func (s *sliceCursor) Last() ([]byte, []byte) { s.i = len(s.keys) - 1; return s.at() }

// prefixEnd returns the first key after every key starting with prefix.
func prefixEnd(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
