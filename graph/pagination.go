package graph

import (
	"context"
	"encoding/base64"
	"errors"
	"strconv"

	"podcastgraph/internal/podcast"
	"podcastgraph/store"
)

// Page size bounds of the contract, for connections and for every other
// list that can grow: the one place they are set (graphql.go hands them to
// graphhttp's cost model).
const (
	DefaultPageSize = 20  // items when neither first nor last is given
	MaxPageSize     = 100 // the most first or last may ask for
)

// pageArg checks a first or last argument named arg: nil stays -1, a value
// outside 0..MaxPageSize is a BAD_USER_INPUT error naming arg.
func pageArg(arg string, v *int) (int, error) {
	if v == nil {
		return -1, nil
	}
	if *v < 0 || *v > MaxPageSize {
		return -1, badArg(arg, "must be between 0 and %d, got %d", MaxPageSize, *v)
	}
	return *v, nil
}

// listFirst returns how many items a bounded list field returns at most:
// first, DefaultPageSize when it is nil, or a BAD_USER_INPUT error naming
// "first" when it is out of bounds.
func listFirst(first *int) (int, error) {
	n, err := pageArg("first", first)
	if n < 0 && err == nil {
		n = DefaultPageSize
	}
	return n, err
}

// head returns the first n items of list (all of them when it is shorter),
// or the error.
func head[T any](list []T, n int, err error) ([]T, error) {
	if err != nil {
		return nil, err
	}
	if len(list) > n {
		list = list[:n:n]
	}
	return list, nil
}

// pointers returns pointers to the first n items of list, in one
// allocation and without copying the items.
func pointers[T any](list []T, n int) []*T {
	n = min(n, len(list))
	out := make([]*T, n)
	for i := range n {
		out[i] = &list[i]
	}
	return out
}

// Cursor kinds: a cursor is only valid for the list and order it came from.
const (
	cursorEpisodeNumber = "en"
	cursorEpisodeDate   = "ed"
	cursorShow          = "s"
	cursorGuestName     = "gn"
	cursorGuestCount    = "gc"
	cursorTopicName     = "tn"
	cursorTopicCount    = "tc"
)

func encodeCursor(kind string, sortKey []byte) string {
	return base64.RawURLEncoding.EncodeToString(append([]byte(kind+":"), sortKey...))
}

func decodeCursor(arg string, c *string, kind string) ([]byte, error) {
	if c == nil {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*c)
	if err != nil || len(b) <= len(kind)+1 || string(b[:len(kind)+1]) != kind+":" {
		return nil, badArg(arg, "malformed cursor, or a cursor from another list or order")
	}
	return b[len(kind)+1:], nil
}

// window checks the paging arguments against the contract's bounds and
// decodes the cursors.
func window(first, last *int, after, before *string, kind string) (store.Window, error) {
	w := store.Window{First: -1, Last: -1}
	var err error
	if w.First, err = pageArg("first", first); err != nil {
		return w, err
	}
	if w.Last, err = pageArg("last", last); err != nil {
		return w, err
	}
	if w.First < 0 && w.Last < 0 {
		w.First = DefaultPageSize
	}
	if w.After, err = decodeCursor("after", after, kind); err != nil {
		return w, err
	}
	if w.Before, err = decodeCursor("before", before, kind); err != nil {
		return w, err
	}
	return w, nil
}

// wants reports whether the current field's selection asks for name.
func wants(ctx context.Context, name string) bool {
	for _, f := range selectedFields(ctx) {
		if f.Name == name {
			return true
		}
	}
	return false
}

// episodeArgs turns the current connection field's arguments into a page
// key.
func episodeArgs(ctx context.Context, first *int, after *string, last *int, before *string, filter *EpisodeFilter, orderBy *EpisodeOrder) (pageKey, error) {
	return newPageKey(first, after, last, before, filter, orderBy, wants(ctx, "totalCount"))
}

