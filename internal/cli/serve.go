package cli

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"podcastgraph/internal/cluster"
	"podcastgraph/internal/fetch"
	"podcastgraph/internal/graphhttp"
	"podcastgraph/internal/pipeline"
	"podcastgraph/internal/server"
)

// Serve returns the serve command, the program's default.
func Serve() *Command {
	return &Command{Name: "serve", Run: runServe, Profiled: true,
		Args: "[flags]",
		Summary: "Opens (or creates) the store, ingests the --seeds directory and the --feeds\n" +
			"URLs, then serves HTTP until SIGINT or SIGTERM, refreshing the feeds every\n" +
			"--refresh. The default command.",
	}
}

func runServe(ctx context.Context, env *Env, args []string) error {
	cfg := &server.Config{Getenv: env.Getenv}
	var tokenFile, join, bootstrapNode string
	var clustered bool
	cc := &cluster.Config{}
	return Serve().run(env, args, func(f *flags) {
		serveFlags(f, cfg, &tokenFile)
		clusterFlags(f, &clustered, cc, &join, &bootstrapNode)
	}, func(f *flags, rest []string) error {
		if len(rest) > 0 {
			return fmt.Errorf("serve takes no arguments, got %q", rest)
		}
		warnings, err := resolveToken(f.fs, &cfg.AdminToken, "admin-token", tokenFile, "admin-token-file")
		if err != nil {
			return err
		}
		if err := server.CheckAdminToken(cfg.AdminToken); err != nil {
			return fmt.Errorf("--admin-token: %w", err)
		}
		if err := checkSeeds(f, env.Getenv, cfg.Seeds); err != nil {
			return err
		}
		if err := checkLists(f, cfg); err != nil {
			return err
		}
		cfg.Warnings = append(f.Warnings(), warnings...)
		if clustered {
			cfg.Cluster = clusterConfig(cc, join, bootstrapNode, cfg.DB)
		}
		if cfg.RecordCache == 0 {
			cfg.RecordCache = -1 // --record-cache 0: none (the zero Config means the store's default)
		}
		if cfg.SearchCache == 0 {
			cfg.SearchCache = -1 // --search-cache 0: none (the zero Config means the index's default)
		}
		return server.Serve(ctx, cfg, env.Testing, env.Stdout)
	})
}

// checkSeeds refuses, before anything starts, a --seeds (or
// $PODCAST_SEEDS) that was given and cannot be read: the server would
// otherwise serve without the pages it was told to ingest, and say it is
// ready. The default, seeds/, may be missing (a binary run outside the
// repository): the start-up ingest then logs the error and the server
// serves the store as it is.
func checkSeeds(f *flags, getenv func(string) string, seeds string) error {
	if !f.set("seeds") && getenv("PODCAST_SEEDS") == "" || seeds == "" {
		return nil
	}
	if _, err := os.Stat(seeds); err != nil {
		return fmt.Errorf("--seeds %s: %w", seeds, errors.Unwrap(err))
	}
	return nil
}

// checkLists refuses, given on the command line, --trusted-proxies and
// --rate-exempt entries that are neither CIDRs nor addresses and
// --cors-origins entries that are neither * nor an origin
// (scheme://host[:port]): a typo there would silently trust, exempt or
// allow nothing. From the environment they are ignored with a warning, as
// every variable that does not parse is.
func checkLists(f *flags, cfg *server.Config) error {
	for _, l := range []struct{ name, value string }{{"trusted-proxies", cfg.API.TrustedProxies}, {"rate-exempt", cfg.API.RateExempt}} {
		if f.set(l.name) {
			if bad := server.BadPrefixes(l.value); len(bad) > 0 {
				return fmt.Errorf("--%s: %q: not a CIDR or an address", l.name, bad[0])
			}
		}
	}
	if f.set("cors-origins") {
		for _, o := range strings.Split(cfg.API.CORSOrigins, ",") {
			if o = strings.TrimSpace(o); o != "" && o != "*" && !isOrigin(o) {
				return fmt.Errorf("--cors-origins: %q: not * or an origin such as https://app.example.com", o)
			}
		}
	}
	return nil
}

// isOrigin reports whether s is a web origin: http or https, a host, an
// optional port, nothing after.
func isOrigin(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
		u.Path == "" && u.RawQuery == "" && u.Fragment == "" && u.User == nil
}

