// Command gqlpatch rewrites gqlgen's generated executor after `go generate`
// so that lists are marshalled by graph.marshalSlice instead of
// graphql.MarshalSliceConcurrently (see graph/slice.go for why). It fails
// when the call it replaces is not there, so a gqlgen upgrade that changes
// the generated code cannot slip by unnoticed.
//
//	go run ./internal/gqlpatch graph/generated.go
package main

import (
	"bytes"
	"fmt"
	"os"
)

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
	from, to := []byte("graphql.MarshalSliceConcurrently("), []byte("marshalSlice(")
	n := bytes.Count(src, from)
	if n == 0 {
		return fmt.Errorf("%s: no call of graphql.MarshalSliceConcurrently to replace: has gqlgen's output changed?", path)
	}
	return os.WriteFile(path, bytes.ReplaceAll(src, from, to), 0o644)
}
