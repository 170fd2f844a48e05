package graph

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"podcastgraph/internal/podcast"
	"podcastgraph/store"
)

// Discovery: Episode.related, Guest.coGuestsConnection,
// Topic.relatedConnection and Topic.timeline (docs/discovery.md). The
// store ranks and counts (store/related.go, store/timeline.go, and the
// relations of store/read.go); this file pages what it returns. A ranked
// list's cursor is a position in it (its ranks move when the store
// changes, as a search's do); a timeline's is its month.

const (
	cursorRelatedEpisode = "re"
	cursorCoGuest        = "cg"
	cursorRelatedTopic   = "rt"
	cursorMonth          = "tm"
)

// RelatedEpisodeConnection is a page of the episodes related to one.
type RelatedEpisodeConnection struct {
	Nodes      []*podcast.Episode
	TotalCount int
	edges      []*RelatedEpisodeEdge
	cursors    cursors
}

// Edges returns the page's edges, with what each episode shares.
func (c *RelatedEpisodeConnection) Edges() []*RelatedEpisodeEdge { return c.edges }

// PageInfo says where the page stands.
func (c *RelatedEpisodeConnection) PageInfo() *PageInfo { return c.cursors.info() }

// RelatedEpisodeEdge is a related episode, its cursor and its reasons.
type RelatedEpisodeEdge struct {
	Cursor       string
	Node         *podcast.Episode
	Score        float64
	SharedGuests []*podcast.Guest
	SharedTopics []*podcast.Topic
	SharedTerms  []string
}

// CoGuestConnection is a page of the guests who shared episodes with one.
type CoGuestConnection struct {
	Nodes      []*podcast.Guest
	TotalCount int
	edges      []*CoGuestEdge
	cursors    cursors
}

// Edges returns the page's edges, with the episodes shared.
func (c *CoGuestConnection) Edges() []*CoGuestEdge { return c.edges }

// PageInfo says where the page stands.
func (c *CoGuestConnection) PageInfo() *PageInfo { return c.cursors.info() }

// CoGuestEdge is a co-guest, its cursor and the episodes shared.
type CoGuestEdge struct {
	Cursor             string
	Node               *podcast.Guest
	SharedEpisodeCount int
	shared             []podcast.EpisodeKey
}

// RelatedTopicConnection is a page of the topics sharing episodes with
// one.
type RelatedTopicConnection struct {
	Nodes      []*podcast.Topic
	TotalCount int
	edges      []*RelatedTopicEdge
	cursors    cursors
}

// Edges returns the page's edges, with the counts shared.
func (c *RelatedTopicConnection) Edges() []*RelatedTopicEdge { return c.edges }

// PageInfo says where the page stands.
func (c *RelatedTopicConnection) PageInfo() *PageInfo { return c.cursors.info() }

// RelatedTopicEdge is a related topic, its cursor and the episodes shared.
type RelatedTopicEdge struct {
	Cursor             string
	Node               *podcast.Topic
	SharedEpisodeCount int
}

// TimelineConnection is a page of a topic's months.
type TimelineConnection struct {
	Nodes        []*TimelineMonth
	TotalCount   int
	UndatedCount int
	cursors      cursors
}

// Edges pairs each month with its cursor.
func (c *TimelineConnection) Edges() []*TimelineEdge {
	return edges(c.Nodes, c.cursors, func(cursor string, n *TimelineMonth) TimelineEdge { return TimelineEdge{Cursor: cursor, Node: n} })
}

// PageInfo says where the page stands.
func (c *TimelineConnection) PageInfo() *PageInfo { return c.cursors.info() }

// TimelineEdge is a month and its cursor.
type TimelineEdge struct {
	Cursor string
	Node   *TimelineMonth
}

// TimelineMonth is the episodes of one month.
type TimelineMonth struct {
	Month string
	Count int
}

