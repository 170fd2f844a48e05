package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	"podcastgraph/ingest"
	"podcastgraph/internal/podcast"
)

// Discovered topics. The extractor finds, in each episode's own text, the
// names it uses that the curated vocabulary lacks (ingest.EpisodeFacts
// .Discovered, ranked and capped there). The store keeps them as what the
// document contributed: a changed document replaces its mentions, as it
// replaces its fragments. A name becomes a discovered topic of a show
// when at least discoveredThreshold of the show's episodes mention it, so
// a page naming something once in passing never makes a topic; it is a
// topic of the store when it is one of any show. A slug of the curated
// vocabulary (the vocab bucket) is never discovered: curated topics win.
//
// A discovered topic's episodes are those of the shows it is a topic of
// that mention it. They are indexed in the bynum and bydate buckets under
// the scope "d:SLUG", counted in the counts bucket under that scope, and
// ranked in the bycount bucket under kindDiscovered, as curated topics are
// under "t:" and kindTopic; so every page, order and count of episodes
// works for them alike. The discovered bucket holds the rest:
//
//	'd' doc name                  -> episode key (show 0 u32 number) the document's mentions are of
//	'm' episode key doc name      -> the document's mentions of the episode, in the extractor's rank order
//	'x' slug 0 episode key        -> u32 documents of the episode mentioning the slug
//	'c' slug 0 show               -> u32 episodes of the show mentioning the slug
//	'T' slug                      -> "" (a discovered topic: a topic of at least one show)
//
// Every document is its page's or item's own episode's only source of
// mentions, so an episode with mentions always has its document, and
// removing or moving the document's mentions is all a change needs.

// discoveredThreshold is the least number of a show's episodes that must
// mention a name for it to be one of the show's topics.
const discoveredThreshold = 2

// kindDiscovered ranks discovered topics in the bycount bucket.
const kindDiscovered byte = 'd'

// totalDiscovered counts the discovered topics in the counts bucket.
var totalDiscovered = []byte("D")

var bucketDiscovered = []byte("discovered") // see above

const (
	discDoc     byte = 'd'
	discMention byte = 'm'
	discEpisode byte = 'x'
	discCount   byte = 'c'
	discTopic   byte = 'T'
)

func scopeDiscovered(slug string) string { return "d:" + slug }

// DiscoveredScope is the scope of the episodes of a discovered topic.
func DiscoveredScope(slug string) Scope { return Scope(scopeDiscovered(slug)) }

// Mention is a discovered topic an episode's text names, with the
// sentence that first names it.
type Mention struct {
	Slug     string
	Name     string // as the episode's text first writes it
	Evidence string
	Count    int // how often the text says it
}

// discoveredWrite is what a write changes of the mentions, so that the
// index moves by what changed, not by what a pair holds: for each pair of
// slug and show it touched, the show's count of episodes mentioning the
// slug before the write, and the episodes that started (+1) or stopped
// (-1) mentioning it.
type discoveredWrite struct {
	pairs map[string]*pairChange        // slug 0 show -> its change
	days  map[podcast.EpisodeKey]uint32 // release days before the write, of episodes whose day changed
}

type pairChange struct {
	before   uint32
	episodes map[podcast.EpisodeKey]int
}

func pairOf(slug, show string) string { return slug + "\x00" + show }

func discKey(kind byte, parts ...[]byte) []byte {
	k := []byte{kind}
	for _, p := range parts {
		k = append(k, p...)
	}
	return k
}

