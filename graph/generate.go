// Package graph is the GraphQL layer: the schema (*.graphqls), gqlgen's
// generated executor, thin resolvers that ask per-request loaders, and the
// error presenter. `go generate ./...` (from server.go) regenerates it.
package graph
