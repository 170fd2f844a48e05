package graph

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestLookAheadCoversEveryResolverField walks the resolver fields gqlgen
// generated (the methods of ResolverRoot's resolver interfaces, named after
// the schema's types and fields) and fails for any that has neither a
// look-ahead step nor an explicit reason to need none: a resolver field
// the tables forget would read once per object.
func TestLookAheadCoversEveryResolverField(t *testing.T) {
	tables := map[string]map[string]string{}
	for _, tb := range lookAheadTables() {
		typ, fields := tb.entries()
		if tables[typ] != nil {
			t.Errorf("two look-ahead tables for %s", typ)
		}
		tables[typ] = fields
	}
	resolverFields := map[string]map[string]bool{}
	root := reflect.TypeFor[ResolverRoot]()
	for i := range root.NumMethod() {
		typ := root.Method(i).Name
		def := parsedSchema.Types[typ]
		if def == nil {
			t.Errorf("ResolverRoot.%s names no type of the schema", typ)
			continue
		}
		resolverFields[typ] = map[string]bool{}
		methods := root.Method(i).Type.Out(0)
		for j := range methods.NumMethod() {
			name := ""
			for _, f := range def.Fields {
				if strings.EqualFold(f.Name, methods.Method(j).Name) {
					name = f.Name
				}
			}
			if name == "" {
				t.Errorf("%s resolver %s names no field of %s", typ, methods.Method(j).Name, typ)
				continue
			}
			resolverFields[typ][name] = true
			reason, ok := tables[typ][name]
			switch {
			case !ok:
				t.Errorf("%s.%s has a resolver but no look-ahead entry: give it a step, or noPrefetch and the reason (lookahead.go)", typ, name)
			case reason == "(empty entry)":
				t.Errorf("%s.%s: look-ahead entry with neither a step nor a reason", typ, name)
			}
		}
	}
	for typ, fields := range tables {
		for name := range fields {
			if !resolverFields[typ][name] {
				t.Errorf("look-ahead entry for %s.%s, which is not a resolver field", typ, name)
			}
		}
	}
	if len(resolverFields) < 7 {
		t.Errorf("found resolvers for %d types; the schema has 7 with resolver fields", len(resolverFields))
	}
}

// unique keeps each object once, in order, short list or long, and never
// changes the list it is given.
func TestUnique(t *testing.T) {
	objs := make([]*int, 40)
	for i := range objs {
		objs[i] = new(int)
	}
	for _, n := range []int{0, 1, 5, 16, 17, 40} {
		list := append([]*int(nil), objs[:n]...)
		if got := unique(list); !slices.Equal(got, objs[:n]) {
			t.Errorf("%d distinct: got %d of them", n, len(got))
		}
		if n < 2 {
			continue
		}
		with := append(append([]*int(nil), objs[:n]...), objs[n-1], objs[0], objs[n/2])
		with = append(with[:n/2:n/2], append([]*int{objs[1]}, with[n/2:]...)...)
		before := slices.Clone(with)
		if got := unique(with); !slices.Equal(got, objs[:n]) {
			t.Errorf("%d distinct and 4 repeats: got %d, want them in order once each", n, len(got))
		}
		if !slices.Equal(with, before) {
			t.Errorf("%d distinct: the list given changed", n)
		}
	}
}
