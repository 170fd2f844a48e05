package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"podcastgraph/internal/pipeline"
	"podcastgraph/internal/tracing"
)

// BenchmarkTracing serves one nested query through the whole public
// handler (request log, metrics, graphhttp, the executor) on the seed
// store, the response cache off so that every request executes: off is
// the default (no OTEL_* variables); on records every span in memory;
// fields adds --trace-fields. Compare off against the same benchmark on
// a build without tracing (docs/performance.md has the figures).
func BenchmarkTracing(b *testing.B) {
	for _, c := range []struct {
		name           string
		tracer, fields bool
	}{{"off", false, false}, {"on", true, false}, {"fields", true, true}} {
		b.Run(c.name, func(b *testing.B) {
			var tracer trace.Tracer
			if c.tracer {
				tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(tracetest.NewNoopExporter()))
				tracer = tracing.Tracer(tp)
			}
			h := benchHandler(b, tracer, c.fields)
			const body = `{"query":"query Latest { episodes(first: 10) { nodes { code title guests { name organization } topics { name } } } }"}`
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

// benchHandler is serve's public handler on a store of the seeds.
func benchHandler(b *testing.B, tracer trace.Tracer, fields bool) http.Handler {
	st := seedsStore(b)
	cfg := &Config{QueryTimeout: 5 * time.Second, API: defaultAPI(), TraceFields: fields}
	cfg.API.Rate, cfg.API.CostRate, cfg.API.ResponseCache = 0, 0, 0
	a := &app{cfg: cfg, log: slog.New(slog.NewTextHandler(io.Discard, nil)), store: st, metrics: newMetrics(),
		startup: &pipeline.Progress{}, feeds: &pipeline.Progress{}, tracer: tracer}
	return a.handler()
}
