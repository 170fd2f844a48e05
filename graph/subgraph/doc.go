// Package subgraph serves the podcast graph as an Apollo Federation v2
// subgraph: the schema of package graph, unchanged, plus the @key of each
// entity (keys.graphqls), Query._service { sdl } and
// Query._entities(representations:). It is gqlgen's federation support
// generated from gqlgen.subgraph.yml into a package of its own, so that
// the plain schema (package graph) stays exactly what it was: enabling
// federation in package graph would add _service, _entities, _Any,
// _Entity and the federation directives to every client's schema.
//
// Its resolvers are package graph's (Resolver delegates to them) and its
// entity resolvers are graph's lookups by slug and number. Its executor
// is gqlgen's as generated: internal/gqlpatch's rewrites, whose runtime
// lives in package graph, are applied to graph/generated.go only, so the
// subgraph answers the same data by gqlgen's general (slower) machinery;
// the answer size limit is still enforced by the transport (graphhttp).
// `serve --federation` serves it instead of the plain schema
// (internal/server); `go generate ./...` regenerates it.
package subgraph
