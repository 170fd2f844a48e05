package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/trace"

	"podcastgraph/internal/cluster"
	"podcastgraph/internal/fetch"
	"podcastgraph/internal/onewrite"
	"podcastgraph/internal/pipeline"
	"podcastgraph/internal/playground"
	"podcastgraph/internal/search"
	"podcastgraph/internal/tracing"
	"podcastgraph/store"
)

// DefaultQuery is what GraphiQL shows on first load: nested data, from the
// newest episodes to their guests' other episodes and topics.
const DefaultQuery = `# Welcome to the podcast graph. Press the run button (or Ctrl+Enter).
query LatestEpisodes {
  episodes(first: 5, orderBy: {field: RELEASE_DATE, direction: DESC}) {
    totalCount
    nodes {
      code
      title
      releaseDate
      guests {
        name
        role
        organization
        episodes(first: 5) {
          nodes { code title }
        }
      }
      topics { name }
    }
  }
}
`

// app is the running server: what its handlers share.
type app struct {
	cfg     *Config
	opts    Options
	log     *slog.Logger
	store   *store.Store
	search  *search.Feeder // the full-text index, fed from the store's changes
	ing     *pipeline.Ingester
	metrics *metrics
	ready   atomic.Bool
	// startup follows the start-up ingest, for /readyz and the log;
	// feeds the first round of --feeds.
	startup, feeds *pipeline.Progress
	// fetcher fetches the feeds and the URLs /admin/ingest is given.
	fetcher *fetch.Fetcher
	// tracer makes the spans; nil when tracing is off.
	tracer trace.Tracer
	// node is this server's node of a cluster, once started (--cluster);
	// nil otherwise. logw takes its raft log.
	node atomic.Pointer[cluster.Node]
	logw io.Writer
}

// Serve opens the store, starts listening, ingests the seeds and serves
// until ctx is cancelled; then it drains in-flight requests and closes the
// store. Its log goes to stdout.
func Serve(ctx context.Context, cfg *Config, opts Options, stdout io.Writer) error {
	// Lines are written by a goroutine of their own, in batches under
	// load (see logWriter); the deferred Close writes the last of them.
	lw := newLogWriter(stdout)
	defer lw.Close()
	log := slog.New(slog.NewTextHandler(lw, nil))
	vocab, err := pipeline.LoadVocabulary(cfg.Topics)
	if err != nil {
		return err
	}
	tracer, stopTracing, err := startTracing(ctx, cfg, opts, log)
	if err != nil {
		return err
	}
	defer stopTracing()
	m := newMetrics()
	st, err := store.Open(ctx, cfg.DB, store.Options{Observe: m.observeTx, FailApply: opts.FailApply, CacheBytes: int(cfg.RecordCache)})
	if err != nil {
		return err
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("close store", "err", err)
		}
	}()
	m.watchStore(st)
	// The index catches up with the store (or is built from it) before
	// anything is served; it is closed, and saved, before the store.
	restoreGC := pipeline.BuildGC(cfg.getenv()) // the index may be built from the store
	idx, err := search.Open(ctx, st, search.Options{Log: log, CacheBytes: cfg.SearchCache})
	restoreGC()
	if err != nil {
		return err
	}
	defer func() {
		if err := idx.Close(); err != nil {
			log.Error("close search index", "err", err)
		}
	}()
	a := &app{cfg: cfg, opts: opts, log: log, logw: lw, store: st, search: idx, metrics: m, startup: &pipeline.Progress{},
		feeds: &pipeline.Progress{}, fetcher: fetch.New(cfg.Fetch), tracer: tracer,
		ing: &pipeline.Ingester{Store: st, Vocab: vocab, Batch: cfg.Batch, Observe: m.observeDoc,
			Rescan: cfg.Rescan, Settle: opts.Settle}}
	// Files runs only at start-up here: what follows it follows that.
	a.ing.Progress, a.ing.Step = a.startup, opts.IngestStep

	servers := []*http.Server{}
	listen := func(addr string, h http.Handler, what string) (string, error) {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return "", fmt.Errorf("listen on %s: %w", addr, err)
		}
		ln, connState := limitConnections(onewrite.Listen(ln), cfg.MaxConnections)
		srv := &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      cfg.writeTimeout(),
			IdleTimeout:       60 * time.Second,
			MaxHeaderBytes:    cfg.maxHeaderBytes(),
			ConnState:         connState,
			ConnContext:       onewrite.ConnContext,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		}
		servers = append(servers, srv)
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("serve", "listener", what, "err", err)
			}
		}()
		log.Info(what+" http://"+ln.Addr().String(), "db", cfg.DB)
		return "http://" + ln.Addr().String(), nil
	}
	shutdown := func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		for _, srv := range servers {
			if err := srv.Shutdown(shutdownCtx); err != nil {
				log.Error("shutdown", "err", err)
			}
		}
	}
	defer shutdown()
	for _, w := range cfg.Warnings {
		log.Warn(w)
	}
	if cfg.AdminToken == "" && cfg.Pprof && cfg.AdminAddr != "" {
		log.Warn("--pprof without an admin token: /debug/pprof/ and /metrics are open to anyone who reaches --admin-addr")
	}
	if cfg.Feeds != "" {
		// A list that cannot be read is a mistake to hear of now, not at
		// the first refresh.
		if _, _, err := pipeline.ReadFeedList(cfg.Feeds); err != nil {
			return fmt.Errorf("--feeds: %w", err)
		}
	}
	adminURL, err := listen(cfg.Addr, a.handler(), "listening on")
	if err != nil {
		return err
	}
	if cfg.AdminAddr != "" {
		if adminURL, err = listen(cfg.AdminAddr, a.adminHandler(), "admin listener on"); err != nil {
			return err
		}
	}

	if cfg.Cluster == nil {
		stop, err := a.work(ctx)
		if err != nil {
			return err
		}
		defer stop()
	} else {
		if cfg.AdminToken == "" {
			return errors.New("--cluster needs --admin-token (or --admin-token-file): the nodes authenticate to each other with it")
		}
		node, err := a.startCluster(ctx, adminURL)
		if err != nil {
			return err
		}
		defer func() {
			if err := node.Close(); err != nil {
				log.Error("close cluster node", "err", err)
			}
		}()
		var wg sync.WaitGroup
		defer wg.Wait() // before the node and the store close
		wg.Go(func() {
			node.WhileLeader(ctx, func(ctx context.Context) {
				log.Info("leading the cluster: start-up ingest, feeds and watching run here")
				stop, err := a.work(ctx)
				if err != nil {
					log.Error("leader work", "err", err)
					return
				}
				<-ctx.Done()
				stop()
			})
		})
		defer a.serveGC(ctx)()
		defer serveProcs(a.cfg.getenv(), a.cfg.API.MaxConcurrent)()
		a.ready.Store(true)
		select {
		case <-ctx.Done():
			log.Info("shutting down")
			return nil
		case err := <-node.Failed():
			log.Error("cluster", "err", err)
			return err
		}
	}
	defer a.serveGC(ctx)()
	defer serveProcs(a.cfg.getenv(), a.cfg.API.MaxConcurrent)()
	a.ready.Store(true)
	<-ctx.Done()
	log.Info("shutting down")
	return nil
}

