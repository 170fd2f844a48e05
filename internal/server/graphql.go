package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"go.opentelemetry.io/otel/trace"

	"podcastgraph/graph"
	"podcastgraph/graph/subgraph"
	"podcastgraph/internal/graphhttp"
	"podcastgraph/internal/onewrite"
	"podcastgraph/internal/podcast"
	"podcastgraph/internal/search"
	"podcastgraph/internal/tracing"
	"podcastgraph/store"
)

// newGraphQL builds the GraphQL endpoint: gqlgen's executor behind
// graphhttp (spec-compliant JSON transports, limits, cost, rate limiting,
// CORS, persisted queries, HTTP caching of GET answers), errors that never
// carry Go internals, and a deadline on every operation.
func newGraphQL(st *store.Store, idx *search.Feeder, cfg *Config, opts Options, log *slog.Logger, tracer trace.Tracer) http.Handler {
	srv := handler.New(executableSchema(cfg.API.Federation, idx))
	present := graph.ErrorPresenter(log)
	if !cfg.API.Introspection {
		present = graphhttp.WithoutSuggestions(present)
	}
	srv.SetErrorPresenter(present)
	srv.SetRecoverFunc(graph.Recover(log))
	maxResponse := cfg.API.MaxResponse
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if info := requestInfoFrom(ctx); info != nil {
			info.operation = graphql.GetOperationContext(ctx).OperationName
		}
		if maxResponse > 0 {
			ctx = graph.WithResponseLimit(ctx, maxResponse)
		}
		return next(ctx)
	})
	srv.AroundResponses(func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		resp := next(ctx)
		if info := requestInfoFrom(ctx); info != nil && resp != nil && len(resp.Errors) > 0 {
			info.graphqlErrors = true
		}
		return resp
	})
	if tracer != nil {
		srv.Use(tracing.Operations{Tracer: tracer})
		if cfg.TraceFields {
			srv.Use(tracing.Fields{Tracer: tracer})
		}
	}
	if opts.FieldMiddleware != nil {
		srv.AroundFields(opts.FieldMiddleware)
	}
	o := cfg.API.GraphHTTP(st.Generation)
	o.DefaultPageSize, o.MaxPageSize = graph.DefaultPageSize, graph.MaxPageSize
	o.ListBound, o.TextBytes = storeBounds(st)
	o.Executed = graph.ReleaseSnapshot
	o.Logger = log
	if opts.WriteStallTimeout > 0 {
		o.WriteStallTimeout = opts.WriteStallTimeout
	}
	o.CacheHit = func(ctx context.Context, name string) {
		if info := requestInfoFrom(ctx); info != nil {
			info.operation = name
		}
	}
	if bad := BadPrefixes(cfg.API.TrustedProxies); len(bad) > 0 {
		log.Warn("ignoring --trusted-proxies entries that are not CIDRs or addresses", "entries", bad)
	}
	if bad := BadPrefixes(cfg.API.RateExempt); len(bad) > 0 {
		log.Warn("ignoring --rate-exempt entries that are not CIDRs or addresses", "entries", bad)
	}
	o.InvalidForwardedFor = func(r *http.Request) {
		xff := strings.Join(r.Header.Values("X-Forwarded-For"), ", ")
		log.Debug("X-Forwarded-For from a trusted proxy does not parse: the proxy is taken as the client",
			"peer", r.RemoteAddr, "x_forwarded_for", xff[:min(len(xff), 200)])
	}
	// Only requests that execute get a deadline and loaders: a cached
	// answer needs neither.
	o.Prepare = func(ctx context.Context) (context.Context, func()) {
		ctx, cancel := context.WithTimeout(ctx, cfg.QueryTimeout)
		ctx, done := graph.WithLoaders(ctx, st)
		// Prepare's func runs once the answer is written and nothing
		// holds its data (graphhttp's cache keeps copies).
		ctx, release := graph.WithAnswerBuffer(ctx)
		return ctx, func() { done(); cancel(); release() }
	}
	return graphhttp.New(srv, o)
}

// executableSchema returns the plain schema, or with federation the
// subgraph's: the same schema with @key on the entities, _service and
// _entities (graph/subgraph).
func executableSchema(federation bool, idx *search.Feeder) graphql.ExecutableSchema {
	r := graph.Resolver{Search: idx}
	if federation {
		return subgraph.NewExecutableSchema(subgraph.Config{Resolvers: subgraph.NewResolver(r)})
	}
	return graph.NewExecutableSchema(graph.Config{Resolvers: r.Root()})
}

// storeBounds returns the cost model's hooks on the store's bounds (kept
// per generation, so a lookup is an atomic load and a map read); when the
// bounds cannot be read, nothing is known and lists are priced at first.
func storeBounds(st *store.Store) (lists, texts func(typeName, fieldName string) (int, bool)) {
	lookup := func(pick func(*store.Bounds) map[string]int) func(string, string) (int, bool) {
		return func(typeName, fieldName string) (int, bool) {
			b, err := st.Bounds(context.Background())
			if err != nil {
				return 0, false
			}
			n, ok := pick(b)[typeName+"."+fieldName]
			return n, ok
		}
	}
	return lookup(func(b *store.Bounds) map[string]int { return b.Lists }),
		lookup(func(b *store.Bounds) map[string]int { return b.Texts })
}

// GraphHTTP turns the settings into graphhttp's options; generation is the
// store's change counter, part of every ETag.
func (c *APIConfig) GraphHTTP(generation func() (uint64, error)) graphhttp.Options {
	o := graphhttp.Defaults()
	o.MaxBodyBytes = c.MaxBody
	o.MaxTokens = c.MaxTokens
	o.MaxDepth = c.MaxDepth
	o.MaxAliases = c.MaxAliases
	o.MaxDirectives = c.MaxDirectives
	o.MaxDuplicateFields = c.MaxDuplicates
	o.MaxCost = c.MaxCost
	o.Introspection = c.Introspection
	o.Rate = c.Rate
	o.RateBurst = c.RateBurst
	o.TrustedProxies = parsePrefixes(c.TrustedProxies)
	o.RateExempt = parsePrefixes(c.RateExempt)
	o.CostRate = c.CostRate
	o.CostBurst = c.CostBurst
	o.CORSOrigins = splitList(c.CORSOrigins)
	o.CacheMaxAge = c.CacheMaxAge
	o.ResponseCacheBytes = c.ResponseCache
	o.MaxConcurrent = c.MaxConcurrent
	o.MaxResponseBytes = c.MaxResponse
	o.HoldWrites = onewrite.Hold
	o.InputScalars = map[string]func(any) error{
		"Date": func(v any) error { var d podcast.Date; return d.UnmarshalGQL(v) },
	}
	o.Generation = generation
	o.Version = buildVersion()
	return o
}

// parsePrefixes reads a comma-separated list of CIDRs or addresses,
// skipping what does not parse.
func parsePrefixes(s string) []netip.Prefix {
	var out []netip.Prefix
	for _, f := range splitList(s) {
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
		} else if a, err := netip.ParseAddr(f); err == nil {
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	return out
}

// BadPrefixes returns the entries of a comma-separated list of CIDRs or
// addresses (--trusted-proxies, --rate-exempt) that are neither, and
// that the server skips.
func BadPrefixes(s string) []string {
	var bad []string
	for _, f := range splitList(s) {
		if len(parsePrefixes(f)) == 0 {
			bad = append(bad, f)
		}
	}
	return bad
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// buildVersion names the running build: module version and VCS revision.
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" || s.Key == "vcs.modified" {
			v += " " + s.Value
		}
	}
	return v
}
