package graph

import (
	"bytes"
	"context"
	"io"
	"sync"
	"sync/atomic"

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

// operationMemo keeps what is the same for every object of one
// operation: the fields of a selection set (graphql.CollectFields) and the
// arguments of a field. The objects of a list all share one selection set
// and its fields' arguments, and an operation has a handful of selection
// sets, so short lists searched by address beat gqlgen's hashed map and
// its parsing the arguments again for every object. The root's fields may
// run concurrently, hence the lock.
type operationMemo struct {
	mu     sync.Mutex
	fields []collectedEntry
	args   []argsEntry
}

type collectedEntry struct {
	sel       *ast.Selection // the selection set's first element: its identity
	n         int
	satisfies *string
	fields    []graphql.CollectedField
}

type argsEntry struct {
	field *ast.Field
	args  map[string]any
}

// maxMemo bounds each memo; an operation with more selection sets or
// fields with arguments than this asks gqlgen for the rest every time.
const maxMemo = 64

// collect is graphql.CollectFields, memoised.
func (m *operationMemo) collect(oc *graphql.OperationContext, sel ast.SelectionSet, satisfies []string) []graphql.CollectedField {
	if len(sel) == 0 || len(satisfies) == 0 {
		return graphql.CollectFields(oc, sel, satisfies)
	}
	key, sat := &sel[0], &satisfies[0]
	m.mu.Lock()
	for _, e := range m.fields {
		if e.sel == key && e.n == len(sel) && e.satisfies == sat {
			m.mu.Unlock()
			return e.fields
		}
	}
	m.mu.Unlock()
	fields := graphql.CollectFields(oc, sel, satisfies)
	m.mu.Lock()
	if len(m.fields) < maxMemo {
		m.fields = append(m.fields, collectedEntry{sel: key, n: len(sel), satisfies: sat, fields: fields})
	}
	m.mu.Unlock()
	return fields
}

// arguments returns the arguments of field, parsing them with parse the
// first time. A failure is not kept, so that each object reports it, as
// gqlgen does. Resolvers must treat the map as read-only (they receive
// its values).
func (m *operationMemo) arguments(field *ast.Field, parse func() (map[string]any, error)) (map[string]any, error) {
	m.mu.Lock()
	for _, e := range m.args {
		if e.field == field {
			m.mu.Unlock()
			return e.args, nil
		}
	}
	m.mu.Unlock()
	args, err := parse()
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	if len(m.args) < maxMemo {
		m.args = append(m.args, argsEntry{field, args})
	}
	m.mu.Unlock()
	return args, nil
}

// answerSize is a running average of the size of answers' data.
var answerSize atomic.Int64

// maxAnswerHint bounds the buffer an answer starts with.
const maxAnswerHint = 1 << 20

// marshalData writes an operation's data into a buffer sized from the
// answers before it, so that a typical answer takes one allocation rather
// than one per doubling. (It stands in for gqlgen's empty bytes.Buffer;
// internal/gqlpatch makes the swap.)
func marshalData(data graphql.Marshaler) []byte {
	hint := answerSize.Load()
	buf := bytes.NewBuffer(make([]byte, 0, min(hint+hint/4, maxAnswerHint)))
	data.MarshalGQL(buf)
	n := int64(buf.Len())
	answerSize.Store(hint + (n-hint)/8) // a lost update between requests costs nothing
	return buf.Bytes()
}

// jsonString marshals the string it points at as gqlgen's MarshalString
// does, but a pointer fits in an interface without an allocation, where
// MarshalString allocates a closure for every value. internal/gqlpatch
// uses it for string fields read straight off their object, which stays
// unchanged for the request.
type jsonString string

func (s *jsonString) MarshalGQL(w io.Writer) { writeQuoted(w, string(*s)) }

const hexDigits = "0123456789ABCDEF"

// writeQuoted writes s as a JSON string, escaping exactly what gqlgen's
// writeQuotedString escapes (quotes, backslashes and control characters)
// so that answers are byte for byte the same. Bytes from 0x80 up belong to
// multi-byte characters and are copied as they are.
func writeQuoted(w io.Writer, s string) {
	io.WriteString(w, `"`)
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '\\' && c != '"' {
			continue
		}
		io.WriteString(w, s[start:i])
		switch c {
		case '\t':
			io.WriteString(w, `\t`)
		case '\r':
			io.WriteString(w, `\r`)
		case '\n':
			io.WriteString(w, `\n`)
		case '\\':
			io.WriteString(w, `\\`)
		case '"':
			io.WriteString(w, `\"`)
		default:
			w.Write([]byte{'\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf]})
		}
		start = i + 1
	}
	io.WriteString(w, s[start:])
	io.WriteString(w, `"`)
}