// indexed waits until the search index has what the store holds, under
// the bulk collector policy (the index may be built from the store): the
// server is ready once the pages it ingested at start-up are
// searchable.
func (a *app) indexed(ctx context.Context) error {
	if a.search == nil {
		return nil
	}
	gen, err := a.store.Generation()
	if err != nil {
		return err
	}
	defer pipeline.BuildGC(a.cfg.getenv())()
	return a.search.WaitFor(ctx, gen)
}

// serveGC applies the collector's serving policy, counting the search
// index as memory kept on purpose, and follows the index and the live
// heap as they change (feeds, admin ingest, a cluster's writes, the index
// saved and mapped, the record cache filling) every retuneEvery until ctx
// ends; it returns the undo.
func (a *app) serveGC(ctx context.Context) (restore func()) {
	kept := func() int64 {
		if a.search == nil {
			return 0
		}
		if ix := a.search.Index(); ix != nil {
			return ix.HeapBytes()
		}
		return 0
	}
	retune, undo := pipeline.ServeGC(a.cfg.getenv(), kept)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(retuneEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-stop:
				return
			case <-t.C:
				retune()
			}
		}
	}()
	return func() { close(stop); <-done; undo() }
}

// retuneEvery is how often the collector's limit follows the search
// index's size and the live heap.
const retuneEvery = time.Second

// handler wires every public HTTP path of the contract; /metrics and pprof
// move to the admin listener when there is one.
func (a *app) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/graphql", a.metrics.instrument(a.readYourWrites(newGraphQL(a.store, a.search, a.cfg, a.opts, a.log, a.tracer))))
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.HandleFunc("GET /readyz", a.readyz)
	if a.cfg.AdminAddr == "" {
		mux.Handle("GET /metrics", a.operator(a.metrics.handler()))
		a.mountAdmin(mux)
	}
	mountPlayground(mux, a.cfg)
	return noSniff(logRequests(a.log, a.tracer, mux))
}

