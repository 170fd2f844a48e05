package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"podcastgraph/podcast"
	"podcastgraph/store"
)

// Look-ahead: a resolver that produces objects reads the query's selection
// below them and prefetches, level by level, what their fields will ask
// for: the guests and topics of a page of episodes, those guests' episode
// pages and counts, the topics of the episodes on those pages, and so on.
// Each level costs one read per kind of data, however many objects it has.
// Field resolvers then load from the cache. Prefetch errors are dropped:
// the field's own resolver reads again and reports them.

// prefetchEpisodes prefetches what fields select of episodes.
func prefetchEpisodes(ctx context.Context, eps []*podcast.Episode, fields []graphql.CollectedField) {
	if len(eps) == 0 {
		return
	}
	l := loadersFrom(ctx)
	for _, f := range fields {
		l.cover(f.Field)
		switch f.Name {
		case "guests", "appearances":
			n, ok := fieldFirst(ctx, f)
			if !ok {
				continue
			}
			var slugs []string
			for _, e := range eps {
				for _, a := range e.Appearances[:min(n, len(e.Appearances))] {
					slugs = append(slugs, a.Guest)
				}
			}
			sub := collect(ctx, f.Selections, "Guest")
			if f.Name == "appearances" {
				sub = nil
				for _, af := range collect(ctx, f.Selections, "Appearance") {
					if af.Name == "guest" {
						sub = append(sub, collect(ctx, af.Selections, "Guest")...)
					}
				}
			}
			if guests, err := loadMany(ctx, l.Guests, slugs); err == nil {
				prefetchGuests(ctx, unique(guests, func(g *podcast.Guest) string { return g.Slug }), sub)
			}
		case "topics":
			n, ok := fieldFirst(ctx, f)
			if !ok {
				continue
			}
			var slugs []string
			for _, e := range eps {
				slugs = append(slugs, e.Topics[:min(n, len(e.Topics))]...)
			}
			if topics, err := loadMany(ctx, l.Topics, slugs); err == nil {
				prefetchTopics(ctx, unique(topics, func(t *podcast.Topic) string { return t.Slug }), collect(ctx, f.Selections, "Topic"))
			}
		case "show":
			var slugs []string
			for _, e := range eps {
				slugs = append(slugs, e.Show)
			}
			_ = l.Shows.Prefetch(ctx, slugs)
		case "sources":
			keys := make([]podcast.EpisodeKey, len(eps))
			for i, e := range eps {
				keys[i] = e.Key()
			}
			_ = l.Sources.Prefetch(ctx, keys)
		case "previous", "next":
			keys := make([]podcast.EpisodeKey, len(eps))
			for i, e := range eps {
				keys[i] = e.Key()
			}
			_ = l.Neighbours.Prefetch(ctx, keys)
		}
	}
}

// owner describes a kind of object that owns episodes: the scope its slug
// counts them in, the filter its slug pages them with, and its relation
// fields with the type each returns.
type owner struct {
	scope     func(slug string) store.Scope
	filter    func(slug *string) EpisodeFilter
	relations map[string]relation
}

type relation struct {
	rel store.Relation
	typ string
}

func guestOwner() owner {
	return owner{store.GuestScope, func(s *string) EpisodeFilter { return EpisodeFilter{Guest: s} },
		map[string]relation{"topics": {store.GuestTopics, "Topic"}, "coGuests": {store.CoGuests, "Guest"}}}
}

func topicOwner() owner {
	return owner{store.TopicScope, func(s *string) EpisodeFilter { return EpisodeFilter{Topic: s} },
		map[string]relation{"guests": {store.TopicGuests, "Guest"}, "related": {store.RelatedTopics, "Topic"}}}
}

func showOwner() owner {
	return owner{store.ShowScope, func(s *string) EpisodeFilter { return EpisodeFilter{Show: s} },
		map[string]relation{"guests": {store.ShowGuests, "Guest"}}}
}

// prefetchOwned prefetches what fields select of the objects with slugs.
func prefetchOwned(ctx context.Context, o owner, slugs []string, fields []graphql.CollectedField) {
	if len(slugs) == 0 {
		return
	}
	for _, f := range fields {
		loadersFrom(ctx).cover(f.Field)
		switch f.Name {
		case "episodeCount":
			scopes := make([]store.Scope, len(slugs))
			for i, s := range slugs {
				scopes[i] = o.scope(s)
			}
			_ = loadersFrom(ctx).Counts.Prefetch(ctx, scopes)
		case "episodes":
			prefetchPages(ctx, f, len(slugs), func(i int) EpisodeFilter { return o.filter(&slugs[i]) })
		default:
			if r, ok := o.relations[f.Name]; ok {
				prefetchRelated(ctx, r.rel, slugs, f, r.typ)
			}
		}
	}
}

