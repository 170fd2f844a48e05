package graph

// The runtime of internal/gqlpatch's rewrite "lists run inline", called
// from the patched graph/generated.go.

import (
	"context"
	"errors"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// marshalSliceIn stands in for gqlgen's graphql.MarshalSliceConcurrently in
// generated.go (internal/gqlpatch's "lists run inline" swaps the call after
// every `go generate`; "resolver fields run inline" likewise runs objects'
// resolver fields inline rather than queuing them for a goroutine each). gqlgen runs each list element and each
// resolver field in a goroutine of its own so that they can wait on
// dataloaders in parallel; here every level's data is prefetched before
// its objects are marshalled (prefetch.go), so nothing waits, and the
// goroutines, with their stack growth, were a fifth of a nested query's
// CPU. Behaviour is gqlgen's:
// each element gets its index in the field context, and a panicking element
// becomes an error and nulls the list.
//
// Lists are where an answer grows, and inline execution never waits, so
// the operation's deadline is checked here: before the first element and
// every deadlineEvery elements after it. Past the deadline (or once the
// client has gone) the list stops, with the context's error, which the
// error presenter answers as TIMEOUT (or CANCELLED); every list after it
// stops at once, so the operation ends within a few elements.
//
// The list's memory comes from the operation's slabs (gqlpatch_arena.go,
// the rewrite "objects and lists from the operation's slabs"); nil slabs,
// without that rewrite, allocate it.
func marshalSliceIn(slabs *operationSlabs, ctx context.Context, length int, _ int64, omitPanicHandler bool, marshalElement func(ctx context.Context, i int) graphql.Marshaler) graphql.Array {
	// The array, the elements' field contexts, their indexes and the
	// contexts carrying them.
	ret, fcs, index, elems := slabs.list(length)
	parent := graphql.GetFieldContext(ctx)
	for i := range length {
		if i%deadlineEvery == 0 && ctx.Err() != nil {
			stopped(ctx)
			return nil
		}
		index[i] = i
		fcs[i].Index = &index[i]
		childCtx := withElement(ctx, &elems[i], parent, &fcs[i])
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

// deadlineEvery is how many elements of a list marshalSliceIn marshals
// between two looks at the operation's deadline.
const deadlineEvery = 64

// stopped reports that the operation's context ended, once per operation:
// the lists that stop after the first add nothing.
func stopped(ctx context.Context) {
	err := ctx.Err()
	for _, e := range graphql.GetErrors(ctx) {
		if errors.Is(e, err) {
			return
		}
	}
	graphql.AddError(ctx, err)
}

// elementContext is a list element's context: its parent's, with the
// element's field context. It is what graphql.WithFieldContext makes
// (a context.WithValue under gqlgen's key), taken from the operation's
// slabs instead of allocated: a nested page has hundreds of elements.
type elementContext struct {
	context.Context
	fc *graphql.FieldContext
}

func (c *elementContext) Value(key any) any {
	if key == fieldContextKey {
		return c.fc
	}
	if c.Context == nil {
		return nil // released
	}
	return c.Context.Value(key)
}

// An element context handed back with its operation's slabs is cleared:
// it then reads as a cancelled context with no values, so that code that
// kept one against the rule (see gqlpatch_arena.go), or a context derived
// from it, sees its operation as over instead of crashing the server.
// (Until the slab is reused: the rule stands.)

func (c *elementContext) Done() <-chan struct{} {
	if c.Context == nil {
		return closedDone
	}
	return c.Context.Done()
}

func (c *elementContext) Err() error {
	if c.Context == nil {
		return context.Canceled
	}
	return c.Context.Err()
}

func (c *elementContext) Deadline() (time.Time, bool) {
	if c.Context == nil {
		return time.Time{}, false
	}
	return c.Context.Deadline()
}

var closedDone = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// fieldContextKey is the key gqlgen keeps a field context under, as
// graphql.GetFieldContext asks for it; elementContexts reports whether
// graphql.GetFieldContext finds an elementContext's field context. When
// a gqlgen release looks its field contexts up otherwise, withElement
// falls back to graphql.WithFieldContext, and TestElementContexts fails
// to say so.
var (
	fieldContextKey = func() any {
		probe := &keyProbe{Context: context.Background()}
		graphql.GetFieldContext(probe)
		return probe.key
	}()
	elementContexts = func() bool {
		fc := &graphql.FieldContext{}
		c := &elementContext{Context: context.Background(), fc: fc}
		return fieldContextKey != nil && graphql.GetFieldContext(c) == fc
	}()
)

// keyProbe records the key of the last value asked of it.
type keyProbe struct {
	context.Context
	key any
}

func (p *keyProbe) Value(key any) any {
	p.key = key
	return nil
}

// withElement returns ctx carrying fc, whose parent is parent (ctx's field
// context), in c.
func withElement(ctx context.Context, c *elementContext, parent, fc *graphql.FieldContext) context.Context {
	if !elementContexts {
		return graphql.WithFieldContext(ctx, fc)
	}
	fc.Parent = parent
	// An element context answers only for the field context, which the
	// new one replaces: skip it, so that a value of the operation is
	// found a few steps up rather than past every level of the answer.
	if e, ok := ctx.(*elementContext); ok {
		ctx = e.Context
	}
	*c = elementContext{Context: ctx, fc: fc}
	return c
}