// newPageKey checks connection arguments and builds the page key; the
// look-ahead builds the same keys from the query's selection.
func newPageKey(first *int, after *string, last *int, before *string, filter *EpisodeFilter, orderBy *EpisodeOrder, wantTotal bool) (pageKey, error) {
	k := pageKey{order: store.EpisodeOrder{Desc: true}, wantTotal: wantTotal}
	if orderBy != nil {
		k.order = store.EpisodeOrder{ByDate: orderBy.Field == EpisodeOrderFieldReleaseDate, Desc: orderBy.Direction == OrderDirectionDesc}
	}
	kind := cursorEpisodeNumber
	if k.order.ByDate {
		kind = cursorEpisodeDate
	}
	w, err := window(first, last, after, before, kind)
	if err != nil {
		return k, err
	}
	k.first, k.last = w.First, w.Last
	k.after, k.hasAfter = string(w.After), w.After != nil
	k.before, k.hasBefore = string(w.Before), w.Before != nil
	if filter != nil {
		if err := filterSlugs("filter", namedSlug{"show", filter.Show}, namedSlug{"guest", filter.Guest},
			namedSlug{"topic", filter.Topic}); err != nil {
			return k, err
		}
		k.show, k.guest, k.topic = deref(filter.Show), deref(filter.Guest), deref(filter.Topic)
		if filter.ReleasedAfter != nil {
			k.releasedAfter, k.hasAfterDate = *filter.ReleasedAfter, true
		}
		if filter.ReleasedBefore != nil {
			k.releasedBefore, k.hasBeforeDate = *filter.ReleasedBefore, true
		}
	}
	return k, nil
}

// episodeConnection loads the page k selects and primes the episode loader
// with what it read.
func episodeConnection(ctx context.Context, k pageKey) (*EpisodeConnection, error) {
	l := loadersFrom(ctx)
	p, err := l.Pages.Load(ctx, k)
	if errors.Is(err, store.ErrBadCursor) {
		arg := "after"
		if k.hasBefore && !k.hasAfter {
			arg = "before"
		}
		return nil, badArg(arg, "malformed cursor, or a cursor from another list or order")
	}
	if err != nil {
		return nil, err
	}
	kind := cursorEpisodeNumber
	if k.order.ByDate {
		kind = cursorEpisodeDate
	}
	c := &EpisodeConnection{Nodes: p.Episodes, TotalCount: p.Total,
		cursors: cursors{kind: kind, keys: p.SortKeys, hasPrev: p.HasPrevious, hasNext: p.HasNext}}
	l.Episodes.PrimeAll(p.Episodes, (*podcast.Episode).Key)
	into(ctx, episodeAhead, p.Episodes, selectedNodes(ctx, "Episode"))
	return c, nil
}

// filterSlugs checks the slugs a filter argument gives (name: value;
// nil when the field is left out): a slug is never empty, and an empty
// one is a BAD_USER_INPUT error naming the field, not a field left out
// (it had matched everything, where the schema says a slug no thing has
// matches nothing).
func filterSlugs(arg string, fields ...namedSlug) error {
	for _, f := range fields {
		if f.value != nil && *f.value == "" {
			return badArg(arg, "%s is empty: give a slug, or leave %s out to match any", f.name, f.name)
		}
	}
	return nil
}

// namedSlug is a filter's slug field, for filterSlugs.
type namedSlug struct {
	name  string
	value *string
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// slugPage loads the records of a slug page in order, with their
// cursors.
func slugPage[T any](ctx context.Context, load func(context.Context, []string) ([]*T, error), p *store.SlugPage, kind string) ([]*T, cursors, error) {
	nodes, err := load(ctx, p.Slugs)
	if err != nil {
		return nil, cursors{}, err
	}
	c := cursors{kind: kind, keys: make([][]byte, 0, len(nodes)), hasPrev: p.HasPrevious, hasNext: p.HasNext}
	out := make([]*T, 0, len(nodes))
	for i, n := range nodes {
		if n == nil {
			continue // removed between the index read and the record read
		}
		out = append(out, n)
		c.keys = append(c.keys, p.SortKeys[i])
	}
	return out, c, nil
}

// nodeByID resolves a global ID through the loaders; nil when unknown.
func nodeByID(ctx context.Context, id string) (podcast.Node, error) {
	typ, key, ok := podcast.ParseID(id)
	if !ok {
		return nil, nil
	}
	l := loadersFrom(ctx)
	switch typ {
	case "Show":
		return nilNode(l.Shows.Load(ctx, key[0]))
	case "Guest":
		return nilNode(l.Guests.Load(ctx, key[0]))
	case "Topic":
		return nilNode(l.Topics.Load(ctx, key[0]))
	case "Episode":
		// Only the number's canonical form names the episode ("0339" and
		// "+339" do not), so that a node's id is the id it was asked by,
		// as clients' normalized caches expect.
		n, err := strconv.Atoi(key[1])
		if err != nil || strconv.Itoa(n) != key[1] {
			return nil, nil
		}
		return nilNode(l.Episodes.Load(ctx, podcast.EpisodeKey{Show: key[0], Number: n}))
	}
	return nil, nil
}

// nilNode keeps a typed nil from becoming a non-nil interface.
func nilNode[T podcast.Node](v T, err error) (podcast.Node, error) {
	if err != nil {
		return nil, err
	}
	var zero T
	if any(v) == any(zero) {
		return nil, nil
	}
	return v, nil
}
