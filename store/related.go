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

	relatedPerFeature = 400  // episodes read from one feature's index
	relatedCandidates = 1000 // episodes scored at most
	relatedFeatures   = 64   // features of one episode used at most (a bit each)
)

// RelatedEpisode is an episode related to another, and why.
type RelatedEpisode struct {
	Key    podcast.EpisodeKey
	Score  float64
	Guests []string // guests both have, in the first episode's order
	Topics []string // curated topics both have, in the first episode's order
	Terms  []Term   // terms of the text both have, heaviest first
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
	e, err := cachedEpisodeHead(r, episodeKey(k))
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
	days := make(map[podcast.EpisodeKey]uint32, len(cands))
	for _, cd := range cands {
		for i, f := range feats {
			bit := uint64(1) << i
			if cd.has&bit == 0 && complete&bit == 0 && bynum.Get(indexKey(f.scope, cd.sort)) != nil {
				cd.has |= bit
			}
		}
		re := RelatedEpisode{Key: cd.key}
		for i, f := range feats { // in feature order, so equal sets sum to equal scores
			if cd.has&(uint64(1)<<i) == 0 {
				continue
			}
			re.Score += f.weight
			switch f.kind {
			case 'g':
				re.Guests = append(re.Guests, f.slug)
			case 't':
				re.Topics = append(re.Topics, f.slug)
			default:
				re.Terms = append(re.Terms, Term{Slug: f.slug, Name: f.name})
			}
		}
		re.Guests, re.Topics = inEpisodeOrder(re.Guests, guestSlugs(e)), inEpisodeOrder(re.Topics, e.Topics)
		days[cd.key] = cd.day
		out = append(out, re)
	}
	slices.SortFunc(out, func(a, b RelatedEpisode) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), compareDays(days[a.Key], days[b.Key]),
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

func guestSlugs(e *podcast.Episode) []string {
	out := make([]string, len(e.Appearances))
	for i, a := range e.Appearances {
		out[i] = a.Guest
	}
	return out
}

// inEpisodeOrder returns the slugs of list in the order of order.
func inEpisodeOrder(list, order []string) []string {
	if len(list) < 2 {
		return list
	}
	out := make([]string, 0, len(list))
	for _, s := range order {
		if slices.Contains(list, s) {
			out = append(out, s)
		}
	}
	return out
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

func u32of(b []byte) uint32 { return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]) }
