package search

import (
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"sync"
)

// Kind is what a hit is.
type Kind uint8

// The kinds of searchable things.
const (
	KindEpisode Kind = iota
	KindGuest
	KindTopic
	KindShow
	numKinds
)

var kindNames = [numKinds]string{"EPISODE", "GUEST", "TOPIC", "SHOW"}

// String returns the kind's name in the schema (EPISODE, GUEST, TOPIC, SHOW).
func (k Kind) String() string { return kindNames[k] }

// Field is a searchable text of a thing.
type Field uint8

// The fields, with their boosts in fieldBoost.
const (
	FieldTitle        Field = iota // an episode's or a show's title
	FieldName                      // a guest's or a topic's name
	FieldAlias                     // a topic's aliases
	FieldRole                      // a guest's role
	FieldOrganization              // a guest's organization
	FieldSummary                   // an episode's summary
	FieldDescription               // an episode's description
	numFields
)

var fieldNames = [numFields]string{"title", "name", "aliases", "role", "organization", "summary", "description"}

// fieldBoost weighs a field's matches: a title or a name beats a
// description.
var fieldBoost = [numFields]float64{4, 4, 3, 2, 2, 1.5, 1}

// String returns the field's name as highlights report it.
func (f Field) String() string { return fieldNames[f] }

// Entry is one thing to index: its kind and key, its texts by field, and
// what the facets and filters read (episodes only).
type Entry struct {
	Kind   Kind
	Key    string // show/number for an episode, else the slug
	Texts  [numFields]string
	Show   string   // an episode's show slug
	Day    uint32   // an episode's release day (podcast.Date.Days), 0 when unknown
	Year   int      // an episode's release year, 0 when unknown
	Topics []string // an episode's topic slugs
	Guests []string // an episode's guest slugs
	// Suggest is the text typeahead offers (a title or a name); empty
	// for none.
	Suggest string
}

// A changed thing gets a new doc number; the old one is marked dead and
// its postings are skipped until compaction drops them. What a search
// reads for every posting it walks is kept apart from the rest, compact
// and in doc order (meta); the rest is doc.

// doc is the cold part of an indexed Entry: what a hit or a suggestion
// reports, as spans of Index.text.
type doc struct {
	Key  span
	Sugg span
	Fold span // Sugg's words folded, joined by spaces
}

// meta is the hot part of an indexed Entry: what a search reads of a doc
// it finds (filters, BM25's lengths, facets), 32 bytes so that one cache
// line holds it (a search's docs are scattered over the array). The
// generation is apart (Index.gens): most searches need not read it.
type meta struct {
	Day     uint32
	Show    int32  // interned, -1 for none
	Facets  uint32 // offset in Index.facets of its topics, then its guests
	Lens    [numFields]uint16
	Year    int16
	Kind    Kind
	Live    bool
	NTopics uint8
	NGuests uint8
}

// plist is where a term's postings are in Index.post: Len bytes from Off,
// with room for Cap. The postings are entries in doc order, each
// uvarint(doc delta), uvarint(the bytes of the rest), then per field its
// field byte (0x80 set on the last field) and uvarint(tf), then per field
// in that order its tf uvarint position deltas. A search passes over an
// entry it does not want in one step, and reads the frequencies of one it
// does without the positions.
type plist struct {
	Off, Len, Cap uint32
	Last          uint32
	N             uint32 // entries, dead ones included (the df of BM25)
}

// noTerm ends a list of a stem's terms (Index.nextForm).
const noTerm = math.MaxUint32

// interner gives strings (slugs) small numbers, and counts the live
// episodes naming each (suggest's weights).
type interner struct {
	strtab
	episodes []int32 // by number
}

func newInterner() interner { return interner{strtab: newStrtab()} }

func (in *interner) id(s string) uint32 {
	if id, ok := in.find(s); ok {
		return id
	}
	in.episodes = append(in.episodes, 0)
	return in.add(s)
}

// weight returns the live episodes naming s.
func (in *interner) weight(s string) int {
	if id, ok := in.find(s); ok {
		return int(in.episodes[id])
	}
	return 0
}

