package search

import "encoding/binary"

// bulkPostings holds a rebuild's postings entries in the order they are
// added, each with its term, so that the lists can be laid out once at
// the end, each its exact size, in one array.
//
// Growing the lists in place instead (appendPostings) moves a list that
// outgrows its room to the end of the array, leaving a hole, and grows
// the array itself by copying: rebuilding the index of 100,000 catalogue
// pages, the array and its holes reached 413 MB at the collector's peak
// for 78 MB of postings, and the process 1.1 GB. Entries in fixed chunks
// are never copied; the layout at the end needs them, their terms (4
// bytes an entry) and the final array.
//
// An entry's bytes already hold its delta from the term's previous entry,
// since a rebuild adds docs in order: a list is its entries end to end.
type bulkPostings struct {
	ents  [][]byte   // chunks of entries, end to end
	terms [][]uint32 // chunks of the terms of the entries, in order
}

// bulkChunk is the bytes (and terms) per chunk.
const bulkChunk = 1 << 20

func (b *bulkPostings) add(term uint32, ent []byte) {
	if n := len(b.ents); n == 0 || len(b.ents[n-1])+len(ent) > cap(b.ents[n-1]) {
		b.ents = append(b.ents, make([]byte, 0, max(bulkChunk, len(ent))))
	}
	if n := len(b.terms); n == 0 || len(b.terms[n-1]) == cap(b.terms[n-1]) {
		b.terms = append(b.terms, make([]uint32, 0, bulkChunk/4))
	}
	last := &b.ents[len(b.ents)-1]
	*last = append(*last, ent...)
	lt := &b.terms[len(b.terms)-1]
	*lt = append(*lt, term)
}

// beginBulk starts collecting postings for a layout at the end
// (endBulk), on an index that holds none yet; on one that does it does
// nothing, and entries grow their lists as they come.
func (ix *Index) beginBulk() {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.changed()
	if len(ix.lists) == 0 && len(ix.mapped) == 0 && len(ix.post) == 0 {
		ix.bulk = &bulkPostings{}
	}
}

// endBulk lays out the postings collected since beginBulk: each list gets
// its exact size, in term order, in one array, and the collected chunks
// are let go as they are copied.
func (ix *Index) endBulk() {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.changed()
	b := ix.bulk
	if b == nil {
		return
	}
	ix.bulk = nil
	total := uint32(0)
	for i := range ix.lists {
		p := &ix.lists[i]
		p.Off, p.Cap = total, p.Len
		total += p.Len
	}
	post := make([]byte, total)
	at := make([]uint32, len(ix.lists)) // by term: bytes of its list written
	ti, tj := 0, 0
	for c, chunk := range b.ents {
		for off := 0; off < len(chunk); {
			n := entryLen(chunk[off:])
			term := b.terms[ti][tj]
			if tj++; tj == len(b.terms[ti]) {
				b.terms[ti] = nil
				ti, tj = ti+1, 0
			}
			p := &ix.lists[term]
			copy(post[p.Off+at[term]:], chunk[off:off+n])
			at[term] += uint32(n)
			off += n
		}
		b.ents[c] = nil
	}
	ix.post = post
	ix.compactIfDead()
}

// entryLen returns the length of the postings entry b starts with: its
// doc delta, its body's length and its body.
func entryLen(b []byte) int {
	_, n := binary.Uvarint(b)
	l, m := binary.Uvarint(b[n:])
	return n + m + int(l)
}