// serveFlags declares serve's flags into cfg, and the admin token file's
// into tokenFile.
func serveFlags(f *flags, cfg *server.Config, tokenFile *string) {
	f.str(&cfg.Addr, "addr", "PODCAST_ADDR", "localhost:8080", "listen address; :0 picks a free port")
	f.str(&cfg.DB, "db", "PODCAST_DB", "podcast.db", "the bbolt store file")
	f.str(&cfg.Seeds, "seeds", "PODCAST_SEEDS", "seeds", "directory ingested at start; empty disables")
	f.boolean(&cfg.Watch, "watch", "PODCAST_WATCH", false, "keep watching the seeds directory")
	f.str(&cfg.AdminToken, "admin-token", "PODCAST_ADMIN_TOKEN", "", "enables /admin/*, which then needs Authorization: Bearer TOKEN")
	f.str(tokenFile, "admin-token-file", "PODCAST_ADMIN_TOKEN_FILE", "", "file holding the admin token (kept out of process listings); at least 32 characters")
	f.str(&cfg.AdminAddr, "admin-addr", "PODCAST_ADMIN_ADDR", "", "separate listener for /metrics, health, pprof and /admin/*; empty serves /metrics on --addr")
	f.boolean(&cfg.Pprof, "pprof", "PODCAST_PPROF", false, "serve /debug/pprof/ on the admin listener (needs --admin-addr)")
	topicsFlag(f, &cfg.Topics)
	batchFlag(f, &cfg.Batch)
	rescanFlag(f, &cfg.Rescan)
	f.duration(&cfg.QueryTimeout, "query-timeout", "PODCAST_QUERY_TIMEOUT", 10*time.Second, 1, "deadline of one GraphQL operation")
	f.duration(&cfg.WriteTimeout, "write-timeout", "PODCAST_WRITE_TIMEOUT", 0, 0, "deadline for writing one answer; 0 means --query-timeout plus 60s; admin streams (backup, ingest) get it per write")
	f.int64(&cfg.RecordCache, "record-cache", "PODCAST_RECORD_CACHE", 32<<20, 0, "bytes of decoded store records kept between requests (counted by their encoded size); 0 turns it off")
	f.int64(&cfg.SearchCache, "search-cache", "PODCAST_SEARCH_CACHE", 32<<20, 0, "bytes of the search index's postings kept decoded between searches, until the index next changes; 0 turns it off")
	f.integer(&cfg.MaxConnections, "max-connections", "PODCAST_MAX_CONNECTIONS", 1024, 0, "open connections per listener, idle keep-alive ones included (closed first when the cap is reached); 0 turns it off")
	f.str(&cfg.Feeds, "feeds", "PODCAST_FEEDS", "", "file of feed URLs to ingest, one a line (# comments, blanks skipped), fetched at start and every --refresh; read again each time")
	f.duration(&cfg.Refresh, "refresh", "PODCAST_REFRESH", time.Hour, 0, "time between refreshes of --feeds, give or take a tenth (a failing feed waits longer each time); 0 fetches them only at start")
	f.boolean(&cfg.TraceFields, "trace-fields", "PODCAST_TRACE_FIELDS", false, "with tracing on (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_TRACES_EXPORTER=otlp), a span per resolver field below its operation's")
	fetchFlags(f, &cfg.Fetch)
	apiFlags(f, &cfg.API)
}

// fetchFlags declares how URLs are fetched, for serve (--feeds and
// /admin/ingest) and ingest.
func fetchFlags(f *flags, c *fetch.Config) {
	f.boolean(&c.AllowPrivate, "fetch-allow-private", "PODCAST_FETCH_ALLOW_PRIVATE", false,
		"let fetches reach loopback, private (RFC 1918, fc00::/7), link-local, CGNAT and metadata addresses; off, such addresses are refused when dialled (whoever holds the admin token could otherwise make the server probe its own network)")
	f.duration(&c.Timeout, "fetch-timeout", "PODCAST_FETCH_TIMEOUT", fetch.DefaultTimeout, time.Millisecond,
		fmt.Sprintf("deadline of one fetch, redirects and body included (connecting gets %v of it, the headers %v)", fetch.DefaultConnectTimeout, fetch.DefaultHeaderTimeout))
	f.int64(&c.MaxBytes, "fetch-max-bytes", "PODCAST_FETCH_MAX_BYTES", fetch.DefaultMaxBytes, 1, "largest body a fetch reads, after gzip is undone; a larger one fails, and nothing of it is stored")
}

// topicsFlag and batchFlag are the ingest settings serve and ingest share.
func topicsFlag(f *flags, p *string) {
	f.str(p, "topics", "PODCAST_TOPICS", "", "topic vocabulary JSON file; empty uses the built-in one")
}

func batchFlag(f *flags, p *int) {
	f.integer(p, "batch", "PODCAST_BATCH", pipeline.DefaultBatch, 1, "documents per write transaction when ingesting")
}

func rescanFlag(f *flags, p *bool) {
	f.boolean(p, "rescan", "PODCAST_RESCAN", false, "read every file, even those whose size, times and inode say they are unchanged since they were stored")
}