// Index is the in-memory index. It is safe for concurrent use: searches
// share it, updates (Apply) take it alone. Nothing in it per word or per
// document holds a pointer (strtab.go says why).
type Index struct {
	mu     sync.RWMutex
	gen    uint64
	docs   []doc
	text   []byte   // the docs' spans
	meta   []meta   // parallel to docs
	gens   []uint64 // parallel to docs: the generation of the state each was read from
	maxGen uint64   // the latest of gens
	facets []uint32 // the episodes' topics and guests (meta.Facets)
	live   idTable  // kind byte + key -> live doc
	dead   int

	terms strtab  // every term, numbered
	lists []plist // by term: its postings
	// The postings lie in two arrays: those of the file the index was
	// loaded from or last saved to, mapped into memory (mapped, in
	// region, where other arrays of numbers may lie too: viewArray), and
	// those written since, in the heap (post). A list's Off
	// counts from the start of mapped, then on into post. A mapped list is
	// never written: one that grows moves to post first.
	mapped []byte
	region *mapping
	post   []byte
	waste  int           // bytes of post no list holds
	bulk   *bulkPostings // while set (a rebuild), entries go here, not into post
	sorted []uint32      // every term, in the order of its text (prefix matching, typos)

	adding addScratch // add's memory, reused from entry to entry (updates are one at a time)

	stems    strtab   // every stem of a term
	forms    []uint32 // by stem: its first term
	nextForm []uint32 // by term: the next term with its stem, or noTerm

	sumLen [numFields]float64 // over live docs
	numLen [numFields]float64
	invAvg [numFields]float64 // numLen/sumLen (setAverages)

	shows, topics, guests interner
	topicDocs             []docSet // by topic: its episodes (countTopicsBySet)

	// sugg are suggest's words, sorted: of guests, topics and shows
	// (weighted by their episodes), and of episode titles.
	sugg [2][]suggTok

	// epoch counts the writes (changed): impactCache holds for one.
	epoch       uint64
	impactCache impactCache
}

func (ix *Index) interners() [3]*interner { return [...]*interner{&ix.shows, &ix.topics, &ix.guests} }

// New returns an empty index at generation 0.
func New() *Index {
	return &Index{live: newIDTable(0), terms: newStrtab(), stems: newStrtab(), shows: newInterner(), topics: newInterner(), guests: newInterner()}
}

// Generation returns the store generation the index reflects.
func (ix *Index) Generation() uint64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.gen
}

// Len returns the number of live things indexed.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.live.len()
}

// liveDoc returns the live doc of a thing.
func (ix *Index) liveDoc(k Kind, key string) (uint32, bool) {
	return ix.live.get(ix.live.hash(key)+uint64(k), ix.isThing(k, key))
}

func (ix *Index) isThing(k Kind, key string) func(uint32) bool {
	return func(id uint32) bool { return ix.meta[id].Kind == k && ix.key(id) == key }
}

func (ix *Index) key(id uint32) string {
	return view(ix.text, ix.docs[id].Key.Off, ix.docs[id].Key.Len)
}

func (ix *Index) suggText(id uint32) string {
	return view(ix.text, ix.docs[id].Sugg.Off, ix.docs[id].Sugg.Len)
}

func (ix *Index) fold(id uint32) string {
	return view(ix.text, ix.docs[id].Fold.Off, ix.docs[id].Fold.Len)
}

// postings returns a term's postings, nil for a term not indexed.
func (ix *Index) postings(term string) *plist {
	_, pl := ix.postingsOf(term)
	return pl
}

// postingsOf returns a term's number and postings, nil for a term not
// indexed.
func (ix *Index) postingsOf(term string) (uint32, *plist) {
	id, ok := ix.terms.find(term)
	if !ok {
		return 0, nil
	}
	return id, &ix.lists[id]
}

// Update applies one batch read from the store at generation gen: removes
// are the things gone (kind and key), entries the things to (re)index.
// The index then reflects gen.
func (ix *Index) Update(gen uint64, removes []Ref, entries []*Entry) {
	ix.update(gen, removes, entries, true)
}

// update is Update; advance false leaves the index's generation alone (a
// batch applied in parts: the generation moves with the last).
func (ix *Index) update(gen uint64, removes []Ref, entries []*Entry, advance bool) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.changed()
	for _, r := range removes {
		ix.remove(r.Kind, r.Key)
	}
	var newTerms []uint32
	var newSugg [2][]suggTok
	for _, e := range entries {
		ix.remove(e.Kind, e.Key)
		newTerms, newSugg = ix.add(gen, e, newTerms, newSugg)
	}
	ix.mergeTerms(newTerms)
	ix.mergeSugg(0, newSugg[0])
	ix.mergeSugg(1, newSugg[1])
	if ix.waste > len(ix.post)/2 {
		ix.packTail()
	}
	ix.setAverages()
	if advance && gen > ix.gen {
		ix.gen = gen
	}
	ix.compactIfDead()
}

