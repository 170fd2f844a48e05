package graph

import (
	"context"
	"encoding/binary"
	"errors"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"podcastgraph/internal/podcast"
	"podcastgraph/internal/search"
)

// SearchConnection is a page of search hits with the size and facets of
// the whole result set.
type SearchConnection struct {
	Edges      []*SearchEdge
	Nodes      []podcast.Node
	TotalCount int
	Facets     *SearchFacets
	pageInfo   *PageInfo
}

// PageInfo says where the page stands.
func (c *SearchConnection) PageInfo() *PageInfo { return c.pageInfo }

// SearchEdge is a hit, its cursor, score and highlights.
type SearchEdge struct {
	Cursor     string
	Highlights []*SearchHighlight
	Node       podcast.Node
	Score      float64
	Typos      int
}

// SearchFacets are the counts of a whole result set.
type SearchFacets struct{ f search.Facets }

// Guests returns the guest facet's first values; first out of 0..100 is
// a BAD_USER_INPUT error.
func (f *SearchFacets) Guests(first *int) ([]*SearchFacetValue, error) {
	return facetValues(f.f.Guests, first)
}

// Shows returns the show facet's first values.
func (f *SearchFacets) Shows(first *int) ([]*SearchFacetValue, error) {
	return facetValues(f.f.Shows, first)
}

// Topics returns the topic facet's first values.
func (f *SearchFacets) Topics(first *int) ([]*SearchFacetValue, error) {
	return facetValues(f.f.Topics, first)
}

// Years returns the year facet's first values.
func (f *SearchFacets) Years(first *int) ([]*SearchFacetValue, error) {
	return facetValues(f.f.Years, first)
}

// Kinds returns the hits by kind, the kinds with none left out.
func (f *SearchFacets) Kinds() []*SearchFacetValue {
	var out []*SearchFacetValue
	for k, n := range f.f.Kinds {
		if n > 0 {
			out = append(out, &SearchFacetValue{Value: search.Kind(k).String(), Count: n})
		}
	}
	return out
}

// facetFields are SearchFacets' fields that list values of a facet.
var facetFields = map[string]search.FacetSet{
	"shows": search.FacetShows, "topics": search.FacetTopics, "guests": search.FacetGuests, "years": search.FacetYears,
}

// facetsAsked returns the most values the current search field's
// selection asks of a facet (0 when it selects no facets; at least 1 when
// it selects them, for the kinds) and the facets it leaves out, which the
// search then does not count. A `first` the field will refuse counts as
// the most there is.
func facetsAsked(ctx context.Context) (int, search.FacetSet) {
	n, uncounted := 0, search.FacetShows|search.FacetTopics|search.FacetGuests|search.FacetYears
	oc := graphql.GetOperationContext(ctx)
	for _, f := range selectedFields(ctx) {
		if f.Name != "facets" {
			continue
		}
		n = max(n, 1)
		for _, ff := range collect(ctx, f.Selections, "SearchFacets") {
			set, ok := facetFields[ff.Name]
			if !ok {
				continue
			}
			first := DefaultPageSize
			if v := ff.ArgumentMap(oc.Variables)["first"]; v != nil {
				i, err := graphql.UnmarshalInt(v)
				switch {
				case err != nil || i < 0 || i > MaxPageSize:
					first = MaxPageSize
				default:
					first = i
				}
			}
			if first > 0 {
				uncounted &^= set
				n = max(n, first)
			}
		}
	}
	return n, uncounted
}

func facetValues(list []search.FacetCount, first *int) ([]*SearchFacetValue, error) {
	n, err := listFirst(first)
	if err != nil {
		return nil, err
	}
	out := make([]*SearchFacetValue, 0, min(n, len(list)))
	for _, v := range list[:min(n, len(list))] {
		out = append(out, &SearchFacetValue{Value: v.Value, Count: v.Count})
	}
	return out, nil
}

const cursorSearch = "sr"

