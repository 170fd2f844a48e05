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
// reports.
type doc struct {
	Key      string
	Sugg     string
	SuggFold string // Sugg's words folded, joined by spaces
}

// meta is the hot part of an indexed Entry.
type meta struct {
	Gen     uint64 // the generation of the state it was read from
	Day     uint32
	Show    int32  // interned, -1 for none
	Facets  uint32 // offset in Index.facets of its topics, then its guests
	Year    int16
	Lens    [numFields]uint16
	Kind    Kind
	Live    bool
	NTopics uint8
	NGuests uint8
}

// postings of a term: entries in doc order, each uvarint(doc delta), then
// per field: field byte (0x80 set on the last field), uvarint(tf),
// tf uvarint position deltas.
type postings struct {
	Buf  []byte
	Last uint32
	N    uint32 // entries, dead ones included (the df of BM25)
}

// interner gives strings small numbers.
type interner struct {
	Names []string
	ids   map[string]uint32
}

func (in *interner) id(s string) uint32 {
	if in.ids == nil {
		in.ids = make(map[string]uint32, len(in.Names))
		for i, n := range in.Names {
			in.ids[n] = uint32(i)
		}
	}
	if id, ok := in.ids[s]; ok {
		return id
	}
	in.Names = append(in.Names, s)
	in.ids[s] = uint32(len(in.Names) - 1)
	return uint32(len(in.Names) - 1)
}

func (in *interner) lookup(s string) (uint32, bool) {
	if in.ids == nil {
		in.id("")
	}
	id, ok := in.ids[s]
	return id, ok
}

// Index is the in-memory index. It is safe for concurrent use: searches
// share it, updates (Apply) take it alone.
type Index struct {
	mu     sync.RWMutex
	gen    uint64
	docs   []doc
	meta   []meta            // parallel to docs
	facets []uint32          // the episodes' topics and guests (meta.Facets)
	live   map[string]uint32 // kind byte + key -> live doc
	dead   int

	terms  map[string]*postings
	sorted []string            // every term, sorted (prefix matching, typos)
	stems  map[string][]string // stem -> terms with it

	sumLen [numFields]float64 // over live docs
	numLen [numFields]float64
	invAvg [numFields]float64 // numLen/sumLen (setAverages)

	shows, topics, guests interner
	counts                map[string]int // kind byte + slug -> live episodes naming it (suggest's weights)

	// sugg are suggest's words, sorted: of guests, topics and shows
	// (weighted by their episodes), and of episode titles.
	sugg [2][]suggTok
}

// New returns an empty index at generation 0.
func New() *Index {
	return &Index{live: map[string]uint32{}, terms: map[string]*postings{}, stems: map[string][]string{}, counts: map[string]int{}}
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
	return len(ix.live)
}

func liveKey(k Kind, key string) string { return string(rune('0'+k)) + key }

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
	for _, r := range removes {
		ix.remove(r.Kind, r.Key)
	}
	var newTerms []string
	var newSugg [2][]suggTok
	for _, e := range entries {
		ix.remove(e.Kind, e.Key)
		newTerms, newSugg = ix.add(gen, e, newTerms, newSugg)
	}
	ix.mergeTerms(newTerms)
	ix.mergeSugg(0, newSugg[0])
	ix.mergeSugg(1, newSugg[1])
	ix.setAverages()
	if advance && gen > ix.gen {
		ix.gen = gen
	}
	if ix.dead > 64 && ix.dead > len(ix.live)/8 {
		ix.compact()
	}
}

// Ref names an indexed thing.
type Ref struct {
	Kind Kind
	Key  string
}

func (ix *Index) remove(k Kind, key string) {
	lk := liveKey(k, key)
	id, ok := ix.live[lk]
	if !ok {
		return
	}
	delete(ix.live, lk)
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
			ix.counts["t"+ix.topics.Names[t]]--
		}
		for _, g := range ix.guestsOf(m) {
			ix.counts["g"+ix.guests.Names[g]]--
		}
		if m.Show >= 0 {
			ix.counts["s"+ix.shows.Names[m.Show]]--
		}
	}
}

func (ix *Index) topicsOf(m *meta) []uint32 { return ix.facets[m.Facets : m.Facets+uint32(m.NTopics)] }

func (ix *Index) guestsOf(m *meta) []uint32 {
	at := m.Facets + uint32(m.NTopics)
	return ix.facets[at : at+uint32(m.NGuests)]
}

