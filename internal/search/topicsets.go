package search

import "math/bits"

// docSet is the episodes a topic is about: a bitset over doc numbers once
// they are a sizeable share of the docs, a list (ascending) before.
//
// A search with many hits counts its topics (the facet) from these, a
// topic at a time, instead of reading each hit's topics: the hits are
// scattered over the docs, so each read is a cache miss, while a bitset
// of the hits and a topic's set are read in order. On 100,000 generated
// pages a one-word search has about 10,000 hits; 67 topics, nearly all on
// more than a thirty-second of the docs, are 67 bitsets of 13 KB.
type docSet struct {
	bits []uint64
	list []uint32
}

// docSetDense is the share of the docs (one in this many) from which a
// topic's episodes are kept as a bitset: the same memory as a list then.
const docSetDense = 32

func (s *docSet) add(d uint32, docs int) {
	if s.bits == nil {
		if n := len(s.list); n > 0 && s.list[n-1] == d {
			return
		}
		s.list = append(s.list, d)
		if len(s.list)*docSetDense < docs {
			return
		}
		list := s.list
		s.list = nil
		for _, x := range list {
			s.set(x)
		}
	}
	s.set(d)
}

func (s *docSet) set(d uint32) {
	w := int(d / 64)
	if w >= len(s.bits) {
		s.bits = append(s.bits, make([]uint64, w+1-len(s.bits)+len(s.bits)/4)...)
	}
	s.bits[w] |= 1 << (d % 64)
}

// work is what counting the set against the hits reads, in words.
func (s *docSet) work() int { return len(s.bits) + len(s.list) }

// count returns how many of the set's docs hits (a bitset) holds.
func (s *docSet) count(hits []uint64) int32 {
	n := 0
	if s.bits != nil {
		b := s.bits[:min(len(s.bits), len(hits))]
		h := hits[:len(b)]
		// Four words a step, in four sums: the loads and counts of a
		// step do not wait for each other.
		var n1, n2, n3 int
		i := 0
		for ; i+4 <= len(b) && i+4 <= len(h); i += 4 {
			n += bits.OnesCount64(b[i] & h[i])
			n1 += bits.OnesCount64(b[i+1] & h[i+1])
			n2 += bits.OnesCount64(b[i+2] & h[i+2])
			n3 += bits.OnesCount64(b[i+3] & h[i+3])
		}
		for ; i < len(b); i++ {
			n += bits.OnesCount64(b[i] & h[i])
		}
		return int32(n + n1 + n2 + n3)
	}
	for _, d := range s.list {
		if w := int(d / 64); w < len(hits) && hits[w]&(1<<(d%64)) != 0 {
			n++
		}
	}
	return int32(n)
}

func (s *docSet) heapBytes() int64 { return 8*int64(cap(s.bits)) + 4*int64(cap(s.list)) }

// addTopicDocs enters doc d in the sets of its topics.
func (ix *Index) addTopicDocs(d uint32, m *meta) {
	for len(ix.topicDocs) < ix.topics.len() {
		ix.topicDocs = append(ix.topicDocs, docSet{})
	}
	for _, t := range ix.topicsOf(m) {
		ix.topicDocs[t].add(d, len(ix.meta))
	}
}

// setTopicDocs makes the topics' sets again from the docs (after a load
// or a compaction). Dead docs are left out; a doc that dies later stays
// in its sets, as no search has it among its hits.
func (ix *Index) setTopicDocs() {
	ix.topicDocs = make([]docSet, ix.topics.len())
	for d := range ix.meta {
		if m := &ix.meta[d]; m.Live && m.Kind == KindEpisode {
			ix.addTopicDocs(uint32(d), m)
		}
	}
}

// countTopicsBySet counts the topics of hits from the topics' sets into
// sc's topic counts, when that reads less than the hits' own topics
// would; it reports whether it did.
func (ix *Index) countTopicsBySet(sc *scratch, hits []uint32) bool {
	work := 0
	for i := range ix.topicDocs {
		work += ix.topicDocs[i].work()
	}
	// A hit's topics cost a cache miss; a word of a set, a few cycles.
	if len(hits)*16 < work {
		return false
	}
	words := (len(ix.meta) + 63) / 64
	if cap(sc.hitBits) < words {
		sc.hitBits = make([]uint64, words+words/4)
	}
	hb := sc.hitBits[:words]
	for _, d := range hits {
		hb[d/64] |= 1 << (d % 64)
	}
	for t := range ix.topicDocs {
		if n := ix.topicDocs[t].count(hb); n > 0 {
			sc.topicCnt[t] = n
			sc.fTopics = append(sc.fTopics, uint32(t))
		}
	}
	for _, d := range hits {
		hb[d/64] = 0
	}
	return true
}