// prefetchGuests prefetches what fields select of guests.
func prefetchGuests(ctx context.Context, guests []*podcast.Guest, fields []graphql.CollectedField) {
	prefetchOwned(ctx, guestOwner(), slugsOf(guests, func(g *podcast.Guest) string { return g.Slug }), fields)
}

// prefetchTopics prefetches what fields select of topics.
func prefetchTopics(ctx context.Context, topics []*podcast.Topic, fields []graphql.CollectedField) {
	prefetchOwned(ctx, topicOwner(), slugsOf(topics, func(t *podcast.Topic) string { return t.Slug }), fields)
}

// prefetchShows prefetches what fields select of shows.
func prefetchShows(ctx context.Context, shows []*podcast.Show, fields []graphql.CollectedField) {
	prefetchOwned(ctx, showOwner(), slugsOf(shows, func(s *podcast.Show) string { return s.Slug }), fields)
}

func slugsOf[T any](list []*T, slug func(*T) string) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = slug(v)
	}
	return out
}

// prefetchPages reads the episode pages an `episodes` field asks of n
// parents in one transaction, then looks ahead into their episodes.
func prefetchPages(ctx context.Context, f graphql.CollectedField, n int, scope func(i int) EpisodeFilter) {
	args := f.ArgumentMap(graphql.GetOperationContext(ctx).Variables)
	first, last := intArg(args, "first"), intArg(args, "last")
	after, before := stringArg(args, "after"), stringArg(args, "before")
	order, ok := orderArg(args)
	if !ok {
		return
	}
	extra, ok := filterArg(args)
	if !ok {
		return
	}
	wantTotal := false
	for _, cf := range collect(ctx, f.Selections, "EpisodeConnection") {
		wantTotal = wantTotal || cf.Name == "totalCount"
	}
	keys := make([]pageKey, 0, n)
	for i := range n {
		filter := scope(i)
		if extra != nil {
			merged := *extra
			merged.Show = firstNonNil(filter.Show, merged.Show)
			merged.Guest = firstNonNil(filter.Guest, merged.Guest)
			merged.Topic = firstNonNil(filter.Topic, merged.Topic)
			filter = merged
		}
		k, err := newPageKey(first, after, last, before, &filter, order, wantTotal)
		if err != nil {
			return
		}
		keys = append(keys, k)
	}
	l := loadersFrom(ctx)
	pages, err := l.Pages.LoadMany(ctx, keys)
	if err != nil {
		return
	}
	fields := nodeFields(ctx, f.Selections, "Episode")
	var eps []*podcast.Episode
	for _, p := range pages {
		l.Episodes.PrimeAll(p.Episodes, (*podcast.Episode).Key)
		if len(fields) > 0 {
			eps = append(eps, p.Episodes...) // pages may share episodes: the loaders read each key once
		}
	}
	prefetchEpisodes(ctx, eps, fields)
}

// prefetchRelated reads a relation for every parent, then the related
// objects the field returns (the first of each list), then looks ahead
// into them.
func prefetchRelated(ctx context.Context, rel store.Relation, parents []string, f graphql.CollectedField, typ string) {
	n, ok := fieldFirst(ctx, f)
	if !ok {
		return
	}
	l := loadersFrom(ctx)
	qs := make([]store.RelatedQuery, len(parents))
	for i, p := range parents {
		qs[i] = store.RelatedQuery{Relation: rel, Slug: p}
	}
	lists, err := l.Related.LoadMany(ctx, qs)
	if err != nil {
		return
	}
	var slugs []string
	for _, list := range lists {
		for _, r := range list[:min(n, len(list))] {
			slugs = append(slugs, r.Slug)
		}
	}
	sub := collect(ctx, f.Selections, typ)
	if typ == "Guest" {
		if guests, err := loadMany(ctx, l.Guests, slugs); err == nil {
			prefetchGuests(ctx, unique(guests, func(g *podcast.Guest) string { return g.Slug }), sub)
		}
		return
	}
	if topics, err := loadMany(ctx, l.Topics, slugs); err == nil {
		prefetchTopics(ctx, unique(topics, func(t *podcast.Topic) string { return t.Slug }), sub)
	}
}

