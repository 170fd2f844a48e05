package graph

import (
	"context"
	"fmt"
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

// checkEvery is how many bytes of an answer are written between two checks
// of its context: a check costs about as much as writing a few bytes, and
// 64 KiB take well under a millisecond.
const checkEvery = 64 << 10

// CodeResponseTooLarge is the code of an answer whose data would be over
// the limit set with WithResponseLimit.
const CodeResponseTooLarge = "RESPONSE_TOO_LARGE"

type responseLimitKey struct{}

// WithResponseLimit returns ctx with a limit on the bytes of an answer's
// data: an operation whose data grows past maxBytes while it is marshalled
// is stopped there and answered with a RESPONSE_TOO_LARGE error and no
// data. 0 or less means no limit.
func WithResponseLimit(ctx context.Context, maxBytes int64) context.Context {
	return context.WithValue(ctx, responseLimitKey{}, maxBytes)
}

// marshalData writes an operation's data into a buffer sized from the
// answers before it, so that a typical answer takes one allocation rather
// than one per doubling. (It stands in for gqlgen's empty bytes.Buffer;
// internal/gqlpatch makes the swap.) It stops as soon as the data passes
// the limit of WithResponseLimit, or ctx ends (every checkEvery bytes), and
// then records the error on ctx's response and returns no data: never a
// truncated document.
func marshalData(ctx context.Context, data graphql.Marshaler) []byte {
	limit, _ := ctx.Value(responseLimitKey{}).(int64)
	hint := answerSize.Load()
	size := min(hint+hint/4, maxAnswerHint)
	if limit > 0 {
		size = min(size, limit+1)
	}
	w := &answerWriter{ctx: ctx, limit: limit, b: make([]byte, 0, size)}
	w.plan()
	if err := w.marshal(data); err != nil {
		graphql.AddError(ctx, err)
		return nil
	}
	n := int64(len(w.b))
	answerSize.Store(hint + (n-hint)/8) // a lost update between requests costs nothing
	return w.b
}

// answerWriter is the buffer an answer is marshalled into. Marshallers
// cannot return errors, so it stops them by panicking with stopMarshal,
// which marshal recovers.
type answerWriter struct {
	ctx   context.Context
	limit int64 // 0: none
	b     []byte
	next  int // the length at which to check again
}

type stopMarshal struct{ err error }

func (w *answerWriter) marshal(data graphql.Marshaler) (err error) {
	defer func() {
		if p := recover(); p != nil {
			stop, ok := p.(stopMarshal)
			if !ok {
				panic(p)
			}
			err = stop.err
		}
	}()
	data.MarshalGQL(w)
	return nil
}

// Write appends p; it never fails (it stops the marshal instead).
func (w *answerWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	if len(w.b) >= w.next {
		w.check()
	}
	return len(p), nil
}

// WriteString appends s, as Write.
func (w *answerWriter) WriteString(s string) (int, error) {
	w.b = append(w.b, s...)
	if len(w.b) >= w.next {
		w.check()
	}
	return len(s), nil
}

// check stops the marshal when the answer is over the limit or its
// context has ended, and plans the next check.
func (w *answerWriter) check() {
	if w.limit > 0 && int64(len(w.b)) > w.limit {
		panic(stopMarshal{&Error{Code: CodeResponseTooLarge, Message: fmt.Sprintf(
			"the answer is over the limit of %d bytes and was not sent: ask for fewer objects or fields, or page through them with smaller first/last", w.limit)}})
	}
	if err := w.ctx.Err(); err != nil {
		panic(stopMarshal{fmt.Errorf("graph: marshal answer: %w", err)})
	}
	w.plan()
}

// plan sets the length of the next check: checkEvery bytes on, or just
// past the limit, whichever comes first.
func (w *answerWriter) plan() {
	w.next = len(w.b) + checkEvery
	if w.limit > 0 && int64(w.next) > w.limit+1 {
		w.next = int(w.limit + 1)
	}
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