// apiFlags declares the flags of the GraphQL endpoint, defaulting to
// graphhttp's production settings.
func apiFlags(f *flags, c *server.APIConfig) {
	d := graphhttp.Defaults()
	off := "; 0 turns it off"
	f.boolean(&c.Playground, "playground", "PODCAST_PLAYGROUND", true, "serve GraphiQL at /; false answers 404 there")
	f.boolean(&c.Federation, "federation", "PODCAST_FEDERATION", false, "serve /graphql as an Apollo Federation v2 subgraph: @key on Show, Episode, Guest and Topic, Query._service and Query._entities (needs --introspection for _service); off, the plain schema")
	f.boolean(&c.Introspection, "introspection", "PODCAST_INTROSPECTION", true, "answer __schema and __type; false also drops \"Did you mean\" suggestions from errors")
	f.int64(&c.MaxBody, "max-body", "PODCAST_MAX_BODY", d.MaxBodyBytes, 0, "largest POST body or GET query string in bytes (413)"+off)
	f.integer(&c.MaxTokens, "max-tokens", "PODCAST_MAX_TOKENS", d.MaxTokens, 0, "most lexical tokens in a document (MAX_TOKENS_EXCEEDED)"+off)
	f.integer(&c.MaxDepth, "max-depth", "PODCAST_MAX_DEPTH", d.MaxDepth, 0, "deepest nesting of fields (MAX_DEPTH_EXCEEDED)"+off)
	f.integer(&c.MaxAliases, "max-aliases", "PODCAST_MAX_ALIASES", d.MaxAliases, 0, "most aliases in an operation (MAX_ALIASES_EXCEEDED)"+off)
	f.integer(&c.MaxDirectives, "max-directives", "PODCAST_MAX_DIRECTIVES", d.MaxDirectives, 0, "most directives in an operation (MAX_DIRECTIVES_EXCEEDED)"+off)
	f.integer(&c.MaxDuplicates, "max-duplicates", "PODCAST_MAX_DUPLICATES", d.MaxDuplicateFields, 0, "most times one field may be selected in one selection set (MAX_DUPLICATE_FIELDS_EXCEEDED)"+off)
	f.integer(&c.MaxCost, "max-cost", "PODCAST_MAX_COST", d.MaxCost, 0, "highest operation cost, objects it may return with connections counted by first/last (MAX_COST_EXCEEDED)"+off)
	f.float(&c.Rate, "rate", "PODCAST_RATE", d.Rate, 0, "requests per second per client, token bucket (429 THROTTLED)"+off)
	f.integer(&c.RateBurst, "rate-burst", "PODCAST_RATE_BURST", d.RateBurst, 0, "requests a client may send at once; 0 means one second's worth")
	f.str(&c.TrustedProxies, "trusted-proxies", "PODCAST_TRUSTED_PROXIES", "", "comma-separated CIDRs of proxies whose X-Forwarded-For names the client for rate limiting; empty: trust none")
	f.str(&c.RateExempt, "rate-exempt", "PODCAST_RATE_EXEMPT", "", "comma-separated CIDRs of clients exempt from --rate and the cost budget (monitoring, local load tests); empty: none, loopback included")
	f.float(&c.CostRate, "cost-rate", "PODCAST_COST_RATE", d.CostRate, 0, "cost points restored per second to each client's budget (429 THROTTLED when an operation costs more than is left); 0 turns the budget off")
	f.integer(&c.CostBurst, "cost-burst", "PODCAST_COST_BURST", d.CostBurst, 0, "cost points a client's budget holds; never less than --max-cost, so a full budget runs any operation the server accepts")
	f.str(&c.CORSOrigins, "cors-origins", "PODCAST_CORS_ORIGINS", "", "comma-separated origins whose pages may read answers, or *; empty: same origin only")
	f.duration(&c.CacheMaxAge, "cache-max-age", "PODCAST_CACHE_MAX_AGE", 0, 0, "Cache-Control max-age of GET answers; 0 sends no-cache, so caches revalidate by ETag")
	f.integer(&c.MaxConcurrent, "max-concurrent", "PODCAST_MAX_CONCURRENT", d.MaxConcurrent, 0, "operations executing at once, the rest waiting their turn in arrival order (default: the number of CPUs Go uses)"+off)
	f.int64(&c.MaxResponse, "max-response-bytes", "PODCAST_MAX_RESPONSE_BYTES", d.MaxResponseBytes, 0, "largest answer data in bytes, enforced while the answer is built (RESPONSE_TOO_LARGE, no partial answer)"+off)
	f.int64(&c.ResponseCache, "response-cache", "PODCAST_RESPONSE_CACHE", d.ResponseCacheBytes, 0, "bytes of answers kept for repeated requests, keyed by the request and the store generation"+off)
}
