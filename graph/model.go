package graph

import "podcastgraph/podcast"

// PageInfo says where a page of a connection stands.
type PageInfo struct {
	HasNextPage     bool
	HasPreviousPage bool
	StartCursor     *string
	EndCursor       *string
}

// ShowConnection is a page of shows.
type ShowConnection struct {
	Edges      []*ShowEdge
	Nodes      []*podcast.Show
	PageInfo   *PageInfo
	TotalCount int
}

// ShowEdge is a show and its cursor.
type ShowEdge struct {
	Cursor string
	Node   *podcast.Show
}

// EpisodeConnection is a page of episodes.
type EpisodeConnection struct {
	Edges      []*EpisodeEdge
	Nodes      []*podcast.Episode
	PageInfo   *PageInfo
	TotalCount int
}

// EpisodeEdge is an episode and its cursor.
type EpisodeEdge struct {
	Cursor string
	Node   *podcast.Episode
}

// GuestConnection is a page of guests.
type GuestConnection struct {
	Edges      []*GuestEdge
	Nodes      []*podcast.Guest
	PageInfo   *PageInfo
	TotalCount int
}

// GuestEdge is a guest and their cursor.
type GuestEdge struct {
	Cursor string
	Node   *podcast.Guest
}

// TopicConnection is a page of topics.
type TopicConnection struct {
	Edges      []*TopicEdge
	Nodes      []*podcast.Topic
	PageInfo   *PageInfo
	TotalCount int
}

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
}
