package subgraph

import (
	"context"

	"podcastgraph/graph"
	"podcastgraph/internal/podcast"
)

// Resolver is the subgraph's root resolver: package graph's resolvers,
// and the entity resolvers below. Like graph.Resolver it holds no state.
type Resolver struct{ graph graph.Resolver }

var _ ResolverRoot = (*Resolver)(nil)

// NewResolver returns the subgraph's root resolver over graph's r.
func NewResolver(r graph.Resolver) *Resolver { return &Resolver{graph: r} }

// Appearance returns graph's resolver of Appearance fields.
func (r *Resolver) Appearance() AppearanceResolver { return r.graph.Appearance() }

// CoGuestEdge returns graph's resolver of CoGuestEdge fields.
func (r *Resolver) CoGuestEdge() CoGuestEdgeResolver { return r.graph.CoGuestEdge() }

// Episode returns graph's resolver of Episode fields.
func (r *Resolver) Episode() EpisodeResolver { return r.graph.Episode() }

// Guest returns graph's resolver of Guest fields.
func (r *Resolver) Guest() GuestResolver { return r.graph.Guest() }

// Query returns graph's resolver of Query fields; gqlgen's federation code
// answers _service and _entities itself.
func (r *Resolver) Query() QueryResolver { return r.graph.Query() }

// Show returns graph's resolver of Show fields.
func (r *Resolver) Show() ShowResolver { return r.graph.Show() }

// Source returns graph's resolver of Source fields.
func (r *Resolver) Source() SourceResolver { return r.graph.Source() }

// Topic returns graph's resolver of Topic fields.
func (r *Resolver) Topic() TopicResolver { return r.graph.Topic() }

// Entity returns the resolver of _entities' representations.
func (r *Resolver) Entity() EntityResolver { return entityResolver{r.graph.Query()} }

// entityResolver finds an entity by its key with the lookups Query's
// fields use (show, episode, guest, topic), so an unknown key is null, as
// a lookup by an unknown slug is, and the look-ahead of what the gateway
// selects works as it does under those fields.
type entityResolver struct{ q graph.QueryResolver }

func (e entityResolver) FindShowBySlug(ctx context.Context, slug string) (*podcast.Show, error) {
	return e.q.Show(ctx, &slug)
}

func (e entityResolver) FindEpisodeByShowSlugAndNumber(ctx context.Context, showSlug string, number int) (*podcast.Episode, error) {
	return e.q.Episode(ctx, number, &showSlug)
}

func (e entityResolver) FindGuestBySlug(ctx context.Context, slug string) (*podcast.Guest, error) {
	return e.q.Guest(ctx, slug)
}

func (e entityResolver) FindTopicBySlug(ctx context.Context, slug string) (*podcast.Topic, error) {
	return e.q.Topic(ctx, slug)
}
