package graph

import (
	"context"
	"slices"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Look-ahead: a resolver that produces objects reads the query's selection
// below them and prefetches, level by level, what their fields will ask
// for: the guests and topics of a page of episodes, those guests' episode
// pages and counts, the topics of the episodes on those pages, and so on.
// Each level costs one read per kind of data, however many objects it has.
// Field resolvers then load from the cache.
//
// What each field prefetches is declared in one table per object type
// (lookahead.go): a step for every resolver field, or the reason it needs
// none; a test holds the tables to the schema. A step gets the field
// context the executor gives the field (graphql.FieldContext.Child, which
// parses the arguments with gqlgen's generated parser and keeps them for
// the executor), so the look-ahead reads the arguments the resolver will
// get, parsed once. Prefetch errors are dropped: the field's own resolver
// reads again and reports them.

// step prefetches, for a list of objects, what one of their fields (fc,
// with its arguments) will read, and looks ahead into what it returns.
type step[T any] func(ctx context.Context, objs []*T, fc *graphql.FieldContext)

// entry is a field's line in a look-ahead table: its step, or why it needs
// none.
type entry[T any] struct {
	step step[T]
	none string
}

// lookAhead is the look-ahead table of the object type typ, whose objects
// are *T: an entry for every resolver field.
type lookAhead[T any] struct {
	typ    string
	fields map[string]entry[T]
}

// prefetchStep returns the entry of a field that prefetches.
func prefetchStep[T any](s step[T]) entry[T] { return entry[T]{step: s} }

// noPrefetch returns the entry of a field that needs no prefetch, and why.
func noPrefetch[T any](reason string) entry[T] { return entry[T]{none: reason} }

// entries returns the table's fields, each with "" when it has a step and
// the reason when it has none (for the test that holds tables to the
// schema).
func (t *lookAhead[T]) entries() (typ string, fields map[string]string) {
	fields = make(map[string]string, len(t.fields))
	for name, e := range t.fields {
		fields[name] = e.none
		if e.step == nil && e.none == "" {
			fields[name] = "(empty entry)"
		}
	}
	return t.typ, fields
}

// selection is what the query selects of the objects a look-ahead looks
// into: its fields, in groups that share the field context of the field
// that returned the objects (whose Child gives each field its own). Most
// selections have one group; a connection selected through both `nodes`
// and `edges { node }`, or under aliases, has more.
type selection struct {
	group
	more []group
}

// group is fields of one selection set, and the way to the field context
// of the field that returned their objects: base, or from base (a
// connection's) through via[:n] (`nodes`, or `edges` then `node`). That
// context is made only when a step needs it.
type group struct {
	fields []graphql.CollectedField
	base   *graphql.FieldContext
	via    [2]graphql.CollectedField
	n      int
}

// parent returns the field context of the field that returned g's
// objects; nil when it cannot be made.
func (g *group) parent() *graphql.FieldContext {
	for i := 0; i < g.n && g.base != nil; i++ {
		g.base = childContext(g.base, g.via[i])
	}
	g.n = 0
	return g.base
}

func (s *selection) add(g group) {
	switch {
	case len(g.fields) == 0:
	case len(s.fields) == 0:
		s.group = g
	default:
		s.more = append(s.more, g)
	}
}

// into prefetches what sel selects of objs, by t's steps. It records each
// field it prefetches as covered, so that the field's resolver does not
// look ahead again for each object.
func into[T any](ctx context.Context, t *lookAhead[T], objs []*T, sel selection) {
	if len(objs) == 0 {
		return
	}
	t.group(ctx, objs, &sel.group)
	for i := range sel.more {
		t.group(ctx, objs, &sel.more[i])
	}
}

func (t *lookAhead[T]) group(ctx context.Context, objs []*T, g *group) {
	l := loadersFrom(ctx)
	for _, f := range g.fields {
		e := t.fields[f.Name]
		if e.step == nil {
			continue
		}
		l.cover(f.Field)
		if fc := childContext(g.parent(), f); fc != nil {
			e.step(ctx, objs, fc)
		}
	}
}

// steps reports whether t has a step for any field of sel: whether
// looking into objects for them would prefetch anything.
func (t *lookAhead[T]) steps(sel selection) bool {
	has := func(g group) bool {
		for _, f := range g.fields {
			if t.fields[f.Name].step != nil {
				return true
			}
		}
		return false
	}
	if has(sel.group) {
		return true
	}
	for _, g := range sel.more {
		if has(g) {
			return true
		}
	}
	return false
}

// childContext returns the field context the executor gives f, a field of
// what parent returns, with f's arguments; nil when they do not parse (the
// resolver reports it).
func childContext(parent *graphql.FieldContext, f graphql.CollectedField) *graphql.FieldContext {
	if parent == nil || parent.Child == nil {
		return nil
	}
	fc, err := parent.Child(quiet, f)
	if err != nil {
		return nil
	}
	return fc
}

// quiet is the context field contexts are made in for the look-ahead: an
// argument that does not parse is reported by the field's resolver, at the
// field's path, not here.
var quiet = graphql.WithResponseContext(context.Background(),
	func(context.Context, error) *gqlerror.Error { return nil }, graphql.DefaultRecover)

// below returns what fc's selection asks of typ.
func below(ctx context.Context, fc *graphql.FieldContext, typ string) selection {
	return selection{group: group{fields: collect(ctx, fc.Field.Selections, typ), base: fc}}
}

// nodesBelow returns what a connection's selection (fc's) asks of its
// nodes, through `nodes` and `edges { node }`.
func nodesBelow(ctx context.Context, fc *graphql.FieldContext, typ string) selection {
	var sel selection
	for _, f := range collect(ctx, fc.Field.Selections, typ+"Connection") {
		switch f.Name {
		case "nodes":
			sel.add(group{fields: collect(ctx, f.Selections, typ), base: fc, via: [2]graphql.CollectedField{f}, n: 1})
		case "edges":
			for _, ef := range collect(ctx, f.Selections, typ+"Edge") {
				if ef.Name == "node" {
					sel.add(group{fields: collect(ctx, ef.Selections, typ), base: fc, via: [2]graphql.CollectedField{f, ef}, n: 2})
				}
			}
		}
	}
	return sel
}

// collect returns the fields a selection set asks of typ (of any type
// when typ is ""), once per operation and selection set: the look-ahead
// asks again for every object it prefetches for.
func collect(ctx context.Context, sel ast.SelectionSet, typ string) []graphql.CollectedField {
	if len(sel) == 0 {
		return nil
	}
	oc := graphql.GetOperationContext(ctx)
	if l, ok := ctx.Value(loadersKey{}).(*Loaders); ok {
		return l.fields.get(lookKey{&sel[0], len(sel), typ}, func() []graphql.CollectedField { return collectFields(oc, sel, typ) })
	}
	return collectFields(oc, sel, typ)
}

// selectedFields returns the fields the current field's selection asks
// for, of any type: graphql.CollectFieldsCtx(ctx, nil), through collect.
func selectedFields(ctx context.Context) []graphql.CollectedField {
	return collect(ctx, graphql.GetFieldContext(ctx).Field.Selections, "")
}

func collectFields(oc *graphql.OperationContext, sel ast.SelectionSet, typ string) []graphql.CollectedField {
	if typ == "" {
		return graphql.CollectFields(oc, sel, nil)
	}
	return graphql.CollectFields(oc, sel, []string{typ})
}

// lookKey names a selection set and the type collect collects its fields
// of. collect's memory is the operation's loaders': the fields of a
// selection set depend on the operation's variables (@skip, @include),
// which are the same throughout it.
type lookKey struct {
	sel *ast.Selection // the selection set's first element: its identity
	n   int
	typ string
}

// selected returns what the current field asks of typ, the type of what
// it returns; selectedNodes, what the current field, a connection, asks of
// its nodes (of type typ).
//
// They return nothing when a look-ahead from a level above already covered
// this field for every object that has it: the same field of twenty
// episodes must not look ahead twenty more times.
func selected(ctx context.Context, typ string) selection {
	if fc := uncovered(ctx); fc != nil {
		return below(ctx, fc, typ)
	}
	return selection{}
}

func selectedNodes(ctx context.Context, typ string) selection {
	if fc := uncovered(ctx); fc != nil {
		return nodesBelow(ctx, fc, typ)
	}
	return selection{}
}

// uncovered returns the current field's context, or nil when a look-ahead
// covered the field.
func uncovered(ctx context.Context) *graphql.FieldContext {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || loadersFrom(ctx).covered(fc.Field.Field) {
		return nil
	}
	return fc
}

// lookedAhead loads one object and prefetches what its fields select.
func lookedAhead[K comparable, V any](ctx context.Context, l *loader[K, *V], key K, t *lookAhead[V]) (*V, error) {
	v, err := l.Load(ctx, key)
	if err != nil || v == nil {
		return nil, err
	}
	into(ctx, t, []*V{v}, selected(ctx, t.typ))
	return v, nil
}

// unique returns list without repeats, in order, for the look-ahead,
// which reads each object's children once. An object read twice in a
// request is one value (the loaders cache by key), so a repeat is found
// by its address, which costs no hash of a slug; an object decoded twice
// (one the record cache had no room for) has its children asked for
// twice, and the loaders read them once.
func unique[T any](list []*T) []*T {
	if len(list) <= 16 {
		// Most short lists have no repeat: then the list itself.
		for i, v := range list {
			if slices.Contains(list[:i], v) {
				out := slices.Clip(list[:i])
				for _, v := range list[i+1:] {
					if !slices.Contains(out, v) {
						out = append(out, v)
					}
				}
				return out
			}
		}
		return list
	}
	out := list[:0:0]
	seen := make(map[*T]struct{}, len(list))
	for _, v := range list {
		if _, ok := seen[v]; !ok {
			seen[v] = struct{}{}
			out = append(out, v)
		}
	}
	return out
}

// slugSet collects slugs once each, in the order first added: a page's
// episodes share most of their topics and some guests, and the loaders
// and the look-ahead want each once. The first few are found again by
// scanning them, the rest by a set, as the loaders' missing keys are.
type slugSet struct {
	list []string
	seen map[string]struct{}
}

// slugSetScanned is how many slugs a slugSet scans before it keeps a set.
const slugSetScanned = 8

// slugSets are the sets slugSets keep, empty, for the next: a nested page
// makes two, and made anew they were 7% of the bytes it allocated.
var slugSets = sync.Pool{New: func() any { return make(map[string]struct{}, 64) }}

func (s *slugSet) add(slug string) {
	if s.seen != nil {
		if _, ok := s.seen[slug]; ok {
			return
		}
		s.seen[slug] = struct{}{}
	} else if slices.Contains(s.list, slug) {
		return
	} else if len(s.list) == slugSetScanned {
		s.seen = slugSets.Get().(map[string]struct{})
		for _, x := range s.list {
			s.seen[x] = struct{}{}
		}
		s.seen[slug] = struct{}{}
	}
	s.list = append(s.list, slug)
}

// slugs returns the slugs added, and gives the set back for another
// slugSet (adding more after starts a new one).
func (s *slugSet) slugs() []string {
	if s.seen != nil {
		if len(s.seen) <= 1024 { // a huge one is left to the collector
			clear(s.seen)
			slugSets.Put(s.seen)
		}
		s.seen = nil
	}
	return s.list
}

func slugsOf[T any](list []*T, slug func(*T) string) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = slug(v)
	}
	return out
}

// firstOf returns how many items a bounded list field (fc) returns at
// most, as its resolver bounds it; ok is false when first is out of bounds
// (the resolver reports it).
func firstOf(fc *graphql.FieldContext) (n int, ok bool) {
	n, err := listFirst(arg[*int](fc, "first"))
	return n, err == nil
}

// arg returns the argument name of fc as gqlgen parsed it; the zero value
// when the field has none by that name.
func arg[T any](fc *graphql.FieldContext, name string) T {
	v, _ := fc.Args[name].(T)
	return v
}
