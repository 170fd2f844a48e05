// Package server is the HTTP side of serve: it opens the store, ingests the
// seeds (and watches them), and serves the GraphQL endpoint with GraphiQL,
// health and readiness, the request log, Prometheus metrics, pprof and the
// admin endpoints, on one listener or two, until its context ends.
//
// Its settings come in a Config, filled by the serve command from flags and
// the environment; Options reach what no client can, for tests.
package server
