// Package graph is the GraphQL layer: the schema (*.graphqls), gqlgen's
// generated executor, thin resolvers that ask per-request loaders, and the
// error presenter. `go generate ./...` (from generate.go) regenerates it,
// and internal/gqlpatch patches generated.go; never edit it by hand.
package graph
