package search

import (
	"hash/maphash"
	"unsafe"
)

// The index keeps no pointers per word or per document: the collector
// marks every pointer-bearing object at each cycle, and at 100,000 pages
// the index held hundreds of thousands of them. Strings live end to end in
// byte slices, found by offsets; lookups go through maps of hashes to
// numbers, which the collector does not scan either.

// span is a string in a byte slice: its offset and length.
type span struct{ Off, Len uint32 }

// appendSpan appends s to b and returns b and where s is.
func appendSpan(b []byte, s string) ([]byte, span) {
	return append(b, s...), span{uint32(len(b)), uint32(len(s))}
}

// view returns the bytes of b[off:off+n] as a string without copying.
// Bytes once written to such a slice are never written again (it is only
// appended to, or replaced by a new one), so the string stays what it was.
func view(b []byte, off, n uint32) string {
	if n == 0 {
		return ""
	}
	return unsafe.String(&b[off], n)
}

// idTable finds numbers by the strings they stand for: an open-addressing
// table of (hash, number) slots, probed linearly from the hash; same
// reports whether a number stands for the string being looked up, so two
// strings of one hash each keep their own slot. At 16 bytes a slot and at
// most three quarters full it takes about half of what a Go map of the
// same entries did (a heap profile of a server at 100,000 catalogue
// pages: 5.2 MB of tables against 11.2 MB).
type idTable struct {
	seed  maphash.Seed
	slots []idSlot // a power of two of them
	n     int      // numbers held
	gone  int      // slots of removed numbers
}

type idSlot struct {
	h  uint64
	id uint32 // or slotFree, slotGone
}

const (
	slotFree = ^uint32(0)
	slotGone = ^uint32(0) - 1
)

func newIDTable(n int) idTable {
	t := idTable{seed: maphash.MakeSeed()}
	t.slots = freeSlots(n)
	return t
}

// freeSlots returns room for n numbers.
func freeSlots(n int) []idSlot {
	c := 8
	for c/4*3 <= n {
		c *= 2
	}
	s := make([]idSlot, c)
	for i := range s {
		s[i].id = slotFree
	}
	return s
}

func (t *idTable) hash(s string) uint64 { return maphash.String(t.seed, s) }

// find returns the slot holding a number for s, or -1 and the slot an
// entry for it would take.
func (t *idTable) find(h uint64, same func(uint32) bool) (at, free int) {
	mask := uint64(len(t.slots) - 1)
	free = -1
	for i := h & mask; ; i = (i + 1) & mask {
		switch sl := t.slots[i]; {
		case sl.id == slotFree:
			if free < 0 {
				free = int(i)
			}
			return -1, free
		case sl.id == slotGone:
			if free < 0 {
				free = int(i)
			}
		case sl.h == h && same(sl.id):
			return int(i), free
		}
	}
}

func (t *idTable) get(h uint64, same func(uint32) bool) (uint32, bool) {
	if at, _ := t.find(h, same); at >= 0 {
		return t.slots[at].id, true
	}
	return 0, false
}

func (t *idTable) put(h uint64, id uint32, same func(uint32) bool) {
	at, free := t.find(h, same)
	if at >= 0 {
		t.slots[at].id = id
		return
	}
	if t.slots[free].id == slotGone {
		t.gone--
	}
	t.slots[free] = idSlot{h, id}
	t.n++
	if (t.n+t.gone)*4 >= len(t.slots)*3 {
		t.rehash()
	}
}

func (t *idTable) del(h uint64, same func(uint32) bool) {
	if at, _ := t.find(h, same); at >= 0 {
		t.slots[at].id = slotGone
		t.n--
		t.gone++
	}
}

// rehash moves the numbers to a table with room for twice as many,
// leaving the removed ones' slots behind.
func (t *idTable) rehash() {
	old := t.slots
	t.slots, t.gone = freeSlots(2*t.n), 0
	mask := uint64(len(t.slots) - 1)
	for _, sl := range old {
		if sl.id == slotFree || sl.id == slotGone {
			continue
		}
		i := sl.h & mask
		for t.slots[i].id != slotFree {
			i = (i + 1) & mask
		}
		t.slots[i] = sl
	}
}

func (t *idTable) len() int { return t.n }

// strtab numbers distinct strings from 0, in the order they are added.
type strtab struct {
	text []byte   // the strings end to end
	at   []uint32 // where string i starts; at[i+1] is where it ends
	ids  idTable
}

func newStrtab() strtab { return strtab{at: []uint32{0}, ids: newIDTable(0)} }

// strtabOf returns the table of the strings in text that at delimits (as
// saved), or false when at does not fit text.
func strtabOf(text []byte, at []uint32) (strtab, bool) {
	if len(at) == 0 || at[0] != 0 || at[len(at)-1] != uint32(len(text)) {
		return strtab{}, false
	}
	s := strtab{text: text, at: at, ids: newIDTable(len(at) - 1)}
	for i := range len(at) - 1 {
		if at[i] > at[i+1] {
			return strtab{}, false
		}
		x := s.str(uint32(i))
		s.ids.put(s.ids.hash(x), uint32(i), s.is(x))
	}
	return s, true
}

func (s *strtab) len() int { return len(s.at) - 1 }

func (s *strtab) str(id uint32) string { return view(s.text, s.at[id], s.at[id+1]-s.at[id]) }

func (s *strtab) is(x string) func(uint32) bool {
	return func(id uint32) bool { return s.str(id) == x }
}

func (s *strtab) find(x string) (uint32, bool) { return s.ids.get(s.ids.hash(x), s.is(x)) }

// add numbers x, which find does not know.
func (s *strtab) add(x string) uint32 {
	id := uint32(s.len())
	s.text = append(s.text, x...)
	s.at = append(s.at, uint32(len(s.text)))
	s.ids.put(s.ids.hash(x), id, s.is(x))
	return id
}