// collect returns the fields a selection set asks of typ.
func collect(ctx context.Context, sel ast.SelectionSet, typ string) []graphql.CollectedField {
	if len(sel) == 0 {
		return nil
	}
	return graphql.CollectFields(graphql.GetOperationContext(ctx), sel, []string{typ})
}

// nodeFields returns the fields a connection's selection asks of its
// nodes, through `nodes` and `edges { node }`.
func nodeFields(ctx context.Context, sel ast.SelectionSet, typ string) []graphql.CollectedField {
	var out []graphql.CollectedField
	for _, f := range collect(ctx, sel, typ+"Connection") {
		switch f.Name {
		case "nodes":
			out = append(out, collect(ctx, f.Selections, typ)...)
		case "edges":
			for _, ef := range collect(ctx, f.Selections, typ+"Edge") {
				if ef.Name == "node" {
					out = append(out, collect(ctx, ef.Selections, typ)...)
				}
			}
		}
	}
	return out
}

func unique[T any](list []*T, key func(*T) string) []*T {
	seen := map[string]bool{}
	out := list[:0:0]
	for _, v := range list {
		if k := key(v); !seen[k] {
			seen[k] = true
			out = append(out, v)
		}
	}
	return out
}

// fieldFirst returns the bound of a list field's `first` argument, as its
// resolver will apply it; ok is false when the argument is out of bounds
// (the resolver reports it).
func fieldFirst(ctx context.Context, f graphql.CollectedField) (n int, ok bool) {
	n, err := listFirst(intArg(f.ArgumentMap(graphql.GetOperationContext(ctx).Variables), "first"))
	return n, err == nil
}

func intArg(args map[string]any, name string) *int {
	switch v := args[name].(type) {
	case int64:
		n := int(v)
		return &n
	case int:
		return &v
	}
	return nil
}

func stringArg(args map[string]any, name string) *string {
	if v, ok := args[name].(string); ok {
		return &v
	}
	return nil
}

func orderArg(args map[string]any) (*EpisodeOrder, bool) {
	v, ok := args["orderBy"]
	if !ok || v == nil {
		return nil, true
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	field, _ := m["field"].(string)
	dir, _ := m["direction"].(string)
	o := &EpisodeOrder{Field: EpisodeOrderField(field), Direction: OrderDirection(dir)}
	return o, o.Field.IsValid() && o.Direction.IsValid()
}

func filterArg(args map[string]any) (*EpisodeFilter, bool) {
	v, ok := args["filter"]
	if !ok || v == nil {
		return nil, true
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	f := &EpisodeFilter{Show: stringArg(m, "show"), Guest: stringArg(m, "guest"), Topic: stringArg(m, "topic")}
	for name, dst := range map[string]**podcast.Date{"releasedAfter": &f.ReleasedAfter, "releasedBefore": &f.ReleasedBefore} {
		if s := stringArg(m, name); s != nil {
			d, err := podcast.ParseDate(*s)
			if err != nil {
				return nil, false
			}
			*dst = &d
		}
	}
	return f, true
}

func firstNonNil(a, b *string) *string {
	if a != nil {
		return a
	}
	return b
}

// selected returns the fields the current field asks of typ: of its nodes
// when it is a connection, of itself otherwise.
//
// It returns nothing when a look-ahead from a level above already covered
// this field for every object that has it: the same field of twenty
// episodes must not look ahead twenty more times.
func selected(ctx context.Context, typ string) []graphql.CollectedField {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || loadersFrom(ctx).covered(fc.Field.Field) {
		return nil
	}
	if fields := nodeFields(ctx, fc.Field.Selections, typ); len(fields) > 0 {
		return fields
	}
	return collect(ctx, fc.Field.Selections, typ)
}

// lookedAhead loads one object and prefetches what its fields select.
func lookedAhead[K comparable, V any](ctx context.Context, l *loader[K, *V], key K, typ string, prefetch func(context.Context, []*V, []graphql.CollectedField)) (*V, error) {
	v, err := l.Load(ctx, key)
	if err != nil || v == nil {
		return nil, err
	}
	prefetch(ctx, []*V{v}, selected(ctx, typ))
	return v, nil
}
