package search

import (
	"bytes"
	"cmp"
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
	// podcast.Date.Days, exclusive as EpisodeFilter's; 0 for none) select
	// episodes: when any is set, only episodes that match all of them are
	// hits.
	Show, Topic, Guest string
	After, Before      uint32
	// Facets is the most values each facet lists; 0 skips counting them.
	Facets int
	// Uncounted are facets not to count when Facets is set (they come
	// back empty); the kinds are always counted. A page that draws no
	// guest filter need not count the guests of ten thousand hits.
	Uncounted FacetSet
	// Generation is the generation of the state the caller reads hits
	// from: things the index holds from a later one are left out.
	Generation uint64
}

// FacetSet is a set of the facets beside the kinds.
type FacetSet uint8

// The facets beside the kinds.
const (
	FacetShows FacetSet = 1 << iota
	FacetTopics
	FacetGuests
	FacetYears
)

// Hit is one thing found.
type Hit struct {
	Kind  Kind
	Key   string
	Score float64
	Typos int // typos the match needed: hits with fewer come first
	doc   uint32
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
	k1    = 1.2
	bm25b = 0.75
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
	if ix.postings(q.text) != nil {
		addx(q.text, 0, weightExact)
	}
	if q.exact {
		return out
	}
	for _, t := range ix.formsOf(stem(q.text)) {
		addx(t, 0, weightStem)
	}
	if q.prefix {
		r := ix.prefixRange(q.text)
		if len(r) > maxPrefixTerms {
			r = slices.Clone(r)
			slices.SortFunc(r, func(a, c uint32) int { return cmp.Compare(ix.lists[c].N, ix.lists[a].N) })
			r = r[:maxPrefixTerms]
		}
		for _, t := range r {
			addx(ix.terms.str(t), 0, weightPrefix)
		}
	}
	qr := []rune(q.text)
	budget := typoBudget(len(qr))
	if budget == 0 {
		return out
	}
	var sc distScratch
	for _, id := range ix.sorted {
		t := ix.terms.str(id)
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

// metaBlock is how many hits' metas Search reads before using them.
const metaBlock = 32

// pending is a postings entry whose doc's meta is yet to be read: its
// doc and where its fields start.
type pending struct {
	doc, at uint32
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
	hits    []uint32 // the docs every word matched
	touch   uint32   // sums loads made to bring memory in early
	hitBits []uint64 // the hits as a bitset, zero between searches (countTopicsBySet)

	showCnt, topicCnt, guestCnt, yearCnt []int32
	fShows, fTopics, fGuests, fYears     []uint32 // the entries counted
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
	f := filter{show: -1, topic: -1, guest: -1, after: q.After, before: q.Before}
	if q.Generation < ix.maxGen {
		f.gen = q.Generation // else no doc is newer: none to test
	}
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
		id, ok := ix.shows.find(q.Show)
		f.show, f.none = int32(id), f.none || !ok
	}
	if q.Topic != "" {
		id, ok := ix.topics.find(q.Topic)
		f.topic, f.none = int64(id), f.none || !ok
	}
	if q.Guest != "" {
		id, ok := ix.guests.find(q.Guest)
		f.guest, f.none = int64(id), f.none || !ok
	}
	return f
}

func (f *filter) admits(ix *Index, m *meta, d uint32) bool {
	if !m.Live || !f.kinds[m.Kind] || (f.gen > 0 && ix.gens[d] > f.gen) {
		return false
	}
	if !f.episodesOnly {
		return true
	}
	if m.Kind != KindEpisode {
		return false
	}
	if f.show >= 0 && m.Show != f.show {
		return false
	}
	if f.topic >= 0 && !slices.Contains(ix.topicsOf(m), uint32(f.topic)) {
		return false
	}
	if f.guest >= 0 && !slices.Contains(ix.guestsOf(m), uint32(f.guest)) {
		return false
	}
	if f.after > 0 && (m.Day == 0 || m.Day <= f.after) {
		return false
	}
	if f.before > 0 && (m.Day == 0 || m.Day >= f.before) {
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
	// A query that is one phrase and nothing else is scored from its
	// words' positions lists: only the docs that hold the phrase.
	phrased := len(p.phrases) == 1 && len(p.phrases[0]) == len(p.terms) && ix.scorePhrase(p, sc, &f, res, nt)
	if !phrased {
		ix.scoreTerms(p, sc, &f, res)
	}
	// The candidates are the docs every word matched: the last round's.
	cands := sc.touched
	for _, w := range p.excluded {
		for _, t := range ix.exclusions(w) {
			it := ix.iter(ix.postings(t))
			for it.next() {
				if sc.cnt[it.doc] == nt {
					sc.cnt[it.doc] = 0
				}
			}
		}
	}
	for _, ph := range p.phrases {
		if !phrased { // scorePhrase checked it
			ix.checkPhrase(p, ph, sc, nt)
		}
	}
	k := q.Offset + q.First
	var fc *facetCounter
	if q.Facets > 0 {
		fc = sc.facets(ix, q.Uncounted)
	}
	hits := sc.hits[:0]
	for _, d := range cands {
		if sc.cnt[d] == nt {
			hits = append(hits, d)
		}
	}
	sc.hits = hits
	res.Total = len(hits)
	if fc != nil && fc.skip&(FacetTopics|FacetGuests) == FacetGuests && ix.countTopicsBySet(sc, hits) {
		fc.skip |= FacetTopics // counted
	}
	h := &hitHeap{ix: ix, hits: make([]Hit, 0, min(max(k, 0), res.Total))}
	// The hits' metas are read a block at a time, then their topics' and
	// guests', then counted: the loads of a block do not wait for each
	// other (the docs are scattered: each is a cache miss).
	if fc == nil || fc.skip&(FacetTopics|FacetGuests) == FacetTopics|FacetGuests {
		// Nothing read from the facets array: the hot metas suffice.
		hot := ix.hotMetas()
		full := false // the heap holds k hits
		for _, d := range hits {
			hm := &hot[d]
			if fc != nil {
				fc.addHot(hm, d)
			}
			if k <= 0 {
				continue // none kept
			}
			typos, score := int(sc.typos[d]), float64(sc.acc[d])
			if full && (typos > h.hits[0].Typos || typos == h.hits[0].Typos && score < h.hits[0].Score) {
				continue // worse than the worst kept: offer would pass it
			}
			h.offer(Hit{Kind: hm.Kind, Score: score, Typos: typos, doc: d}, k)
			full = len(h.hits) == k
		}
		hits = nil
	}
	var ms [metaBlock]meta
	for len(hits) > 0 {
		b := hits[:min(metaBlock, len(hits))]
		hits = hits[len(b):]
		for i, d := range b {
			ms[i] = ix.meta[d]
		}
		if fc != nil && fc.skip&(FacetTopics|FacetGuests) != FacetTopics|FacetGuests {
			var touch uint32
			for i := range b {
				if ms[i].NTopics+ms[i].NGuests > 0 {
					touch += ix.facets[ms[i].Facets]
				}
			}
			sc.touch += touch
		}
		if fc != nil {
			for i, d := range b {
				fc.add(ix, &ms[i], d)
			}
		}
		for i, d := range b {
			h.offer(Hit{Kind: ms[i].Kind, Score: float64(sc.acc[d]), Typos: int(sc.typos[d]), doc: d}, k)
		}
	}
	top := make([]Hit, h.Len())
	for i := len(top) - 1; i >= 0; i-- {
		top[i] = h.pop()
		top[i].Key = ix.key(top[i].doc)
	}
	if q.Offset < len(top) {
		res.Hits = top[q.Offset:]
	}
	res.HasNext = res.Total > k
	if fc != nil {
		res.Facets = fc.facets(ix, q.Facets)
	}
	return res, nil
}

// scoreTerms is Search's loop over the query's words: each word's forms
// (expand) are walked, a doc keeping the score of its best form, and a
// doc stays in the running while every word so far matched it (cnt);
// the last word's docs are left in sc.touched, the first's in sc.first.
func (ix *Index) scoreTerms(p *parsed, sc *scratch, f *filter, res *Result) {
	var blk [metaBlock]pending
	for qi, qt := range p.terms {
		sc.touched = sc.touched[:0]
		for _, x := range ix.expand(qt) {
			res.Terms[x.term] = true
			id, pl := ix.postingsOf(x.term)
			idf := ix.idf(pl)
			if l := ix.impacts(id, pl); l != nil {
				sc.scoreImpacts(ix, l, f, qi, idf, x)
				continue
			}
			// The entries of docs still in the running are taken a block at
			// a time: their metas are read together, then used.
			it := ix.iter(pl)
			for more := true; more; {
				n := 0
				for n < metaBlock {
					if !it.next() {
						more = false
						break
					}
					if int(sc.cnt[it.doc]) == qi {
						blk[n] = pending{it.doc, uint32(it.at)}
						n++
					}
				}
				var touch uint8
				for _, e := range blk[:n] {
					touch += ix.meta[e.doc].NTopics
				}
				sc.touch += uint32(touch)
				for i := range blk[:n] {
					e := &blk[i]
					d, m := e.doc, &ix.meta[e.doc]
					if qi == 0 && !f.admits(ix, m, d) {
						continue
					}
					sc.take(d, float32(idf*ix.fieldWeight(it.buf, int(e.at), m)*x.weight), x.typos)
				}
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
}

// scoreImpacts is the walk of Search's loop over a term's impacts: the
// same scores, the weights read from l instead of the entries and the
// docs' metas.
func (sc *scratch) scoreImpacts(ix *Index, l *impactList, f *filter, qi int, idf float64, x expansion) {
	// l holds live docs only: a filter that admits every live doc need
	// not read their metas.
	check := qi == 0 && !f.admitsAllLive()
	for i, d := range l.docs {
		if int(sc.cnt[d]) != qi {
			continue
		}
		if check && !f.admits(ix, &ix.meta[d], d) {
			continue
		}
		sc.take(d, float32(idf*l.w[i]*x.weight), x.typos)
	}
}

// take records s, the score of one of a word's forms (found with typos),
// for d: the word scores a doc by its best form.
func (sc *scratch) take(d uint32, s float32, typos uint8) {
	if sc.cur[d] == 0 {
		sc.touched = append(sc.touched, d)
		sc.curT[d] = typos
	} else {
		sc.curT[d] = min(sc.curT[d], typos)
	}
	sc.cur[d] = max(sc.cur[d], s)
}

// admitsAllLive reports whether f admits every live doc.
func (f *filter) admitsAllLive() bool {
	if f.episodesOnly || f.gen > 0 {
		return false
	}
	for _, ok := range f.kinds {
		if !ok {
			return false
		}
	}
	return true
}

// exclusions returns the indexed words an excluded word removes: itself
// and the other forms of its stem.
func (ix *Index) exclusions(w string) []string {
	var out []string
	if ix.postings(w) != nil {
		out = append(out, w)
	}
	for _, t := range ix.formsOf(stem(w)) {
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
	lists := make([]*impactList, len(ph))
	for i, ti := range ph {
		id, pl := ix.postingsOf(p.terms[ti].text)
		if pl == nil {
			return // no candidate then
		}
		if lists[i] = ix.positionsOf(id, pl); lists[i] == nil {
			ix.walkPhrase(p, ph, sc, nt)
			return
		}
	}
	w := newPhraseWalk(lists)
	for j, d := range lists[0].docs {
		if sc.cnt[d] == nt && !w.holds(j, d) {
			sc.cnt[d] = 0
		}
	}
}

// phraseWalk steps through a phrase's words' positions lists side by
// side, led by the first word's docs, in order.
type phraseWalk struct {
	lists []*impactList
	next  []int // by word: where its list is at
	at    []int // inOrder's scratch
}

func newPhraseWalk(lists []*impactList) *phraseWalk {
	return &phraseWalk{lists: lists, next: make([]int, len(lists)), at: make([]int, len(lists))}
}

// holds reports whether d, the first word's j-th doc, holds the phrase;
// next then says where d is in the other words' lists. The docs asked
// about must come in order.
func (w *phraseWalk) holds(j int, d uint32) bool {
	for i := 1; i < len(w.lists); i++ {
		l, k := w.lists[i], w.next[i]
		for k < len(l.docs) && l.docs[k] < d {
			k++
		}
		w.next[i] = k
		if k == len(l.docs) || l.docs[k] != d {
			return false
		}
	}
	return inOrder(w.lists, j, w.next, w.at)
}

// inOrder reports whether the first word's j-th doc has the words in a
// row: the first at some position s, the i-th at s+i (the same field:
// positions are field<<24 | position). The other words' docs are at
// next; at is scratch, by word. Positions are in order, so each word's
// are read once, a cursor following the first's.
func inOrder(lists []*impactList, j int, next, at []int) bool {
	for i := range at {
		at[i] = 0
	}
	for _, s := range lists[0].positions(j) {
		all := true
		for i := 1; i < len(lists) && all; i++ {
			pos, want := lists[i].positions(next[i]), s+uint32(i)
			c := at[i]
			for c < len(pos) && pos[c] < want {
				c++
			}
			at[i] = c
			all = c < len(pos) && pos[c] == want
		}
		if all {
			return true
		}
	}
	return false
}

// scorePhrase scores a query that is one phrase, all its words in it
// (p.phrases[0] is every term, in order), from the words' positions
// lists: the docs that hold the phrase get what Search's loop and
// checkPhrase give them (cnt nt, no typos, each word's weight as a
// float32 added in the words' order), and are the touched docs. It
// reports false, having done nothing, when a word has no list kept.
func (ix *Index) scorePhrase(p *parsed, sc *scratch, f *filter, res *Result, nt uint8) bool {
	lists := make([]*impactList, len(p.terms))
	idfs := make([]float64, len(p.terms))
	for i, qt := range p.terms {
		id, pl := ix.postingsOf(qt.text)
		if pl == nil {
			return false
		}
		if lists[i] = ix.positionsOf(id, pl); lists[i] == nil {
			return false
		}
		idfs[i] = ix.idf(pl)
	}
	for _, qt := range p.terms {
		res.Terms[qt.text] = true
	}
	check := !f.admitsAllLive()
	sc.touched = sc.touched[:0]
	w := newPhraseWalk(lists)
	for j, d := range lists[0].docs {
		if !w.holds(j, d) || check && !f.admits(ix, &ix.meta[d], d) {
			continue
		}
		var acc float32
		for i, l := range lists {
			k := j
			if i > 0 {
				k = w.next[i]
			}
			acc += float32(idfs[i] * l.w[k] * weightExact)
		}
		sc.acc[d], sc.cnt[d], sc.typos[d] = acc, nt, 0
		sc.touched = append(sc.touched, d)
	}
	sc.first = append(sc.first, sc.touched...)
	return true
}

// walkPhrase is checkPhrase reading the words' entries, for a phrase with
// a word whose list is too short to keep.
func (ix *Index) walkPhrase(p *parsed, ph []int, sc *scratch, nt uint8) {
	its := make([]iterator, len(ph))
	for i, ti := range ph {
		pl := ix.postings(p.terms[ti].text)
		if pl == nil {
			return // no candidate then
		}
		its[i] = *ix.iter(pl)
	}
	pos := make([][]uint32, len(ph))
	for its[0].next() {
		d := its[0].doc
		if sc.cnt[d] != nt {
			continue
		}
		found := true
		for i := range its {
			it := &its[i]
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
			pos[i] = it.appendPositions(pos[i][:0])
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

// better orders hits: fewer typos, then higher score, then kind and
// key (the doc's, when the hit has none yet).
func (ix *Index) better(a, c Hit) bool {
	if a.Typos != c.Typos {
		return a.Typos < c.Typos
	}
	if a.Score != c.Score {
		return a.Score > c.Score
	}
	if a.Kind != c.Kind {
		return a.Kind < c.Kind
	}
	return ix.keyOf(a) < ix.keyOf(c)
}

func (ix *Index) keyOf(h Hit) string {
	if h.Key != "" {
		return h.Key
	}
	return ix.key(h.doc)
}

// hitHeap is a min-heap by better: its root is the worst hit kept.
// It is container/heap's algorithm on the hits themselves, without an
// interface value (an allocation) for each hit pushed or popped.
type hitHeap struct {
	hits []Hit
	ix   *Index
}

func (h *hitHeap) Len() int { return len(h.hits) }

func (h *hitHeap) less(i, j int) bool { return h.ix.better(h.hits[j], h.hits[i]) }

func (h *hitHeap) push(x Hit) {
	h.hits = append(h.hits, x)
	h.up(len(h.hits) - 1)
}

// offer keeps hit if it is among the k best so far. Most hits of a
// large result set are worse than the worst kept, which more typos or a
// lower score tell without the rest of better.
func (h *hitHeap) offer(hit Hit, k int) {
	if len(h.hits) < k {
		h.push(hit)
		return
	}
	if k <= 0 {
		return
	}
	if r := &h.hits[0]; hit.Typos > r.Typos || hit.Typos == r.Typos && hit.Score < r.Score {
		return
	}
	if h.ix.better(hit, h.hits[0]) {
		h.replaceRoot(hit)
	}
}

// pop removes and returns the worst hit.
func (h *hitHeap) pop() Hit {
	n := len(h.hits) - 1
	h.hits[0], h.hits[n] = h.hits[n], h.hits[0]
	h.down(0, n)
	x := h.hits[n]
	h.hits = h.hits[:n]
	return x
}

// replaceRoot puts x in the worst hit's place.
func (h *hitHeap) replaceRoot(x Hit) {
	h.hits[0] = x
	h.down(0, len(h.hits))
}

func (h *hitHeap) up(j int) {
	for {
		i := (j - 1) / 2 // parent
		if i == j || !h.less(j, i) {
			break
		}
		h.hits[i], h.hits[j] = h.hits[j], h.hits[i]
		j = i
	}
}

func (h *hitHeap) down(i, n int) {
	for {
		j1 := 2*i + 1
		if j1 >= n || j1 < 0 { // j1 < 0 after int overflow
			break
		}
		j := j1 // left child
		if j2 := j1 + 1; j2 < n && h.less(j2, j1) {
			j = j2 // = 2*i + 2  // right child
		}
		if !h.less(j, i) {
			break
		}
		h.hits[i], h.hits[j] = h.hits[j], h.hits[i]
		i = j
	}
}

// facetCounter counts a result set's facets in the scratch's dense
// arrays, remembering which entries it touched.
type facetCounter struct {
	sc    *scratch
	skip  FacetSet
	kinds [numKinds]int
	// shows counts episodes by show and show hits by their doc (the
	// show's slug is its key).
	showDocs []uint32
}

func (sc *scratch) facets(ix *Index, skip FacetSet) *facetCounter {
	grow := func(a []int32, n int) []int32 {
		if len(a) < n {
			return make([]int32, n+n/4+16)
		}
		return a
	}
	sc.showCnt = grow(sc.showCnt, ix.shows.len())
	sc.topicCnt = grow(sc.topicCnt, ix.topics.len())
	sc.guestCnt = grow(sc.guestCnt, ix.guests.len())
	sc.yearCnt = grow(sc.yearCnt, 1<<15)
	sc.fShows, sc.fTopics, sc.fGuests, sc.fYears = sc.fShows[:0], sc.fTopics[:0], sc.fGuests[:0], sc.fYears[:0]
	return &facetCounter{sc: sc, skip: skip}
}

func (fc *facetCounter) add(ix *Index, m *meta, d uint32) {
	fc.count(m.Kind, m.Show, m.Year, d)
	if m.Kind != KindEpisode {
		return
	}
	sc := fc.sc
	if fc.skip&FacetTopics == 0 {
		for _, t := range ix.topicsOf(m) {
			if sc.topicCnt[t] == 0 {
				sc.fTopics = append(sc.fTopics, t)
			}
			sc.topicCnt[t]++
		}
	}
	if fc.skip&FacetGuests == 0 {
		for _, g := range ix.guestsOf(m) {
			if sc.guestCnt[g] == 0 {
				sc.fGuests = append(sc.fGuests, g)
			}
			sc.guestCnt[g]++
		}
	}
}

// addHot is add for a hit whose topics and guests are not counted.
func (fc *facetCounter) addHot(m *hotMeta, d uint32) { fc.count(m.Kind, m.Show, m.Year, d) }

// count counts what every hit has: its kind, and an episode's show and
// year (a show hit counts in the shows by its slug, its key).
func (fc *facetCounter) count(kind Kind, show int32, year int16, d uint32) {
	fc.kinds[kind]++
	sc := fc.sc
	switch kind {
	case KindShow:
		if fc.skip&FacetShows == 0 {
			fc.showDocs = append(fc.showDocs, d)
		}
	case KindEpisode:
		if show >= 0 && fc.skip&FacetShows == 0 {
			if sc.showCnt[show] == 0 {
				sc.fShows = append(sc.fShows, uint32(show))
			}
			sc.showCnt[show]++
		}
		if year > 0 && fc.skip&FacetYears == 0 {
			if sc.yearCnt[year] == 0 {
				sc.fYears = append(sc.fYears, uint32(year))
			}
			sc.yearCnt[year]++
		}
	}
}

// facets returns the counts, most first, cut to n, and clears the arrays.
func (fc *facetCounter) facets(ix *Index, n int) Facets {
	sc := fc.sc
	out := Facets{Kinds: fc.kinds}
	// named keeps the n most frequent ids (ties by name) without sorting
	// them all: a common word's hits have thousands of guests.
	// nameAfter, when not nil, says whether a's name sorts after b's
	// without making the names.
	named := func(ids []uint32, cnt []int32, name func(uint32) string, nameAfter func(a, b uint32) bool) []FacetCount {
		less := func(a, b uint32) bool { // a ranks after b
			if cnt[a] != cnt[b] {
				return cnt[a] < cnt[b]
			}
			if nameAfter != nil {
				return nameAfter(a, b)
			}
			return name(a) > name(b)
		}
		var top []uint32 // a min-heap by rank, at most n
		down := func(i int) {
			for {
				l, small := 2*i+1, i
				if l < len(top) && less(top[l], top[small]) {
					small = l
				}
				if r := l + 1; r < len(top) && less(top[r], top[small]) {
					small = r
				}
				if small == i {
					return
				}
				top[i], top[small] = top[small], top[i]
				i = small
			}
		}
		for _, id := range ids {
			switch {
			case len(top) < n:
				top = append(top, id)
				for i := len(top) - 1; i > 0 && less(top[i], top[(i-1)/2]); i = (i - 1) / 2 {
					top[i], top[(i-1)/2] = top[(i-1)/2], top[i]
				}
			case n > 0 && less(top[0], id):
				top[0] = id
				down(0)
			}
		}
		list := make([]FacetCount, 0, len(top))
		for _, id := range top {
			list = append(list, FacetCount{name(id), int(cnt[id])})
		}
		for _, id := range ids {
			cnt[id] = 0
		}
		return list
	}
	shows := named(sc.fShows, sc.showCnt, func(id uint32) string { return ix.shows.str(id) }, nil)
	for _, d := range fc.showDocs {
		slug := ix.key(d)
		if i := slices.IndexFunc(shows, func(f FacetCount) bool { return f.Value == slug }); i >= 0 {
			shows[i].Count++
		} else {
			shows = append(shows, FacetCount{slug, 1})
		}
	}
	out.Shows = topN(shows, n)
	out.Topics = topN(named(sc.fTopics, sc.topicCnt, func(id uint32) string { return ix.topics.str(id) }, nil), n)
	out.Guests = topN(named(sc.fGuests, sc.guestCnt, func(id uint32) string { return ix.guests.str(id) }, nil), n)
	out.Years = topN(named(sc.fYears, sc.yearCnt, func(y uint32) string { return strconv.Itoa(int(y)) }, decimalAfter), n)
	return out
}

// decimalAfter reports whether a written in decimal sorts after b, as
// strings do, without making the strings.
func decimalAfter(a, b uint32) bool {
	if digits(a) == digits(b) {
		return a > b
	}
	var x, y [10]byte
	return bytes.Compare(strconv.AppendUint(x[:0], uint64(a), 10), strconv.AppendUint(y[:0], uint64(b), 10)) > 0
}

func digits(n uint32) int {
	d := 1
	for ; n >= 10; n /= 10 {
		d++
	}
	return d
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