// adminHandler serves the admin listener: metrics, health, pprof when
// enabled, and the admin endpoints.
func (a *app) adminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.operator(a.metrics.handler()))
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.HandleFunc("GET /readyz", a.readyz)
	if a.cfg.Pprof {
		mux.Handle("/debug/pprof/", a.operator(http.HandlerFunc(pprof.Index)))
		mux.Handle("/debug/pprof/cmdline", a.operator(http.HandlerFunc(pprofCmdline)))
		mux.Handle("/debug/pprof/profile", a.operator(http.HandlerFunc(pprof.Profile)))
		mux.Handle("/debug/pprof/symbol", a.operator(http.HandlerFunc(pprof.Symbol)))
		mux.Handle("/debug/pprof/trace", a.operator(http.HandlerFunc(pprof.Trace)))
	}
	a.mountAdmin(mux)
	return noSniff(logRequests(a.log, a.tracer, mux))
}

// operator guards /metrics and pprof: with an admin token configured they
// need it as a bearer token, as /admin/* does; without one they are open
// (keep them on a private --admin-addr then).
func (a *app) operator(next http.Handler) http.Handler {
	if a.cfg.AdminToken == "" {
		return next
	}
	return a.authorized(next)
}

// noSniff tells browsers never to guess a content type other than the one
// sent, on every answer a handler writes (404s and errors included).
func noSniff(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

// mountPlayground serves GraphiQL at / from the binary, unless
// --playground=false, when / answers 404.
func mountPlayground(mux *http.ServeMux, cfg *Config) {
	if !cfg.API.Playground {
		return
	}
	mux.Handle("/", playground.Handler(playground.Options{
		Title: "Podcast graph", Endpoint: "/graphql", DefaultQuery: DefaultQuery,
	}))
}

func (a *app) healthz(w http.ResponseWriter, r *http.Request) {
	gen, err := a.store.Generation()
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "error", "store": "unreadable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "store": "open", "generation": gen})
}

func (a *app) readyz(w http.ResponseWriter, r *http.Request) {
	if !a.ready.Load() {
		body := map[string]any{"status": "starting", "reason": "start-up ingest not done"}
		if ps := a.startup.State(); ps.Started {
			body["ingest"] = startupProgress(ps)
		}
		if ps := a.feeds.State(); ps.Started {
			body["feeds"] = startupProgress(ps)
		}
		writeJSON(w, http.StatusServiceUnavailable, body)
		return
	}
	if node := a.node.Load(); node != nil {
		// A node without a leader serves reads, which may be stale, but
		// takes no writes: a balancer should prefer the others.
		st := node.Status()
		if st.Leader == "" {
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "no leader", "cluster": st})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "cluster": st})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready"})
}

// requestInfo is what the request log and the metrics learn of a request
// from the handlers it passes through.
type requestInfo struct {
	id        string
	operation string
	// graphqlErrors is set when an answer carried GraphQL errors.
	graphqlErrors bool
}

type requestInfoKey struct{}

func requestInfoFrom(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	return info
}

// logRequests writes one structured line per request; with a tracer
// (tracing on), each request but the health probes (/healthz, /readyz) is
// also a span, and its line carries the trace id.
func logRequests(log *slog.Logger, tracer trace.Tracer, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{id: requestID(r)}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		sw.Header().Set("X-Request-Id", info.id)
		var traceID string
		if tracer != nil && r.URL.Path != "/healthz" && r.URL.Path != "/readyz" {
			var end func(int)
			r, traceID, end = tracing.StartRequest(tracer, r)
			defer func() { end(sw.status) }()
		}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info)))
		// On the path every request takes: typed attributes (no boxing,
		// no pairing of keys at run time), and a record handed to the
		// handler directly, without the caller's program counter that
		// Logger methods look up (the log does not show the source).
		ctx := r.Context()
		if !log.Enabled(ctx, slog.LevelInfo) {
			return
		}
		rec := slog.NewRecord(time.Now(), slog.LevelInfo, "request", 0)
		rec.AddAttrs(slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", sw.status),
			slog.Duration("duration", time.Since(start).Round(time.Microsecond)), slog.String("request_id", info.id))
		if info.operation != "" {
			rec.AddAttrs(slog.String("operation", info.operation))
		}
		if traceID != "" {
			rec.AddAttrs(slog.String("trace_id", traceID))
		}
		_ = log.Handler().Handle(ctx, rec)
	})
}

