package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"

	"podcastgraph/internal/podcast"
)

// Bounds are upper bounds, over every object in the store, of what the
// API's fields can return: the items of each list field and the bytes of
// each text field, keyed "Type.field" as the GraphQL schema names them.
// The cost model prices a field by them, so that an operation is priced
// by what it can return. A field missing from a map has no known bound.
//
// The lengths of lists and texts held in records (an episode's topics, a
// guest's bio) are maxima kept by the write path: every write raises them
// to what it wrote and none lowers them, so after deletions they may stay
// above the true maximum. The lengths of relations (a show's guests, a
// topic's related topics) are derived from counts the store keeps, at the
// generation they were read.
type Bounds struct {
	Generation uint64         // the store generation the bounds hold for
	Lists      map[string]int // list field -> most items
	Texts      map[string]int // string field -> most bytes
}

// keyBounds is the meta entry of the maxima the write path keeps.
var keyBounds = []byte("bounds")

// maxima is what keyBounds holds: the longest lists and texts ever
// written, and the generation they were written at. A file whose
// generation has moved past Gen was written by a build that did not keep
// them, and Open scans it again.
type maxima struct {
	Gen   uint64         `json:"gen"`
	Lists map[string]int `json:"lists"`
	Texts map[string]int `json:"texts"`
}

func newMaxima() *maxima { return &maxima{Lists: map[string]int{}, Texts: map[string]int{}} }

func (m *maxima) list(field string, n int) {
	if n > m.Lists[field] {
		m.Lists[field] = n
	}
}

func (m *maxima) text(field, s string) {
	if len(s) > m.Texts[field] {
		m.Texts[field] = len(s)
	}
}

func (m *maxima) textPtr(field string, s *string) {
	if s != nil {
		m.text(field, *s)
	}
}

func (m *maxima) links(field string, links []podcast.Link) {
	m.list(field, len(links))
	for _, l := range links {
		m.text("Link.url", l.URL)
		m.text("Link.label", l.Label)
	}
}

func (m *maxima) hosts(field string, hosts []podcast.Host) {
	m.list(field, len(hosts))
	for _, h := range hosts {
		m.text("Host.name", h.Name)
	}
}

func (m *maxima) show(s *podcast.Show) {
	m.text("Show.title", s.Title)
	m.hosts("Show.hosts", s.Hosts)
	m.links("Show.links", s.Links)
	m.text("Show.guid", s.GUID)
	m.text("Show.feedUrl", s.FeedURL)
	m.text("Show.author", s.Author)
	m.text("Show.description", s.Description)
	m.text("Show.image", s.Image)
	m.text("Show.language", s.Language)
	m.list("Show.categories", len(s.Categories))
	for _, c := range s.Categories {
		m.text("Show.categories", c)
	}
}

func (m *maxima) guest(g *podcast.Guest) {
	m.text("Guest.name", g.Name)
	m.text("Guest.role", g.Role)
	m.text("Guest.organization", g.Organization)
	m.text("Guest.bio", g.Bio)
	m.links("Guest.links", g.Links)
	m.text("Guest.image", g.Image)
}

func (m *maxima) episode(e *podcast.Episode) {
	m.textPtr("Episode.title", e.Title)
	m.text("Episode.summary", e.Summary)
	m.textPtr("Episode.description", e.Description)
	m.list("Episode.guests", len(e.Appearances))
	m.list("Episode.appearances", len(e.Appearances))
	for _, a := range e.Appearances {
		m.text("Appearance.evidence", a.Evidence)
	}
	m.list("Episode.topics", len(e.Topics))
	m.hosts("Episode.hosts", e.Hosts)
	m.links("Episode.links", e.Links)
	f := &e.EpisodeFeed
	m.text("Episode.guid", f.GUID)
	m.text("Episode.episodeType", f.EpisodeType)
	m.text("Episode.image", f.Image)
	m.text("Episode.chapters", f.Chapters)
	if f.Audio != nil {
		m.text("Audio.url", f.Audio.URL)
		m.text("Audio.type", f.Audio.Type)
	}
	m.list("Episode.transcripts", len(f.Transcripts))
	for _, t := range f.Transcripts {
		m.text("Transcript.url", t.URL)
		m.text("Transcript.type", t.Type)
		m.text("Transcript.language", t.Language)
		m.text("Transcript.rel", t.Rel)
	}
	m.list("Episode.categories", len(f.Categories))
	for _, c := range f.Categories {
		m.text("Episode.categories", c)
	}
}

func (m *maxima) topic(t *podcast.Topic) {
	m.text("Topic.name", t.Name)
	m.list("Topic.aliases", len(t.Aliases))
}

func (m *maxima) doc(rec *docRecord) {
	m.text("Source.name", rec.Name)
	m.list("Source.warnings", len(rec.Warnings))
}

// sources counts the pages an episode was seen on.
func (m *maxima) sources(epsrc *bolt.Bucket, k podcast.EpisodeKey) {
	m.list("Episode.sources", sourceCount(epsrc.Cursor(), episodeKey(k)))
}

// readMaxima returns the maxima a transaction sees, nil when the file has
// none or they are stale (written at another generation).
func readMaxima(tx *bolt.Tx) *maxima {
	v := tx.Bucket(bucketMeta).Get(keyBounds)
	if v == nil {
		return nil
	}
	m := newMaxima()
	if err := json.Unmarshal(v, m); err != nil || m.Gen != generation(tx) || m.Lists == nil || m.Texts == nil {
		return nil
	}
	return m
}

// putMaxima writes m, to hold at generation gen.
func putMaxima(tx *bolt.Tx, m *maxima, gen uint64) error {
	m.Gen = gen
	js, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode bounds: %w", err)
	}
	return tx.Bucket(bucketMeta).Put(keyBounds, js)
}