// compactIfDead compacts when dead docs are an eighth of the live ones
// (a rebuild's, once its postings are laid out).
func (ix *Index) compactIfDead() {
	if ix.bulk == nil && ix.dead > 64 && ix.dead > ix.live.len()/8 {
		ix.compact()
	}
}

// Ref names an indexed thing.
type Ref struct {
	Kind Kind
	Key  string
}

func (ix *Index) remove(k Kind, key string) {
	h, same := ix.live.hash(key)+uint64(k), ix.isThing(k, key)
	id, ok := ix.live.get(h, same)
	if !ok {
		return
	}
	ix.live.del(h, same)
	m := &ix.meta[id]
	m.Live = false
	ix.dead++
	for f, l := range m.Lens {
		if l > 0 {
			ix.sumLen[f] -= float64(l)
			ix.numLen[f]--
		}
	}
	if m.Kind == KindEpisode {
		for _, t := range ix.topicsOf(m) {
			ix.topics.episodes[t]--
		}
		for _, g := range ix.guestsOf(m) {
			ix.guests.episodes[g]--
		}
		if m.Show >= 0 {
			ix.shows.episodes[m.Show]--
		}
	}
}

func (ix *Index) topicsOf(m *meta) []uint32 { return ix.facets[m.Facets : m.Facets+uint32(m.NTopics)] }

func (ix *Index) guestsOf(m *meta) []uint32 {
	at := m.Facets + uint32(m.NTopics)
	return ix.facets[at : at+uint32(m.NGuests)]
}

