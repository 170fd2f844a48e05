package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// marshalSlice stands in for gqlgen's graphql.MarshalSliceConcurrently in
// generated.go (internal/gqlpatch swaps the call after every `go generate`,
// and likewise runs objects' resolver fields inline rather than queuing
// them for a goroutine each). gqlgen runs each list element and each
// resolver field in a goroutine of its own so that they can wait on
// dataloaders in parallel; here every level's data is prefetched before
// its objects are marshalled (prefetch.go), so nothing waits, and the
// goroutines, with their stack growth, were a fifth of a nested query's
// CPU. Behaviour is gqlgen's:
// each element gets its index in the field context, and a panicking element
// becomes an error and nulls the list.
func marshalSlice(ctx context.Context, length int, _ int64, omitPanicHandler bool, marshalElement func(ctx context.Context, i int) graphql.Marshaler) graphql.Array {
	ret := make(graphql.Array, length)
	// The elements' field contexts and indexes, in one allocation each.
	fcs := make([]graphql.FieldContext, length)
	index := make([]int, length)
	for i := range length {
		index[i] = i
		fcs[i].Index = &index[i]
		childCtx := graphql.WithFieldContext(ctx, &fcs[i])
		if omitPanicHandler {
			ret[i] = marshalElement(childCtx, i)
			continue
		}
		failed := false
		func() {
			defer func() {
				if r := recover(); r != nil {
					graphql.AddError(childCtx, graphql.Recover(childCtx, r))
					failed = true
				}
			}()
			ret[i] = marshalElement(childCtx, i)
		}()
		if failed {
			return nil
		}
	}
	return ret
}
