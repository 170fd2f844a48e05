package graph

import "podcastgraph/internal/podcast"

// PageInfo says where a page of a connection stands.
type PageInfo struct {
	HasNextPage     bool
	HasPreviousPage bool
	StartCursor     *string
	EndCursor       *string
}

// ShowConnection is a page of shows.
type ShowConnection struct {
	Nodes      []*podcast.Show
	TotalCount int
	cursors    cursors
}

// Edges pairs each of the page's shows with its cursor.
func (c *ShowConnection) Edges() []*ShowEdge {
	return edges(c.Nodes, c.cursors, func(cursor string, n *podcast.Show) ShowEdge { return ShowEdge{Cursor: cursor, Node: n} })
}

// PageInfo says where the page stands.
func (c *ShowConnection) PageInfo() *PageInfo { return c.cursors.info() }

// ShowEdge is a show and its cursor.
type ShowEdge struct {
	Cursor string
	Node   *podcast.Show
}

// EpisodeConnection is a page of episodes.
type EpisodeConnection struct {
	Nodes      []*podcast.Episode
	TotalCount int
	cursors    cursors
}

// Edges pairs each of the page's episodes with its cursor.
func (c *EpisodeConnection) Edges() []*EpisodeEdge {
	return edges(c.Nodes, c.cursors, func(cursor string, n *podcast.Episode) EpisodeEdge { return EpisodeEdge{Cursor: cursor, Node: n} })
}

// PageInfo says where the page stands.
func (c *EpisodeConnection) PageInfo() *PageInfo { return c.cursors.info() }

// EpisodeEdge is an episode and its cursor.
type EpisodeEdge struct {
	Cursor string
	Node   *podcast.Episode
}

// GuestConnection is a page of guests.
type GuestConnection struct {
	Nodes      []*podcast.Guest
	TotalCount int
	cursors    cursors
}

// Edges pairs each of the page's guests with its cursor.
func (c *GuestConnection) Edges() []*GuestEdge {
	return edges(c.Nodes, c.cursors, func(cursor string, n *podcast.Guest) GuestEdge { return GuestEdge{Cursor: cursor, Node: n} })
}

// PageInfo says where the page stands.
func (c *GuestConnection) PageInfo() *PageInfo { return c.cursors.info() }

// GuestEdge is a guest and their cursor.
type GuestEdge struct {
	Cursor string
	Node   *podcast.Guest
}

// TopicConnection is a page of topics.
type TopicConnection struct {
	Nodes      []*podcast.Topic
	TotalCount int
	cursors    cursors
}

// Edges pairs each of the page's topics with its cursor.
func (c *TopicConnection) Edges() []*TopicEdge {
	return edges(c.Nodes, c.cursors, func(cursor string, n *podcast.Topic) TopicEdge { return TopicEdge{Cursor: cursor, Node: n} })
}

// PageInfo says where the page stands.
func (c *TopicConnection) PageInfo() *PageInfo { return c.cursors.info() }

// TopicEdge is a topic and its cursor.
type TopicEdge struct {
	Cursor string
	Node   *podcast.Topic
}

// Appearance is a guest on an episode; its guest and episode are loaded on
// demand.
type Appearance struct {
	GuestSlug  string
	EpisodeKey podcast.EpisodeKey
	Evidence   string
	via        string // podcast.Appearance.Via
}

// Via says what named the guest.
func (a *Appearance) Via() AppearanceVia {
	switch a.via {
	case podcast.ViaTag:
		return AppearanceViaTag
	case podcast.ViaTitle:
		return AppearanceViaTitle
	case podcast.ViaAuthor:
		return AppearanceViaAuthor
	}
	return AppearanceViaText
}

// cursors are where a page's items stand in their list: their sort keys,
// encoded as cursors only when a client asks for edges or pageInfo (most
// ask for nodes alone).
type cursors struct {
	kind             string
	keys             [][]byte
	hasPrev, hasNext bool
}

func (c cursors) at(i int) string { return encodeCursor(c.kind, c.keys[i]) }

func (c cursors) info() *PageInfo {
	p := &PageInfo{HasPreviousPage: c.hasPrev, HasNextPage: c.hasNext}
	if n := len(c.keys); n > 0 {
		start, end := c.at(0), c.at(n-1)
		p.StartCursor, p.EndCursor = &start, &end
	}
	return p
}

// edges builds a connection's edges in one allocation.
func edges[N, E any](nodes []*N, c cursors, edge func(cursor string, node *N) E) []*E {
	slab := make([]E, len(nodes))
	out := make([]*E, len(nodes))
	for i, n := range nodes {
		slab[i] = edge(c.at(i), n)
		out[i] = &slab[i]
	}
	return out
}

// TopicMention is a discovered topic an episode's text names (see
// store.Mention).
type TopicMention struct {
	Topic    *podcast.Topic
	Name     string
	Evidence string
	Mentions int
}
