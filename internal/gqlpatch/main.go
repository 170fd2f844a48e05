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
	return os.WriteFile(path, src, 0o644)
}