var searchKinds = map[SearchKind]search.Kind{
	SearchKindEpisode: search.KindEpisode, SearchKindGuest: search.KindGuest,
	SearchKindShow: search.KindShow, SearchKindTopic: search.KindTopic,
}

var kindsOfSearch = map[search.Kind]SearchKind{
	search.KindEpisode: SearchKindEpisode, search.KindGuest: SearchKindGuest,
	search.KindShow: SearchKindShow, search.KindTopic: SearchKindTopic,
}

// errNoSearch is a server built without an index (tests of other parts).
var errNoSearch = errors.New("graph: no search index")

// indexAt returns the index once it reflects the request's snapshot, and
// the snapshot's generation: a hit is never something the request cannot
// read, and an acknowledged ingest is searchable.
func (r *Resolver) indexAt(ctx context.Context) (*search.Index, uint64, error) {
	if r.Search == nil {
		return nil, 0, errNoSearch
	}
	sn, err := loadersFrom(ctx).Snapshot(ctx)
	if err != nil {
		return nil, 0, err
	}
	gen := sn.Generation()
	if err := r.Search.WaitFor(ctx, gen); err != nil {
		return nil, 0, err
	}
	return r.Search.Index(), gen, nil
}

func inputError(err error) error {
	var ie *search.InputError
	if errors.As(err, &ie) {
		return badArg(ie.Arg, "%s", ie.Msg)
	}
	return err
}

// searchConnection runs a search and loads its page through the
// request's loaders, with highlights read from the same snapshot.
func (r *Resolver) searchConnection(ctx context.Context, query string, first *int, after *string, kinds []SearchKind, filter *SearchFilter) (*SearchConnection, error) {
	n, err := pageArg("first", first)
	if err != nil {
		return nil, err
	}
	if n < 0 {
		n = DefaultPageSize
	}
	offset := 0
	if after != nil {
		b, err := decodeCursor("after", after, cursorSearch)
		if err != nil {
			return nil, err
		}
		if len(b) != 4 {
			return nil, badArg("after", "malformed cursor, or a cursor from another list or order")
		}
		offset = int(binary.BigEndian.Uint32(b)) + 1
	}
	q := &search.Query{Text: query, Offset: offset, First: n}
	q.Facets, q.Uncounted = facetsAsked(ctx)
	for _, k := range kinds {
		q.Kinds = append(q.Kinds, searchKinds[k])
	}
	if filter != nil {
		if err := filterSlugs("filter", namedSlug{"show", filter.Show}, namedSlug{"topic", filter.Topic},
			namedSlug{"guest", filter.Guest}); err != nil {
			return nil, err
		}
		q.Show, q.Topic, q.Guest = deref(filter.Show), deref(filter.Topic), deref(filter.Guest)
		if filter.ReleasedAfter != nil {
			q.After = filter.ReleasedAfter.Days()
		}
		if filter.ReleasedBefore != nil {
			q.Before = filter.ReleasedBefore.Days()
		}
	}
	ix, gen, err := r.indexAt(ctx)
	if err != nil {
		return nil, err
	}
	q.Generation = gen
	res, err := ix.Search(q)
	if err != nil {
		return nil, inputError(err)
	}
	nodes, texts, err := loadHits(ctx, res.Hits)
	if err != nil {
		return nil, err
	}
	c := &SearchConnection{TotalCount: res.Total, Facets: &SearchFacets{res.Facets},
		pageInfo: &PageInfo{HasNextPage: res.HasNext, HasPreviousPage: offset > 0}}
	for i, h := range res.Hits {
		if nodes[i] == nil {
			continue
		}
		cursor := encodeCursor(cursorSearch, binary.BigEndian.AppendUint32(nil, uint32(offset+i)))
		e := &SearchEdge{Cursor: cursor, Node: nodes[i], Score: h.Score, Typos: h.Typos, Highlights: []*SearchHighlight{}}
		for f, text := range texts[i] {
			if hl, ok := search.HighlightText(search.Field(f), text, res.Terms); ok {
				e.Highlights = append(e.Highlights, &SearchHighlight{Field: hl.Field.String(), Snippet: hl.Snippet, Text: hl.Text})
			}
		}
		c.Edges = append(c.Edges, e)
		c.Nodes = append(c.Nodes, nodes[i])
	}
	if len(c.Edges) > 0 {
		c.pageInfo.StartCursor, c.pageInfo.EndCursor = &c.Edges[0].Cursor, &c.Edges[len(c.Edges)-1].Cursor
	}
	return c, nil
}