// scanMaxima computes the maxima from every record: for a file written
// before they were kept, or by a build that did not keep them.
func scanMaxima(tx *bolt.Tx) (*maxima, error) {
	m := newMaxima()
	scan := func(bucket []byte, fn func(v []byte) error) error {
		return tx.Bucket(bucket).ForEach(func(_, v []byte) error {
			if err := fn(v); err != nil {
				return fmt.Errorf("scan %s: %w", bucket, err)
			}
			return nil
		})
	}
	err := scan(bucketShows, func(v []byte) error {
		s, err := decodeShow(v)
		if err == nil {
			m.show(s)
		}
		return err
	})
	if err == nil {
		err = scan(bucketGuests, func(v []byte) error {
			g, err := decodeGuest(v)
			if err == nil {
				m.guest(g)
			}
			return err
		})
	}
	if err == nil {
		err = scan(bucketEpisodes, func(v []byte) error {
			e, err := decodeEpisode(v)
			if err == nil {
				m.episode(e)
			}
			return err
		})
	}
	if err == nil {
		err = scan(bucketVocab, func(v []byte) error {
			t, err := decodeTopic(v)
			if err == nil {
				m.topic(t)
			}
			return err
		})
	}
	if err == nil {
		err = scan(bucketDocs, func(v []byte) error {
			var rec docRecord
			err := decodeDocRecord(v, &rec)
			m.doc(&rec)
			return err
		})
	}
	if err == nil {
		err = scanMentions(tx, m)
	}
	if err != nil {
		return nil, err
	}
	// Sources: an episode's entries (one, or one per name in a file
	// that is migrating) are adjacent.
	var last []byte
	n := 0
	c := tx.Bucket(bucketEpSrc).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		ek := k[:min(len(k), episodeKeyLen(k))]
		if !bytes.Equal(ek, last) {
			last, n = append(last[:0], ek...), 0
		}
		n += entrySources(k, ek, v)
		m.list("Episode.sources", n)
	}
	return m, nil
}

// episodeKeyLen is the length of the episode key that starts k: the show
// slug, a zero byte and a 4-byte number.
func episodeKeyLen(k []byte) int {
	if i := bytes.IndexByte(k, 0); i >= 0 {
		return i + 5
	}
	return len(k)
}

// ensureMaxima makes sure a writable file holds up-to-date maxima,
// scanning it when it does not (a file written before they were kept).
func ensureMaxima(tx *bolt.Tx) error {
	if readMaxima(tx) != nil {
		return nil
	}
	m, err := scanMaxima(tx)
	if err != nil {
		return fmt.Errorf("compute bounds: %w", err)
	}
	return putMaxima(tx, m, generation(tx))
}

// boundsCache holds the bounds of the last generation they were read at.
type boundsCache struct {
	p atomic.Pointer[Bounds]
}

// Bounds returns the bounds of the store's current generation: cached
// until the next write, so a call costs an atomic load; after a write, one
// read transaction of a few keys. The result is shared: do not modify it.
// It returns an error only when the read fails.
func (s *Store) Bounds(ctx context.Context) (*Bounds, error) {
	if b := s.bounds.p.Load(); b != nil && b.Generation == s.gen.Load() {
		return b, nil
	}
	var b *Bounds
	err := s.view(ctx, func(tx *bolt.Tx) error {
		m := readMaxima(tx)
		if m == nil {
			// A file opened read-only, as written by a build that did
			// not keep the maxima.
			var err error
			if m, err = scanMaxima(tx); err != nil {
				return err
			}
		}
		b = &Bounds{Generation: generation(tx), Lists: maps.Clone(m.Lists), Texts: maps.Clone(m.Texts)}
		deriveBounds(tx, b)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: bounds: %w", err)
	}
	if cur := s.bounds.p.Load(); cur == nil || cur.Generation <= b.Generation {
		s.bounds.p.Store(b)
	}
	return b, nil
}

// deriveBounds adds the bounds of the relations, from counts: a guest's
// co-guests are at most the other guests of their episodes, so at most
// (most episodes of a guest) x (most guests of an episode - 1), and never
// more than the other guests in the store; and so on.
func deriveBounds(tx *bolt.Tx, b *Bounds) {
	counts := tx.Bucket(bucketCounts)
	guests, topics := readCount(counts, totalGuests), readCount(counts, totalTopics)
	perEpisodeGuests, perEpisodeTopics := b.Lists["Episode.guests"], b.Lists["Episode.topics"]
	guestEpisodes, topicEpisodes := mostCounted(tx, kindGuest), mostCounted(tx, kindTopic)
	b.Lists["Show.guests"] = guests
	b.Lists["Topic.guests"] = min(guests, topicEpisodes*perEpisodeGuests)
	b.Lists["Topic.related"] = max(min(topics-1, topicEpisodes*(perEpisodeTopics-1)), 0)
	b.Lists["Guest.topics"] = min(topics, guestEpisodes*perEpisodeTopics)
	b.Lists["Guest.coGuests"] = max(min(guests-1, guestEpisodes*(perEpisodeGuests-1)), 0)
}

// mostCounted returns the most episodes any guest (kind kindGuest) or
// topic (kindTopic) has: the last entry of its by-count index.
func mostCounted(tx *bolt.Tx, kind byte) int {
	c := tx.Bucket(bucketByCount).Cursor()
	k, _ := c.Seek([]byte{kind + 1})
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	if len(k) < 5 || k[0] != kind {
		return 0
	}
	return int(binary.BigEndian.Uint32(k[1:5]))
}