// putMentions replaces what the document contributed to its own episode's
// mentions with mentions (of episode k). Mentions of curated slugs are
// dropped.
func (w *writer) putMentions(doc string, k podcast.EpisodeKey, mentions []ingest.Mention) error {
	b := w.b.discovered
	ekey := episodeKey(k)
	var old []Mention
	oldKey := b.Get(discKey(discDoc, []byte(doc)))
	if oldKey != nil {
		oldKey = bytes.Clone(oldKey)
		v := b.Get(discKey(discMention, oldKey, []byte(doc)))
		var err error
		if old, err = decodeMentions(v); err != nil {
			return fmt.Errorf("mentions of %s: %w", doc, err)
		}
	}
	var cur []Mention
	for _, m := range mentions {
		if m.Slug == "" || w.b.vocab.Get([]byte(m.Slug)) != nil ||
			slices.ContainsFunc(cur, func(c Mention) bool { return c.Slug == m.Slug }) {
			continue
		}
		cur = append(cur, Mention{Slug: m.Slug, Name: m.Name, Evidence: m.Evidence, Count: m.Count})
	}
	if bytes.Equal(oldKey, ekey) && slices.Equal(old, cur) {
		return nil
	}
	oldEpisode, _ := parseEpisodeKey(oldKey)
	for _, m := range old {
		if err := w.mentionEpisode(m.Slug, oldEpisode, -1); err != nil {
			return err
		}
	}
	if oldKey != nil {
		if err := b.Delete(discKey(discMention, oldKey, []byte(doc))); err != nil {
			return err
		}
	}
	for _, m := range cur {
		if err := w.mentionEpisode(m.Slug, k, +1); err != nil {
			return err
		}
	}
	if len(cur) == 0 {
		return b.Delete(discKey(discDoc, []byte(doc)))
	}
	w.max.mentions(cur)
	if err := b.Put(discKey(discMention, ekey, []byte(doc)), encodeMentions(cur)); err != nil {
		return err
	}
	if all, err := episodeMentions(b, k); err != nil {
		return err
	} else if len(all) > len(cur) { // other documents of the episode name others
		w.max.list("Episode.discoveredTopics", len(all))
	}
	return b.Put(discKey(discDoc, []byte(doc)), ekey)
}

// mentionEpisode moves by delta the documents of episode k that mention
// slug, and the show's count of episodes mentioning it when the episode
// starts or stops mentioning it.
func (w *writer) mentionEpisode(slug string, k podcast.EpisodeKey, delta int) error {
	b := w.b.discovered
	pair := pairOf(slug, k.Show)
	countKey := discKey(discCount, []byte(pair))
	pc := w.disc.pairs[pair]
	if pc == nil {
		pc = &pairChange{before: uint32(readCount(b, countKey)), episodes: map[podcast.EpisodeKey]int{}}
		w.disc.pairs[pair] = pc
	}
	before, after, err := addU32Values(b, discKey(discEpisode, []byte(slug), []byte{0}, episodeKey(k)), delta)
	if err != nil {
		return err
	}
	switch {
	case before == 0 && after > 0:
		pc.episodes[k]++
		return addU32(b, countKey, +1)
	case before > 0 && after == 0:
		pc.episodes[k]--
		return addU32(b, countKey, -1)
	}
	return nil
}

// pairEpisodes returns the episodes of show that mention slug.
func pairEpisodes(b *bolt.Bucket, slug, show string) []podcast.EpisodeKey {
	prefix := discKey(discEpisode, []byte(slug), []byte{0}, []byte(show), []byte{0})
	var out []podcast.EpisodeKey
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if ek, ok := parseEpisodeKey(k[len(prefix)-len(show)-1:]); ok {
			out = append(out, ek)
		}
	}
	return out
}

// indexed reports whether a show's count of episodes mentioning slug
// makes slug one of the show's topics.
func (w *writer) indexed(slug string, count uint32) bool {
	return count >= discoveredThreshold && w.b.vocab.Get([]byte(slug)) == nil
}

// dayChanged notes an episode's release day before a rebuild changed it,
// so that its discovered topics' date index entries can move.
func (w *writer) dayChanged(k podcast.EpisodeKey, old, cur *podcast.Episode) {
	if old != nil && (cur == nil || dayOf(old.ReleaseDate) != dayOf(cur.ReleaseDate)) {
		w.disc.days[k] = dayOf(old.ReleaseDate)
	}
}

