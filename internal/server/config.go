package server

import (
	"os"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel/trace"

	"podcastgraph/internal/cluster"
	"podcastgraph/internal/fetch"
)

// Config is serve's settings (see the README's configuration table).
type Config struct {
	Addr       string
	DB         string
	Seeds      string
	Watch      bool
	AdminToken string
	// WriteTimeout bounds writing one answer; admin streams get it per
	// write instead (admin.go). MaxConnections caps each listener's open
	// connections (listen.go).
	WriteTimeout   time.Duration
	MaxConnections int
	Topics         string
	Batch          int
	// RecordCache bounds the store's cache of decoded records, in bytes
	// of their encoding: 0 is the store's default (32 MiB), a negative
	// value turns it off (store.Options.CacheBytes).
	RecordCache int64
	// SearchCache bounds what searches keep of the postings they read,
	// decoded, until the index next changes: 0 is the default (32 MiB),
	// a negative value turns it off (search.Options.CacheBytes).
	SearchCache  int64
	QueryTimeout time.Duration
	AdminAddr    string
	Pprof        bool
	API          APIConfig // the GraphQL endpoint: limits, rate, CORS, caching (graphql.go)

	// Rescan reads every seed file at start, even those the store's
	// record says are unchanged.
	Rescan bool

	// Feeds is a file listing feed URLs, fetched at start and then every
	// Refresh (0: only at start); empty: none.
	Feeds   string
	Refresh time.Duration
	// Fetch is how URLs are fetched: the feeds and those /admin/ingest is
	// given.
	Fetch fetch.Config

	// TraceFields adds a span per resolver field below its operation's
	// when tracing is on (internal/tracing).
	TraceFields bool
	// Cluster, when set, runs the server as a node of a replicated
	// cluster (docs/cluster.md); nil: one process on its own store.
	Cluster *cluster.Config

	// Warnings are logged at start, before the listeners open.
	Warnings []string

	// Getenv reads the environment the run was given (the collector's
	// policies step aside when it sets GOGC or GOMEMLIMIT); nil reads the
	// process's.
	Getenv func(string) string
}

// getenv returns c.Getenv, or os.Getenv when it is nil.
func (c *Config) getenv() func(string) string {
	if c.Getenv == nil {
		return os.Getenv
	}
	return c.Getenv
}

// APIConfig is the settings of the GraphQL endpoint (see docs/api-limits.md).
type APIConfig struct {
	Playground     bool
	Introspection  bool
	MaxBody        int64
	MaxTokens      int
	MaxDepth       int
	MaxAliases     int
	MaxDirectives  int
	MaxDuplicates  int
	MaxCost        int
	Rate           float64
	RateBurst      int
	TrustedProxies string
	RateExempt     string
	CostRate       float64
	CostBurst      int
	CORSOrigins    string
	CacheMaxAge    time.Duration
	ResponseCache  int64
	MaxConcurrent  int
	MaxResponse    int64
	// Federation serves the schema as an Apollo Federation v2 subgraph
	// (graph/subgraph) instead of the plain one.
	Federation bool
}

// Options reach code no client can reach, to test how the server copes;
// the zero value is production.
type Options struct {
	// FieldMiddleware runs around every resolver field: a test makes one
	// panic or stall with it.
	FieldMiddleware graphql.FieldMiddleware
	// AdminStep runs before each batch /admin/ingest commits and each
	// write of /admin/backup: a test slows them with it.
	AdminStep func()
	// WriteStallTimeout replaces graphhttp's when positive.
	WriteStallTimeout time.Duration
	// FailApply is the store's fault injection (store.Options.FailApply).
	FailApply func(name string) error
	// IngestStep runs before each batch the start-up ingest (or the ingest
	// command) commits: a test holds an ingest midway with it.
	IngestStep func()
	// ProgressEvery replaces how often serve logs the start-up ingest's
	// progress (every 5 s) when positive.
	ProgressEvery time.Duration
	// TracerProvider, when set, receives the server's spans whatever the
	// OTEL_* variables say: a test records them with it.
	TracerProvider trace.TracerProvider
	// Settle replaces pipeline.DefaultSettle when not zero (negative:
	// every file's description is trusted at once), so that a test need
	// not wait for the files it just wrote to age.
	Settle time.Duration
}
