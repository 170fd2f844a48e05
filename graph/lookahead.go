package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"podcastgraph/internal/podcast"
	"podcastgraph/store"
)

// The look-ahead tables: for each object type with resolver fields
// (gqlgen.yml, schema.resolvers.go), what each of them prefetches for a
// list of objects, or why it needs nothing. A new resolver field goes here
// too: TestLookAheadCoversEveryResolverField fails until it does.
//
// They are set once, by init (their steps look into one another, which a
// variable's initialiser may not), and only read after.
var (
	queryAhead       *lookAhead[Resolver]
	showAhead        *lookAhead[podcast.Show]
	episodeAhead     *lookAhead[podcast.Episode]
	appearanceAhead  *lookAhead[Appearance]
	guestAhead       *lookAhead[podcast.Guest]
	topicAhead       *lookAhead[podcast.Topic]
	sourceAhead      *lookAhead[podcast.Source]
	coGuestEdgeAhead *lookAhead[CoGuestEdge]
)

// table is a look-ahead table of any type, as the test that holds the
// tables to the schema reads it.
type table interface {
	entries() (typ string, fields map[string]string)
}

// lookAheadTables returns every look-ahead table.
func lookAheadTables() []table {
	return []table{queryAhead, showAhead, episodeAhead, appearanceAhead, guestAhead, topicAhead, sourceAhead, coGuestEdgeAhead}
}

