package graph

import (
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// An operation's locks are skipped when its root has one field (which
// gqlgen calls in place), and kept when it has several (each run on a
// goroutine of its own); only the root, the operation's first collect,
// decides. TestAnswersDoNotShareMemoryBetweenOperations runs both kinds
// interleaved, under -race in particular.
func TestOperationLocksOnlyWhenRootFieldsMayRunConcurrently(t *testing.T) {
	field := func(name string) ast.Selection {
		return &ast.Field{Name: name, Alias: name, ObjectDefinition: &ast.Definition{Name: "Query"}}
	}
	oc := &graphql.OperationContext{}
	for _, c := range []struct {
		root []string
		solo bool
	}{{[]string{"episodes"}, true}, {[]string{"episodes", "guests"}, false}, {[]string{"a", "b", "c"}, false}} {
		var m operationMemo
		var root ast.SelectionSet
		for _, n := range c.root {
			root = append(root, field(n))
		}
		if got := len(m.collect(oc, root, queryImplementors)); got != len(c.root) {
			t.Fatalf("collected %d root fields, want %d", got, len(c.root))
		}
		// A nested selection set of one field does not make a
		// concurrent operation solo.
		m.collect(oc, ast.SelectionSet{field("title")}, episodeImplementors)
		if m.mu.solo != c.solo || m.fields.mu.solo != c.solo || m.slabs.mu.solo != c.solo {
			t.Errorf("root %v: solo %v/%v/%v, want %v", c.root, m.mu.solo, m.fields.mu.solo, m.slabs.mu.solo, c.solo)
		}
	}
}
