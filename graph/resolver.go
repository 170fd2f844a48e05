package graph

// Resolver is the root resolver. It holds no state: every request reads
// through the loaders WithLoaders puts in its context, over one snapshot of
// the store.
type Resolver struct{}