func init() {
	const root = "a root field: its resolver reads, then looks ahead into what it returns"
	queryAhead = &lookAhead[Resolver]{"Query", map[string]entry[Resolver]{
		"node":     noPrefetch[Resolver]("a root field returning one object of any type: the resolvers below it look ahead"),
		"nodes":    noPrefetch[Resolver]("a root field returning objects of any type: the resolvers below it look ahead"),
		"shows":    noPrefetch[Resolver](root),
		"show":     noPrefetch[Resolver](root),
		"episodes": noPrefetch[Resolver](root),
		"episode":  noPrefetch[Resolver](root),
		"guests":   noPrefetch[Resolver](root),
		"guest":    noPrefetch[Resolver](root),
		"topics":   noPrefetch[Resolver](root),
		"topic":    noPrefetch[Resolver](root),
		"search":   noPrefetch[Resolver]("a root field: its hits are loaded in one batch per kind, with their texts for highlights"),
		"suggest":  noPrefetch[Resolver]("a root field: its suggestions are loaded in one batch per kind"),
	}}

	const onRecord = "read off the object's own record"
	showSlug := func(s *podcast.Show) string { return s.Slug }
	showAhead = &lookAhead[podcast.Show]{"Show", map[string]entry[podcast.Show]{
		"hosts":      noPrefetch[podcast.Show](onRecord),
		"links":      noPrefetch[podcast.Show](onRecord),
		"categories": noPrefetch[podcast.Show](onRecord),
		"episodes": prefetchStep(pages(func(s *podcast.Show, fc *graphql.FieldContext) EpisodeFilter {
			f := EpisodeFilter{}
			if filter := arg[*EpisodeFilter](fc, "filter"); filter != nil {
				f = *filter
			}
			f.Show = &s.Slug
			return f
		})),
		"episodeCount": prefetchStep(counts(func(s *podcast.Show) store.Scope { return store.ShowScope(s.Slug) })),
		"guests":       prefetchStep(guestsRelated(store.ShowGuests, showSlug)),
	}}

	episodeAhead = &lookAhead[podcast.Episode]{"Episode", map[string]entry[podcast.Episode]{
		"show":             prefetchStep(episodeShows),
		"guests":           prefetchStep(episodeGuests),
		"appearances":      prefetchStep(episodeAppearances),
		"topics":           prefetchStep(episodeTopics),
		"sources":          prefetchStep(episodeSources),
		"discoveredTopics": prefetchStep(episodeDiscoveredTopics),
		"related":          prefetchStep(episodeRelated),
		"previous":         prefetchStep(neighbours),
		"next":             prefetchStep(neighbours),
		"hosts":            noPrefetch[podcast.Episode](onRecord),
		"categories":       noPrefetch[podcast.Episode]("read off the object's own record (its head holds it)"),
		"transcripts":      noPrefetch[podcast.Episode]("read off the object's own record (its head holds it)"),
		"links":            prefetchStep(episodeTexts),
		"summary":          prefetchStep(episodeTexts),
		"description":      prefetchStep(episodeTexts),
	}}

	appearanceAhead = &lookAhead[Appearance]{"Appearance", map[string]entry[Appearance]{
		"guest": prefetchStep(func(ctx context.Context, apps []*Appearance, fc *graphql.FieldContext) {
			guests, err := loadMany(ctx, loadersFrom(ctx).Guests, slugsOf(apps, func(a *Appearance) string { return a.GuestSlug }))
			if err == nil {
				into(ctx, guestAhead, unique(guests), below(ctx, fc, "Guest"))
			}
		}),
		"episode": prefetchStep(func(ctx context.Context, apps []*Appearance, fc *graphql.FieldContext) {
			keys := make([]podcast.EpisodeKey, len(apps))
			for i, a := range apps {
				keys[i] = a.EpisodeKey
			}
			if eps, err := loadMany(ctx, loadersFrom(ctx).Episodes, keys); err == nil {
				into(ctx, episodeAhead, unique(eps), below(ctx, fc, "Episode"))
			}
		}),
	}}

	guestAhead = &lookAhead[podcast.Guest]{"Guest", map[string]entry[podcast.Guest]{
		"links": noPrefetch[podcast.Guest](onRecord),
		"episodes": prefetchStep(pages(func(g *podcast.Guest, _ *graphql.FieldContext) EpisodeFilter {
			return EpisodeFilter{Guest: &g.Slug}
		})),
		"episodeCount": prefetchStep(counts(func(g *podcast.Guest) store.Scope { return store.GuestScope(g.Slug) })),
		"topics":       prefetchStep(topicsRelated(store.GuestTopics, guestSlug)),
		"coGuests":     prefetchStep(guestsRelated(store.CoGuests, guestSlug)),
		"coGuestsConnection": prefetchStep(relatedConnectionStep(store.CoGuests, guestSlug, cursorCoGuest,
			func(l *Loaders) *loader[string, *podcast.Guest] { return l.Guests }, func() *lookAhead[podcast.Guest] { return guestAhead },
			"CoGuest", "Guest")),
	}}

	topicAhead = &lookAhead[podcast.Topic]{"Topic", map[string]entry[podcast.Topic]{
		"aliases": noPrefetch[podcast.Topic](onRecord),
		"kind":    noPrefetch[podcast.Topic](onRecord),
		"episodes": prefetchStep(pages(func(t *podcast.Topic, _ *graphql.FieldContext) EpisodeFilter {
			return EpisodeFilter{Topic: &t.Slug}
		})),
		"episodeCount": prefetchStep(counts(topicScope)),
		"guests":       prefetchStep(guestsRelated(store.TopicGuests, topicSlug)),
		"related":      prefetchStep(topicsRelated(store.RelatedTopics, topicSlug)),
		"relatedConnection": prefetchStep(relatedConnectionStep(store.RelatedTopics, func(t *podcast.Topic) string {
			if t.Discovered {
				return "" // a discovered topic relates to none
			}
			return t.Slug
		}, cursorRelatedTopic, func(l *Loaders) *loader[string, *podcast.Topic] { return l.Topics },
			func() *lookAhead[podcast.Topic] { return topicAhead }, "RelatedTopic", "Topic")),
		"timeline": prefetchStep(func(ctx context.Context, ts []*podcast.Topic, fc *graphql.FieldContext) {
			qs := make([]store.TimelineQuery, len(ts))
			for i, t := range ts {
				qs[i] = timelineQuery(t, arg[*string](fc, "show"))
			}
			_ = loadersFrom(ctx).Timelines.Prefetch(ctx, qs)
		}),
	}}

	coGuestEdgeAhead = &lookAhead[CoGuestEdge]{"CoGuestEdge", map[string]entry[CoGuestEdge]{
		"sharedEpisodes": prefetchStep(coGuestEdgeShared),
	}}

	sourceAhead = &lookAhead[podcast.Source]{"Source", map[string]entry[podcast.Source]{
		"warnings": noPrefetch[podcast.Source](onRecord),
	}}
}

