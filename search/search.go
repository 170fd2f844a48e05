package search

import (
	"cmp"
	"container/heap"
	"slices"
	"strconv"
	"sync"
)

// Query is a search: its text and what narrows it.
type Query struct {
	Text   string
	Offset int // hits skipped (the cursor)
	First  int // hits returned
	Kinds  []Kind
	// Show, Topic and Guest (slugs) and After and Before (release days,
	// podcast.Date.Days, inclusive; 0 for none) select episodes: when any
	// is set, only episodes that match all of them are hits.
	Show, Topic, Guest string
	After, Before      uint32
	// Facets is the most values each facet lists.
	Facets int
	// Generation is the generation of the state the caller reads hits
	// from: things the index holds from a later one are left out.
	Generation uint64
}

// Hit is one thing found.
type Hit struct {
	Kind  Kind
	Key   string
	Score float64
	Typos int // typos the match needed: hits with fewer come first
}

// FacetCount is a value of a facet and the hits that have it.
type FacetCount struct {
	Value string
	Count int
}

// Facets count the whole result set. Kinds sum to the total; Shows count
// episodes and shows (an episode by its show), and sum to those hits;
// Years count the episodes with a release date, and sum to them; Topics
// and Guests count the episodes that have each (an episode with two
// topics counts in both). Each list is the most frequent first, then by
// value, cut to Query.Facets.
type Facets struct {
	Kinds                        [numKinds]int
	Shows, Topics, Guests, Years []FacetCount
}

// Result is a page of hits, the size of the whole result set and its
// facets, and the words to highlight.
type Result struct {
	Total   int
	Hits    []Hit
	HasNext bool
	Facets  Facets
	// Terms are the indexed words the query matched (its words, their
	// stems' other forms, completions and typo corrections): Highlight
	// marks them.
	Terms map[string]bool
}

// BM25 parameters.
const (
	k1 = 1.2
	b  = 0.75
)

// Weights of a match by how the word was found.
const (
	weightExact  = 1.0
	weightStem   = 0.9
	weightPrefix = 0.7
	weightTypo1  = 0.5
	weightTypo2  = 0.3
)

// maxPrefixTerms bounds the completions of the last word (the most
// frequent are kept).
const maxPrefixTerms = 64

type expansion struct {
	term   string
	typos  uint8
	weight float64
}

// expand returns the indexed words a query word matches.
func (ix *Index) expand(q qterm) []expansion {
	var out []expansion
	seen := map[string]bool{}
	addx := func(t string, typos uint8, w float64) {
		if !seen[t] {
			seen[t] = true
			out = append(out, expansion{t, typos, w})
		}
	}
	if ix.terms[q.text] != nil {
		addx(q.text, 0, weightExact)
	}
	if q.exact {
		return out
	}
	for _, t := range ix.stems[stem(q.text)] {
		addx(t, 0, weightStem)
	}
	if q.prefix {
		r := ix.prefixRange(q.text)
		if len(r) > maxPrefixTerms {
			r = slices.Clone(r)
			slices.SortFunc(r, func(a, c string) int { return cmp.Compare(ix.terms[c].N, ix.terms[a].N) })
			r = r[:maxPrefixTerms]
		}
		for _, t := range r {
			addx(t, 0, weightPrefix)
		}
	}
	qr := []rune(q.text)
	budget := typoBudget(len(qr))
	if budget == 0 {
		return out
	}
	var sc distScratch
	for _, t := range ix.sorted {
		n := len(t)
		if n < len(q.text)-2*budget || n > len(q.text)+2*budget || seen[t] {
			continue
		}
		tr := []rune(t)
		if d := sc.distance(qr, tr, budget); d <= budget && d > 0 {
			w := weightTypo1
			if d == 2 {
				w = weightTypo2
			}
			addx(t, uint8(d), w)
		}
	}
	return out
}

// scratch holds a search's per-doc arrays, reused between searches.
type scratch struct {
	acc     []float32
	cur     []float32
	cnt     []uint8
	typos   []uint8
	curT    []uint8
	touched []uint32
	first   []uint32
}

var scratchPool = sync.Pool{New: func() any { return &scratch{} }}

func (s *scratch) grow(n int) {
	if len(s.acc) < n {
		n = n + n/4
		s.acc = make([]float32, n)
		s.cur = make([]float32, n)
		s.cnt = make([]uint8, n)
		s.typos = make([]uint8, n)
		s.curT = make([]uint8, n)
	}
}

// filter is a query's narrowing, resolved against the index.
type filter struct {
	kinds         [numKinds]bool
	episodesOnly  bool
	show          int32
	topic, guest  int64
	after, before uint32
	gen           uint64
	none          bool // a filter names something the index does not hold
}