func (ix *Index) add(gen uint64, e *Entry, newTerms []uint32, newSugg [2][]suggTok) ([]uint32, [2][]suggTok) {
	id := uint32(len(ix.docs))
	var d doc
	ix.text, d.Key = appendSpan(ix.text, e.Key)
	ix.text, d.Sugg = appendSpan(ix.text, e.Suggest)
	m := meta{Kind: e.Kind, Live: true, Show: -1, Day: e.Day, Year: int16(e.Year), Facets: uint32(len(ix.facets))}
	if e.Kind == KindEpisode {
		if e.Show != "" {
			m.Show = int32(ix.shows.id(e.Show))
			ix.shows.episodes[m.Show]++
		}
		for _, t := range e.Topics[:min(len(e.Topics), 255)] {
			id := ix.topics.id(t)
			if slices.Contains(ix.facets[m.Facets:], id) {
				continue // named twice: the episode counts once
			}
			ix.facets = append(ix.facets, id)
			ix.topics.episodes[id]++
			m.NTopics++
		}
		for _, g := range e.Guests[:min(len(e.Guests), 255)] {
			id := ix.guests.id(g)
			ix.facets = append(ix.facets, id)
			ix.guests.episodes[id]++
			m.NGuests++
		}
	}
	// The entry's tokens, their terms numbered in order of first sight,
	// then grouped by term (a counting sort, keeping each term's tokens in
	// order: by field, then position).
	sc := &ix.adding
	if sc.ids == nil {
		sc.ids = map[string]int32{}
	}
	clear(sc.ids)
	sc.terms, sc.toks = sc.terms[:0], sc.toks[:0]
	for f := range numFields {
		text := e.Texts[f]
		if text == "" {
			continue
		}
		pos := uint32(0)
		tokenize(text, func(t token) {
			n, ok := sc.ids[t.term]
			if !ok {
				n = int32(len(sc.terms))
				sc.ids[t.term] = n
				sc.terms = append(sc.terms, t.term)
			}
			sc.toks = append(sc.toks, addTok{n, f, pos})
			pos++
		})
		if pos > math.MaxUint16 {
			pos = math.MaxUint16
		}
		m.Lens[f] = uint16(pos)
		if pos > 0 {
			ix.sumLen[f] += float64(pos)
			ix.numLen[f]++
		}
	}
	nt := len(sc.terms)
	sc.start = slices.Grow(sc.start[:0], nt+1)[:nt+1]
	clear(sc.start)
	for _, tk := range sc.toks {
		sc.start[tk.term+1]++
	}
	for i := range nt {
		sc.start[i+1] += sc.start[i]
	}
	sc.next = append(sc.next[:0], sc.start[:nt]...)
	sc.byTerm = slices.Grow(sc.byTerm[:0], len(sc.toks))[:len(sc.toks)]
	for _, tk := range sc.toks {
		sc.byTerm[sc.next[tk.term]] = tk
		sc.next[tk.term]++
	}
	ent, body := sc.ent, sc.body
	for i, term := range sc.terms {
		tid, ok := ix.terms.find(term)
		if !ok {
			tid = ix.terms.add(term)
			ix.lists = append(ix.lists, plist{})
			ix.nextForm = append(ix.nextForm, noTerm)
			newTerms = append(newTerms, tid)
		}
		p := &ix.lists[tid]
		p.N++
		group := sc.byTerm[sc.start[i]:sc.start[i+1]]
		// The fields and their term frequencies, then the positions of
		// each field, from 0 at each.
		body = body[:0]
		for j := 0; j < len(group); {
			k := j + 1
			for k < len(group) && group[k].field == group[j].field {
				k++
			}
			fb := byte(group[j].field)
			if k == len(group) {
				fb |= 0x80
			}
			body = append(body, fb)
			body = binary.AppendUvarint(body, uint64(k-j))
			j = k
		}
		prev := uint32(0)
		for j, tk := range group {
			if j > 0 && tk.field != group[j-1].field {
				prev = 0
			}
			body = binary.AppendUvarint(body, uint64(tk.pos-prev))
			prev = tk.pos
		}
		ent = binary.AppendUvarint(ent[:0], uint64(id-p.Last))
		ent = binary.AppendUvarint(ent, uint64(len(body)))
		ent = append(ent, body...)
		p.Last = id
		if ix.bulk != nil {
			ix.bulk.add(tid, ent)
			p.Len += uint32(len(ent))
		} else {
			ix.appendPostings(p, ent)
		}
	}
	sc.ent, sc.body = ent, body
	if e.Suggest != "" {
		start := len(ix.text)
		list := suggList(e.Kind)
		tokenize(e.Suggest, func(t token) {
			if len(ix.text) > start {
				ix.text = append(ix.text, ' ')
			}
			newSugg[list] = append(newSugg[list], suggTok{Doc: id, Off: uint32(len(ix.text) - start), Len: uint32(len(t.term))})
			ix.text = append(ix.text, t.term...)
		})
		d.Fold = span{uint32(start), uint32(len(ix.text) - start)}
	}
	if e.Kind == KindEpisode {
		ix.addTopicDocs(id, &m)
	}
	ix.docs = append(ix.docs, d)
	ix.meta = append(ix.meta, m)
	ix.gens = append(ix.gens, gen)
	ix.maxGen = max(ix.maxGen, gen)
	ix.live.put(ix.live.hash(e.Key)+uint64(e.Kind), id, ix.isThing(e.Kind, e.Key))
	return newTerms, newSugg
}

// listBytes returns a list's postings, mapped or in the heap.
func (ix *Index) listBytes(p *plist) []byte {
	if m := uint32(len(ix.mapped)); p.Off < m || p.Len == 0 {
		return ix.mapped[p.Off : p.Off+p.Len : p.Off+p.Len]
	}
	o := p.Off - uint32(len(ix.mapped))
	return ix.post[o : o+p.Len]
}

// addScratch is what add reuses from one entry to the next: the entry's
// terms numbered in order of first sight, its tokens, the tokens grouped
// by term (start: where each term's begin), and the postings entry being
// encoded.
type addScratch struct {
	ids         map[string]int32
	terms       []string
	toks        []addTok
	byTerm      []addTok
	start, next []int32
	ent, body   []byte
}

// addTok is a token of an entry being added: its term's number in the
// entry, its field and its position in the field.
type addTok struct {
	term  int32
	field Field
	pos   uint32
}

// appendPostings appends an entry to a term's postings, moving them to
// the end of post with twice the room when they have none left, or when
// they are mapped.
func (ix *Index) appendPostings(p *plist, ent []byte) {
	m := uint32(len(ix.mapped))
	need := p.Len + uint32(len(ent))
	if need > p.Cap || p.Off < m {
		c := max(2*need, 16)
		end := m + uint32(len(ix.post))
		if p.Cap == 0 || p.Off < m || p.Off+p.Cap != end {
			if p.Off >= m {
				ix.waste += int(p.Cap)
			}
			old := ix.listBytes(p)
			ix.post = append(ix.post, old...)
			p.Off, p.Cap = end, p.Len
		}
		ix.post = slices.Grow(ix.post, int(c-p.Cap))[:len(ix.post)+int(c-p.Cap)]
		p.Cap = c
	}
	copy(ix.post[p.Off-m+p.Len:], ent)
	p.Len = need
}