func (ix *Index) add(gen uint64, e *Entry, newTerms []string, newSugg [2][]suggTok) ([]string, [2][]suggTok) {
	id := uint32(len(ix.docs))
	d := doc{Key: e.Key, Sugg: e.Suggest}
	m := meta{Kind: e.Kind, Gen: gen, Live: true, Show: -1, Day: e.Day, Year: int16(e.Year), Facets: uint32(len(ix.facets))}
	if e.Kind == KindEpisode {
		if e.Show != "" {
			m.Show = int32(ix.shows.id(e.Show))
			ix.counts["s"+e.Show]++
		}
		for _, t := range e.Topics[:min(len(e.Topics), 255)] {
			ix.facets = append(ix.facets, ix.topics.id(t))
			ix.counts["t"+t]++
			m.NTopics++
		}
		for _, g := range e.Guests[:min(len(e.Guests), 255)] {
			ix.facets = append(ix.facets, ix.guests.id(g))
			ix.counts["g"+g]++
			m.NGuests++
		}
	}
	// Positions of each term, by field.
	type occ struct {
		field Field
		pos   []uint32
	}
	perTerm := map[string][]occ{}
	var order []string
	for f := range numFields {
		text := e.Texts[f]
		if text == "" {
			continue
		}
		pos := uint32(0)
		tokenize(text, func(t token) {
			list := perTerm[t.term]
			if len(list) == 0 {
				order = append(order, t.term)
			}
			if len(list) == 0 || list[len(list)-1].field != f {
				list = append(list, occ{field: f})
			}
			list[len(list)-1].pos = append(list[len(list)-1].pos, pos)
			perTerm[t.term] = list
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
	for _, term := range order {
		p := ix.terms[term]
		if p == nil {
			p = &postings{}
			ix.terms[term] = p
			newTerms = append(newTerms, term)
		}
		p.Buf = binary.AppendUvarint(p.Buf, uint64(id-p.Last))
		p.Last = id
		p.N++
		list := perTerm[term]
		for i, o := range list {
			fb := byte(o.field)
			if i == len(list)-1 {
				fb |= 0x80
			}
			p.Buf = append(p.Buf, fb)
			p.Buf = binary.AppendUvarint(p.Buf, uint64(len(o.pos)))
			prev := uint32(0)
			for _, x := range o.pos {
				p.Buf = binary.AppendUvarint(p.Buf, uint64(x-prev))
				prev = x
			}
		}
	}
	ix.docs = append(ix.docs, d)
	ix.meta = append(ix.meta, m)
	ix.live[liveKey(e.Kind, e.Key)] = id
	if e.Suggest != "" {
		var words []string
		tokenize(e.Suggest, func(t token) {
			list := suggList(e.Kind)
			newSugg[list] = append(newSugg[list], suggTok{Tok: t.term, Doc: id})
			words = append(words, t.term)
		})
		ix.docs[id].SuggFold = strings.Join(words, " ")
	}
	return newTerms, newSugg
}

// mergeTerms adds new terms to the sorted list and the stem map.
func (ix *Index) mergeTerms(newTerms []string) {
	if len(newTerms) == 0 {
		return
	}
	slices.Sort(newTerms)
	merged := make([]string, 0, len(ix.sorted)+len(newTerms))
	i, j := 0, 0
	for i < len(ix.sorted) || j < len(newTerms) {
		if j == len(newTerms) || (i < len(ix.sorted) && ix.sorted[i] < newTerms[j]) {
			merged = append(merged, ix.sorted[i])
			i++
		} else {
			merged = append(merged, newTerms[j])
			j++
		}
	}
	ix.sorted = merged
	for _, t := range newTerms {
		s := stem(t)
		ix.stems[s] = append(ix.stems[s], t)
	}
}

// compact drops the dead docs and renumbers the live ones in their order,
// so postings stay sorted: memory stays what the live things need however
// often they change.
func (ix *Index) compact() {
	renum := make([]uint32, len(ix.meta))
	docs := make([]doc, 0, len(ix.live))
	metas := make([]meta, 0, len(ix.live))
	facets := make([]uint32, 0, len(ix.facets))
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
		docs = append(docs, ix.docs[id])
		metas = append(metas, m)
	}
	for term, p := range ix.terms {
		var out postings
		it := p.iter()
		for it.next() {
			id := renum[it.doc]
			if id == math.MaxUint32 {
				continue
			}
			out.Buf = binary.AppendUvarint(out.Buf, uint64(id-out.Last))
			out.Last = id
			out.N++
			out.Buf = append(out.Buf, it.raw...)
		}
		if out.N == 0 {
			delete(ix.terms, term)
			continue
		}
		out.Buf = slices.Clip(out.Buf)
		*p = out
	}
	for l := range ix.sugg {
		list := ix.sugg[l][:0]
		for _, t := range ix.sugg[l] {
			if id := renum[t.Doc]; id != math.MaxUint32 {
				list = append(list, suggTok{Tok: t.Tok, Doc: id})
			}
		}
		ix.sugg[l] = list
	}
	for k, id := range ix.live {
		ix.live[k] = renum[id]
	}
	ix.docs, ix.meta, ix.facets = docs, metas, facets
	ix.sorted = ix.sorted[:0]
	ix.stems = map[string][]string{}
	terms := make([]string, 0, len(ix.terms))
	for t := range ix.terms {
		terms = append(terms, t)
	}
	ix.mergeTerms(terms)
	ix.dead = 0
}

// iterator walks a postings list.
type iterator struct {
	buf []byte
	off int
	doc uint32
	raw []byte // the current entry's field data
}

func (p *postings) iter() *iterator { return &iterator{buf: p.Buf} }

func (it *iterator) next() bool {
	if it.off >= len(it.buf) {
		return false
	}
	delta, w := binary.Uvarint(it.buf[it.off:])
	it.off += w
	it.doc += uint32(delta)
	start := it.off
	for {
		fb := it.buf[it.off]
		it.off++
		tf, w := binary.Uvarint(it.buf[it.off:])
		it.off += w
		for range tf {
			_, w := binary.Uvarint(it.buf[it.off:])
			it.off += w
		}
		if fb&0x80 != 0 {
			break
		}
	}
	it.raw = it.buf[start:it.off]
	return true
}

// positions calls fn with each position of the current entry, by field.
func (it *iterator) positions(fn func(f Field, pos uint32)) {
	b := it.raw
	for len(b) > 0 {
		fb := b[0]
		tf, w := binary.Uvarint(b[1:])
		b = b[1+w:]
		prev := uint32(0)
		for range tf {
			d, w := binary.Uvarint(b)
			b = b[w:]
			prev += uint32(d)
			fn(Field(fb&0x7f), prev)
		}
	}
}

// prefixRange returns the sorted terms that start with p.
func (ix *Index) prefixRange(p string) []string {
	i, _ := slices.BinarySearch(ix.sorted, p)
	j := i
	for j < len(ix.sorted) && strings.HasPrefix(ix.sorted[j], p) {
		j++
	}
	return ix.sorted[i:j]
}