func (ix *Index) filterOf(q *Query) filter {
	f := filter{show: -1, topic: -1, guest: -1, after: q.After, before: q.Before, gen: q.Generation}
	if len(q.Kinds) == 0 {
		for k := range f.kinds {
			f.kinds[k] = true
		}
	}
	for _, k := range q.Kinds {
		f.kinds[k] = true
	}
	f.episodesOnly = q.Show != "" || q.Topic != "" || q.Guest != "" || q.After > 0 || q.Before > 0
	if q.Show != "" {
		id, ok := ix.shows.lookup(q.Show)
		f.show, f.none = int32(id), f.none || !ok
	}
	if q.Topic != "" {
		id, ok := ix.topics.lookup(q.Topic)
		f.topic, f.none = int64(id), f.none || !ok
	}
	if q.Guest != "" {
		id, ok := ix.guests.lookup(q.Guest)
		f.guest, f.none = int64(id), f.none || !ok
	}
	return f
}

func (f *filter) admits(d *doc) bool {
	if !d.Live || !f.kinds[d.Kind] || (f.gen > 0 && d.Gen > f.gen) {
		return false
	}
	if !f.episodesOnly {
		return true
	}
	if d.Kind != KindEpisode {
		return false
	}
	if f.show >= 0 && d.Show != f.show {
		return false
	}
	if f.topic >= 0 && !slices.Contains(d.Topics, uint32(f.topic)) {
		return false
	}
	if f.guest >= 0 && !slices.Contains(d.Guests, uint32(f.guest)) {
		return false
	}
	if f.after > 0 && (d.Day == 0 || d.Day < f.after) {
		return false
	}
	if f.before > 0 && (d.Day == 0 || d.Day > f.before) {
		return false
	}
	return true
}

