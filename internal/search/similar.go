package search

import (
	"cmp"
	"math"
	"slices"
)

// WeightedTerm is an indexed word and its weight in a text.
type WeightedTerm struct {
	Term   string
	Weight float64
}

// Terms returns the n words that best characterise text against the
// index, heaviest first: its words (folded; stop words and words the
// index does not hold left out), weighted by their count in text times
// their inverse document frequency. With Similar it is "more like this":
// an episode's terms are Terms of its title, summary and description.
func (ix *Index) Terms(text string, n int) []WeightedTerm {
	tf := map[string]int{}
	tokenize(text, func(t token) {
		if !stopWords[t.term] {
			tf[t.term]++
		}
	})
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	out := make([]WeightedTerm, 0, len(tf))
	for t, c := range tf {
		if pl := ix.postings(t); pl != nil {
			out = append(out, WeightedTerm{t, float64(c) * ix.idf(pl)})
		}
	}
	slices.SortFunc(out, func(a, b WeightedTerm) int {
		return cmp.Or(cmp.Compare(b.Weight, a.Weight), cmp.Compare(a.Term, b.Term))
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// idf is BM25's inverse document frequency of a word. Its document
// frequency counts the postings of dead docs too until compaction drops
// them (at most an eighth of the docs), bounded by the live docs.
func (ix *Index) idf(pl *plist) float64 {
	n := float64(ix.live.len())
	df := min(float64(pl.N), n)
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// Similar returns up to n live things of kind that share the most weight
// of terms, best first: BM25F with field boosts over any of the words,
// each scaled by its weight, leaving out the thing keyed exclude. gen is
// as Query.Generation.
func (ix *Index) Similar(terms []WeightedTerm, kind Kind, n int, exclude string, gen uint64) []Hit {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	sc.grow(len(ix.docs))
	sc.touched = sc.touched[:0]
	for _, wt := range terms {
		pl := ix.postings(wt.Term)
		if pl == nil {
			continue
		}
		idf := ix.idf(pl)
		it := ix.iter(pl)
		for it.next() {
			m := &ix.meta[it.doc]
			if !m.Live || m.Kind != kind || (gen > 0 && ix.gens[it.doc] > gen) || ix.key(it.doc) == exclude {
				continue
			}
			if sc.acc[it.doc] == 0 {
				sc.touched = append(sc.touched, it.doc)
			}
			sc.acc[it.doc] += float32(wt.Weight * idf * ix.fieldWeight(it.buf, it.at, m))
		}
	}
	h := &hitHeap{ix: ix}
	for _, id := range sc.touched {
		hit := Hit{Kind: kind, Score: float64(sc.acc[id]), doc: id}
		sc.acc[id] = 0
		if h.Len() < n {
			h.push(hit)
		} else if n > 0 && ix.better(hit, h.hits[0]) {
			h.replaceRoot(hit)
		}
	}
	out := make([]Hit, h.Len())
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = h.pop()
		out[i].Key = ix.key(out[i].doc)
	}
	return out
}

// fieldWeight is BM25F's saturated, length-normalised, boosted term
// frequency of the postings entry whose fields start at post[at:], whose
// meta is m.
func (ix *Index) fieldWeight(post []byte, at int, m *meta) float64 {
	tfw := 0.0
	for {
		fb := post[at]
		tf, w := uvarint(post, at+1)
		at += 1 + w
		fl := Field(fb & 0x7f)
		tfw += fieldBoost[fl] * float64(tf) / (1 - bm25b + bm25b*float64(m.Lens[fl])*ix.invAvg[fl])
		if fb&0x80 != 0 {
			break
		}
	}
	return tfw * (k1 + 1) / (tfw + k1)
}

// setAverages recomputes the inverse average length of each field.
func (ix *Index) setAverages() {
	for f := range numFields {
		ix.invAvg[f] = 1
		if ix.numLen[f] > 0 && ix.sumLen[f] > 0 {
			ix.invAvg[f] = ix.numLen[f] / ix.sumLen[f]
		}
	}
}