// rankWindow checks first and after for a ranked list of n items and
// returns the positions of the page: [from, to).
func rankWindow(first *int, after *string, kind string, n int) (from, to int, err error) {
	size, err := listFirst(first)
	if err != nil {
		return 0, 0, err
	}
	c, err := decodeCursor("after", after, kind)
	if err != nil {
		return 0, 0, err
	}
	if c != nil {
		if len(c) != 4 {
			return 0, 0, badArg("after", "malformed cursor, or a cursor from another list or order")
		}
		from = int(binary.BigEndian.Uint32(c)) + 1
	}
	from = min(from, n)
	return from, min(from+size, n), nil
}

// rankCursors are the cursors of positions [from, to) of a ranked list
// of n items.
func rankCursors(kind string, from, to, n int) cursors {
	c := cursors{kind: kind, keys: make([][]byte, 0, to-from), hasPrev: from > 0, hasNext: to < n}
	for i := from; i < to; i++ {
		c.keys = append(c.keys, binary.BigEndian.AppendUint32(nil, uint32(i)))
	}
	return c
}

// relatedPage returns the page first and after select of a ranking, and
// the position of its first item.
func relatedPage(ranked []store.RelatedEpisode, first *int, after *string) ([]store.RelatedEpisode, int, error) {
	from, to, err := rankWindow(first, after, cursorRelatedEpisode, len(ranked))
	if err != nil {
		return nil, 0, err
	}
	return ranked[from:to], from, nil
}

// relatedReads returns what pages of related episodes name: their
// episodes, shared guests and shared topics.
func relatedReads(pages [][]store.RelatedEpisode) (keys []podcast.EpisodeKey, guests, topics []string) {
	for _, page := range pages {
		for _, r := range page {
			keys = append(keys, r.Key)
			guests = append(guests, r.Guests()...)
			topics = append(topics, r.Topics()...)
		}
	}
	return keys, guests, topics
}

// episodeRelated prefetches the rankings of episodes' related episodes
// (one transaction), then the episodes, guests and topics of the pages
// the field asks for, and looks into them.
func episodeRelated(ctx context.Context, eps []*podcast.Episode, fc *graphql.FieldContext) {
	l := loadersFrom(ctx)
	lists, err := l.RelatedEpisodes.LoadMany(ctx, episodeKeys(eps))
	if err != nil {
		return
	}
	first, after := arg[*int](fc, "first"), arg[*string](fc, "after")
	pages := make([][]store.RelatedEpisode, 0, len(lists))
	for _, list := range lists {
		page, _, err := relatedPage(list, first, after)
		if err != nil {
			return
		}
		pages = append(pages, page)
	}
	lookIntoRelated(ctx, fc, pages)
}

// lookIntoRelated reads what pages of related episodes name and looks
// into it as fc's selection asks.
func lookIntoRelated(ctx context.Context, fc *graphql.FieldContext, pages [][]store.RelatedEpisode) {
	l := loadersFrom(ctx)
	keys, guestSlugs, topicSlugs := relatedReads(pages)
	if eps, err := loadMany(ctx, l.Episodes, keys); err == nil {
		into(ctx, episodeAhead, unique(eps), connectionNodes(ctx, fc, "RelatedEpisode", "Episode"))
	}
	if guests, err := loadMany(ctx, l.Guests, guestSlugs); err == nil {
		into(ctx, guestAhead, unique(guests), edgeField(ctx, fc, "RelatedEpisode", "sharedGuests", "Guest"))
	}
	if topics, err := loadMany(ctx, l.Topics, topicSlugs); err == nil {
		into(ctx, topicAhead, unique(topics), edgeField(ctx, fc, "RelatedEpisode", "sharedTopics", "Topic"))
	}
}