// flushDiscovered brings the discovered topics' index entries and counts
// in line with the mentions the write changed, once the episodes are
// rebuilt (their days are current). flushIndexes and flushCounts write
// what it gathers. A pair's episodes are read in full only when it
// becomes a topic of the show or stops being one; otherwise the index
// moves by the episodes that changed.
func (w *writer) flushDiscovered() error {
	b := w.b.discovered
	oldDay := func(k podcast.EpisodeKey) uint32 {
		if d, ok := w.disc.days[k]; ok {
			return d
		}
		return w.day(k)
	}
	add := func(scope string, k podcast.EpisodeKey) {
		w.index(true, true, indexKey(scope, dateSortKey(w.day(k), k)))
		w.index(false, true, indexKey(scope, numberSortKey(k)))
		w.countDeltas[scope]++
	}
	remove := func(scope string, k podcast.EpisodeKey) {
		w.index(true, false, indexKey(scope, dateSortKey(oldDay(k), k)))
		w.index(false, false, indexKey(scope, numberSortKey(k)))
		w.countDeltas[scope]--
	}
	for _, pair := range slices.Sorted(maps.Keys(w.disc.pairs)) {
		pc := w.disc.pairs[pair]
		slug, show, _ := strings.Cut(pair, "\x00")
		scope := scopeDiscovered(slug)
		was := w.indexed(slug, pc.before)
		is := w.indexed(slug, uint32(readCount(b, discKey(discCount, []byte(pair)))))
		switch {
		case was && is:
			for k, d := range pc.episodes {
				if d > 0 {
					add(scope, k)
				} else if d < 0 {
					remove(scope, k)
				}
			}
		case is: // it became a topic of the show
			for _, k := range pairEpisodes(b, slug, show) {
				add(scope, k)
			}
		case was: // it stopped being one
			for _, k := range pairEpisodes(b, slug, show) {
				if pc.episodes[k] <= 0 {
					remove(scope, k)
				}
			}
			for k, d := range pc.episodes {
				if d < 0 {
					remove(scope, k)
				}
			}
		}
	}
	// Episodes whose day changed and whose indexed mentions did not: their
	// date entries move.
	for _, k := range slices.SortedFunc(maps.Keys(w.disc.days), compareEpisodeKeys) {
		if w.disc.days[k] == w.day(k) {
			continue
		}
		mentions, err := episodeMentions(b, k)
		if err != nil {
			return err
		}
		for _, m := range mentions {
			pair := pairOf(m.Slug, k.Show)
			if pc := w.disc.pairs[pair]; pc != nil {
				if pc.episodes[k] != 0 || !w.indexed(m.Slug, pc.before) {
					continue // added or removed above, or newly indexed with its new day
				}
			}
			if !w.indexed(m.Slug, uint32(readCount(b, discKey(discCount, []byte(pair))))) {
				continue
			}
			scope := scopeDiscovered(m.Slug)
			w.index(true, false, indexKey(scope, dateSortKey(w.disc.days[k], k)))
			w.index(true, true, indexKey(scope, dateSortKey(w.day(k), k)))
		}
	}
	clear(w.disc.pairs)
	clear(w.disc.days)
	return nil
}

// day returns an episode's release day as the days bucket holds it now.
func (w *writer) day(k podcast.EpisodeKey) uint32 {
	if v := w.b.days.Get(episodeKey(k)); len(v) == 4 {
		return binary.BigEndian.Uint32(v)
	}
	return noDay
}

func compareEpisodeKeys(a, b podcast.EpisodeKey) int {
	return bytes.Compare(episodeKey(a), episodeKey(b))
}

