package graph

import "podcastgraph/store"

// Resolver is the root resolver: it holds what every request shares.
type Resolver struct {
	Store *store.Store
}
