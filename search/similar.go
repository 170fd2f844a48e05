package search

import (
	"cmp"
	"container/heap"
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
		if pl := ix.terms[t]; pl != nil {
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

func (ix *Index) idf(pl *postings) float64 {
	return math.Log(1 + (float64(len(ix.live))-float64(pl.N)+0.5)/(float64(pl.N)+0.5))
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
		pl := ix.terms[wt.Term]
		if pl == nil {
			continue
		}
		idf := ix.idf(pl)
		it := pl.iter()
		for it.next() {
			d := &ix.docs[it.doc]
			if !d.Live || d.Kind != kind || d.Key == exclude || (gen > 0 && d.Gen > gen) {
				continue
			}
			if sc.acc[it.doc] == 0 {
				sc.touched = append(sc.touched, it.doc)
			}
			sc.acc[it.doc] += float32(wt.Weight * idf * ix.fieldWeight(it, d))
		}
	}
	h := &hitHeap{}
	for _, id := range sc.touched {
		hit := Hit{Kind: kind, Key: ix.docs[id].Key, Score: float64(sc.acc[id])}
		sc.acc[id] = 0
		if h.Len() < n {
			heap.Push(h, hit)
		} else if n > 0 && better(hit, (*h)[0]) {
			(*h)[0] = hit
			heap.Fix(h, 0)
		}
	}
	out := make([]Hit, h.Len())
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(h).(Hit)
	}
	return out
}

// fieldWeight is BM25F's saturated, length-normalised, boosted term
// frequency of the iterator's current entry in d.
func (ix *Index) fieldWeight(it *iterator, d *doc) float64 {
	tfw := 0.0
	it.fieldTF(func(fl Field, tf int) {
		avg := 1.0
		if ix.numLen[fl] > 0 {
			avg = ix.sumLen[fl] / ix.numLen[fl]
		}
		tfw += fieldBoost[fl] * float64(tf) / (1 - b + b*float64(d.Lens[fl])/avg)
	})
	return tfw * (k1 + 1) / (tfw + k1)
}
