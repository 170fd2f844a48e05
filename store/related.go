package store

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	bolt "go.etcd.io/bbolt"

	"podcastgraph/internal/podcast"
)

// Related episodes. An episode's features are its guests, its curated
// topics and the terms of its text; each shared feature adds its weight to
// another episode's score. A weight is an inverse document frequency,
// ln(1 + N/df) for N episodes in the store and df episodes with the
// feature, times the kind's factor: a guest shared counts
// guestFactor times a topic of the same rarity, a term termFactor times.
// So a topic on a quarter of the store weighs little, a guest on a few
// episodes a lot.
//
// The candidates are read from the episode indexes, rarest feature first
// (most weight first): each feature contributes at most relatedPerFeature
// of its episodes, latest first, and new candidates stop at
// relatedCandidates, so a guest on 250 episodes or a topic on 25,000
// costs the same bounded reads. Every candidate is then scored exactly
// on every feature (a feature not read to its end is checked by key), so
// the reasons an edge gives are complete. The order: score, then the
// later release date (undated last), then show and number.

const (
	guestFactor = 2.0
	topicFactor = 1.0
	termFactor  = 0.75

	relatedPerFeature = 250 // episodes read from one feature's index
	relatedCandidates = 500 // episodes scored at most
	relatedFeatures   = 64  // features of one episode used at most (a bit each)
)

// RelatedEpisode is an episode related to another, and why.
type RelatedEpisode struct {
	Key   podcast.EpisodeKey
	Score float64
	day   uint32
	has   uint64    // a bit per feature of feats
	feats []feature // the first episode's features, shared by its ranking
}

// Guests returns the guests both episodes have, heaviest first.
func (r RelatedEpisode) Guests() []string { return r.slugs('g') }

// Topics returns the curated topics both episodes have, heaviest first.
func (r RelatedEpisode) Topics() []string { return r.slugs('t') }

// Terms returns the terms of the text both episodes have, heaviest first.
func (r RelatedEpisode) Terms() []Term {
	var out []Term
	for i, f := range r.feats {
		if r.has&(1<<i) != 0 && f.kind == 'x' {
			out = append(out, Term{Slug: f.slug, Name: f.name})
		}
	}
	return out
}

func (r RelatedEpisode) slugs(kind byte) []string {
	var out []string
	for i, f := range r.feats {
		if r.has&(1<<i) != 0 && f.kind == kind {
			out = append(out, f.slug)
		}
	}
	return out
}

// Term is a term of an episode's text that the text signal weighs.
type Term struct {
	Slug string // the scope the term's episodes are indexed under, without its prefix
	Name string // as the episode's text writes it
}

// feature is one thing an episode has that others may share.
type feature struct {
	kind   byte // 'g', 't' or 'x' (a term)
	slug   string
	name   string // a term's name
	scope  string // index scope of the episodes that have it
	df     int
	weight float64
}

// textSignal gives the distinctive terms of an episode's text, each with
// the index scope of the episodes that share it. The discovered topics
// are the terms for now (discoveredTerms); a full-text index can stand in
// for them by indexing its terms' episodes under scopes of its own and
// implementing this.
type textSignal interface {
	terms(r *reader, k podcast.EpisodeKey) ([]feature, error)
}

// discoveredTerms is the text signal of the discovered topics: names the
// curated vocabulary lacks that the episode's text says, indexed under
// "d:SLUG".
type discoveredTerms struct{}

func (discoveredTerms) terms(r *reader, k podcast.EpisodeKey) ([]feature, error) {
	ms, err := discoveredMentions(r.tx, k)
	if err != nil {
		return nil, err
	}
	out := make([]feature, len(ms))
	for i, m := range ms {
		out[i] = feature{kind: 'x', slug: m.Slug, name: m.Name, scope: scopeDiscovered(m.Slug)}
	}
	return out, nil
}

