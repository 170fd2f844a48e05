package graph

import (
	"context"
	"io"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// fieldSet stands in for gqlgen's graphql.FieldSet in the generated
// marshallers of objects (internal/gqlpatch swaps it in after every
// `go generate`). gqlgen's field set serves @defer and concurrent
// resolvers: it allocates its values apart from itself, walks them through
// an iterator closure and keeps a map of the aliases it has written, for
// every object of an answer. Here resolver fields run inline (slice.go),
// @defer is refused (deferUnsupported), and CollectFields has already
// merged fields that share an alias, so an object needs only its values.
type fieldSet struct {
	fields   []graphql.CollectedField
	Values   []graphql.Marshaler
	Invalids uint32
	// small holds the values of objects with few fields, the usual case,
	// so that the field set is one allocation rather than two.
	small [8]graphql.Marshaler
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

// deferUnsupported answers a field marked with @defer. The HTTP transports
// refuse such operations before they run (graphhttp); an executor reached
// another way says so rather than leaving the field null without a word.
func deferUnsupported(ctx context.Context, field graphql.CollectedField) graphql.Marshaler {
	graphql.AddErrorf(ctx, "@defer on %q is not supported: this server sends one response per operation", field.Alias)
	return graphql.Null
}

// collectedFields memoises graphql.CollectFields for one operation. The
// objects of a list all share one selection set, and an operation has a
// handful of selection sets, so a short list searched by address beats
// gqlgen's hashed map. The root's fields may run concurrently, hence the
// lock.
type collectedFields struct {
	mu      sync.Mutex
	entries []collectedEntry
}

type collectedEntry struct {
	sel       *ast.Selection // the selection set's first element: its identity
	n         int
	satisfies *string
	fields    []graphql.CollectedField
}

// maxCollected bounds the memo; an operation with more selection sets
// than this (fragments on many types) asks gqlgen for the rest.
const maxCollected = 64

func (c *collectedFields) of(oc *graphql.OperationContext, sel ast.SelectionSet, satisfies []string) []graphql.CollectedField {
	if len(sel) == 0 || len(satisfies) == 0 {
		return graphql.CollectFields(oc, sel, satisfies)
	}
	key, sat := &sel[0], &satisfies[0]
	c.mu.Lock()
	for _, e := range c.entries {
		if e.sel == key && e.n == len(sel) && e.satisfies == sat {
			c.mu.Unlock()
			return e.fields
		}
	}
	c.mu.Unlock()
	fields := graphql.CollectFields(oc, sel, satisfies)
	c.mu.Lock()
	if len(c.entries) < maxCollected {
		c.entries = append(c.entries, collectedEntry{sel: key, n: len(sel), satisfies: sat, fields: fields})
	}
	c.mu.Unlock()
	return fields
}
