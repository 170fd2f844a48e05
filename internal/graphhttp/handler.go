// Package graphhttp serves a gqlgen executor over HTTP the way the
// GraphQL-over-HTTP spec asks, and keeps whatever a hostile client sends
// cheap to refuse.
//
// New installs on a gqlgen server its own POST and GET transports (JSON
// bodies only, the spec's status codes for both application/json and
// application/graphql-response+json), a parsed-query cache bounded in bytes,
// Apollo's automatic persisted queries, and the limits: tokens, depth,
// aliases, directives and repeated fields, checked before the validator
// runs, and a cost computed from the operation and its variables, reported
// in extensions.cost and charged to the client's budget of cost points
// (Shopify's leaky bucket, shown in extensions.cost.throttleStatus and
// GitHub's X-RateLimit headers). In front of the server it puts CORS, a
// per-client token bucket of requests and the checks of method and media
// types; clients are told apart by address, through trusted proxies only.
// GET answers carry an ETag made of the store's generation and the
// request, and Cache-Control, so that browsers, proxies and CDNs can cache
// them. Answers of 1 KiB and more are compressed as the client's
// Accept-Encoding allows (gzip; brotli for answers served again from the
// response cache, which keeps each coding's bytes once made), with one
// ETag per coding.
//
// Every error carries extensions.code (see the Code constants); errors that
// refuse a request before GraphQL sees it have a GraphQL-shaped body too.
package graphhttp

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
)