// packTail packs the lists in the heap, without room to spare; the mapped
// ones stay where they are.
func (ix *Index) packTail() {
	m := uint32(len(ix.mapped))
	n := 0
	for _, p := range ix.lists {
		if p.Off >= m {
			n += int(p.Len)
		}
	}
	post := make([]byte, 0, n)
	for i := range ix.lists {
		p := &ix.lists[i]
		if p.Off < m {
			continue
		}
		off := m + uint32(len(post))
		post = append(post, ix.listBytes(p)...)
		p.Off, p.Cap = off, p.Len
	}
	ix.post, ix.waste = post, 0
}

// mergeTerms adds new terms to the sorted list and to their stems'.
func (ix *Index) mergeTerms(newTerms []uint32) {
	if len(newTerms) == 0 {
		return
	}
	str := ix.terms.str
	slices.SortFunc(newTerms, func(a, c uint32) int { return strings.Compare(str(a), str(c)) })
	merged := make([]uint32, 0, len(ix.sorted)+len(newTerms))
	i, j := 0, 0
	for i < len(ix.sorted) || j < len(newTerms) {
		if j == len(newTerms) || (i < len(ix.sorted) && str(ix.sorted[i]) < str(newTerms[j])) {
			merged = append(merged, ix.sorted[i])
			i++
		} else {
			merged = append(merged, newTerms[j])
			j++
		}
	}
	ix.sorted = merged
	for _, t := range newTerms {
		s := stem(str(t))
		sid, ok := ix.stems.find(s)
		if !ok {
			ix.stems.add(s)
			ix.forms = append(ix.forms, t)
			continue
		}
		last := ix.forms[sid]
		for ix.nextForm[last] != noTerm {
			last = ix.nextForm[last]
		}
		ix.nextForm[last] = t
	}
}

// formsOf returns the terms whose stem is s.
func (ix *Index) formsOf(s string) []string {
	sid, ok := ix.stems.find(s)
	if !ok {
		return nil
	}
	var out []string
	for t := ix.forms[sid]; t != noTerm; t = ix.nextForm[t] {
		out = append(out, ix.terms.str(t))
	}
	return out
}

// compact drops the dead docs and renumbers the live ones in their order,
// so postings stay sorted, and renumbers the terms still used in their
// order: memory stays what the live things need however often they
// change.
func (ix *Index) compact() {
	ix.changed()
	renum := make([]uint32, len(ix.meta))
	docs := make([]doc, 0, ix.live.len())
	metas := make([]meta, 0, ix.live.len())
	gens := make([]uint64, 0, ix.live.len())
	facets := make([]uint32, 0, len(ix.facets))
	var text []byte
	for id := range ix.meta {
		m := ix.meta[id]
		if !m.Live {
			renum[id] = math.MaxUint32
			continue
		}
		renum[id] = uint32(len(docs))
		n := uint32(m.NTopics) + uint32(m.NGuests)
		from := m.Facets
		m.Facets = uint32(len(facets))
		facets = append(facets, ix.facets[from:from+n]...)
		d := ix.docs[id]
		text, d.Key = appendSpan(text, ix.key(uint32(id)))
		text, d.Sugg = appendSpan(text, ix.suggText(uint32(id)))
		text, d.Fold = appendSpan(text, ix.fold(uint32(id)))
		docs = append(docs, d)
		metas = append(metas, m)
		gens = append(gens, ix.gens[id])
	}
	terms := newStrtab()
	lists := make([]plist, 0, len(ix.lists))
	post := make([]byte, 0, len(ix.mapped)+len(ix.post)-ix.waste)
	for _, t := range ix.sorted {
		out := plist{Off: uint32(len(post))}
		it := ix.iter(&ix.lists[t])
		for it.next() {
			id := renum[it.doc]
			if id == math.MaxUint32 {
				continue
			}
			post = binary.AppendUvarint(post, uint64(id-out.Last))
			out.Last = id
			out.N++
			post = binary.AppendUvarint(post, uint64(len(it.raw())))
			post = append(post, it.raw()...)
		}
		if out.N == 0 {
			continue
		}
		out.Len = uint32(len(post)) - out.Off
		out.Cap = out.Len
		terms.add(ix.terms.str(t))
		lists = append(lists, out)
	}
	for l := range ix.sugg {
		list := ix.sugg[l][:0]
		for _, t := range ix.sugg[l] {
			if id := renum[t.Doc]; id != math.MaxUint32 {
				t.Doc = id
				list = append(list, t)
			}
		}
		ix.sugg[l] = list
	}
	ix.docs, ix.meta, ix.gens, ix.facets, ix.text = docs, metas, gens, facets, text
	ix.live = newIDTable(len(docs))
	for id := range docs {
		ix.setLive(uint32(id))
	}
	ix.terms, ix.lists, ix.post, ix.waste = terms, lists, post, 0
	// The postings are all in post now; region stays: arrays not rebuilt
	// here (the interners', the suggestions', the stems') may still be
	// views of it.
	ix.mapped = nil
	ix.relink()
	ix.setTopicDocs()
	ix.dead = 0
}