// loadHits reads the hits from the request's snapshot, with their texts by
// field; a hit the snapshot lacks is nil.
func loadHits(ctx context.Context, hits []search.Hit) ([]podcast.Node, [][7]string, error) {
	l := loadersFrom(ctx)
	nodes := make([]podcast.Node, len(hits))
	texts := make([][7]string, len(hits))
	var epKeys []podcast.EpisodeKey
	var guests, topics, shows []string
	for _, h := range hits {
		switch h.Kind {
		case search.KindEpisode:
			if k, ok := search.ParseEpisodeRef(h.Key); ok {
				epKeys = append(epKeys, k)
			}
		case search.KindGuest:
			guests = append(guests, h.Key)
		case search.KindTopic:
			topics = append(topics, h.Key)
		case search.KindShow:
			shows = append(shows, h.Key)
		}
	}
	eps, err := l.Texts.LoadMany(ctx, epKeys)
	if err != nil {
		return nil, nil, err
	}
	gs, err := l.Guests.LoadMany(ctx, guests)
	if err != nil {
		return nil, nil, err
	}
	ts, err := l.Topics.LoadMany(ctx, topics)
	if err != nil {
		return nil, nil, err
	}
	ss, err := l.Shows.LoadMany(ctx, shows)
	if err != nil {
		return nil, nil, err
	}
	for i, h := range hits {
		t := &texts[i]
		switch h.Kind {
		case search.KindEpisode:
			e := eps[0]
			eps = eps[1:]
			if e == nil {
				continue
			}
			nodes[i] = e
			if e.Title != nil {
				t[search.FieldTitle] = *e.Title
			}
			t[search.FieldSummary] = e.Summary
			if e.Description != nil {
				t[search.FieldDescription] = *e.Description
			}
		case search.KindGuest:
			g := gs[0]
			gs = gs[1:]
			if g == nil {
				continue
			}
			nodes[i] = g
			t[search.FieldName], t[search.FieldRole], t[search.FieldOrganization] = g.Name, g.Role, g.Organization
		case search.KindTopic:
			tp := ts[0]
			ts = ts[1:]
			if tp == nil {
				continue
			}
			nodes[i] = tp
			t[search.FieldName], t[search.FieldAlias] = tp.Name, strings.Join(tp.Aliases, "\n")
		case search.KindShow:
			s := ss[0]
			ss = ss[1:]
			if s == nil {
				continue
			}
			nodes[i] = s
			t[search.FieldTitle] = s.Title
		}
	}
	return nodes, texts, nil
}

// suggestions runs the typeahead.
func (r *Resolver) suggestions(ctx context.Context, prefix string, first *int) ([]*Suggestion, error) {
	n, err := listFirst(first)
	if err != nil {
		return nil, err
	}
	ix, gen, err := r.indexAt(ctx)
	if err != nil {
		return nil, err
	}
	list, err := ix.Suggest(prefix, n, gen)
	if err != nil {
		return nil, inputError(err)
	}
	hits := make([]search.Hit, len(list))
	for i, s := range list {
		hits[i] = search.Hit{Kind: s.Kind, Key: s.Key}
	}
	nodes, _, err := loadHits(ctx, hits)
	if err != nil {
		return nil, err
	}
	out := make([]*Suggestion, 0, len(list))
	for i, s := range list {
		if nodes[i] != nil {
			out = append(out, &Suggestion{Kind: kindsOfSearch[s.Kind], Node: nodes[i], Text: s.Text})
		}
	}
	return out, nil
}
