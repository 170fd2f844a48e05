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

// idTable finds numbers by the strings they stand for: a map from a
// string's hash to its number, and, for the rare string whose hash another
// already has, a map from the string itself. same reports whether a number
// stands for the string being looked up.
type idTable struct {
	seed  maphash.Seed
	first map[uint64]uint32
	clash map[string]uint32
}

func newIDTable(n int) idTable {
	return idTable{seed: maphash.MakeSeed(), first: make(map[uint64]uint32, n)}
}

func (t *idTable) hash(s string) uint64 { return maphash.String(t.seed, s) }

func (t *idTable) get(h uint64, s string, same func(uint32) bool) (uint32, bool) {
	if id, ok := t.first[h]; ok && same(id) {
		return id, true
	}
	id, ok := t.clash[s]
	return id, ok
}

func (t *idTable) put(h uint64, s string, id uint32, same func(uint32) bool) {
	if old, ok := t.first[h]; !ok || same(old) {
		t.first[h] = id
		if len(t.clash) > 0 {
			delete(t.clash, s)
		}
		return
	}
	if t.clash == nil {
		t.clash = map[string]uint32{}
	}
	t.clash[string([]byte(s))] = id
}

func (t *idTable) del(h uint64, s string, same func(uint32) bool) {
	if old, ok := t.first[h]; ok && same(old) {
		delete(t.first, h)
		return
	}
	delete(t.clash, s)
}

func (t *idTable) len() int { return len(t.first) + len(t.clash) }

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
		s.ids.put(s.ids.hash(x), x, uint32(i), s.is(x))
	}
	return s, true
}

func (s *strtab) len() int { return len(s.at) - 1 }

func (s *strtab) str(id uint32) string { return view(s.text, s.at[id], s.at[id+1]-s.at[id]) }

func (s *strtab) is(x string) func(uint32) bool {
	return func(id uint32) bool { return s.str(id) == x }
}

func (s *strtab) find(x string) (uint32, bool) { return s.ids.get(s.ids.hash(x), x, s.is(x)) }

// add numbers x, which find does not know.
func (s *strtab) add(x string) uint32 {
	id := uint32(s.len())
	s.text = append(s.text, x...)
	s.at = append(s.at, uint32(len(s.text)))
	s.ids.put(s.ids.hash(x), x, id, s.is(x))
	return id
}
