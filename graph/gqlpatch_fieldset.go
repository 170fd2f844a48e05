package graph

// The runtime of internal/gqlpatch's rewrite "lean field set", called from the
// patched graph/generated.go.

import (
	"context"
	"io"

	"github.com/99designs/gqlgen/graphql"
)

// fieldSet stands in for gqlgen's graphql.FieldSet in the generated
// marshallers of objects (internal/gqlpatch swaps it in after every
// `go generate`). gqlgen's field set serves @defer and concurrent
// resolvers: it allocates its values apart from itself, walks them through
// an iterator closure and keeps a map of the aliases it has written, for
// every object of an answer. Here resolver fields run inline (gqlpatch_slice.go),
// @defer is refused (deferUnsupported), and CollectFields has already
// merged fields that share an alias, so an object needs only its values.
type fieldSet struct {
	fields   []graphql.CollectedField
	Values   []graphql.Marshaler
	Invalids uint32
	// small holds the values of objects with few fields, the usual case,
	// so that the field set is one allocation rather than two.
	small [6]graphql.Marshaler
}

func newFieldSet(fields []graphql.CollectedField) *fieldSet {
	fs := &fieldSet{fields: fields}
	if len(fields) <= len(fs.small) {
		fs.Values = fs.small[:len(fields)]
	} else {
		fs.Values = make([]graphql.Marshaler, len(fields))
	}
	return fs
}

// MarshalGQL writes the object. Aliases are GraphQL names
// ([_A-Za-z][_0-9A-Za-z]*), so they need no escaping.
func (fs *fieldSet) MarshalGQL(w io.Writer) {
	if aw, ok := w.(*answerWriter); ok {
		fs.marshalInto(aw)
		return
	}
	io.WriteString(w, "{")
	for i := range fs.fields {
		if i > 0 {
			io.WriteString(w, `,"`)
		} else {
			io.WriteString(w, `"`)
		}
		io.WriteString(w, fs.fields[i].Alias)
		io.WriteString(w, `":`)
		fs.Values[i].MarshalGQL(w)
	}
	io.WriteString(w, "}")
}

// marshalInto is MarshalGQL onto an answer: each field's name is
// appended with its punctuation in one go, where MarshalGQL makes four
// calls through io.Writer.
func (fs *fieldSet) marshalInto(w *answerWriter) {
	w.b = append(w.b, '{')
	for i := range fs.fields {
		w.writeKey(fs.fields[i].Alias, i == 0)
		fs.Values[i].MarshalGQL(w)
	}
	w.WriteString("}") // checks the length, as every write does
}

// deferUnsupported answers a field marked with @defer. The HTTP transports
// refuse such operations before they run (graphhttp); an executor reached
// another way says so rather than leaving the field null without a word.
func deferUnsupported(ctx context.Context, field graphql.CollectedField) graphql.Marshaler {
	graphql.AddErrorf(ctx, "@defer on %q is not supported: this server sends one response per operation", field.Alias)
	return graphql.Null
}
