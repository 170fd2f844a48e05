package tracing

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// Operations is a gqlgen handler extension that adds a span per executed
// operation ("query LatestEpisodes"), a child of its request's. Answers
// served from the response cache execute nothing and get only their
// request's span.
type Operations struct{ Tracer trace.Tracer }

// Fields is a gqlgen handler extension that adds a span per field that
// passes through gqlgen's field middleware ("Episode.guests"), a child of
// its operation's span. The leaf fields internal/gqlpatch rewrites never
// reach the middleware and get none: resolver fields (and fields with
// arguments or directives) do, which is where the time goes.
type Fields struct{ Tracer trace.Tracer }

var (
	_ graphql.HandlerExtension    = Operations{}
	_ graphql.ResponseInterceptor = Operations{}
	_ graphql.HandlerExtension    = Fields{}
	_ graphql.FieldInterceptor    = Fields{}
)

// ExtensionName names the extension to gqlgen.
func (Operations) ExtensionName() string { return "TracingOperations" }

// Validate accepts every schema.
func (Operations) Validate(graphql.ExecutableSchema) error { return nil }

// ExtensionName names the extension to gqlgen.
func (Fields) ExtensionName() string { return "TracingFields" }

// Validate accepts every schema.
func (Fields) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptResponse runs an operation inside its span. The response
// middleware, not the operation middleware, is where the executor takes
// the context its fields run under, so field spans are its children.
func (e Operations) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	oc := graphql.GetOperationContext(ctx)
	if oc == nil || oc.Operation == nil {
		return next(ctx)
	}
	kind, opName := string(oc.Operation.Operation), oc.Operation.Name
	name := kind
	if opName != "" {
		name += " " + opName
	}
	ctx, span := e.Tracer.Start(ctx, name, trace.WithAttributes(
		semconv.GraphQLOperationTypeKey.String(kind), semconv.GraphQLOperationName(opName)))
	defer span.End()
	resp := next(ctx)
	if resp != nil && len(resp.Errors) > 0 {
		span.SetAttributes(attribute.Int("graphql.errors", len(resp.Errors)))
		span.SetStatus(codes.Error, resp.Errors[0].Message)
	}
	return resp
}

// InterceptField runs a field's resolver inside its span.
func (e Fields) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return next(ctx)
	}
	ctx, span := e.Tracer.Start(ctx, fc.Object+"."+fc.Field.Name, trace.WithAttributes(
		attribute.String("graphql.field.path", fc.Path().String())))
	defer span.End()
	res, err := next(ctx)
	if err != nil {
		span.SetStatus(codes.Error, err.Error())
	}
	return res, err
}