// setLive enters a doc in the live table.
func (ix *Index) setLive(id uint32) {
	k, key := ix.meta[id].Kind, ix.key(id)
	ix.live.put(ix.live.hash(key)+uint64(k), id, ix.isThing(k, key))
}

// relink derives the sorted terms and the stems from the terms.
func (ix *Index) relink() {
	ix.sorted, ix.stems, ix.forms = nil, newStrtab(), nil
	ix.nextForm = make([]uint32, ix.terms.len())
	all := make([]uint32, ix.terms.len())
	for i := range all {
		all[i] = uint32(i)
		ix.nextForm[i] = noTerm
	}
	ix.mergeTerms(all)
}

// iterator walks a postings list.
type iterator struct {
	buf []byte
	off int
	doc uint32
	at  int // where the current entry's fields start (raw)
	// tfs are the current entry's fields and their term frequencies, the
	// first nf, once fields has read them; its positions start at pos.
	nf  int
	tfs [numFields]fieldTF
	pos int
}

type fieldTF struct {
	field Field
	tf    uint32
}

func (ix *Index) iter(p *plist) *iterator { return &iterator{buf: ix.listBytes(p)} }

// next moves to the next entry, without reading its fields.
func (it *iterator) next() bool {
	buf, off := it.buf, it.off
	if off >= len(buf) {
		return false
	}
	delta, w := uvarint(buf, off)
	off += w
	it.doc += uint32(delta)
	n, w := uvarint(buf, off)
	off += w
	it.at, it.off = off, off+int(n)
	return true
}

// fields reads the current entry's fields and term frequencies into tfs.
func (it *iterator) fields() {
	buf, off := it.buf, it.at
	nf := 0
	for {
		fb := buf[off]
		tf, w := uvarint(buf, off+1)
		off += 1 + w
		if nf < int(numFields) {
			it.tfs[nf] = fieldTF{Field(fb & 0x7f), uint32(tf)}
			nf++
		}
		if fb&0x80 != 0 {
			break
		}
	}
	it.nf, it.pos = nf, off
}

// raw returns the current entry's fields and positions.
func (it *iterator) raw() []byte { return it.buf[it.at:it.off] }

// uvarint decodes the uvarint at b[off:] (binary.Uvarint's encoding;
// inlined, where binary.Uvarint is not). The postings are the index's
// own: it trusts them to be well formed.
func uvarint(b []byte, off int) (x uint64, n int) {
	for shift := uint(0); ; shift += 7 {
		c := b[off+n]
		n++
		x |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return x, n
		}
	}
}

// appendPositions appends the current entry's positions to dst, each as
// its field<<24 | the position, in order.
func (it *iterator) appendPositions(dst []uint32) []uint32 {
	it.fields()
	b, off := it.buf[:it.off], it.pos
	for _, ft := range it.tfs[:it.nf] {
		f := uint32(ft.field) << 24
		prev := uint32(0)
		for range ft.tf {
			d, w := uvarint(b, off)
			off += w
			prev += uint32(d)
			dst = append(dst, f|prev)
		}
	}
	return dst
}

// prefixRange returns the sorted terms that start with p.
func (ix *Index) prefixRange(p string) []uint32 {
	i, _ := slices.BinarySearchFunc(ix.sorted, p, func(t uint32, p string) int { return strings.Compare(ix.terms.str(t), p) })
	j := i
	for j < len(ix.sorted) && strings.HasPrefix(ix.terms.str(ix.sorted[j]), p) {
		j++
	}
	return ix.sorted[i:j]
}