func guestSlug(g *podcast.Guest) string { return g.Slug }

func topicSlug(t *podcast.Topic) string { return t.Slug }

// topicScope is the scope of a topic's episodes, curated or discovered.
func topicScope(t *podcast.Topic) store.Scope {
	if t.Discovered {
		return store.DiscoveredScope(t.Slug)
	}
	return store.TopicScope(t.Slug)
}

func episodeKeys(eps []*podcast.Episode) []podcast.EpisodeKey {
	keys := make([]podcast.EpisodeKey, len(eps))
	for i, e := range eps {
		keys[i] = e.Key()
	}
	return keys
}

// episodeTexts prefetches the whole records of episodes read without
// their texts (podcast.Episode.Partial).
func episodeTexts(ctx context.Context, eps []*podcast.Episode, _ *graphql.FieldContext) {
	keys := make([]podcast.EpisodeKey, 0, len(eps))
	for _, e := range eps {
		if e.Partial {
			keys = append(keys, e.Key())
		}
	}
	if len(keys) > 0 {
		_ = loadersFrom(ctx).Texts.Prefetch(ctx, keys)
	}
}

// episodeShows prefetches the shows of episodes, and looks into them.
func episodeShows(ctx context.Context, eps []*podcast.Episode, fc *graphql.FieldContext) {
	slugs := make([]string, len(eps))
	for i, e := range eps {
		slugs[i] = e.Show
	}
	if shows, err := loadMany(ctx, loadersFrom(ctx).Shows, slugs); err == nil {
		into(ctx, showAhead, unique(shows), below(ctx, fc, "Show"))
	}
}

// appearingSlugs returns the slugs of the first guests of each episode,
// as Episode.guests and Episode.appearances bound them, once each.
func appearingSlugs(eps []*podcast.Episode, n int) []string {
	var slugs slugSet
	for _, e := range eps {
		for _, a := range e.Appearances[:min(n, len(e.Appearances))] {
			slugs.add(a.Guest)
		}
	}
	return slugs.slugs()
}

// episodeGuests prefetches the first guests of episodes, and looks into
// them.
func episodeGuests(ctx context.Context, eps []*podcast.Episode, fc *graphql.FieldContext) {
	n, ok := firstOf(fc)
	if !ok {
		return
	}
	if guests, err := loadMany(ctx, loadersFrom(ctx).Guests, appearingSlugs(eps, n)); err == nil {
		into(ctx, guestAhead, guests, below(ctx, fc, "Guest")) // one slug, one guest
	}
}

// episodeAppearances looks into the first appearances of episodes, made
// as the resolver makes them.
func episodeAppearances(ctx context.Context, eps []*podcast.Episode, fc *graphql.FieldContext) {
	n, ok := firstOf(fc)
	fields := below(ctx, fc, "Appearance")
	if !ok || !appearanceAhead.steps(fields) {
		return
	}
	var apps []*Appearance
	for _, e := range eps {
		for _, a := range e.Appearances[:min(n, len(e.Appearances))] {
			apps = append(apps, &Appearance{GuestSlug: a.Guest, EpisodeKey: e.Key(), Evidence: a.Evidence, via: a.Via})
		}
	}
	into(ctx, appearanceAhead, apps, fields)
}

// episodeTopics prefetches the first topics of episodes, and looks into
// them.
func episodeTopics(ctx context.Context, eps []*podcast.Episode, fc *graphql.FieldContext) {
	n, ok := firstOf(fc)
	if !ok {
		return
	}
	var slugs slugSet
	for _, e := range eps {
		for _, t := range e.Topics[:min(n, len(e.Topics))] {
			slugs.add(t)
		}
	}
	if topics, err := loadMany(ctx, loadersFrom(ctx).Topics, slugs.slugs()); err == nil {
		into(ctx, topicAhead, topics, below(ctx, fc, "Topic")) // one slug, one topic
	}
}