// Options configures New. A limit of 0 turns that limit off.
type Options struct {
	MaxBodyBytes       int64   // POST body and GET query string, in bytes
	MaxTokens          int     // lexical tokens of a document
	MaxDepth           int     // nesting of fields in an operation (introspection not counted)
	MaxAliases         int     // aliases in an operation, fragments counted where spread
	MaxDirectives      int     // directives in an operation, fragments counted where spread
	MaxDuplicateFields int     // times one response name may be selected in one selection set
	MaxCost            int     // an operation's cost (see Cost)
	DefaultPageSize    int     // items of a connection when neither first nor last is given
	MaxPageSize        int     // most items a connection returns; the cost caps first/last here
	ListSize           int     // items the cost assumes for a list without paging arguments
	Introspection      bool    // allow __schema and __type; without it, errors suggest no field names
	Rate               float64 // requests per second per client; 0 turns rate limiting off
	RateBurst          int     // requests a client may send at once
	// TrustedProxies are the proxies whose X-Forwarded-For names the
	// client; none by default, so that a client's own header is ignored.
	TrustedProxies []netip.Prefix
	// RateExempt are the client networks neither the rate limit nor the
	// cost budget applies to (the operator's monitoring, local load
	// tests); none by default: loopback is limited like any client.
	RateExempt []netip.Prefix
	// CostRate is the cost points per second restored to each client's
	// budget (Shopify's leaky bucket); 0 turns the budget off.
	CostRate float64
	// CostBurst is the points a client's budget holds, at least MaxCost:
	// a client with a full budget can always run one operation the
	// server accepts.
	CostBurst int
	// InvalidForwardedFor, when set, is told of each request whose
	// X-Forwarded-For, from a trusted proxy, does not parse (the proxy
	// is then taken as the client): for logs and metrics.
	InvalidForwardedFor func(r *http.Request)
	CORSOrigins         []string      // origins allowed to read answers; "*" for any; none: same origin only
	CacheMaxAge         time.Duration // max-age of cacheable GET answers; 0 sends no-cache (revalidate by ETag)
	// Generation returns a number that changes whenever the data changes;
	// it is part of every ETag. Without it GET answers carry no ETag.
	Generation func() (uint64, error)
	// Version is part of every ETag, so that a new release of the server
	// does not answer with another release's cached answers.
	Version         string
	QueryCacheBytes int64 // parsed documents kept, in estimated bytes
	// ResponseCacheBytes bounds the answers kept for repeated requests,
	// keyed by the request and the generation (so an answer is never served
	// once the data has changed); 0 turns the cache off. It needs Generation.
	ResponseCacheBytes int64
	// CacheHit, when set, is told the operation name of a request answered
	// from the response cache (which creates no operation context for
	// gqlgen's hooks to see): for logs and metrics.
	CacheHit      func(ctx context.Context, operationName string)
	APQCacheBytes int64 // persisted query text kept, in bytes
	MaxErrors     int   // errors in one response; the rest are summed up in one TOO_MANY_ERRORS error
	// MaxConcurrent bounds the operations executing at once; the others
	// wait their turn in arrival order, within their deadline. Execution
	// is CPU work that never waits on I/O (the store is memory-mapped), so
	// running more operations than there are cores only makes each one
	// slower and the latency of all of them uneven. Parsing, validation,
	// cache hits and writing answers to clients are not counted. 0 turns
	// the bound off.
	MaxConcurrent int
	// ListBound, when set, returns the most items the list field
	// typeName.fieldName can return (ok false when unknown): the cost
	// prices a list field with a first argument at the smaller of first
	// (DefaultPageSize when absent) and this bound. It is called for every
	// such field of every operation, so it must be cheap and safe for
	// concurrent use.
	ListBound func(typeName, fieldName string) (int, bool)
	// TextBytes, when set, returns the most bytes the string field
	// typeName.fieldName can return (ok false when unknown): the cost
	// counts 1 per full KiB of it, each time the field is selected, so
	// that repeating a node with a long text is priced by what it
	// returns. Same requirements as ListBound.
	TextBytes func(typeName, fieldName string) (int, bool)
	// MaxResponseBytes bounds the data of one answer, in bytes; over it
	// the answer is a RESPONSE_TOO_LARGE error without data. An executor
	// should stop marshalling as soon as the limit is passed (graph's
	// WithResponseLimit does); this package checks the data it is given
	// again before writing it. 0 turns the limit off.
	MaxResponseBytes int64
	// Executed, when set, is called once an operation has executed and its
	// answer is bytes in memory, before they are written: to release what
	// execution held (the store's read transaction), so that a client slow
	// to read the answer holds nothing but its connection.
	Executed func(ctx context.Context)
	// InputScalars checks the values of custom scalars, by the scalar's
	// name, in variables and in the document's literals, before the
	// operation runs: a value one refuses is a request error with the code
	// BAD_USER_INPUT, naming the variable's path or the literal's
	// location, not a field error once the field that reads it runs. The
	// error's text is shown to the client.
	InputScalars map[string]func(v any) error
	// HoldWrites, when set, is called before an answer of up to 64 KiB
	// is written, with the length of its body: the connection may keep
	// the bytes until the response is whole and write them, head and
	// body, in one call (the server's internal/onewrite).
	HoldWrites func(r *http.Request, bodyLen int)
	// WriteStallTimeout is the longest a client may take to accept one
	// chunk (64 KiB) of an answer: each chunk is written under a write
	// deadline this far ahead, so a client that stops reading is cut off
	// after it, while one that keeps reading may take as long as the
	// server's WriteTimeout allows in all. 0 writes without deadlines of
	// its own.
	WriteStallTimeout time.Duration
	// Logger, when set, is told at debug level of answers that could not
	// be written (a client gone, or cut off).
	Logger *slog.Logger
	// Compressed, when set, is told of each answer body compressed (the
	// coding, "gzip" or "br", and the sizes before and after): for
	// metrics. An answer the response cache serves again in a coding it
	// was already sent in is not compressed again, and not told.
	Compressed func(coding string, before, after int)
	// Prepare, when set, gives a request that is to be parsed, validated
	// and executed its context (a deadline, per-request loaders) and
	// returns the function that ends it, called once the answer is
	// written, when the handler holds none of the answer's data any more
	// (the response cache keeps a copy of it), so that the function may
	// hand the data's buffer back for reuse. Requests answered from the
	// response cache, with 304 or
	// refused before GraphQL sees them need neither and do not call it.
	Prepare func(ctx context.Context) (context.Context, func())
}

// Defaults returns the production settings: limits in the spirit of
// graphql-armor's, sized so that the queries a client app asks pass with
// room to spare while a request that would make the server fetch a million
// objects, or make the validator work for seconds, is refused up front.
func Defaults() Options {
	return Options{
		MaxBodyBytes:       256 << 10,
		MaxTokens:          2000,
		MaxDepth:           10,
		MaxAliases:         15,
		MaxDirectives:      50,
		MaxDuplicateFields: 20,
		MaxCost:            10000,
		DefaultPageSize:    20,
		MaxPageSize:        100,
		ListSize:           10,
		Introspection:      true,
		Rate:               50,
		RateBurst:          100,
		CostRate:           1000,
		CostBurst:          20000,
		QueryCacheBytes:    32 << 20,
		ResponseCacheBytes: 32 << 20,
		APQCacheBytes:      4 << 20,
		MaxErrors:          50,
		MaxConcurrent:      runtime.GOMAXPROCS(0),
		MaxResponseBytes:   16 << 20,
		WriteStallTimeout:  10 * time.Second,
	}
}

