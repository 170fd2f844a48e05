package graph

// The runtime of internal/gqlpatch's rewrite "answer buffer sized and bounded", called from the
// patched graph/generated.go.

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
)

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
	holder, _ := ctx.Value(answerBufferKey{}).(*answerBuffer)
	w := &answerWriter{ctx: ctx, limit: limit}
	if holder != nil {
		w.b = holder.take(int(size))
	} else {
		w.b = make([]byte, 0, size)
	}
	w.plan()
	err := w.marshal(data)
	if holder != nil {
		holder.mu.Lock()
		holder.b = w.b
		holder.mu.Unlock()
	}
	if err != nil {
		graphql.AddError(ctx, err)
		return nil
	}
	n := int64(len(w.b))
	answerSize.Store(hint + (n-hint)/8) // a lost update between requests costs nothing
	return w.b
}

type answerBufferKey struct{}

// answerBuffer holds the buffer of an operation's answer between
// WithAnswerBuffer and its release.
type answerBuffer struct {
	mu sync.Mutex
	b  []byte
}

// answerBuffers are the buffers released answers were written into; one
// past maxPooledAnswer is left to the collector, so that one large answer
// does not stay in the pool.
var answerBuffers sync.Pool // of *[]byte

const maxPooledAnswer = 256 << 10

func (h *answerBuffer) take(size int) []byte {
	if p, ok := answerBuffers.Get().(*[]byte); ok {
		if cap(*p) >= size {
			return (*p)[:0]
		}
		answerBuffers.Put(p)
	}
	return make([]byte, 0, size)
}

// WithAnswerBuffer returns ctx whose operation writes its answer's data
// into a buffer that release hands back for a later operation to reuse,
// rather than into a new one (an executed nested page is 10-20 KB of
// data, a tenth of what it allocates). The data (graphql.Response.Data)
// is valid until release: call it once the answer is written and nothing
// holds the data (an answer kept in a cache is a copy).
func WithAnswerBuffer(ctx context.Context) (_ context.Context, release func()) {
	h := &answerBuffer{}
	return context.WithValue(ctx, answerBufferKey{}, h), func() {
		h.mu.Lock()
		b := h.b
		h.b = nil
		h.mu.Unlock()
		if b != nil && cap(b) <= maxPooledAnswer {
			answerBuffers.Put(&b)
		}
	}
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

// AvailableBuffer returns the answer's spare room, empty, for a
// marshaller to append to and hand to Write (as bytes.Buffer's): Write
// then copies the bytes onto themselves.
func (w *answerWriter) AvailableBuffer() []byte { return w.b[len(w.b):] }

// writeKey appends an object's field name with its punctuation: a comma
// unless it is the object's first, the quoted name and a colon. Aliases are
// GraphQL names ([_A-Za-z][_0-9A-Za-z]*): they need no escaping.
func (w *answerWriter) writeKey(alias string, first bool) {
	if !first {
		w.b = append(w.b, ',')
	}
	w.b = append(append(append(w.b, '"'), alias...), '"', ':')
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