// RelatedEpisodes returns, for each episode, the other episodes that
// share its guests, topics or terms, best first (see above), in one
// transaction; nil for an unknown episode.
func (s reads) RelatedEpisodes(ctx context.Context, keys []podcast.EpisodeKey) ([][]RelatedEpisode, error) {
	out := make([][]RelatedEpisode, len(keys))
	err := s.read(ctx, func(r *reader) error {
		for i, k := range keys {
			if err := ctx.Err(); err != nil {
				return err
			}
			list, err := relatedEpisodes(r, k, discoveredTerms{})
			if err != nil {
				return fmt.Errorf("episode %s %d: %w", k.Show, k.Number, err)
			}
			out[i] = list
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: related episodes: %w", err)
	}
	return out, nil
}

// candidate is an episode being scored: which features it has (a bit per
// feature), and its day for the order.
type candidate struct {
	key  podcast.EpisodeKey
	has  uint64
	day  uint32
	sort []byte // its number sort key
}

func relatedEpisodes(r *reader, k podcast.EpisodeKey, text textSignal) ([]RelatedEpisode, error) {
	e, err := cachedEpisodeHead(r, k)
	if err != nil || e == nil {
		return nil, err
	}
	feats, err := episodeFeatures(r, e, text)
	if err != nil {
		return nil, err
	}
	if len(feats) == 0 {
		return []RelatedEpisode{}, nil
	}
	self := string(numberSortKey(k))
	cands := map[string]*candidate{}
	complete := uint64(0) // features whose every episode was read
	c := r.bucket(bucketByDate).Cursor()
	for i, f := range feats {
		bit := uint64(1) << i
		read := 0
		scanLatest(c, f.scope, func(day uint32, nsk []byte) bool {
			read++
			if string(nsk) == self {
				return read < relatedPerFeature
			}
			cd := cands[string(nsk)]
			if cd == nil {
				if len(cands) >= relatedCandidates {
					return read < relatedPerFeature
				}
				key, ok := episodeFromSortKey(false, nsk)
				if !ok {
					return read < relatedPerFeature
				}
				cd = &candidate{key: key, day: day, sort: bytes.Clone(nsk)}
				cands[string(nsk)] = cd
			}
			cd.has |= bit
			return read < relatedPerFeature
		})
		if read < relatedPerFeature || f.df <= relatedPerFeature && read >= f.df {
			complete |= bit
		}
	}
	bynum := r.bucket(bucketByNum)
	out := make([]RelatedEpisode, 0, len(cands))
	for _, cd := range cands {
		if missing := ^cd.has & ^complete & (1<<len(feats) - 1); missing != 0 {
			// Features not read to their end: the candidate's head says
			// its guests and topics; a term is looked up in its index.
			h, err := cachedEpisodeHead(r, cd.key)
			if err != nil || h == nil {
				return nil, fmt.Errorf("episode %s %d: indexed but unreadable (%v)", cd.key.Show, cd.key.Number, err)
			}
			for i, f := range feats {
				bit := uint64(1) << i
				if missing&bit == 0 {
					continue
				}
				var has bool
				switch f.kind {
				case 'g':
					has = slices.ContainsFunc(h.Appearances, func(a podcast.Appearance) bool { return a.Guest == f.slug })
				case 't':
					has = slices.Contains(h.Topics, f.slug)
				default:
					has = bynum.Get(indexKey(f.scope, cd.sort)) != nil
				}
				if has {
					cd.has |= bit
				}
			}
		}
		re := RelatedEpisode{Key: cd.key, day: cd.day, has: cd.has, feats: feats}
		for i, f := range feats { // in feature order, so equal sets sum to equal scores
			if cd.has&(uint64(1)<<i) != 0 {
				re.Score += f.weight
			}
		}
		out = append(out, re)
	}
	slices.SortFunc(out, func(a, b RelatedEpisode) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), compareDays(a.day, b.day),
			cmp.Compare(a.Key.Show, b.Key.Show), cmp.Compare(a.Key.Number, b.Key.Number))
	})
	return out, nil
}

// compareDays orders later days first and unknown days (noDay) last.
func compareDays(a, b uint32) int {
	if a == noDay || b == noDay {
		return cmp.Compare(a, b)
	}
	return cmp.Compare(b, a)
}

// episodeFeatures returns e's guests, topics and terms with their
// weights, heaviest first (then by kind and slug), at most
// relatedFeatures.
func episodeFeatures(r *reader, e *podcast.Episode, text textSignal) ([]feature, error) {
	counts := r.bucket(bucketCounts)
	n := readCount(counts, []byte(scopeAll))
	var feats []feature
	add := func(f feature, factor float64) {
		f.df = readCount(counts, []byte(f.scope))
		if f.df <= 1 { // no other episode has it
			return
		}
		f.weight = factor * math.Log1p(float64(n)/float64(f.df))
		feats = append(feats, f)
	}
	for _, a := range e.Appearances {
		add(feature{kind: 'g', slug: a.Guest, scope: scopeGuest(a.Guest)}, guestFactor)
	}
	for _, t := range e.Topics {
		add(feature{kind: 't', slug: t, scope: scopeTopic(t)}, topicFactor)
	}
	terms, err := text.terms(r, e.Key())
	if err != nil {
		return nil, err
	}
	for _, t := range terms {
		add(t, termFactor)
	}
	slices.SortStableFunc(feats, func(a, b feature) int {
		return cmp.Or(cmp.Compare(b.weight, a.weight), cmp.Compare(a.kind, b.kind), cmp.Compare(a.slug, b.slug))
	})
	return feats[:min(len(feats), relatedFeatures)], nil
}

// scanLatest calls fn with the day and number sort key of the episodes of
// scope, latest release first and undated ones last, until fn returns
// false.
func scanLatest(c *bolt.Cursor, scope string, fn func(day uint32, nsk []byte) bool) {
	prefix := append([]byte(scope), 0)
	undated := indexKey(scope, u32(noDay))
	// Dated ones, from the last before the undated ones back.
	k, _ := c.Seek(undated)
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	for ; k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Prev() {
		sk := k[len(prefix):]
		if len(sk) < 8 {
			continue
		}
		if day := u32of(sk); day != noDay && !fn(day, sk[4:]) {
			return
		}
	}
	for k, _ = c.Seek(undated); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if sk := k[len(prefix):]; len(sk) >= 8 && !fn(noDay, sk[4:]) {
			return
		}
	}
}

func u32of(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}
