package graph

import "podcastgraph/internal/search"

// Resolver is the root resolver. It holds no per-request state: every
// request reads through the loaders WithLoaders puts in its context, over
// one snapshot of the store. Search is the full-text index the search and
// suggest fields ask (nil in servers built without one).
type Resolver struct {
	Search *search.Feeder
}
