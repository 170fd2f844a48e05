package graph

import (
	"context"
	"time"

	"github.com/graph-gophers/dataloader/v7"

	"podcastgraph/podcast"
	"podcastgraph/store"
)

// batchWait is how long a loader gathers keys before it reads: long enough
// for gqlgen to start sibling resolvers, short beside a request.
const batchWait = 200 * time.Microsecond

// Loaders batch the reads of one request: each loader turns the keys asked
// for while resolving one level of a query into one store transaction.
type Loaders struct {
	Episodes   *dataloader.Loader[podcast.EpisodeKey, *podcast.Episode]
	Shows      *dataloader.Loader[string, *podcast.Show]
	Guests     *dataloader.Loader[string, *podcast.Guest]
	Topics     *dataloader.Loader[string, *podcast.Topic]
	Pages      *dataloader.Loader[pageKey, *store.EpisodePage]
	Counts     *dataloader.Loader[store.Scope, int]
	Related    *dataloader.Loader[store.RelatedQuery, []store.Related]
	Neighbours *dataloader.Loader[podcast.EpisodeKey, [2]*podcast.EpisodeKey]
}

type loadersKey struct{}

// WithLoaders returns ctx carrying a fresh set of loaders over s.
func WithLoaders(ctx context.Context, s *store.Store) context.Context {
	return context.WithValue(ctx, loadersKey{}, NewLoaders(s))
}

func loadersFrom(ctx context.Context) *Loaders {
	return ctx.Value(loadersKey{}).(*Loaders)
}

// NewLoaders builds the loaders of one request.
func NewLoaders(s *store.Store) *Loaders {
	return &Loaders{
		Episodes: newLoader(s.EpisodesByKey),
		Shows:    newLoader(s.ShowsBySlug),
		Guests:   newLoader(s.GuestsBySlug),
		Topics:   newLoader(s.TopicsBySlug),
		Pages: newLoader(func(ctx context.Context, keys []pageKey) ([]*store.EpisodePage, error) {
			qs := make([]store.EpisodeQuery, len(keys))
			for i, k := range keys {
				qs[i] = k.query()
			}
			return s.Episodes(ctx, qs)
		}),
		Counts:  newLoader(s.EpisodeCounts),
		Related: newLoader(s.Related),
		Neighbours: newLoader(func(ctx context.Context, keys []podcast.EpisodeKey) ([][2]*podcast.EpisodeKey, error) {
			prev, next, err := s.Neighbours(ctx, keys)
			if err != nil {
				return nil, err
			}
			out := make([][2]*podcast.EpisodeKey, len(keys))
			for i := range keys {
				out[i] = [2]*podcast.EpisodeKey{prev[i], next[i]}
			}
			return out, nil
		}),
	}
}

// newLoader adapts a store method that answers keys in order in one
// transaction.
func newLoader[K comparable, V any](fetch func(context.Context, []K) ([]V, error)) *dataloader.Loader[K, V] {
	return dataloader.NewBatchedLoader(func(ctx context.Context, keys []K) []*dataloader.Result[V] {
		vals, err := fetch(ctx, keys)
		out := make([]*dataloader.Result[V], len(keys))
		for i := range keys {
			if err != nil {
				out[i] = &dataloader.Result[V]{Error: err}
			} else {
				out[i] = &dataloader.Result[V]{Data: vals[i]}
			}
		}
		return out
	}, dataloader.WithWait[K, V](batchWait), dataloader.WithBatchCapacity[K, V](1000))
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
	q := store.EpisodeQuery{Show: k.show, Guest: k.guest, Topic: k.topic, Order: k.order, WantTotal: k.wantTotal,
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
func loadMany[K comparable, V any](ctx context.Context, l *dataloader.Loader[K, *V], keys []K) ([]*V, error) {
	vals, errs := l.LoadMany(ctx, keys)()
	out := make([]*V, 0, len(vals))
	for i, v := range vals {
		if len(errs) > i && errs[i] != nil {
			return nil, errs[i]
		}
		if v != nil {
			out = append(out, v)
		}
	}
	return out, nil
}
