// Command gqlpatch rewrites gqlgen's generated executor after `go generate`
// so that objects' fields and lists' elements run one after another on the
// request's goroutine instead of a goroutine each (see graph/slice.go for
// why). It fails when a call it replaces is not there, so a gqlgen upgrade
// that changes the generated code cannot slip by unnoticed.
//
//	go run ./internal/gqlpatch graph/generated.go
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"os"
)

// replacements are exact texts of gqlgen v0.17's object and list templates.
var replacements = []struct{ from, to string }{
	// Lists: one goroutine per element.
	{"graphql.MarshalSliceConcurrently(", "marshalSlice("},
	// Objects' resolver fields: queued, then run by FieldSet.Dispatch with
	// a goroutine each. Run inline instead. (Deferred fields and the
	// root's fields keep gqlgen's path.)
	{"out.Concurrently(i, func(ctx context.Context) graphql.Marshaler { return innerFunc(ctx, out) })",
		"out.Values[i] = innerFunc(ctx, out)"},
	// Every object builds the path of its field for @defer bookkeeping,
	// even with nothing deferred (the callee returns at once then): a
	// twelfth of a nested query's CPU. Build it only when needed.
	{"\tec.ProcessDeferredGroup(graphql.DeferredGroup{\n\t\tDefers:   deferLabelToView,\n\t\tPath:     graphql.GetPath(ctx),\n\t\tFieldSet: deferredFieldSet,\n\t\tContext:  ctx,\n\t})",
		"\tif len(deferLabelToView) > 0 {\n\t\tec.ProcessDeferredGroup(graphql.DeferredGroup{\n\t\t\tDefers:   deferLabelToView,\n\t\t\tPath:     graphql.GetPath(ctx),\n\t\t\tFieldSet: deferredFieldSet,\n\t\t\tContext:  ctx,\n\t\t})\n\t}"},
	// Every object allocates a field set and a map for @defer up front;
	// allocate them when a deferred field actually turns up.
	{"\tdeferredFieldSet := graphql.NewFieldSet(nil)\n\tdeferLabelToView := make(map[string]*graphql.FieldSetView)",
		"\tvar deferredFieldSet *graphql.FieldSet\n\tvar deferLabelToView map[string]*graphql.FieldSetView"},
	{"deferredFieldSet.AddField(field)",
		"if deferredFieldSet == nil {\ndeferredFieldSet = graphql.NewFieldSet(nil)\ndeferLabelToView = map[string]*graphql.FieldSetView{}\n}\ndeferredFieldSet.AddField(field)"},
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gqlpatch FILE")
		os.Exit(2)
	}
	if err := patch(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "gqlpatch:", err)
		os.Exit(1)
	}
}

func patch(path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for _, r := range replacements {
		if !bytes.Contains(src, []byte(r.from)) {
			return fmt.Errorf("%s: %q not found: has gqlgen's output changed?", path, r.from)
		}
		src = bytes.ReplaceAll(src, []byte(r.from), []byte(r.to))
	}
	out, err := format.Source(src)
	if err != nil {
		return fmt.Errorf("%s: patched code does not parse: %w", path, err)
	}
	return os.WriteFile(path, out, 0o644)
}
