package graph

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
)

// jsonString writes what gqlgen's MarshalString writes, byte for byte:
// answers must not change with the patched executor.
func TestJSONStringMatchesGqlgen(t *testing.T) {
	cases := []string{"", "plain", `quote " and \ backslash`, "tab\tcr\rnl\n", "\x00\x01\x1f\x7f",
		"Ünïcödé — ✓ 🎙️", "bad utf-8 \xff\xfe end", "</script>&<>", "\u2028\u2029"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		b := make([]byte, rng.IntN(24))
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		cases = append(cases, string(b))
	}
	// Plain text with one byte at every place, either side of the eight
	// bytes the writer looks at together.
	for n := range 41 {
		for at := range n {
			for _, c := range []byte{0x00, 0x1f, '"', '\\', '\n', 0x20, '!', 0x7f, 0x80, 0xc3, 0xff} {
				b := []byte(strings.Repeat("ab", n)[:n])
				b[at] = c
				cases = append(cases, string(b))
			}
		}
	}
	for _, s := range cases {
		var want, got bytes.Buffer
		graphql.MarshalString(s).MarshalGQL(&want)
		v := s
		(*jsonString)(&v).MarshalGQL(&got)
		if !bytes.Equal(want.Bytes(), got.Bytes()) {
			t.Fatalf("%q: gqlgen writes %q, jsonString %q", s, want.Bytes(), got.Bytes())
		}
		// The same straight onto an answer, after what came before it.
		aw := &answerWriter{ctx: t.Context(), b: []byte("x")}
		aw.plan()
		(*jsonString)(&v).MarshalGQL(aw)
		if !bytes.Equal(want.Bytes(), aw.b[1:]) {
			t.Fatalf("%q: gqlgen writes %q, jsonString onto an answer %q", s, want.Bytes(), aw.b[1:])
		}
	}
}

// sink keeps marshallers past their loop, as an object's field set does,
// so that the compiler cannot keep them on the stack.
var sink graphql.Marshaler

// JSON encoding of strings: jsonString against gqlgen's MarshalString,
// which allocates a closure per value.
func BenchmarkMarshalString(b *testing.B) {
	s := "Developer experience for Small Teams, with \"quotes\""
	var buf bytes.Buffer
	b.Run("gqlgen", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			buf.Reset()
			sink = graphql.MarshalString(s)
			sink.MarshalGQL(&buf)
		}
	})
	b.Run("jsonString", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			buf.Reset()
			sink = (*jsonString)(&s)
			sink.MarshalGQL(&buf)
		}
	})
}
