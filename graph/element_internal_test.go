package graph

import (
	"context"
	"testing"

	"github.com/99designs/gqlgen/graphql"
)

type otherKey struct{}

// A list element's context (elementContext, taken from the operation's
// slabs) must be what graphql.WithFieldContext would have made: gqlgen
// finds the element's field context in it, whose parent is the list's,
// and every other value, the deadline and the cancellation are its
// parent's.
func TestElementContexts(t *testing.T) {
	if !elementContexts {
		t.Fatalf("graphql.GetFieldContext does not find the field context of an elementContext (gqlgen looks it up under %v): list elements fall back to graphql.WithFieldContext, one allocation each", fieldContextKey)
	}
	parentCtx, cancel := context.WithCancel(context.WithValue(context.Background(), otherKey{}, "kept"))
	list := &graphql.FieldContext{Object: "Episode"}
	parentCtx = graphql.WithFieldContext(parentCtx, list)
	var c elementContext
	fc := &graphql.FieldContext{Index: new(int)}
	ctx := withElement(parentCtx, &c, graphql.GetFieldContext(parentCtx), fc)

	if got := graphql.GetFieldContext(ctx); got != fc {
		t.Fatalf("GetFieldContext = %p, want the element's %p", got, fc)
	}
	if fc.Parent != list {
		t.Fatalf("the element's parent is %p, want the list's %p", fc.Parent, list)
	}
	if got := ctx.Value(otherKey{}); got != "kept" {
		t.Fatalf("a value of the parent context reads %v through the element's", got)
	}
	if got := graphql.GetPath(ctx).String(); got != "[0]" {
		t.Fatalf("path %q, want [0]", got)
	}
	// A context derived from the element's is cancelled with its parent.
	child, stop := context.WithCancel(ctx)
	defer stop()
	cancel()
	<-child.Done()
	if ctx.Err() != context.Canceled {
		t.Fatalf("Err = %v after the parent was cancelled", ctx.Err())
	}

	// Handed back with its slab, it reads as over, without values, and a
	// context derived from it before can still be stopped.
	live, stopLive := context.WithCancel(withElement(context.Background(), &c, nil, fc))
	c = elementContext{}
	stopLive()
	stop()
	<-live.Done()
	if c.Err() != context.Canceled || c.Value(otherKey{}) != nil {
		t.Fatalf("a released element context: Err %v, value %v", c.Err(), c.Value(otherKey{}))
	}
	if _, ok := c.Deadline(); ok {
		t.Fatal("a released element context has a deadline")
	}
	<-c.Done()
}