// relatedEpisodes pages the ranking of the episodes related to e, from
// the loaders (which episodeRelated filled when a look-ahead saw the
// field; else it looks ahead itself).
func relatedEpisodes(ctx context.Context, e *podcast.Episode, first *int, after *string) (*RelatedEpisodeConnection, error) {
	l := loadersFrom(ctx)
	ranked, err := l.RelatedEpisodes.Load(ctx, e.Key())
	if err != nil {
		return nil, err
	}
	page, from, err := relatedPage(ranked, first, after)
	if err != nil {
		return nil, err
	}
	if fc := uncovered(ctx); fc != nil {
		lookIntoRelated(ctx, fc, [][]store.RelatedEpisode{page})
	}
	keys, guests, topics := relatedReads([][]store.RelatedEpisode{page})
	eps, err := l.Episodes.LoadMany(ctx, keys)
	if err != nil {
		return nil, err
	}
	gs, err := l.Guests.LoadMany(ctx, guests)
	if err != nil {
		return nil, err
	}
	ts, err := l.Topics.LoadMany(ctx, topics)
	if err != nil {
		return nil, err
	}
	c := &RelatedEpisodeConnection{TotalCount: len(ranked), cursors: rankCursors(cursorRelatedEpisode, from, from+len(page), len(ranked))}
	for i, r := range page {
		if eps[i] == nil {
			return nil, fmt.Errorf("graph: related episode %s %d: gone from its snapshot", r.Key.Show, r.Key.Number)
		}
		ng, nt, terms := len(r.Guests()), len(r.Topics()), r.Terms()
		edge := &RelatedEpisodeEdge{Cursor: c.cursors.at(i), Node: eps[i], Score: r.Score,
			SharedGuests: nonNil(gs[:ng]), SharedTopics: nonNil(ts[:nt]), SharedTerms: make([]string, len(terms))}
		gs, ts = gs[ng:], ts[nt:]
		for j, t := range terms {
			edge.SharedTerms[j] = t.Name
		}
		c.Nodes = append(c.Nodes, eps[i])
		c.edges = append(c.edges, edge)
	}
	return c, nil
}

// nonNil returns list without its nil items (records gone from the
// snapshot), never nil.
func nonNil[T any](list []*T) []*T {
	out := make([]*T, 0, len(list))
	for _, v := range list {
		if v != nil {
			out = append(out, v)
		}
	}
	return out
}

// coGuests pages the co-guests of g.
func coGuests(ctx context.Context, g *podcast.Guest, first *int, after *string) (*CoGuestConnection, error) {
	l := loadersFrom(ctx)
	rel, err := l.Related.Load(ctx, store.RelatedQuery{Relation: store.CoGuests, Slug: g.Slug})
	if err != nil {
		return nil, err
	}
	from, to, err := rankWindow(first, after, cursorCoGuest, len(rel))
	if err != nil {
		return nil, err
	}
	page := rel[from:to]
	guests, err := l.Guests.LoadMany(ctx, slugsOf(pointers(page, len(page)), func(r *store.Related) string { return r.Slug }))
	if err != nil {
		return nil, err
	}
	c := &CoGuestConnection{TotalCount: len(rel), cursors: rankCursors(cursorCoGuest, from, to, len(rel))}
	for i, r := range page {
		if guests[i] == nil {
			return nil, fmt.Errorf("graph: co-guest %s: gone from its snapshot", r.Slug)
		}
		c.Nodes = append(c.Nodes, guests[i])
		c.edges = append(c.edges, &CoGuestEdge{Cursor: c.cursors.at(i), Node: guests[i], SharedEpisodeCount: r.Episodes, shared: r.Shared})
	}
	if fc := uncovered(ctx); fc != nil {
		into(ctx, guestAhead, c.Nodes, connectionNodes(ctx, fc, "CoGuest", "Guest"))
	}
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		into(ctx, coGuestEdgeAhead, c.edges, edgesBelow(ctx, fc, "CoGuest"))
	}
	return c, nil
}

