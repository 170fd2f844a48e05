// Package tracing is the server's OpenTelemetry tracing: a span per HTTP
// request, a span per GraphQL operation below it and, when asked for, a
// span per resolver field below that; exported over OTLP/HTTP. The
// request log (internal/server) carries each request's trace id.
//
// It is off unless the standard variables ask for it (Start): then
// nothing is installed at all, so a request costs what it did before
// (BenchmarkTracingOff in internal/server). Once on, the exporter reads
// the standard OTEL_EXPORTER_OTLP_* variables, the SDK reads
// OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG, and the resource reads
// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES.
//
// Field spans come from gqlgen's field middleware, which internal/gqlpatch's
// rewritten leaf fields bypass: only resolver fields (and fields with
// arguments or directives) get a span, which is where the time goes.
package tracing
