package tracing

import (
	"net/http"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// instrumentation names the tracer that makes the spans.
const instrumentation = "podcastgraph/internal/tracing"

// Tracer returns the tracer of the server's spans from tp.
func Tracer(tp trace.TracerProvider) trace.Tracer { return tp.Tracer(instrumentation) }

// StartRequest starts the server span of r, named after its method and
// path ("POST /graphql") and continuing the trace of a W3C traceparent
// header when the client sends one. It returns r with the span in its
// context, the trace's id in hex, and end, which ends the span with the
// status the request was answered with.
func StartRequest(tracer trace.Tracer, r *http.Request) (_ *http.Request, traceID string, end func(status int)) {
	ctx := propagation.TraceContext{}.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
	ctx, span := tracer.Start(ctx, r.Method+" "+r.URL.Path, trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(semconv.HTTPRequestMethodKey.String(r.Method), semconv.URLPath(r.URL.Path)))
	if sc := span.SpanContext(); sc.HasTraceID() {
		traceID = sc.TraceID().String()
	}
	return r.WithContext(ctx), traceID, func(status int) {
		span.SetAttributes(semconv.HTTPResponseStatusCode(status))
		if status >= 500 {
			span.SetStatus(codes.Error, http.StatusText(status))
		}
		span.End()
	}
}