// sharedEpisodes returns the first episodes a co-guest edge's guests
// shared.
func sharedEpisodes(ctx context.Context, e *CoGuestEdge, first *int) ([]*podcast.Episode, error) {
	n, err := listFirst(first)
	if err != nil {
		return nil, err
	}
	eps, err := loadMany(ctx, loadersFrom(ctx).Episodes, e.shared[:min(n, len(e.shared))])
	if err == nil {
		into(ctx, episodeAhead, eps, selected(ctx, "Episode"))
	}
	return eps, err
}

// relatedTopicsConnection pages the topics related to t.
func relatedTopicsConnection(ctx context.Context, t *podcast.Topic, first *int, after *string) (*RelatedTopicConnection, error) {
	l := loadersFrom(ctx)
	var rel []store.Related
	if !t.Discovered {
		var err error
		if rel, err = l.Related.Load(ctx, store.RelatedQuery{Relation: store.RelatedTopics, Slug: t.Slug}); err != nil {
			return nil, err
		}
	}
	from, to, err := rankWindow(first, after, cursorRelatedTopic, len(rel))
	if err != nil {
		return nil, err
	}
	page := rel[from:to]
	topics, err := l.Topics.LoadMany(ctx, slugsOf(pointers(page, len(page)), func(r *store.Related) string { return r.Slug }))
	if err != nil {
		return nil, err
	}
	c := &RelatedTopicConnection{TotalCount: len(rel), cursors: rankCursors(cursorRelatedTopic, from, to, len(rel))}
	for i, r := range page {
		if topics[i] == nil {
			return nil, fmt.Errorf("graph: related topic %s: gone from its snapshot", r.Slug)
		}
		c.Nodes = append(c.Nodes, topics[i])
		c.edges = append(c.edges, &RelatedTopicEdge{Cursor: c.cursors.at(i), Node: topics[i], SharedEpisodeCount: r.Episodes})
	}
	if fc := uncovered(ctx); fc != nil {
		into(ctx, topicAhead, c.Nodes, connectionNodes(ctx, fc, "RelatedTopic", "Topic"))
	}
	return c, nil
}

// timelineQuery is the store query of a timeline field.
func timelineQuery(t *podcast.Topic, show *string) store.TimelineQuery {
	return store.TimelineQuery{Scope: topicScope(t), Show: deref(show)}
}

// timeline pages the months of t's timeline.
func timeline(ctx context.Context, t *podcast.Topic, first *int, after *string, show *string) (*TimelineConnection, error) {
	n, err := listFirst(first)
	if err != nil {
		return nil, err
	}
	c, err := decodeCursor("after", after, cursorMonth)
	if err != nil {
		return nil, err
	}
	if show != nil && *show == "" {
		return &TimelineConnection{cursors: cursors{kind: cursorMonth}}, nil
	}
	tl, err := loadersFrom(ctx).Timelines.Load(ctx, timelineQuery(t, show))
	if err != nil {
		return nil, err
	}
	from := 0
	if c != nil {
		month, err := time.Parse("2006-01", string(c))
		if err != nil {
			return nil, badArg("after", "malformed cursor, or a cursor from another list or order")
		}
		for from < len(tl.Months) && !after0(tl.Months[from], month) {
			from++
		}
	}
	to := min(from+n, len(tl.Months))
	out := &TimelineConnection{TotalCount: len(tl.Months), UndatedCount: tl.Undated,
		cursors: cursors{kind: cursorMonth, hasPrev: from > 0, hasNext: to < len(tl.Months)}}
	for _, m := range tl.Months[from:to] {
		month := fmt.Sprintf("%04d-%02d", m.Year, int(m.Month))
		out.Nodes = append(out.Nodes, &TimelineMonth{Month: month, Count: m.Count})
		out.cursors.keys = append(out.cursors.keys, []byte(month))
	}
	return out, nil
}

// after0 reports whether m is a month after the month of t.
func after0(m store.MonthCount, t time.Time) bool {
	return m.Year > t.Year() || m.Year == t.Year() && m.Month > t.Month()
}

