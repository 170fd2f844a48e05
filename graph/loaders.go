package graph

import (
	"context"
	"slices"
	"sync"

	"github.com/vektah/gqlparser/v2/ast"

	"podcastgraph/internal/podcast"
	"podcastgraph/store"
)

// Loaders cache and batch the reads of one request. Resolvers that produce
// objects look ahead at the query's selection and prefetch what the
// objects' fields will ask for, a level at a time, each level in one store
// transaction per kind (prefetch.go, by the tables of lookahead.go); field
// resolvers then find their data in the cache. A miss (a field no
// look-ahead covered) reads at once, so no request ever waits on a
// batching timer.
type Loaders struct {
	snap *lazySnapshot
	// done holds the query's fields (*ast.Field, shared by every object
	// that has them) whose data a look-ahead has fetched for all of them.
	done sync.Map
	// fields are the selection sets' fields the look-ahead collected.
	fields fieldsMemo[lookKey]

	// Episodes reads episodes without their texts (podcast.Episode.Partial),
	// as the pages do; Texts reads them whole, for the fields that need
	// the texts (episodeTexts).
	Episodes   *loader[podcast.EpisodeKey, *podcast.Episode]
	Texts      *loader[podcast.EpisodeKey, *podcast.Episode]
	Shows      *loader[string, *podcast.Show]
	Guests     *loader[string, *podcast.Guest]
	Topics     *loader[string, *podcast.Topic]
	Pages      *loader[pageKey, *store.EpisodePage]
	Counts     *loader[store.Scope, int]
	Related    *loader[store.RelatedQuery, []store.Related]
	Neighbours *loader[podcast.EpisodeKey, [2]*podcast.EpisodeKey]
	Sources    *loader[podcast.EpisodeKey, []podcast.Source]
	Discovered *loader[podcast.EpisodeKey, []store.Mention] // an episode's discovered topics

	RelatedEpisodes *loader[podcast.EpisodeKey, []store.RelatedEpisode] // an episode's related ones, ranked
	Timelines       *loader[store.TimelineQuery, store.Timeline]
}

type loadersKey struct{}

// WithLoaders returns ctx carrying a fresh set of loaders over one
// snapshot of s, taken at the first read: every read of the request sees
// the same committed state. Call done when the request is over.
func WithLoaders(ctx context.Context, s *store.Store) (_ context.Context, done func()) {
	l := NewLoaders(s)
	return context.WithValue(ctx, loadersKey{}, l), l.snap.close
}

// ReleaseSnapshot ends the read transaction of the loaders ctx carries, if
// one was opened. Call it as soon as the operation has executed and its
// answer is bytes in memory, before writing them: a client slow to read
// the answer then holds no transaction, which would keep a write that must
// grow the store's memory map (and every read queued behind that write)
// waiting. Reads after it fail with store.ErrClosed. It may be called more
// than once, and on a context without loaders, where it does nothing.
func ReleaseSnapshot(ctx context.Context) {
	if l, ok := ctx.Value(loadersKey{}).(*Loaders); ok {
		l.snap.close()
	}
}

// lazySnapshot opens the request's snapshot on first use.
type lazySnapshot struct {
	store *store.Store
	once  sync.Once
	snap  *store.Snapshot
	err   error
}

func (l *lazySnapshot) get(ctx context.Context) (*store.Snapshot, error) {
	l.once.Do(func() { l.snap, l.err = l.store.Snapshot(ctx) })
	return l.snap, l.err
}

func (l *lazySnapshot) close() {
	l.once.Do(func() { l.err = store.ErrClosed })
	if l.snap != nil {
		_ = l.snap.Close()
	}
}

// cover records that a look-ahead fetched field f for every object that
// has it; covered reports it.
func (l *Loaders) cover(f *ast.Field)        { l.done.Store(f, true) }
func (l *Loaders) covered(f *ast.Field) bool { _, ok := l.done.Load(f); return ok }

// Snapshot returns the request's snapshot, for reads that are not loaded
// by key (connections).
func (l *Loaders) Snapshot(ctx context.Context) (*store.Snapshot, error) { return l.snap.get(ctx) }

// via adapts a snapshot method to a loader's fetch.
func via[K, V any](snap *lazySnapshot, method func(*store.Snapshot) func(context.Context, []K) ([]V, error)) func(context.Context, []K) ([]V, error) {
	return func(ctx context.Context, keys []K) ([]V, error) {
		sn, err := snap.get(ctx)
		if err != nil {
			return nil, err
		}
		return method(sn)(ctx, keys)
	}
}

func loadersFrom(ctx context.Context) *Loaders {
	return ctx.Value(loadersKey{}).(*Loaders)
}