// episodeSources prefetches the sources of episodes, and looks into the
// first of each.
func episodeSources(ctx context.Context, eps []*podcast.Episode, fc *graphql.FieldContext) {
	lists, err := loadersFrom(ctx).Sources.LoadMany(ctx, episodeKeys(eps))
	n, ok := firstOf(fc)
	fields := below(ctx, fc, "Source")
	if err != nil || !ok || !sourceAhead.steps(fields) {
		return
	}
	var srcs []*podcast.Source
	for _, list := range lists {
		srcs = append(srcs, pointers(list, n)...)
	}
	into(ctx, sourceAhead, srcs, fields)
}

// episodeDiscoveredTopics prefetches the discovered topics of episodes,
// and looks into those topics.
func episodeDiscoveredTopics(ctx context.Context, eps []*podcast.Episode, fc *graphql.FieldContext) {
	lists, err := loadersFrom(ctx).Discovered.LoadMany(ctx, episodeKeys(eps))
	n, ok := firstOf(fc)
	if err != nil || !ok {
		return
	}
	var mentions []store.Mention
	for _, list := range lists {
		mentions = append(mentions, list[:min(n, len(list))]...)
	}
	if out, err := topicMentions(ctx, mentions); err == nil {
		into(ctx, topicAhead, unique(mentionedTopics(out)), mentionTopicsBelow(ctx, fc))
	}
}

// topicMentions pairs mentions with their topics, read in one call; a
// mention whose topic is gone (a write in between) is left out.
func topicMentions(ctx context.Context, mentions []store.Mention) ([]*TopicMention, error) {
	slugs := make([]string, len(mentions))
	for i, m := range mentions {
		slugs[i] = m.Slug
	}
	topics, err := loadersFrom(ctx).Topics.LoadMany(ctx, slugs)
	if err != nil {
		return nil, err
	}
	out := make([]*TopicMention, 0, len(mentions))
	for i, m := range mentions {
		if topics[i] != nil {
			out = append(out, &TopicMention{Topic: topics[i], Name: m.Name, Evidence: m.Evidence, Mentions: m.Count})
		}
	}
	return out, nil
}

func mentionedTopics(list []*TopicMention) []*podcast.Topic {
	out := make([]*podcast.Topic, len(list))
	for i, m := range list {
		out[i] = m.Topic
	}
	return out
}

// mentionTopicsBelow returns what a discoveredTopics selection (fc's)
// asks of its topics, through `topic`.
func mentionTopicsBelow(ctx context.Context, fc *graphql.FieldContext) selection {
	var sel selection
	for _, f := range collect(ctx, fc.Field.Selections, "TopicMention") {
		if f.Name == "topic" {
			sel.add(group{fields: collect(ctx, f.Selections, "Topic"), base: fc, via: [2]graphql.CollectedField{f}, n: 1})
		}
	}
	return sel
}

// neighbours prefetches the episodes before and after episodes (for
// previous and next alike), and looks into them.
func neighbours(ctx context.Context, eps []*podcast.Episode, fc *graphql.FieldContext) {
	l := loadersFrom(ctx)
	ns, err := l.Neighbours.LoadMany(ctx, episodeKeys(eps))
	if err != nil {
		return
	}
	i := 0
	if fc.Field.Name == "next" {
		i = 1
	}
	var keys []podcast.EpisodeKey
	for _, n := range ns {
		if n[i] != nil {
			keys = append(keys, *n[i])
		}
	}
	if found, err := loadMany(ctx, l.Episodes, keys); err == nil {
		into(ctx, episodeAhead, found, below(ctx, fc, "Episode"))
	}
}

// counts prefetches the episode counts of objects, each in the scope
// scope gives it.
func counts[T any](scope func(*T) store.Scope) step[T] {
	return func(ctx context.Context, objs []*T, _ *graphql.FieldContext) {
		scopes := make([]store.Scope, len(objs))
		for i, o := range objs {
			scopes[i] = scope(o)
		}
		_ = loadersFrom(ctx).Counts.Prefetch(ctx, scopes)
	}
}