// requestID is the client's X-Request-Id when it is in a safe form (see
// safeRequestID), else a new random one: ids go into logs and headers.
func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); safeRequestID(id) {
		return id
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// safeRequestID accepts 1 to 64 of A-Z a-z 0-9 . _ - and nothing else.
func safeRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// statusWriter notes the status a handler answers with (the first one it
// writes).
type statusWriter struct {
	http.ResponseWriter
	status        int
	headerWritten bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.headerWritten {
		w.status, w.headerWritten = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// startTracing returns the tracer of the server's spans, nil when tracing
// is off (the OTEL_* variables, internal/tracing), and what stops it and
// sends the spans still buffered.
func startTracing(ctx context.Context, cfg *Config, opts Options, log *slog.Logger) (trace.Tracer, func(), error) {
	if opts.TracerProvider != nil {
		return tracing.Tracer(opts.TracerProvider), func() {}, nil
	}
	p, err := tracing.Start(ctx, cfg.getenv())
	if err != nil || p == nil {
		return nil, func() {}, err
	}
	log.Info("tracing on: spans are exported over OTLP/HTTP", "fields", cfg.TraceFields)
	return tracing.Tracer(p), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := p.Shutdown(ctx); err != nil {
			log.Warn("tracing", "err", err)
		}
	}, nil
}

// work runs what one server does for the whole cluster (every server, when
// alone): the start-up ingest of --seeds, then the --feeds refresher and
// the --watch watcher, until ctx ends. stop waits for the refresher and
// closes the watcher, before the store closes.
func (a *app) work(ctx context.Context) (stop func(), err error) {
	cfg, log, st := a.cfg, a.log, a.store
	var stops []func()
	stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	if cfg.Seeds != "" {
		files, skipped, err := pipeline.Expand([]string{cfg.Seeds})
		for _, line := range skipped {
			log.Warn("start-up ingest: skipped " + line)
		}
		if err != nil {
			log.Error("start-up ingest", "err", err)
		} else {
			restore := pipeline.BulkGC(cfg.getenv(), len(files), cfg.Batch)
			// A bulk start-up ingest is indexed once it is done, not
			// batch by batch: an index that was empty is then built in
			// one go, its postings laid out once (search.Feeder.Hold).
			release := func() {}
			if a.search != nil && pipeline.Bulk(len(files), cfg.Batch) {
				release = a.search.Hold()
			}
			sum, err := a.startupIngest(ctx, files)
			restore()
			release()
			if err := a.indexed(ctx); err != nil && ctx.Err() == nil {
				log.Error("start-up ingest: search index", "err", err)
			}
			if sum.Added+sum.Updated > 0 {
				// The ingest's writes read much of the file; serving
				// needs a small part of it again.
				if err := st.ReleaseMapped(); err != nil {
					log.Warn("start-up ingest", "err", err)
				}
				if a.search != nil {
					a.search.SaveSoon() // the index then reads its postings from the file
				}
			}
			switch {
			case err != nil && ctx.Err() != nil:
				log.Info("start-up ingest stopped by shutdown; the batches committed are kept")
			case err != nil:
				log.Error("start-up ingest", "err", err)
			}
			ps := a.startup.State()
			log.Info("start-up ingest done", "dir", cfg.Seeds, "added", sum.Added, "updated", sum.Updated,
				"unchanged", sum.Unchanged, "failed", sum.Failed, "unread", sum.Unread,
				"took", ps.Elapsed.Round(time.Millisecond), "rate", perSecond(ps.Done, ps.Elapsed))
		}
	}
	if cfg.Feeds != "" {
		fd := &pipeline.Feeds{Ingester: a.ing, Fetcher: a.fetcher, File: cfg.Feeds, Every: cfg.Refresh, Log: log}
		if _, err := fd.Round(ctx, a.feeds); err != nil {
			if ctx.Err() != nil {
				log.Info("start-up feed fetch stopped by shutdown; the feeds ingested are kept")
			} else {
				log.Error("start-up feed fetch", "err", err)
			}
		}
		var wg sync.WaitGroup
		wg.Go(func() { fd.Run(ctx) })
		stops = append(stops, wg.Wait, a.fetcher.CloseIdle) // the refresher ends before the store closes
	}
	if cfg.Watch && cfg.Seeds != "" {
		w, err := pipeline.Watch(ctx, cfg.Seeds, a.ing, log)
		if err != nil {
			stop()
			return nil, err
		}
		stops = append(stops, func() { _ = w.Close() })
	}
	return stop, nil
}