// episodeMentions returns every mention the documents of episode k make,
// the first document's (by name) first, each slug once.
func episodeMentions(b *bolt.Bucket, k podcast.EpisodeKey) ([]Mention, error) {
	prefix := discKey(discMention, episodeKey(k))
	var out []Mention
	c := b.Cursor()
	for key, v := c.Seek(prefix); key != nil && bytes.HasPrefix(key, prefix); key, v = c.Next() {
		list, err := decodeMentions(v)
		if err != nil {
			return nil, fmt.Errorf("mentions of %s %d: %w", k.Show, k.Number, err)
		}
		for _, m := range list {
			if !slices.ContainsFunc(out, func(o Mention) bool { return o.Slug == m.Slug }) {
				out = append(out, m)
			}
		}
	}
	return out, nil
}

// addDiscoveredTopic keeps the set of discovered topics in step with
// their episode counts (called by addCount for "d:" scopes).
func (w *writer) addDiscoveredTopic(slug string, before, after uint32) error {
	key := discKey(discTopic, []byte(slug))
	switch {
	case after == 0:
		if err := addU32(w.b.counts, totalDiscovered, -1); err != nil {
			return err
		}
		return w.b.discovered.Delete(key)
	case before == 0:
		if err := addU32(w.b.counts, totalDiscovered, +1); err != nil {
			return err
		}
		return w.b.discovered.Put(key, nil)
	}
	return nil
}

// discoveredTopic returns the discovered topic slug, or nil when it is
// none. Its name is as the first episode (by show, then number) of the
// first show it is a topic of writes it.
func discoveredTopic(tx *bolt.Tx, slug string) (*podcast.Topic, error) {
	b := tx.Bucket(bucketDiscovered)
	if b == nil || b.Get(discKey(discTopic, []byte(slug))) == nil { // a file of schema 3 or older, read-only
		return nil, nil
	}
	prefix := discKey(discCount, []byte(slug), []byte{0})
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if len(v) != 4 || binary.BigEndian.Uint32(v) < discoveredThreshold {
			continue
		}
		show := string(k[len(prefix):])
		first := discKey(discEpisode, []byte(slug), []byte{0}, []byte(show), []byte{0})
		ek, _ := b.Cursor().Seek(first)
		if ek == nil || !bytes.HasPrefix(ek, first) {
			continue
		}
		ep, _ := parseEpisodeKey(ek[len(first)-len(show)-1:])
		mentions, err := episodeMentions(b, ep)
		if err != nil {
			return nil, err
		}
		for _, m := range mentions {
			if m.Slug == slug {
				return &podcast.Topic{Slug: slug, Name: m.Name, Discovered: true}, nil
			}
		}
	}
	return &podcast.Topic{Slug: slug, Name: slug, Discovered: true}, nil
}

// discoveredMentions returns the mentions of episode k that are
// discovered topics of its show, in the extractor's rank order.
func discoveredMentions(tx *bolt.Tx, k podcast.EpisodeKey) ([]Mention, error) {
	b := tx.Bucket(bucketDiscovered)
	if b == nil {
		return []Mention{}, nil // a file of schema 3 or older, read-only
	}
	all, err := episodeMentions(b, k)
	if err != nil {
		return nil, err
	}
	vocab := tx.Bucket(bucketVocab)
	out := []Mention{}
	for _, m := range all {
		if vocab.Get([]byte(m.Slug)) == nil &&
			readCount(b, discKey(discCount, []byte(pairOf(m.Slug, k.Show)))) >= discoveredThreshold {
			out = append(out, m)
		}
	}
	return out, nil
}

// scanMentions raises m to the mentions the discovered bucket holds (see
// scanMaxima).
func scanMentions(tx *bolt.Tx, m *maxima) error {
	b := tx.Bucket(bucketDiscovered)
	if b == nil {
		return nil
	}
	// An episode's entries (one a document) are adjacent.
	var episode []byte
	slugs := map[string]bool{}
	c := b.Cursor()
	for k, v := c.Seek([]byte{discMention}); len(k) > 0 && k[0] == discMention; k, v = c.Next() {
		list, err := decodeMentions(v)
		if err != nil {
			return fmt.Errorf("scan %s: %w", bucketDiscovered, err)
		}
		m.mentions(list)
		if ek := k[1 : 1+episodeKeyLen(k[1:])]; !bytes.Equal(ek, episode) {
			episode = append(episode[:0], ek...)
			clear(slugs)
		}
		for _, x := range list {
			slugs[x.Slug] = true
		}
		m.list("Episode.discoveredTopics", len(slugs))
	}
	return nil
}