// pages reads the episode pages an `episodes` field asks of objects, each
// page filtered as filter says (as the field's resolver filters it), in one
// transaction, then looks ahead into their episodes.
func pages[T any](filter func(*T, *graphql.FieldContext) EpisodeFilter) step[T] {
	return func(ctx context.Context, objs []*T, fc *graphql.FieldContext) {
		first, last := arg[*int](fc, "first"), arg[*int](fc, "last")
		after, before := arg[*string](fc, "after"), arg[*string](fc, "before")
		order := arg[*EpisodeOrder](fc, "orderBy")
		wantTotal := false
		for _, cf := range collect(ctx, fc.Field.Selections, "EpisodeConnection") {
			wantTotal = wantTotal || cf.Name == "totalCount"
		}
		keys := make([]pageKey, 0, len(objs))
		for _, o := range objs {
			f := filter(o, fc)
			k, err := newPageKey(first, after, last, before, &f, order, wantTotal)
			if err != nil {
				return
			}
			keys = append(keys, k)
		}
		l := loadersFrom(ctx)
		ps, err := l.Pages.LoadMany(ctx, keys)
		if err != nil {
			return
		}
		n := 0
		for _, p := range ps {
			l.Episodes.PrimeAll(p.Episodes, (*podcast.Episode).Key)
			n += len(p.Episodes)
		}
		fields := nodesBelow(ctx, fc, "Episode")
		if len(fields.fields) == 0 {
			return
		}
		eps := make([]*podcast.Episode, 0, n)
		for _, p := range ps {
			eps = append(eps, p.Episodes...) // pages may share episodes: the loaders read each key once
		}
		into(ctx, episodeAhead, eps, fields)
	}
}

// relatedSlugsOf reads a relation for every object, in one transaction,
// and returns the first n slugs each relates to, as the field's resolver
// bounds them.
func relatedSlugsOf[T any](ctx context.Context, rel store.Relation, objs []*T, slug func(*T) string, n int) ([]string, error) {
	qs := make([]store.RelatedQuery, len(objs))
	for i, o := range objs {
		qs[i] = store.RelatedQuery{Relation: rel, Slug: slug(o)}
	}
	lists, err := loadersFrom(ctx).Related.LoadMany(ctx, qs)
	if err != nil {
		return nil, err
	}
	var slugs []string
	for _, list := range lists {
		for _, r := range list[:min(n, len(list))] {
			slugs = append(slugs, r.Slug)
		}
	}
	return slugs, nil
}

// guestsRelated prefetches the guests rel relates objects to, and looks
// into them.
func guestsRelated[T any](rel store.Relation, slug func(*T) string) step[T] {
	return related(rel, slug, func(l *Loaders) *loader[string, *podcast.Guest] { return l.Guests }, &guestAhead)
}

// topicsRelated prefetches the topics rel relates objects to, and looks
// into them.
func topicsRelated[T any](rel store.Relation, slug func(*T) string) step[T] {
	return related(rel, slug, func(l *Loaders) *loader[string, *podcast.Topic] { return l.Topics }, &topicAhead)
}

// related prefetches the first objects rel relates objects to, with the
// loader load picks, and looks into them with the table *ahead (read when
// the step runs: the tables refer to each other and are filled in init).
func related[T, V any](rel store.Relation, slug func(*T) string, load func(*Loaders) *loader[string, *V],
	ahead **lookAhead[V]) step[T] {
	return func(ctx context.Context, objs []*T, fc *graphql.FieldContext) {
		n, ok := firstOf(fc)
		if !ok {
			return
		}
		slugs, err := relatedSlugsOf(ctx, rel, objs, slug, n)
		if err != nil {
			return
		}
		if vs, err := loadMany(ctx, load(loadersFrom(ctx)), slugs); err == nil {
			t := *ahead
			into(ctx, t, unique(vs), below(ctx, fc, t.typ))
		}
	}
}
