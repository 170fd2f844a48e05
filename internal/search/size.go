package search

import "unsafe"

// HeapBytes returns about how many bytes of heap the index holds: its
// arrays' capacities (of its hash tables too). The server's
// collector policy counts it as memory kept on purpose
// (pipeline.ServeGC).
func (ix *Index) HeapBytes() int64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	n := int64(cap(ix.docs))*int64(unsafe.Sizeof(doc{})) + int64(cap(ix.text)) +
		int64(cap(ix.meta))*int64(unsafe.Sizeof(meta{})) + 8*int64(cap(ix.gens)) + 4*int64(cap(ix.facets)) +
		ix.live.heapBytes() + ix.terms.heapBytes() +
		int64(cap(ix.lists))*int64(unsafe.Sizeof(plist{})) + int64(cap(ix.post)) + 4*int64(cap(ix.sorted)) +
		ix.stems.heapBytes() + 4*int64(cap(ix.forms)) + 4*int64(cap(ix.nextForm))
	for _, in := range ix.interners() {
		n += in.heapBytes() + 4*int64(cap(in.episodes))
	}
	n += int64(cap(ix.topicDocs)) * int64(unsafe.Sizeof(docSet{}))
	for i := range ix.topicDocs {
		n += ix.topicDocs[i].heapBytes()
	}
	for _, s := range ix.sugg {
		n += int64(cap(s)) * int64(unsafe.Sizeof(suggTok{}))
	}
	return n
}

func (t *idTable) heapBytes() int64 { return int64(len(t.slots)) * int64(unsafe.Sizeof(idSlot{})) }

func (s *strtab) heapBytes() int64 {
	return int64(cap(s.text)) + 4*int64(cap(s.at)) + s.ids.heapBytes()
}
