package main

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
	"sync/atomic"
	"time"

	"podcastgraph/graph"
	"podcastgraph/playground"
	"podcastgraph/store"
)

// defaultQuery is what GraphiQL shows on first load: nested data, from the
// newest episodes to their guests' other episodes and topics.
const defaultQuery = `# Welcome to the podcast graph. Press the run button (or Ctrl+Enter).
query NewestEpisodes {
  episodes(first: 5) {
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

// serve opens the store, starts listening, ingests the seeds and serves
// until ctx is cancelled; then it drains in-flight requests and closes the
// store.
func serve(ctx context.Context, cfg *config, stdout io.Writer) error {
	log := slog.New(slog.NewTextHandler(stdout, nil))
	vocab, err := loadVocabulary(cfg)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DB, store.Options{})
	if err != nil {
		return err
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("close store", "err", err)
		}
	}()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	var ready atomic.Bool
	srv := &http.Server{
		Handler:           newHandler(st, cfg, log, &ready),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      cfg.QueryTimeout + 5*time.Second,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("listening on http://"+ln.Addr().String(), "db", cfg.DB)

	if cfg.Seeds != "" {
		ing := &ingester{store: st, vocab: vocab, batch: cfg.Batch, out: stdout}
		sum, err := ing.paths(ctx, []string{cfg.Seeds})
		if err != nil {
			log.Error("start-up ingest", "err", err)
		}
		log.Info("start-up ingest done", "dir", cfg.Seeds, "added", sum.added, "updated", sum.updated,
			"unchanged", sum.unchanged, "failed", sum.failed)
	}
	ready.Store(true)

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newHandler wires every HTTP path of the contract.
func newHandler(st *store.Store, cfg *config, log *slog.Logger, ready *atomic.Bool) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/graphql", newGraphQL(st, cfg, log))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		gen, err := st.Generation()
		if err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "error", "store": "unreadable"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "store": "open", "generation": gen})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if !ready.Load() {
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "starting", "reason": "start-up ingest not done"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"status": "ready"})
	})
	mux.Handle("/", playground.Handler(playground.Options{
		Title: "Podcast graph", Endpoint: "/graphql", DefaultQuery: defaultQuery,
	}))
	return logRequests(log, withLoaders(st, mux))
}

// withLoaders gives every request its own loaders.
func withLoaders(st *store.Store, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(graph.WithLoaders(r.Context(), st)))
	})
}

// withTimeout bounds every operation by d.
func withTimeout(next http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

type requestInfo struct {
	id        string
	operation string
}

type requestInfoKey struct{}

func requestInfoFrom(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	return info
}

// logRequests writes one structured line per request.
func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{id: requestID(r)}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		sw.Header().Set("X-Request-Id", info.id)
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info)))
		attrs := []any{"method", r.Method, "path", r.URL.Path, "status", sw.status,
			"duration", time.Since(start).Round(time.Microsecond), "request_id", info.id}
		if info.operation != "" {
			attrs = append(attrs, "operation", info.operation)
		}
		log.Info("request", attrs...)
	})
}

func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= 64 {
		return id
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