// New configures srv with the transports, caches and limits of opts and
// returns the handler to mount at the GraphQL endpoint. Call it once per
// server, before serving; srv must have no transports of its own.
func New(srv *handler.Server, opts Options) http.Handler {
	o := &opts
	qc := newQueryCache(max(o.QueryCacheBytes, 1<<20))
	srv.SetQueryCache(qc)
	if o.MaxTokens > 0 {
		srv.SetParserTokenLimit(o.MaxTokens)
	}
	if o.Introspection {
		srv.Use(extension.Introspection{})
	} else {
		srv.SetDisableSuggestion(true)
	}
	srv.Use(apq{extension.AutomaticPersistedQuery{Cache: newAPQCache(max(o.APQCacheBytes, 64<<10))}})
	srv.Use(&limits{opts: o, cache: qc, model: costModel{
		defaultPage: o.DefaultPageSize, maxPage: max(o.MaxPageSize, 1), listSize: o.ListSize,
		pageArgs: []string{"first", "last"}, listBound: o.ListBound, textBytes: o.TextBytes,
	}})
	ep := newEndpoint(o)
	srv.AddTransport(postTransport{ep})
	srv.AddTransport(getTransport{ep})
	g := &guard{opts: o, next: srv, cors: newCORS(o.CORSOrigins)}
	g.clients = newClientTable(o)
	return g
}

// guard refuses, before any GraphQL work, what the endpoint never serves:
// other methods, media types it cannot answer or read, and clients over
// their rate. It adds the CORS headers of allowed origins, and gives the
// request its client's cost budget.
type guard struct {
	opts    *Options
	next    http.Handler
	cors    *cors
	clients *clientTable // nil when neither the rate nor the cost is limited
}

func (g *guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodOptions {
		g.cors.preflight(w, r)
		return
	}
	g.cors.headers(w, r)
	media := negotiate(r.Header.Get("Accept"))
	if g.clients != nil {
		c := g.clients.client(r, time.Now())
		if ok, retry := c.allowRequest(time.Now()); !ok {
			w.Header().Set("Retry-After", retrySeconds(retry))
			e := errorf(CodeThrottled, "too many requests: this client may send %g per second (bursts of %d); retry later", g.opts.Rate, g.clients.burst)
			writeErrors(w, media, e)
			return
		}
		if c != nil && c.cost != nil {
			b := &clientBudget{bucket: c}
			r = r.WithContext(context.WithValue(r.Context(), clientBudgetKey{}, b))
			w = &budgetWriter{ResponseWriter: w, budget: b}
		}
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPost:
	default:
		w.Header().Set("Allow", "GET, POST, OPTIONS")
		writeErrors(w, media, errorf(CodeMethodNotAllowed, "method %s is not allowed: send queries with GET or POST", sanitize(r.Method)))
		return
	}
	if media == "" {
		writeErrors(w, mediaJSON, errorf(CodeNotAcceptable, "the Accept header names neither application/graphql-response+json nor application/json"))
		return
	}
	if r.Method == http.MethodPost && !jsonRequest(r.Header.Get("Content-Type")) {
		writeErrors(w, media, errorf(CodeUnsupportedMedia, "send the request as Content-Type: application/json (UTF-8); other encodings are not accepted"))
		return
	}
	if r.Method == http.MethodPost && !identityCoded(r.Header.Values("Content-Encoding")) {
		// RFC 9110, 15.5.16: a content coding the server does not take is
		// a 415, not a body read as if it were plain.
		w.Header().Set("Accept-Encoding", "identity")
		writeErrors(w, media, errorf(CodeUnsupportedMedia, "send the body without a Content-Encoding: compressed request bodies are not accepted"))
		return
	}
	g.next.ServeHTTP(w, r)
}

// identityCoded reports whether Content-Encoding values say the body is
// not encoded: none, or identity.
func identityCoded(values []string) bool {
	for _, v := range values {
		for _, c := range strings.Split(v, ",") {
			if c = strings.TrimSpace(c); c != "" && !strings.EqualFold(c, "identity") {
				return false
			}
		}
	}
	return true
}

// sanitize keeps at most 16 printable ASCII bytes of s, for echoing it in a
// message.
func sanitize(s string) string {
	b := make([]byte, 0, min(len(s), 16))
	for i := 0; i < len(s) && len(b) < 16; i++ {
		if c := s[i]; c > ' ' && c < 0x7f {
			b = append(b, c)
		}
	}
	return string(b)
}