// mentions raises m to a document's mentions.
func (m *maxima) mentions(list []Mention) {
	m.list("Episode.discoveredTopics", len(list))
	for _, x := range list {
		m.text("TopicMention.name", x.Name)
		m.text("TopicMention.evidence", x.Evidence)
		m.text("Topic.name", x.Name)
	}
}

// encodeMentions packs a list of mentions: the format byte, the count,
// then each mention's slug, name, evidence and count.
func encodeMentions(list []Mention) []byte {
	w := newRecordWriter(64 * len(list))
	w.count(len(list), false)
	for _, m := range list {
		w.str(m.Slug)
		w.str(m.Name)
		w.str(m.Evidence)
		w.int(m.Count)
	}
	return w.b
}

func decodeMentions(v []byte) ([]Mention, error) {
	if v == nil {
		return nil, nil
	}
	var r recordReader
	if err := r.start(v); err != nil {
		return nil, err
	}
	n, _ := r.count()
	out := make([]Mention, 0, n)
	for range n {
		out = append(out, Mention{Slug: r.str(), Name: r.str(), Evidence: r.str(), Count: r.int()})
	}
	if err := r.done(); err != nil {
		return nil, err
	}
	return out, nil
}

// verifyDiscovered checks that the discovered bucket's counts are those
// of the mentions it holds: each episode's documents per slug, each
// show's episodes per slug, and that its topics are the "d:" scopes with
// episodes (Verify checks those scopes against the episodes).
func verifyDiscovered(b buckets) error {
	if b.discovered == nil {
		return nil
	}
	docs := map[string]uint32{}     // 'x' key -> documents
	episodes := map[string]uint32{} // 'c' key -> episodes
	err := b.discovered.ForEach(func(k, v []byte) error {
		if len(k) == 0 || k[0] != discMention {
			return nil
		}
		ekey := k[1 : 1+episodeKeyLen(k[1:])]
		name := k[1+len(ekey):]
		if got := b.discovered.Get(discKey(discDoc, name)); !bytes.Equal(got, ekey) {
			return fmt.Errorf("mentions of document %s: its entry names %q", name, got)
		}
		list, err := decodeMentions(v)
		if err != nil {
			return fmt.Errorf("mentions of document %s: %w", name, err)
		}
		ek, _ := parseEpisodeKey(ekey)
		for _, m := range list {
			x := string(discKey(discEpisode, []byte(m.Slug), []byte{0}, ekey))
			if docs[x]++; docs[x] == 1 {
				episodes[string(discKey(discCount, []byte(pairOf(m.Slug, ek.Show))))]++
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	topics := 0
	err = b.discovered.ForEach(func(k, v []byte) error {
		var want map[string]uint32
		switch k[0] {
		case discEpisode:
			want = docs
		case discCount:
			want = episodes
		case discTopic:
			topics++
			if readCount(b.counts, []byte(scopeDiscovered(string(k[1:])))) == 0 {
				return fmt.Errorf("discovered topic %s: no episodes", k[1:])
			}
			return nil
		default:
			return nil
		}
		if got := uint32(readCount(b.discovered, k)); got != want[string(k)] {
			return fmt.Errorf("discovered count %q: %d stored, %d counted", k, got, want[string(k)])
		}
		delete(want, string(k))
		return nil
	})
	if err != nil {
		return err
	}
	for k := range docs {
		return fmt.Errorf("discovered count %q missing", k)
	}
	for k := range episodes {
		return fmt.Errorf("discovered count %q missing", k)
	}
	if got := readCount(b.counts, totalDiscovered); got != topics {
		return fmt.Errorf("discovered topic total %d, %d topics", got, topics)
	}
	return nil
}
