package main

import (
	"context"
	"flag"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"

	"podcastgraph/graph"
	"podcastgraph/graphhttp"
	"podcastgraph/store"
)

// newGraphQL builds the GraphQL endpoint: gqlgen's executor behind
// graphhttp (spec-compliant JSON transports, limits, cost, rate limiting,
// CORS, persisted queries, HTTP caching of GET answers), errors that never
// carry Go internals, and a deadline on every operation.
func newGraphQL(st *store.Store, cfg *config, log *slog.Logger) http.Handler {
	srv := handler.New(graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}}))
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
	if h := cfg.API.testHooks; h != nil && h.fields != nil {
		srv.AroundFields(h.fields)
	}
	opts := cfg.API.options(st.Generation)
	opts.DefaultPageSize, opts.MaxPageSize = graph.DefaultPageSize, graph.MaxPageSize
	opts.ListBound, opts.TextBytes = storeBounds(st)
	opts.Executed = graph.ReleaseSnapshot
	opts.Logger = log
	if h := cfg.API.testHooks; h != nil && h.writeStall > 0 {
		opts.WriteStallTimeout = h.writeStall
	}
	opts.CacheHit = func(ctx context.Context, name string) {
		if info := requestInfoFrom(ctx); info != nil {
			info.operation = name
		}
	}
	if bad := badPrefixes(cfg.API.TrustedProxies); len(bad) > 0 {
		log.Warn("ignoring --trusted-proxies entries that are not CIDRs or addresses", "entries", bad)
	}
	if bad := badPrefixes(cfg.API.RateExempt); len(bad) > 0 {
		log.Warn("ignoring --rate-exempt entries that are not CIDRs or addresses", "entries", bad)
	}
	opts.InvalidForwardedFor = func(r *http.Request) {
		xff := strings.Join(r.Header.Values("X-Forwarded-For"), ", ")
		log.Debug("X-Forwarded-For from a trusted proxy does not parse: the proxy is taken as the client",
			"peer", r.RemoteAddr, "x_forwarded_for", xff[:min(len(xff), 200)])
	}
	// Only requests that execute get a deadline and loaders: a cached
	// answer needs neither.
	opts.Prepare = func(ctx context.Context) (context.Context, func()) {
		ctx, cancel := context.WithTimeout(ctx, cfg.QueryTimeout)
		ctx, done := graph.WithLoaders(ctx, st)
		return ctx, func() { done(); cancel() }
	}
	return graphhttp.New(srv, opts)
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

// apiConfig is the settings of the GraphQL endpoint (see docs/api-limits.md).
type apiConfig struct {
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

	testHooks *testHooks // set by tests only, through the context given to run
}

