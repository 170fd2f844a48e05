package graph

import "podcastgraph/internal/search"

// Resolver is the root resolver. It holds no per-request state: every
// request reads through the loaders WithLoaders puts in its context, over
// one snapshot of the store. Search is the full-text index the search and
// suggest fields ask (nil in servers built without one).
type Resolver struct {
	Search *search.Feeder
}

// Root returns r as the executor's resolver root, with each type's
// resolver made once: *Resolver's own methods (generated in
// schema.resolvers.go) make a new one at every call, and the executor
// asks for one at every resolver field of every object (69 of the 1,619
// allocations of BenchmarkNestedQueryRotating without it).
func (r *Resolver) Root() ResolverRoot {
	return &roots{
		appearance: r.Appearance(), coGuestEdge: r.CoGuestEdge(), episode: r.Episode(), guest: r.Guest(),
		query: r.Query(), show: r.Show(), source: r.Source(), topic: r.Topic(),
	}
}

type roots struct {
	appearance  AppearanceResolver
	coGuestEdge CoGuestEdgeResolver
	episode     EpisodeResolver
	guest       GuestResolver
	query       QueryResolver
	show        ShowResolver
	source      SourceResolver
	topic       TopicResolver
}

func (r *roots) Appearance() AppearanceResolver   { return r.appearance }
func (r *roots) CoGuestEdge() CoGuestEdgeResolver { return r.coGuestEdge }
func (r *roots) Episode() EpisodeResolver         { return r.episode }
func (r *roots) Guest() GuestResolver             { return r.guest }
func (r *roots) Query() QueryResolver             { return r.query }
func (r *roots) Show() ShowResolver               { return r.show }
func (r *roots) Source() SourceResolver           { return r.source }
func (r *roots) Topic() TopicResolver             { return r.topic }