// connectionNodes returns what a connection's selection (fc's, of type
// conn+"Connection") asks of its nodes (of type typ), through `nodes` and
// `edges { node }`.
func connectionNodes(ctx context.Context, fc *graphql.FieldContext, conn, typ string) selection {
	var sel selection
	for _, f := range collect(ctx, fc.Field.Selections, conn+"Connection") {
		switch f.Name {
		case "nodes":
			sel.add(group{fields: collect(ctx, f.Selections, typ), base: fc, via: [2]graphql.CollectedField{f}, n: 1})
		case "edges":
			for _, ef := range collect(ctx, f.Selections, conn+"Edge") {
				if ef.Name == "node" {
					sel.add(group{fields: collect(ctx, ef.Selections, typ), base: fc, via: [2]graphql.CollectedField{f, ef}, n: 2})
				}
			}
		}
	}
	return sel
}

// edgeField returns what a connection's selection (fc's) asks, through
// `edges { field }`, of the objects (of type typ) an edge field lists.
func edgeField(ctx context.Context, fc *graphql.FieldContext, conn, field, typ string) selection {
	var sel selection
	for _, f := range collect(ctx, fc.Field.Selections, conn+"Connection") {
		if f.Name != "edges" {
			continue
		}
		for _, ef := range collect(ctx, f.Selections, conn+"Edge") {
			if ef.Name == field {
				sel.add(group{fields: collect(ctx, ef.Selections, typ), base: fc, via: [2]graphql.CollectedField{f, ef}, n: 2})
			}
		}
	}
	return sel
}

// edgesBelow returns what a connection's selection (fc's) asks of its
// edges (of type conn+"Edge").
func edgesBelow(ctx context.Context, fc *graphql.FieldContext, conn string) selection {
	var sel selection
	for _, f := range collect(ctx, fc.Field.Selections, conn+"Connection") {
		if f.Name == "edges" {
			sel.add(group{fields: collect(ctx, f.Selections, conn+"Edge"), base: fc, via: [2]graphql.CollectedField{f}, n: 1})
		}
	}
	return sel
}

// relatedConnectionStep prefetches a relation (rel) of objects in one
// transaction, then the records of the pages a connection field asks
// for, and looks into them.
func relatedConnectionStep[T, V any](rel store.Relation, slug func(*T) string, kind string, records func(*Loaders) *loader[string, *V],
	t func() *lookAhead[V], conn, typ string) step[T] {
	return func(ctx context.Context, objs []*T, fc *graphql.FieldContext) {
		l := loadersFrom(ctx)
		qs := make([]store.RelatedQuery, len(objs))
		for i, o := range objs {
			qs[i] = store.RelatedQuery{Relation: rel, Slug: slug(o)}
		}
		lists, err := l.Related.LoadMany(ctx, qs)
		if err != nil {
			return
		}
		first, after := arg[*int](fc, "first"), arg[*string](fc, "after")
		var slugs []string
		for _, list := range lists {
			from, to, err := rankWindow(first, after, kind, len(list))
			if err != nil {
				return
			}
			for _, r := range list[from:to] {
				slugs = append(slugs, r.Slug)
			}
		}
		if vs, err := loadMany(ctx, records(l), slugs); err == nil {
			into(ctx, t(), unique(vs), connectionNodes(ctx, fc, conn, typ))
		}
	}
}

// coGuestEdgeShared prefetches the first shared episodes of co-guest
// edges, and looks into them.
func coGuestEdgeShared(ctx context.Context, es []*CoGuestEdge, fc *graphql.FieldContext) {
	n, ok := firstOf(fc)
	if !ok {
		return
	}
	var keys []podcast.EpisodeKey
	for _, e := range es {
		keys = append(keys, e.shared[:min(n, len(e.shared))]...)
	}
	if eps, err := loadMany(ctx, loadersFrom(ctx).Episodes, keys); err == nil {
		into(ctx, episodeAhead, unique(eps), below(ctx, fc, "Episode"))
	}
}
