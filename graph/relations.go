package graph

import (
	"context"
	"fmt"
	"strings"

	"podcastgraph/internal/podcast"
	"podcastgraph/store"
)

// relatedSlugs loads the first of what a relation relates slug to (a
// BAD_USER_INPUT error when first is out of bounds).
func relatedSlugs(ctx context.Context, rel store.Relation, slug string, first *int) ([]string, error) {
	n, err := listFirst(first)
	if err != nil {
		return nil, err
	}
	rs, err := loadersFrom(ctx).Related.Load(ctx, store.RelatedQuery{Relation: rel, Slug: slug})
	if err != nil {
		return nil, err
	}
	rs = rs[:min(n, len(rs))]
	slugs := make([]string, len(rs))
	for i, r := range rs {
		slugs[i] = r.Slug
	}
	return slugs, nil
}

func relatedGuests(ctx context.Context, rel store.Relation, slug string, first *int) ([]*podcast.Guest, error) {
	slugs, err := relatedSlugs(ctx, rel, slug, first)
	if err != nil {
		return nil, err
	}
	guests, err := loadMany(ctx, loadersFrom(ctx).Guests, slugs)
	into(ctx, guestAhead, guests, selected(ctx, "Guest"))
	return guests, err
}

func relatedTopics(ctx context.Context, rel store.Relation, slug string, first *int) ([]*podcast.Topic, error) {
	slugs, err := relatedSlugs(ctx, rel, slug, first)
	if err != nil {
		return nil, err
	}
	topics, err := loadMany(ctx, loadersFrom(ctx).Topics, slugs)
	into(ctx, topicAhead, topics, selected(ctx, "Topic"))
	return topics, err
}

// neighbour loads the previous (i = 0) or next (i = 1) episode of e.
func neighbour(ctx context.Context, e *podcast.Episode, i int) (*podcast.Episode, error) {
	l := loadersFrom(ctx)
	n, err := l.Neighbours.Load(ctx, e.Key())
	if err != nil || n[i] == nil {
		return nil, err
	}
	return l.Episodes.Load(ctx, *n[i])
}

// showSlug resolves an optional show argument: when it is omitted and the
// store holds exactly one show, that show; when omitted with several shows,
// a BAD_USER_INPUT error naming arg; "" when the store holds no show.
func showSlug(ctx context.Context, slug *string, arg string) (string, error) {
	if slug != nil {
		return *slug, nil
	}
	p, err := snapshotOf(ctx, func(sn *store.Snapshot) (*store.SlugPage, error) {
		return sn.Shows(ctx, store.Window{First: 2, Last: -1})
	})
	if err != nil {
		return "", err
	}
	switch len(p.Slugs) {
	case 0:
		return "", nil
	case 1:
		return p.Slugs[0], nil
	}
	return "", badArg(arg, "the store holds %d shows: say which (by slug)", p.Total)
}

// numberShow returns the slug of the show of episode(number:, show:): the
// show given, else the one show with an episode of that number ("" when
// none has one). Several shows with that number and no show given is a
// BAD_USER_INPUT error naming the argument and some of the shows.
func numberShow(ctx context.Context, number int, slug *string) (string, error) {
	if slug != nil {
		return *slug, nil
	}
	const named = 3
	shows, err := snapshotOf(ctx, func(sn *store.Snapshot) ([]string, error) {
		return sn.ShowsWithNumber(ctx, number, named+1)
	})
	if err != nil {
		return "", err
	}
	switch len(shows) {
	case 0:
		return "", nil
	case 1:
		return shows[0], nil
	}
	list := strings.Join(shows[:min(named, len(shows))], ", ")
	if len(shows) > named {
		list += "..."
	}
	return "", badArg("show", "%d shows have an episode %d (%s): say which (by slug)", len(shows), number, list)
}

// snapshotOf runs a read on the request's snapshot.
func snapshotOf[T any](ctx context.Context, read func(*store.Snapshot) (T, error)) (T, error) {
	sn, err := loadersFrom(ctx).Snapshot(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	return read(sn)
}

// episodeTextsOf returns e whole: e itself, or, when it was read without
// its texts (podcast.Episode.Partial), its whole record, from the
// request's loaders (which episodeTexts filled when a look-ahead saw the
// field).
func episodeTextsOf(ctx context.Context, e *podcast.Episode) (*podcast.Episode, error) {
	if !e.Partial {
		return e, nil
	}
	whole, err := loadersFrom(ctx).Texts.Load(ctx, e.Key())
	if err != nil {
		return nil, err
	}
	if whole == nil {
		return nil, fmt.Errorf("graph: episode %s %d: gone from its snapshot", e.Show, e.Number)
	}
	return whole, nil
}
