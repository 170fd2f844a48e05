package search

import "unsafe"

// HeapBytes returns about how many bytes of heap the index holds: its
// arrays' capacities (of its hash tables too), not counting those that
// are views of the file it was loaded from (viewArray), which are the
// operating system's file cache. The server's collector policy counts it
// as memory kept on purpose (pipeline.ServeGC). The impacts kept for
// searches (impacts.go) count too.
func (ix *Index) HeapBytes() int64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	r := ix.region
	n := heapOf(r, ix.docs) + heapOf(r, ix.text) + heapOf(r, ix.meta) + heapOf(r, ix.gens) + heapOf(r, ix.facets) +
		ix.live.heapBytes() + ix.terms.heapBytes(r) +
		heapOf(r, ix.lists) + heapOf(r, ix.post) + heapOf(r, ix.sorted) +
		ix.stems.heapBytes(r) + heapOf(r, ix.forms) + heapOf(r, ix.nextForm)
	for _, in := range ix.interners() {
		n += in.heapBytes(r) + heapOf(r, in.episodes)
	}
	n += int64(cap(ix.topicDocs)) * int64(unsafe.Sizeof(docSet{}))
	for i := range ix.topicDocs {
		n += ix.topicDocs[i].heapBytes()
	}
	for _, s := range ix.sugg {
		n += heapOf(r, s)
	}
	return n + ix.impactBytes()
}

// heapOf returns the bytes of s's capacity, or 0 when s is a view of m.
func heapOf[T any](m *mapping, s []T) int64 {
	if cap(s) == 0 || m.holds(unsafe.Pointer(unsafe.SliceData(s))) {
		return 0
	}
	return int64(cap(s)) * int64(unsafe.Sizeof(s[:1][0]))
}

// holds reports whether p points into m.
func (m *mapping) holds(p unsafe.Pointer) bool {
	if m == nil || len(m.b) == 0 {
		return false
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(m.b)))
	return uintptr(p) >= start && uintptr(p) < start+uintptr(len(m.b))
}

func (t *idTable) heapBytes() int64 { return int64(len(t.slots)) * int64(unsafe.Sizeof(idSlot{})) }

func (s *strtab) heapBytes(m *mapping) int64 {
	return heapOf(m, s.text) + heapOf(m, s.at) + s.ids.heapBytes()
}
