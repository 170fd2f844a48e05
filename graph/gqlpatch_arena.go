package graph

// The runtime of internal/gqlpatch's rewrite "objects and lists from the
// operation's slabs", called from the patched graph/generated.go.

import (
	"sync"

	"github.com/99designs/gqlgen/graphql"
)

// An answer is built as a tree of marshallers (one field set per object,
// one array and one field context per list element) that is written out
// once and then dropped: on the rotating nested page that tree is about a
// third of all the bytes a request allocates, and every byte allocated
// brings the collector's next cycle closer. The operation takes that
// memory from slabs instead and hands them back, cleared, once its answer
// is written (operationMemo.release), so the next operation reuses them.
//
// Nothing may hold a field set, an element's or a resolver field's field
// context or the context carrying it, or a list's array after the answer
// is written: the executor runs every resolver
// inline (gqlpatch_slice.go) and the root's fields are waited for before
// the answer is marshalled, so when release runs no code of the operation
// is left; a field middleware must not keep its field context past the
// field (gqlgen gives no such promise either).

// slabLen is the number of items in a slab: large enough that a nested
// page takes a few slabs of each kind, small enough that an operation
// with a handful of objects keeps little.
const slabLen = 512

// slab hands out runs of T from slabs of slabLen taken from pool. A run
// longer than a quarter of a slab is allocated on its own: a long list
// would waste the rest of a slab.
type slab[T any] struct {
	pool *sync.Pool // of *[]T, each of length slabLen
	cur  *[]T
	used int    // of *cur
	full []*[]T // slabs taken before cur
}

func (s *slab[T]) take(n int) []T {
	if n > slabLen/4 {
		return make([]T, n)
	}
	if s.cur == nil || s.used+n > slabLen {
		if s.cur != nil {
			s.full = append(s.full, s.cur)
		}
		s.cur, s.used = s.pool.Get().(*[]T), 0
	}
	run := (*s.cur)[s.used : s.used+n : s.used+n]
	s.used += n
	return run
}

// release clears the slabs (so that a pooled slab keeps nothing alive)
// and returns them to the pool.
func (s *slab[T]) release() {
	if s.cur == nil {
		return
	}
	clear((*s.cur)[:s.used])
	s.pool.Put(s.cur)
	for _, b := range s.full {
		clear(*b)
		s.pool.Put(b)
	}
	s.cur, s.used, s.full = nil, 0, s.full[:0]
}

func slabPool[T any]() *sync.Pool {
	return &sync.Pool{New: func() any { b := make([]T, slabLen); return &b }}
}

var (
	fieldSetSlabs     = slabPool[fieldSet]()
	marshalerSlabs    = slabPool[graphql.Marshaler]()
	fieldContextSlabs = slabPool[graphql.FieldContext]()
	indexSlabs        = slabPool[int]()
	elementSlabs      = slabPool[elementContext]()
	runSlabs          = slabPool[fieldRun]()
)

// operationSlabs is the memory of one operation's answer tree.
type operationSlabs struct {
	mu         opMutex // the root's fields may run concurrently
	fieldSets  slab[fieldSet]
	marshalers slab[graphql.Marshaler]
	contexts   slab[graphql.FieldContext]
	indexes    slab[int]
	elements   slab[elementContext]
	runs       slab[fieldRun]
}

func (o *operationSlabs) init() {
	if o.fieldSets.pool == nil {
		o.fieldSets.pool, o.marshalers.pool = fieldSetSlabs, marshalerSlabs
		o.contexts.pool, o.indexes.pool = fieldContextSlabs, indexSlabs
		o.elements.pool, o.runs.pool = elementSlabs, runSlabs
	}
}

// fieldSet returns an empty field set for fields; nil slabs allocate it.
func (o *operationSlabs) fieldSet(fields []graphql.CollectedField) *fieldSet {
	if o == nil {
		return newFieldSet(fields)
	}
	o.mu.Lock()
	o.init()
	fs := &o.fieldSets.take(1)[0]
	fs.fields = fields
	if len(fields) <= len(fs.small) {
		fs.Values = fs.small[:len(fields):len(fields)]
	} else {
		fs.Values = o.marshalers.take(len(fields))
	}
	o.mu.Unlock()
	return fs
}

// list returns a list's array, its elements' field contexts, their
// indexes and the contexts that carry them (elementContext); nil slabs
// allocate them.
func (o *operationSlabs) list(n int) (graphql.Array, []graphql.FieldContext, []int, []elementContext) {
	if o == nil {
		return make(graphql.Array, n), make([]graphql.FieldContext, n), make([]int, n), make([]elementContext, n)
	}
	o.mu.Lock()
	o.init()
	ret, fcs, index, elems := o.marshalers.take(n), o.contexts.take(n), o.indexes.take(n), o.elements.take(n)
	o.mu.Unlock()
	return ret, fcs, index, elems
}

// release hands the slabs back: the answer has been written.
func (o *operationSlabs) release() {
	o.mu.Lock()
	o.fieldSets.release()
	o.marshalers.release()
	o.contexts.release()
	o.indexes.release()
	o.elements.release()
	o.runs.release()
	o.mu.Unlock()
}
