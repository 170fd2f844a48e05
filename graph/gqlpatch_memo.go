package graph

// The runtime of internal/gqlpatch's rewrites "selection sets collected once per
// operation" and "arguments parsed once per operation", called from the
// patched graph/generated.go.

import (
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// operationMemo keeps what is the same for every object of one
// operation: the fields of a selection set (graphql.CollectFields) and the
// arguments of a field. The objects of a list all share one selection set
// and its fields' arguments, and an operation has a handful of selection
// sets, so short lists searched by address beat gqlgen's hashed map and
// its parsing the arguments again for every object. The root's fields may
// run concurrently, hence the locks, taken only then (opMutex).
type operationMemo struct {
	fields fieldsMemo[collectKey]
	mu     opMutex // of args
	args   []argsEntry
	// rooted is set once the root's fields are collected (the first
	// collect of an operation).
	rooted bool
	// slabs hold the answer tree's memory (gqlpatch_arena.go).
	slabs operationSlabs
}

// collectKey names a selection set and the types its fields are
// collected for.
type collectKey struct {
	sel       *ast.Selection // the selection set's first element: its identity
	n         int
	satisfies *string
}

type argsEntry struct {
	field *ast.Field
	args  map[string]any
}

// maxMemo bounds each memo; an operation with more selection sets or
// fields with arguments than this asks gqlgen for the rest every time.
const maxMemo = 64

// fieldsMemo keeps the fields collected of up to maxMemo selection sets,
// by key, searched in order.
type fieldsMemo[K comparable] struct {
	mu      opMutex
	entries []fieldsEntry[K]
}

type fieldsEntry[K comparable] struct {
	key    K
	fields []graphql.CollectedField
}

// get returns the fields kept under key, collecting them the first time.
func (m *fieldsMemo[K]) get(key K, collect func() []graphql.CollectedField) []graphql.CollectedField {
	m.mu.Lock()
	for _, e := range m.entries {
		if e.key == key {
			m.mu.Unlock()
			return e.fields
		}
	}
	m.mu.Unlock()
	fields := collect()
	m.mu.Lock()
	if len(m.entries) < maxMemo {
		m.entries = append(m.entries, fieldsEntry[K]{key, fields})
	}
	m.mu.Unlock()
	return fields
}

// opMutex is a mutex taken only while an operation's root fields may run
// concurrently. gqlgen runs a query's root fields on goroutines of their
// own when there are several (graphql.FieldSet.Dispatch) and calls the
// only one in place; every other field of ours runs in its parent's
// goroutine (internal/gqlpatch's rewrites). So an operation of one root
// field runs in one goroutine from start to end, and its memo and slabs
// need no lock: about 5% of the CPU of a nested page went to taking and
// releasing them.
type opMutex struct {
	mu   sync.Mutex
	solo bool // set before the root's fields run, never after
}

func (m *opMutex) Lock() {
	if !m.solo {
		m.mu.Lock()
	}
}

func (m *opMutex) Unlock() {
	if !m.solo {
		m.mu.Unlock()
	}
}

// collect is graphql.CollectFields, memoised. The first call of an
// operation collects the root's fields: with one, the operation's locks
// are not taken from then on (opMutex).
func (m *operationMemo) collect(oc *graphql.OperationContext, sel ast.SelectionSet, satisfies []string) []graphql.CollectedField {
	if len(sel) == 0 || len(satisfies) == 0 {
		return graphql.CollectFields(oc, sel, satisfies)
	}
	fields := m.fields.get(collectKey{&sel[0], len(sel), &satisfies[0]}, func() []graphql.CollectedField {
		return graphql.CollectFields(oc, sel, satisfies)
	})
	if !m.rooted {
		m.rooted = true
		if len(fields) <= 1 {
			m.fields.mu.solo, m.mu.solo, m.slabs.mu.solo = true, true, true
		}
	}
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