// Search runs q. A query the index cannot read (no words, too long) is an
// *InputError; nothing else fails.
func (ix *Index) Search(q *Query) (*Result, error) {
	p, err := parse(q.Text)
	if err != nil {
		return nil, err
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	res := &Result{Terms: map[string]bool{}}
	f := ix.filterOf(q)
	if f.none {
		return res, nil
	}
	n := len(ix.docs)
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	sc.grow(n)
	sc.first = sc.first[:0]
	defer func() {
		for _, d := range sc.first {
			sc.acc[d], sc.cnt[d], sc.typos[d] = 0, 0, 0
		}
	}()
	nt := uint8(len(p.terms))
	for qi, qt := range p.terms {
		sc.touched = sc.touched[:0]
		for _, x := range ix.expand(qt) {
			res.Terms[x.term] = true
			pl := ix.terms[x.term]
			idf := ix.idf(pl)
			it := pl.iter()
			for it.next() {
				d := it.doc
				if int(sc.cnt[d]) != qi {
					continue
				}
				if qi == 0 && !f.admits(&ix.docs[d]) {
					continue
				}
				s := float32(idf * ix.fieldWeight(it, &ix.docs[d]) * x.weight)
				if sc.cur[d] == 0 {
					sc.touched = append(sc.touched, d)
					sc.curT[d] = x.typos
				} else {
					sc.curT[d] = min(sc.curT[d], x.typos)
				}
				sc.cur[d] = max(sc.cur[d], s)
			}
		}
		for _, d := range sc.touched {
			sc.cnt[d]++
			sc.acc[d] += sc.cur[d]
			sc.typos[d] += sc.curT[d]
			sc.cur[d] = 0
		}
		if qi == 0 {
			sc.first = append(sc.first, sc.touched...)
		}
	}
	// The candidates are the docs every word matched: the last round's.
	cands := sc.touched
	for _, w := range p.excluded {
		for _, t := range ix.exclusions(w) {
			it := ix.terms[t].iter()
			for it.next() {
				if sc.cnt[it.doc] == nt {
					sc.cnt[it.doc] = 0
				}
			}
		}
	}
	for _, ph := range p.phrases {
		ix.checkPhrase(p, ph, sc, nt)
	}
	h := &hitHeap{}
	k := q.Offset + q.First
	var facets facetCounter
	for _, d := range cands {
		if sc.cnt[d] != nt {
			continue
		}
		res.Total++
		dc := &ix.docs[d]
		facets.add(dc)
		hit := Hit{Kind: dc.Kind, Key: dc.Key, Score: float64(sc.acc[d]), Typos: int(sc.typos[d])}
		if h.Len() < k {
			heap.Push(h, hit)
		} else if k > 0 && better(hit, (*h)[0]) {
			(*h)[0] = hit
			heap.Fix(h, 0)
		}
	}
	top := make([]Hit, h.Len())
	for i := len(top) - 1; i >= 0; i-- {
		top[i] = heap.Pop(h).(Hit)
	}
	if q.Offset < len(top) {
		res.Hits = top[q.Offset:]
	}
	res.HasNext = res.Total > k
	res.Facets = facets.facets(ix, q.Facets)
	return res, nil
}

// exclusions returns the indexed words an excluded word removes: itself
// and the other forms of its stem.
func (ix *Index) exclusions(w string) []string {
	var out []string
	if ix.terms[w] != nil {
		out = append(out, w)
	}
	for _, t := range ix.stems[stem(w)] {
		if t != w {
			out = append(out, t)
		}
	}
	return out
}

// checkPhrase keeps, of the candidates (cnt == nt), those where the
// phrase's words stand in order in one field. Every candidate holds every
// word, so the words' postings are walked side by side, led by the first.
func (ix *Index) checkPhrase(p *parsed, ph []int, sc *scratch, nt uint8) {
	its := make([]*iterator, len(ph))
	for i, ti := range ph {
		pl := ix.terms[p.terms[ti].text]
		if pl == nil {
			return // no candidate then
		}
		its[i] = pl.iter()
	}
	pos := make([][]uint32, len(ph))
	for its[0].next() {
		d := its[0].doc
		if sc.cnt[d] != nt {
			continue
		}
		found := true
		for i, it := range its {
			if i > 0 {
				for it.doc < d || it.off == 0 {
					if !it.next() {
						break
					}
				}
				if it.doc != d {
					found = false
					break
				}
			}
			pos[i] = pos[i][:0]
			it.positions(func(f Field, x uint32) { pos[i] = append(pos[i], uint32(f)<<24|x) })
		}
		ok := false
		for _, s := range pos[0] {
			all := found
			for i := 1; i < len(ph) && all; i++ {
				_, all = slices.BinarySearch(pos[i], s+uint32(i))
			}
			if all {
				ok = true
				break
			}
		}
		if !ok {
			sc.cnt[d] = 0
		}
	}
}

// better orders hits: fewer typos, then higher score, then kind and key.
func better(a, c Hit) bool {
	if a.Typos != c.Typos {
		return a.Typos < c.Typos
	}
	if a.Score != c.Score {
		return a.Score > c.Score
	}
	if a.Kind != c.Kind {
		return a.Kind < c.Kind
	}
	return a.Key < c.Key
}

// hitHeap is a min-heap by better: its root is the worst hit kept.
type hitHeap []Hit

func (h hitHeap) Len() int           { return len(h) }
func (h hitHeap) Less(i, j int) bool { return better(h[j], h[i]) }
func (h hitHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *hitHeap) Push(x any)        { *h = append(*h, x.(Hit)) }
func (h *hitHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

type facetCounter struct {
	kinds                 [numKinds]int
	shows, topics, guests map[uint32]int
	showSlugs             map[string]int
	years                 map[int16]int
}

func (fc *facetCounter) add(d *doc) {
	fc.kinds[d.Kind]++
	if fc.shows == nil {
		fc.shows, fc.topics, fc.guests = map[uint32]int{}, map[uint32]int{}, map[uint32]int{}
		fc.showSlugs, fc.years = map[string]int{}, map[int16]int{}
	}
	switch d.Kind {
	case KindShow:
		fc.showSlugs[d.Key]++
	case KindEpisode:
		if d.Show >= 0 {
			fc.shows[uint32(d.Show)]++
		}
		for _, t := range d.Topics {
			fc.topics[t]++
		}
		for _, g := range d.Guests {
			fc.guests[g]++
		}
		if d.Year != 0 {
			fc.years[d.Year]++
		}
	}
}

func (fc *facetCounter) facets(ix *Index, n int) Facets {
	out := Facets{Kinds: fc.kinds}
	named := func(m map[uint32]int, in *interner) []FacetCount {
		list := make([]FacetCount, 0, len(m))
		for id, c := range m {
			list = append(list, FacetCount{in.Names[id], c})
		}
		return list
	}
	shows := named(fc.shows, &ix.shows)
	for slug, c := range fc.showSlugs {
		if i := slices.IndexFunc(shows, func(f FacetCount) bool { return f.Value == slug }); i >= 0 {
			shows[i].Count += c
		} else {
			shows = append(shows, FacetCount{slug, c})
		}
	}
	out.Shows = topN(shows, n)
	out.Topics = topN(named(fc.topics, &ix.topics), n)
	out.Guests = topN(named(fc.guests, &ix.guests), n)
	years := make([]FacetCount, 0, len(fc.years))
	for y, c := range fc.years {
		years = append(years, FacetCount{strconv.Itoa(int(y)), c})
	}
	out.Years = topN(years, n)
	return out
}

func topN(list []FacetCount, n int) []FacetCount {
	slices.SortFunc(list, func(a, c FacetCount) int {
		return cmp.Or(cmp.Compare(c.Count, a.Count), cmp.Compare(a.Value, c.Value))
	})
	if len(list) > n {
		list = list[:n]
	}
	return list
}

// distScratch holds distance's rows.
type distScratch struct{ rows [3][]int }

func (s *distScratch) distance(a, c []rune, max int) int {
	if d := len(a) - len(c); d > max || -d > max {
		return max + 1
	}
	for i := range s.rows {
		if cap(s.rows[i]) < len(c)+1 {
			s.rows[i] = make([]int, len(c)+1)
		}
		s.rows[i] = s.rows[i][:len(c)+1]
	}
	prev2, prev, cur := s.rows[0], s.rows[1], s.rows[2]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(c); j++ {
			cost := 1
			if a[i-1] == c[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == c[j-2] && a[i-2] == c[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(c)]
}
