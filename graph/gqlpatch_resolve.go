package graph

// The runtime of internal/gqlpatch's rewrite "resolver fields' contexts
// from the operation's slabs", called from the patched graph/generated.go.

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// resolveFieldIn stands in for gqlgen's graphql.ResolveField, which runs
// a resolver field: it makes the field's context, runs the resolver
// through the field middleware (tracing, the complexity and cost hooks
// see every resolver field as before) and marshals the result. It is
// gqlgen's, step for step, except that the field's context and the
// context carrying it come from the operation's slabs (withFieldContext)
// rather than two allocations each: a nested page resolves about a
// hundred fields. Nil slabs allocate them.
func resolveFieldIn[T any](
	slabs *operationSlabs,
	ctx context.Context,
	oc *graphql.OperationContext,
	field graphql.CollectedField,
	initializeFieldContext func(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error),
	fieldResolver func(ctx context.Context) (any, error),
	middlewareChain func(ctx context.Context, next graphql.Resolver) graphql.Resolver,
	marshal func(ctx context.Context, sel ast.SelectionSet, v T) graphql.Marshaler,
	recoverFromPanic bool,
	nonNull bool,
) (ret graphql.Marshaler) {
	fc, err := initializeFieldContext(ctx, field)
	if err != nil {
		return graphql.Null
	}
	ctx = slabs.withFieldContext(ctx, fc)

	if recoverFromPanic {
		defer func() {
			if r := recover(); r != nil {
				oc.Error(ctx, oc.Recover(ctx, r))
				ret = graphql.Null
			}
		}()
	}

	// The resolver, as the middleware calls it: it keeps the context the
	// middleware passes, which the children then use. (gqlgen's closure
	// over ctx costs ctx a place in the heap besides the closure.)
	run := slabs.fieldRun()
	run.ctx, run.resolver = ctx, fieldResolver
	next := graphql.Resolver(run.next)
	if middlewareChain != nil {
		next = middlewareChain(ctx, next)
	}

	resTmp, err := oc.ResolverMiddleware(ctx, next)
	ctx = run.ctx
	if err != nil {
		oc.Error(ctx, graphql.AddFieldLocationToError(ctx, err))
		if fc.NonNull && !nonNull {
			return graphql.RequiredNull
		}
		return graphql.Null
	}
	if resTmp == nil {
		if nonNull || fc.NonNull {
			if !graphql.HasFieldError(ctx, fc) {
				graphql.AddErrorf(ctx, "must not be null")
			}
		}
		if fc.NonNull && !nonNull {
			return graphql.RequiredNull
		}
		return graphql.Null
	}
	// fc.Result holds the same value as gqlgen's res, boxed once: boxing
	// res again would allocate for every slice or struct result.
	if res, ok := resTmp.(T); ok {
		fc.Result = resTmp
		return marshal(ctx, field.Selections, res)
	}
	if res, ok := resTmp.(graphql.Marshaler); ok {
		fc.Result = resTmp
		return res
	}
	var t T
	graphql.AddErrorf(ctx, `unexpected type %T from middleware/directive chain, should be %T`, resTmp, t)
	return graphql.Null
}

// fieldRun is a resolver field's resolver and the context the field
// middleware last called it with.
type fieldRun struct {
	ctx      context.Context
	resolver func(ctx context.Context) (any, error)
}

func (f *fieldRun) next(ctx context.Context) (any, error) {
	f.ctx = ctx
	return f.resolver(ctx)
}

// fieldRun returns a zeroed fieldRun; nil slabs allocate it.
func (o *operationSlabs) fieldRun() *fieldRun {
	if o == nil {
		return &fieldRun{}
	}
	o.mu.Lock()
	o.init()
	f := &o.runs.take(1)[0]
	o.mu.Unlock()
	return f
}

// fieldContext returns a zeroed field context for a resolver field; nil
// slabs allocate it.
func (o *operationSlabs) fieldContext() *graphql.FieldContext {
	if o == nil {
		return &graphql.FieldContext{}
	}
	o.mu.Lock()
	o.init()
	fc := &o.contexts.take(1)[0]
	o.mu.Unlock()
	return fc
}

// withFieldContext is graphql.WithFieldContext(ctx, fc), its context taken
// from the slabs (see elementContext); nil slabs allocate it.
func (o *operationSlabs) withFieldContext(ctx context.Context, fc *graphql.FieldContext) context.Context {
	if o == nil || !elementContexts {
		return graphql.WithFieldContext(ctx, fc)
	}
	o.mu.Lock()
	o.init()
	c := &o.elements.take(1)[0]
	o.mu.Unlock()
	return withElement(ctx, c, graphql.GetFieldContext(ctx), fc)
}