// NewLoaders builds the loaders of one request.
func NewLoaders(s *store.Store) *Loaders {
	snap := &lazySnapshot{store: s}
	return &Loaders{
		snap: snap,
		Episodes: newLoader(via(snap, func(sn *store.Snapshot) func(context.Context, []podcast.EpisodeKey) ([]*podcast.Episode, error) {
			return sn.EpisodeHeadsByKey
		})),
		Texts: newLoader(via(snap, func(sn *store.Snapshot) func(context.Context, []podcast.EpisodeKey) ([]*podcast.Episode, error) {
			return sn.EpisodesByKey
		})),
		Shows: newLoader(via(snap, func(sn *store.Snapshot) func(context.Context, []string) ([]*podcast.Show, error) {
			return sn.ShowsBySlug
		})),
		Guests: newLoader(via(snap, func(sn *store.Snapshot) func(context.Context, []string) ([]*podcast.Guest, error) {
			return sn.GuestsBySlug
		})),
		Topics: newLoader(via(snap, func(sn *store.Snapshot) func(context.Context, []string) ([]*podcast.Topic, error) {
			return sn.TopicsBySlug
		})),
		Pages: newLoader(via(snap, func(sn *store.Snapshot) func(context.Context, []pageKey) ([]*store.EpisodePage, error) {
			return func(ctx context.Context, keys []pageKey) ([]*store.EpisodePage, error) {
				qs := make([]store.EpisodeQuery, len(keys))
				for i, k := range keys {
					qs[i] = k.query()
				}
				return sn.Episodes(ctx, qs)
			}
		})),
		Sources: newLoader(via(snap, func(sn *store.Snapshot) func(context.Context, []podcast.EpisodeKey) ([][]podcast.Source, error) {
			return sn.Sources
		})),
		Discovered: newLoader(via(snap, func(sn *store.Snapshot) func(context.Context, []podcast.EpisodeKey) ([][]store.Mention, error) {
			return sn.DiscoveredTopics
		})),
		RelatedEpisodes: newLoader(via(snap, func(sn *store.Snapshot) func(context.Context, []podcast.EpisodeKey) ([][]store.RelatedEpisode, error) {
			return sn.RelatedEpisodes
		})),
		Timelines: newLoader(via(snap, func(sn *store.Snapshot) func(context.Context, []store.TimelineQuery) ([]store.Timeline, error) {
			return sn.Timelines
		})),
		Counts: newLoader(via(snap, func(sn *store.Snapshot) func(context.Context, []store.Scope) ([]int, error) { return sn.EpisodeCounts })),
		Related: newLoader(via(snap, func(sn *store.Snapshot) func(context.Context, []store.RelatedQuery) ([][]store.Related, error) {
			return sn.Related
		})),
		Neighbours: newLoader(via(snap, func(sn *store.Snapshot) func(context.Context, []podcast.EpisodeKey) ([][2]*podcast.EpisodeKey, error) {
			return func(ctx context.Context, keys []podcast.EpisodeKey) ([][2]*podcast.EpisodeKey, error) {
				prev, next, err := sn.Neighbours(ctx, keys)
				if err != nil {
					return nil, err
				}
				out := make([][2]*podcast.EpisodeKey, len(keys))
				for i := range keys {
					out[i] = [2]*podcast.EpisodeKey{prev[i], next[i]}
				}
				return out, nil
			}
		})),
	}
}

// loader is a per-request cache in front of a store method that answers
// many keys in one transaction.
type loader[K comparable, V any] struct {
	fetch func(context.Context, []K) ([]V, error)
	mu    sync.Mutex
	cache map[K]V
	// primed are values read elsewhere (PrimeAll), not yet in cache: they
	// are added only when a key is asked for that cache lacks, so a page's
	// hundred episodes cost nothing unless something looks one up by key.
	primed []primedValues[K, V]
}

// primedValues are values PrimeAll was given, with their key.
type primedValues[K comparable, V any] struct {
	vals []V
	key  func(V) K
}

// add caches the values under their keys, keeping a value already cached.
func (p primedValues[K, V]) add(m map[K]V) {
	for _, v := range p.vals {
		k := p.key(v)
		if _, ok := m[k]; !ok {
			m[k] = v
		}
	}
}

func newLoader[K comparable, V any](fetch func(context.Context, []K) ([]V, error)) *loader[K, V] {
	return &loader[K, V]{fetch: fetch, cache: map[K]V{}}
}

// Prefetch reads every key not yet cached, in one call.
func (l *loader[K, V]) Prefetch(ctx context.Context, keys []K) error {
	l.mu.Lock()
	if len(l.primed) > 0 && l.lacksAny(keys) {
		n := 0
		for _, p := range l.primed {
			n += len(p.vals)
		}
		l.reserve(n)
		for _, p := range l.primed {
			p.add(l.cache)
		}
		l.primed = nil
	}
	missing := l.missing(keys)
	l.mu.Unlock()
	if len(missing) == 0 {
		return nil
	}
	vals, err := l.fetch(ctx, missing)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reserve(len(missing))
	for i, k := range missing {
		l.cache[k] = vals[i]
	}
	return nil
}