// apiFlags declares the flags of the GraphQL endpoint; each falls back to
// its environment variable (an unparsable value is ignored), then to
// graphhttp's production defaults.
func apiFlags(fs *flag.FlagSet, c *apiConfig, getenv func(string) string) {
	d := graphhttp.Defaults()
	boolean := func(p *bool, name, env string, def bool, usage string) {
		if v, err := strconv.ParseBool(getenv(env)); err == nil {
			def = v
		}
		fs.BoolVar(p, name, def, usage+" ($"+env+")")
	}
	integer := func(p *int, name, env string, def int, usage string) {
		if v, err := strconv.Atoi(getenv(env)); err == nil && v >= 0 {
			def = v
		}
		fs.IntVar(p, name, def, usage+"; 0 turns it off ($"+env+")")
	}
	boolean(&c.Playground, "playground", "PODCAST_PLAYGROUND", true, "serve GraphiQL at /; false answers 404 there")
	boolean(&c.Introspection, "introspection", "PODCAST_INTROSPECTION", true, "answer __schema and __type; false also drops \"Did you mean\" suggestions from errors")
	maxBody := d.MaxBodyBytes
	if v, err := strconv.ParseInt(getenv("PODCAST_MAX_BODY"), 10, 64); err == nil && v >= 0 {
		maxBody = v
	}
	fs.Int64Var(&c.MaxBody, "max-body", maxBody, "largest POST body or GET query string in bytes (413); 0 turns it off ($PODCAST_MAX_BODY)")
	integer(&c.MaxTokens, "max-tokens", "PODCAST_MAX_TOKENS", d.MaxTokens, "most lexical tokens in a document (MAX_TOKENS_EXCEEDED)")
	integer(&c.MaxDepth, "max-depth", "PODCAST_MAX_DEPTH", d.MaxDepth, "deepest nesting of fields (MAX_DEPTH_EXCEEDED)")
	integer(&c.MaxAliases, "max-aliases", "PODCAST_MAX_ALIASES", d.MaxAliases, "most aliases in an operation (MAX_ALIASES_EXCEEDED)")
	integer(&c.MaxDirectives, "max-directives", "PODCAST_MAX_DIRECTIVES", d.MaxDirectives, "most directives in an operation (MAX_DIRECTIVES_EXCEEDED)")
	integer(&c.MaxDuplicates, "max-duplicates", "PODCAST_MAX_DUPLICATES", d.MaxDuplicateFields, "most times one field may be selected in one selection set (MAX_DUPLICATE_FIELDS_EXCEEDED)")
	integer(&c.MaxCost, "max-cost", "PODCAST_MAX_COST", d.MaxCost, "highest operation cost, objects it may return with connections counted by first/last (MAX_COST_EXCEEDED)")
	rate := d.Rate
	if v, err := strconv.ParseFloat(getenv("PODCAST_RATE"), 64); err == nil && v >= 0 {
		rate = v
	}
	fs.Float64Var(&c.Rate, "rate", rate, "requests per second per client, token bucket (429 THROTTLED); 0 turns it off ($PODCAST_RATE)")
	burst := d.RateBurst
	if v, err := strconv.Atoi(getenv("PODCAST_RATE_BURST")); err == nil && v >= 0 {
		burst = v
	}
	fs.IntVar(&c.RateBurst, "rate-burst", burst, "requests a client may send at once; 0 means one second's worth ($PODCAST_RATE_BURST)")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", getenv("PODCAST_TRUSTED_PROXIES"), "comma-separated CIDRs of proxies whose X-Forwarded-For names the client for rate limiting; empty: trust none ($PODCAST_TRUSTED_PROXIES)")
	fs.StringVar(&c.RateExempt, "rate-exempt", getenv("PODCAST_RATE_EXEMPT"), "comma-separated CIDRs of clients exempt from --rate and the cost budget (monitoring, local load tests); empty: none, loopback included ($PODCAST_RATE_EXEMPT)")
	costRate := d.CostRate
	if v, err := strconv.ParseFloat(getenv("PODCAST_COST_RATE"), 64); err == nil && v >= 0 {
		costRate = v
	}
	fs.Float64Var(&c.CostRate, "cost-rate", costRate, "cost points restored per second to each client's budget (429 THROTTLED when an operation costs more than is left); 0 turns the budget off ($PODCAST_COST_RATE)")
	costBurst := d.CostBurst
	if v, err := strconv.Atoi(getenv("PODCAST_COST_BURST")); err == nil && v >= 0 {
		costBurst = v
	}
	fs.IntVar(&c.CostBurst, "cost-burst", costBurst, "cost points a client's budget holds; never less than --max-cost, so a full budget runs any operation the server accepts ($PODCAST_COST_BURST)")
	cors := getenv("PODCAST_CORS_ORIGINS")
	fs.StringVar(&c.CORSOrigins, "cors-origins", cors, "comma-separated origins whose pages may read answers, or *; empty: same origin only ($PODCAST_CORS_ORIGINS)")
	age := time.Duration(0)
	if v, err := time.ParseDuration(getenv("PODCAST_CACHE_MAX_AGE")); err == nil && v >= 0 {
		age = v
	}
	fs.DurationVar(&c.CacheMaxAge, "cache-max-age", age, "Cache-Control max-age of GET answers; 0 sends no-cache, so caches revalidate by ETag ($PODCAST_CACHE_MAX_AGE)")
	respCache := d.ResponseCacheBytes
	if v, err := strconv.ParseInt(getenv("PODCAST_RESPONSE_CACHE"), 10, 64); err == nil && v >= 0 {
		respCache = v
	}
	integer(&c.MaxConcurrent, "max-concurrent", "PODCAST_MAX_CONCURRENT", d.MaxConcurrent, "operations executing at once, the rest waiting their turn in arrival order (default: the number of CPUs Go uses)")
	maxResponse := d.MaxResponseBytes
	if v, err := strconv.ParseInt(getenv("PODCAST_MAX_RESPONSE_BYTES"), 10, 64); err == nil && v >= 0 {
		maxResponse = v
	}
	fs.Int64Var(&c.MaxResponse, "max-response-bytes", maxResponse, "largest answer data in bytes, enforced while the answer is built (RESPONSE_TOO_LARGE, no partial answer); 0 turns it off ($PODCAST_MAX_RESPONSE_BYTES)")
	fs.Int64Var(&c.ResponseCache, "response-cache", respCache, "bytes of answers kept for repeated requests, keyed by the request and the store generation; 0 turns it off ($PODCAST_RESPONSE_CACHE)")
}

// options turns the flags into graphhttp's options; generation is the
// store's change counter, part of every ETag.
func (c *apiConfig) options(generation func() (uint64, error)) graphhttp.Options {
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

// badPrefixes returns the entries of a comma-separated list that
// parsePrefixes skips.
func badPrefixes(s string) []string {
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

// testHooks reach code no client can reach: a field middleware that can,
// say, panic or stall, to test how the server copes. Only a context made by
// a test carries them (testHooksKey is unexported and nothing outside tests
// sets it), and run copies them into the config.
type testHooks struct {
	fields graphql.FieldMiddleware
	// adminStep, when set, runs before each batch /admin/ingest commits
	// and each write of /admin/backup: a test slows them with it.
	adminStep func()
	// writeStall replaces graphhttp's WriteStallTimeout when positive.
	writeStall time.Duration
}

type testHooksKey struct{}

// testHooksFrom returns the hooks ctx carries, nil outside tests.
func testHooksFrom(ctx context.Context) *testHooks {
	h, _ := ctx.Value(testHooksKey{}).(*testHooks)
	return h
}
