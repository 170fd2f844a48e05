package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"podcastgraph/internal/podcast"
)

// Totals of the shows, guests and topics buckets, kept in the counts bucket
// beside the episode scopes ("*", "s:...", ...), which they cannot collide with.
var (
	totalShows  = []byte("S")
	totalGuests = []byte("G")
	totalTopics = []byte("T")
)

// EpisodesByKey returns the episodes for keys in one transaction, nil where
// a key is unknown.
func (s reads) EpisodesByKey(ctx context.Context, keys []podcast.EpisodeKey) ([]*podcast.Episode, error) {
	out := make([]*podcast.Episode, len(keys))
	err := s.read(ctx, func(r *reader) error {
		for i, k := range keys {
			if err := cachedJSON(r, bucketEpisodes, episodeKey(k), &out[i]); err != nil {
				return fmt.Errorf("episode %s %d: %w", k.Show, k.Number, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: episodes by key: %w", err)
	}
	return out, nil
}

// EpisodeHeadsByKey returns the episodes for keys without their texts
// (podcast.Episode.Partial), in one transaction, nil where a key is
// unknown. EpisodesByKey reads them whole.
func (s reads) EpisodeHeadsByKey(ctx context.Context, keys []podcast.EpisodeKey) ([]*podcast.Episode, error) {
	out := make([]*podcast.Episode, len(keys))
	err := s.read(ctx, func(r *reader) error {
		for i, k := range keys {
			e, err := cachedEpisodeHead(r, k)
			if err != nil {
				return fmt.Errorf("episode %s %d: %w", k.Show, k.Number, err)
			}
			out[i] = e
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: episode heads by key: %w", err)
	}
	return out, nil
}

// ShowsBySlug returns the shows for slugs in one transaction, nil where unknown.
func (s reads) ShowsBySlug(ctx context.Context, slugs []string) ([]*podcast.Show, error) {
	return bySlug[podcast.Show](ctx, s, bucketShows, slugs)
}

// GuestsBySlug returns the guests for slugs in one transaction, nil where unknown.
func (s reads) GuestsBySlug(ctx context.Context, slugs []string) ([]*podcast.Guest, error) {
	gs, err := bySlug[podcast.Guest](ctx, s, bucketGuests, slugs)
	warmGuests(gs)
	return gs, err
}

// TopicsBySlug returns the topics (with at least one episode) for slugs in
// one transaction, nil where unknown: a curated topic, else a discovered
// one (discovered.go).
func (s reads) TopicsBySlug(ctx context.Context, slugs []string) ([]*podcast.Topic, error) {
	out := make([]*podcast.Topic, len(slugs))
	err := s.read(ctx, func(r *reader) error {
		for i, slug := range slugs {
			if err := cachedJSON(r, bucketTopics, []byte(slug), &out[i]); err != nil {
				return fmt.Errorf("topic %s: %w", slug, err)
			}
			if out[i] == nil {
				t, err := discoveredTopic(r.tx, slug)
				if err != nil {
					return fmt.Errorf("discovered topic %s: %w", slug, err)
				}
				out[i] = t
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: topics by slug: %w", err)
	}
	return out, nil
}

// DiscoveredTopics returns, for each episode, the discovered topics of its
// show that its text mentions, in the extractor's rank order (most said
// first, then first said), in one transaction; empty where none.
func (s reads) DiscoveredTopics(ctx context.Context, keys []podcast.EpisodeKey) ([][]Mention, error) {
	out := make([][]Mention, len(keys))
	err := s.read(ctx, func(r *reader) error {
		for i, k := range keys {
			list, err := discoveredMentions(r.tx, k)
			if err != nil {
				return err
			}
			out[i] = list
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: discovered topics: %w", err)
	}
	return out, nil
}

func bySlug[T any](ctx context.Context, s reads, bucket []byte, slugs []string) ([]*T, error) {
	out := make([]*T, len(slugs))
	err := s.read(ctx, func(r *reader) error {
		for i, slug := range slugs {
			if err := cachedJSON(r, bucket, []byte(slug), &out[i]); err != nil {
				return fmt.Errorf("%s %s: %w", bucket, slug, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: %s by slug: %w", bucket, err)
	}
	return out, nil
}

// Scope names a set of episodes whose size the store keeps.
type Scope string

// ShowScope is the scope of a show's episodes.
func ShowScope(slug string) Scope { return Scope(scopeShow(slug)) }

// GuestScope is the scope of the episodes a guest appeared on.
func GuestScope(slug string) Scope { return Scope(scopeGuest(slug)) }

// TopicScope is the scope of the episodes that mention a topic.
func TopicScope(slug string) Scope { return Scope(scopeTopic(slug)) }

// AllEpisodes is the scope of every episode of every show.
const AllEpisodes Scope = scopeAll

// EpisodeCounts returns the number of episodes in each scope, in one
// transaction, without walking them.
func (s reads) EpisodeCounts(ctx context.Context, scopes []Scope) ([]int, error) {
	out := make([]int, len(scopes))
	err := s.read(ctx, func(r *reader) error {
		tx := r.tx
		b := tx.Bucket(bucketCounts)
		for i, sc := range scopes {
			out[i] = readCount(b, []byte(sc))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: episode counts: %w", err)
	}
	return out, nil
}

func readCount(b *bolt.Bucket, key []byte) int {
	if v := b.Get(key); len(v) == 4 {
		return int(binary.BigEndian.Uint32(v))
	}
	return 0
}

// Relation names a pair index.
type Relation byte

// The relations the store keeps counts for, maintained on every write.
const (
	CoGuests      = Relation(pairCoGuest)    // guest -> guests sharing an episode
	GuestTopics   = Relation(pairGuestTopic) // guest -> topics of their episodes
	TopicGuests   = Relation(pairTopicGuest) // topic -> guests of its episodes
	RelatedTopics = Relation(pairTopicTopic) // topic -> topics sharing an episode
	ShowGuests    = Relation(pairShowGuest)  // show -> guests of its episodes
)

// Related is a slug related to another, with the episodes they share.
type Related struct {
	Slug     string
	Episodes int
	// Shared are the episodes shared, highest number first, for
	// CoGuests (whose counts are made from the guest's episodes); nil
	// for the other relations.
	Shared []podcast.EpisodeKey
}

// RelatedQuery asks what a relation relates a slug to.
type RelatedQuery struct {
	Relation Relation
	Slug     string
}

// Related answers each query, most shared episodes first and then by slug,
// in one transaction.
func (s reads) Related(ctx context.Context, qs []RelatedQuery) ([][]Related, error) {
	out := make([][]Related, len(qs))
	err := s.read(ctx, func(r *reader) error {
		tx := r.tx
		c := tx.Bucket(bucketPairs).Cursor()
		for i, q := range qs {
			switch byte(q.Relation) {
			case pairGuestTopic, pairCoGuest:
				list, err := guestRelated(r, q.Slug, byte(q.Relation) == pairCoGuest)
				if err != nil {
					return err
				}
				out[i] = list
			default:
				out[i] = related(c, byte(q.Relation), q.Slug)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: related: %w", err)
	}
	return out, nil
}

// guestRelated counts the topics (or the other guests) of a guest's
// episodes, most shared first, then by slug.
func guestRelated(r *reader, slug string, coGuests bool) ([]Related, error) {
	prefix := append([]byte(scopeGuest(slug)), 0)
	counts := map[string]int{}
	shared := map[string][]podcast.EpisodeKey{}
	c := r.tx.Bucket(bucketByNum).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		ek, ok := episodeFromSortKey(false, k[len(prefix):])
		if !ok {
			continue
		}
		e, err := cachedEpisodeHead(r, ek)
		if err != nil || e == nil {
			return nil, fmt.Errorf("episode %s %d: indexed but unreadable (%v)", ek.Show, ek.Number, err)
		}
		if coGuests {
			for _, a := range e.Appearances {
				if a.Guest != slug {
					counts[a.Guest]++
					shared[a.Guest] = append(shared[a.Guest], ek)
				}
			}
		} else {
			for _, t := range e.Topics {
				counts[t]++
			}
		}
	}
	list := make([]Related, 0, len(counts))
	for s, n := range counts {
		eps := shared[s]
		slices.Reverse(eps)
		list = append(list, Related{Slug: s, Episodes: n, Shared: eps})
	}
	slices.SortFunc(list, func(a, b Related) int {
		return cmp.Or(cmp.Compare(b.Episodes, a.Episodes), cmp.Compare(a.Slug, b.Slug))
	})
	return list, nil
}

func related(c *bolt.Cursor, kind byte, slug string) []Related {
	prefix := pairPrefix(kind, slug)
	list := []Related{}
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		list = append(list, Related{Slug: string(k[len(prefix):]), Episodes: int(binary.BigEndian.Uint32(v))})
	}
	slices.SortStableFunc(list, func(a, b Related) int { return cmp.Compare(b.Episodes, a.Episodes) })
	return list
}

// Neighbours returns, for each episode, the previous and next episode by
// number within its show (nil at either end), in one transaction.
func (s reads) Neighbours(ctx context.Context, keys []podcast.EpisodeKey) (prev, next []*podcast.EpisodeKey, err error) {
	prev, next = make([]*podcast.EpisodeKey, len(keys)), make([]*podcast.EpisodeKey, len(keys))
	err = s.read(ctx, func(r *reader) error {
		tx := r.tx
		c := tx.Bucket(bucketByNum).Cursor()
		for i, k := range keys {
			prefix := append([]byte(scopeShow(k.Show)), 0)
			key := indexKey(scopeShow(k.Show), numberSortKey(k))
			at, _ := c.Seek(key)
			if at != nil && bytes.Equal(at, key) {
				at, _ = c.Next()
			}
			if at != nil && bytes.HasPrefix(at, prefix) {
				if ek, ok := episodeFromSortKey(false, at[len(prefix):]); ok {
					next[i] = &ek
				}
			}
			c.Seek(key)
			if at, _ = c.Prev(); at != nil && bytes.HasPrefix(at, prefix) {
				if ek, ok := episodeFromSortKey(false, at[len(prefix):]); ok {
					prev[i] = &ek
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("store: neighbours: %w", err)
	}
	return prev, next, nil
}

// SlugPage is a page of shows, guests or topics.
type SlugPage struct {
	Slugs                []string
	SortKeys             [][]byte
	HasPrevious, HasNext bool
	Total                int
}

// Shows returns a page of shows by slug.
func (s reads) Shows(ctx context.Context, w Window) (*SlugPage, error) {
	var out *SlugPage
	err := s.read(ctx, func(r *reader) error {
		tx := r.tx
		b := tx.Bucket(bucketShows)
		out = slugPage(b.Cursor(), nil, false, w, func(k []byte) string { return string(k) })
		out.Total = readCount(tx.Bucket(bucketCounts), totalShows)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: shows: %w", err)
	}
	return out, nil
}

// GuestQuery selects a page of guests. Show and Topic filter (AND).
type GuestQuery struct {
	Show, Topic string
	ByCount     bool // by episode count (then slug), else by name (slug)
	Desc        bool
	Window      Window
}

// Guests returns the page q selects.
func (s reads) Guests(ctx context.Context, q GuestQuery) (*SlugPage, error) {
	var out *SlugPage
	err := s.read(ctx, func(r *reader) error {
		tx := r.tx
		counts := tx.Bucket(bucketCounts)
		if q.Show == "" && q.Topic == "" {
			out = ranked(tx, bucketGuests, kindGuest, q.ByCount, q.Desc, q.Window)
			out.Total = readCount(counts, totalGuests)
			return nil
		}
		c := tx.Bucket(bucketPairs).Cursor()
		var slugs []string
		if q.Show != "" {
			for _, r := range related(c, pairShowGuest, q.Show) {
				slugs = append(slugs, r.Slug)
			}
		}
		if q.Topic != "" {
			var onTopic []string
			for _, r := range related(c, pairTopicGuest, q.Topic) {
				if q.Show == "" || slices.Contains(slugs, r.Slug) {
					onTopic = append(onTopic, r.Slug)
				}
			}
			slugs = onTopic
		}
		out = inMemory(slugs, func(slug string) int { return readCount(counts, []byte(scopeGuest(slug))) }, q.ByCount, q.Desc, q.Window)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: guests: %w", err)
	}
	return out, nil
}

// TopicQuery selects a page of the topics that have episodes: the
// curated ones (Curated), the discovered ones (Discovered), or both;
// curated ones when neither is set.
type TopicQuery struct {
	Curated, Discovered bool
	ByCount             bool
	Desc                bool
	Window              Window
}

// Topics returns the page q selects.
func (s reads) Topics(ctx context.Context, q TopicQuery) (*SlugPage, error) {
	var out *SlugPage
	err := s.read(ctx, func(r *reader) error {
		tx := r.tx
		counts := tx.Bucket(bucketCounts)
		switch {
		case !q.Discovered:
			out = ranked(tx, bucketTopics, kindTopic, q.ByCount, q.Desc, q.Window)
			out.Total = readCount(counts, totalTopics)
		case !q.Curated && tx.Bucket(bucketDiscovered) == nil: // schema 3 or older, read-only
			out = &SlugPage{}
		case !q.Curated:
			if q.ByCount {
				out = slugPage(tx.Bucket(bucketByCount).Cursor(), []byte{kindDiscovered}, q.Desc, q.Window,
					func(sk []byte) string { return string(sk[4:]) })
			} else {
				out = slugPage(tx.Bucket(bucketDiscovered).Cursor(), []byte{discTopic}, q.Desc, q.Window,
					func(k []byte) string { return string(k) })
			}
			out.Total = readCount(counts, totalDiscovered)
		default:
			// Both kinds: a slug is one or the other (curated topics
			// win), and topics are few enough to sort in memory.
			var slugs []string
			if err := tx.Bucket(bucketTopics).ForEach(func(k, _ []byte) error {
				slugs = append(slugs, string(k))
				return nil
			}); err != nil {
				return err
			}
			if b := tx.Bucket(bucketDiscovered); b != nil {
				c := b.Cursor()
				for k, _ := c.Seek([]byte{discTopic}); len(k) > 0 && k[0] == discTopic; k, _ = c.Next() {
					slugs = append(slugs, string(k[1:]))
				}
			}
			out = inMemory(slugs, func(slug string) int {
				return readCount(counts, []byte(scopeTopic(slug))) + readCount(counts, []byte(scopeDiscovered(slug)))
			}, q.ByCount, q.Desc, q.Window)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: topics: %w", err)
	}
	return out, nil
}

// ranked pages a bucket by slug, or the bycount index by count then slug.
func ranked(tx *bolt.Tx, bucket []byte, kind byte, byCount, desc bool, w Window) *SlugPage {
	if !byCount {
		return slugPage(tx.Bucket(bucket).Cursor(), nil, desc, w, func(k []byte) string { return string(k) })
	}
	return slugPage(tx.Bucket(bucketByCount).Cursor(), []byte{kind}, desc, w, func(sk []byte) string { return string(sk[4:]) })
}

// inMemory pages a small set of slugs sorted in memory.
func inMemory(slugs []string, countOf func(string) int, byCount, desc bool, w Window) *SlugPage {
	keys := make([][]byte, 0, len(slugs))
	for _, s := range slugs {
		if byCount {
			keys = append(keys, append(u32(uint32(countOf(s))), s...))
		} else {
			keys = append(keys, []byte(s))
		}
	}
	slices.SortFunc(keys, bytes.Compare)
	keys = slices.CompactFunc(keys, bytes.Equal)
	slugOf := func(k []byte) string { return string(k) }
	if byCount {
		slugOf = func(k []byte) string { return string(k[4:]) }
	}
	p := slugPage(&sliceCursor{keys: keys}, nil, desc, w, slugOf)
	p.Total = len(keys)
	return p
}

func slugPage(c cursor, prefix []byte, desc bool, w Window, slugOf func(sortKey []byte) string) *SlugPage {
	var end []byte
	if prefix == nil {
		end = []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	} else {
		end = prefixEnd(prefix)
	}
	lo := slices.Clip(prefix)
	if lo == nil {
		lo = []byte{}
	}
	segs := segments{{regionLo: lo, regionHi: end, lo: lo, hi: end, desc: desc}}
	keys, hasPrev, hasNext := page(c, segs, lo, w, nil)
	p := &SlugPage{HasPrevious: hasPrev, HasNext: hasNext}
	for _, k := range keys {
		sk := k[len(lo):]
		p.Slugs = append(p.Slugs, slugOf(sk))
		p.SortKeys = append(p.SortKeys, sk)
	}
	return p
}

// SetVocabulary records the topic vocabulary in use, so that topics carry
// their curated names; it renames topics already stored.
func (s *Store) SetVocabulary(ctx context.Context, topics []podcast.Topic) error {
	return s.SetVocabularyAt(ctx, topics, 0)
}

// SetVocabularyAt is SetVocabulary for the replicated log entry at
// logIndex (0: none), recorded in the same transaction (AppliedIndex).
func (s *Store) SetVocabularyAt(ctx context.Context, topics []podcast.Topic, logIndex uint64) error {
	var change Change
	err := s.update(ctx, func(tx *bolt.Tx, m *maxima) (bool, error) {
		if err := putApplied(tx, logIndex); err != nil {
			return false, err
		}
		vocab, live := tx.Bucket(bucketVocab), tx.Bucket(bucketTopics)
		change = Change{}
		for _, t := range topics {
			m.topic(&t)
			js := encodeTopic(&t)
			if bytes.Equal(vocab.Get([]byte(t.Slug)), js) {
				continue
			}
			change.Topics = append(change.Topics, t.Slug)
			if err := vocab.Put([]byte(t.Slug), js); err != nil {
				return false, err
			}
			if live.Get([]byte(t.Slug)) != nil {
				if err := live.Put([]byte(t.Slug), js); err != nil {
					return false, err
				}
			}
		}
		if len(change.Topics) == 0 {
			return false, nil
		}
		change.Generation = generation(tx) + 1
		return true, putChange(tx, &change)
	})
	if err != nil {
		return fmt.Errorf("store: set vocabulary: %w", err)
	}
	if len(change.Topics) > 0 {
		s.announce(change)
	}
	return nil
}

// Sources returns, for each episode, the pages it was seen on, by name, in
// one transaction.
func (s reads) Sources(ctx context.Context, keys []podcast.EpisodeKey) ([][]podcast.Source, error) {
	out := make([][]podcast.Source, len(keys))
	err := s.read(ctx, func(r *reader) error {
		c := r.tx.Bucket(bucketEpSrc).Cursor()
		for i, k := range keys {
			names, err := episodeSources(c, episodeKey(k))
			if err != nil {
				return err
			}
			out[i] = []podcast.Source{}
			for _, name := range names {
				var rec *docRecord
				if err := cachedJSON(r, bucketDocs, name, &rec); err != nil || rec == nil {
					return fmt.Errorf("source %q of %s %d: no document record (%v)", name, k.Show, k.Number, err)
				}
				warnings := rec.Warnings
				if warnings == nil {
					warnings = []string{}
				}
				out[i] = append(out[i], podcast.Source{Name: rec.Name, SHA256: rec.SHA256, IngestedAt: rec.IngestedAt, Warnings: warnings})
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: sources: %w", err)
	}
	return out, nil
}