// reserve makes room in the cache for n more entries at once when they
// would at least double it; l.mu is held. A request's first reads fill
// the cache with tens or hundreds of entries, and a map grown entry by
// entry rehashes its keys at every doubling (a string key is hashed
// again each time).
func (l *loader[K, V]) reserve(n int) {
	if n <= len(l.cache) || n < 8 {
		return
	}
	m := make(map[K]V, len(l.cache)+n)
	for k, v := range l.cache {
		m[k] = v
	}
	l.cache = m
}

// lacksAny reports whether a key is not cached; l.mu is held.
func (l *loader[K, V]) lacksAny(keys []K) bool {
	for _, k := range keys {
		if _, ok := l.cache[k]; !ok {
			return true
		}
	}
	return false
}

// missing returns the keys not cached, once each; l.mu is held. Repeats
// among the first few misses are found by scanning them (no allocation
// beyond the result: a page asks for tens of keys); past that, by a set.
func (l *loader[K, V]) missing(keys []K) []K {
	const scanned = 32
	var missing []K
	var seen map[K]bool
	for _, k := range keys {
		if _, ok := l.cache[k]; ok {
			continue
		}
		if seen != nil {
			if seen[k] {
				continue
			}
			seen[k] = true
		} else if slices.Contains(missing, k) {
			continue
		} else if len(missing) == scanned {
			seen = make(map[K]bool, len(keys))
			for _, m := range missing {
				seen[m] = true
			}
			seen[k] = true
		}
		if missing == nil {
			missing = make([]K, 0, len(keys))
		}
		missing = append(missing, k)
	}
	return missing
}

// Load returns the value for key, reading it when it is not cached.
func (l *loader[K, V]) Load(ctx context.Context, key K) (V, error) {
	// Most loads find what a look-ahead read: one lookup, no allocation.
	l.mu.Lock()
	v, ok := l.cache[key]
	l.mu.Unlock()
	if ok {
		return v, nil
	}
	vals, err := l.LoadMany(ctx, []K{key})
	if err != nil {
		var zero V
		return zero, err
	}
	return vals[0], nil
}

// LoadMany returns the values for keys, in order, reading the missing ones
// in one call.
func (l *loader[K, V]) LoadMany(ctx context.Context, keys []K) ([]V, error) {
	out := make([]V, len(keys))
	// When every key is cached (the look-ahead read them), each is looked
	// up once; the first miss sends them all to Prefetch.
	l.mu.Lock()
	hit := true
	for i, k := range keys {
		if out[i], hit = l.cache[k]; !hit {
			break
		}
	}
	l.mu.Unlock()
	if hit {
		return out, nil
	}
	if err := l.Prefetch(ctx, keys); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, k := range keys {
		out[i] = l.cache[k]
	}
	return out, nil
}

// PrimeAll caches values read elsewhere, under key(v). They join the cache
// when a lookup misses (see primed); a value already cached is kept.
func (l *loader[K, V]) PrimeAll(vals []V, key func(V) K) {
	if len(vals) == 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.primed = append(l.primed, primedValues[K, V]{vals, key})
}

// pageKey is an episode query in comparable form, so that equal queries in
// one request share a read.
type pageKey struct {
	show, guest, topic            string
	releasedAfter, releasedBefore podcast.Date
	hasAfterDate, hasBeforeDate   bool
	order                         store.EpisodeOrder
	first, last                   int
	after, before                 string
	hasAfter, hasBefore           bool
	wantTotal                     bool
}

func (k pageKey) query() store.EpisodeQuery {
	q := store.EpisodeQuery{Show: k.show, Guest: k.guest, Topic: k.topic, Order: k.order, WantTotal: k.wantTotal, Heads: true,
		Window: store.Window{First: k.first, Last: k.last}}
	if k.hasAfterDate {
		d := k.releasedAfter
		q.ReleasedAfter = &d
	}
	if k.hasBeforeDate {
		d := k.releasedBefore
		q.ReleasedBefore = &d
	}
	if k.hasAfter {
		q.Window.After = []byte(k.after)
	}
	if k.hasBefore {
		q.Window.Before = []byte(k.before)
	}
	return q
}

// loadMany resolves keys through l, dropping keys that resolve to nil.
func loadMany[K comparable, V any](ctx context.Context, l *loader[K, *V], keys []K) ([]*V, error) {
	vals, err := l.LoadMany(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make([]*V, 0, len(vals))
	for _, v := range vals {
		if v != nil {
			out = append(out, v)
		}
	}
	return out, nil
}
