package graphhttp

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// testSchema is a small podcast-like schema with connections.
var testSchema = gqlparser.MustLoadSchema(&ast.Source{Input: `
	interface Node { id: ID! }
	type Query {
		episodes(first: Int, after: String, last: Int, before: String): EpisodeConnection!
		episode(number: Int!): Episode
		nodes(ids: [ID!]!): [Node]!
	}
	type Episode implements Node { id: ID! title: String guests: [Guest!]! show: Show! }
	type Guest implements Node { id: ID! name: String! episodes(first: Int, after: String): EpisodeConnection! }
	type Show { title: String! episodes(first: Int, last: Int): EpisodeConnection! }
	type EpisodeConnection { nodes: [Episode!]! edges: [EpisodeEdge!]! totalCount: Int! pageInfo: PageInfo! }
	type EpisodeEdge { node: Episode! cursor: String! }
	type PageInfo { hasNextPage: Boolean! }
`})

var testModel = costModel{defaultPage: 20, maxPage: 100, listSize: 10, pageArgs: []string{"first", "last"}}

func TestCost(t *testing.T) {
	tests := []struct {
		name  string
		query string
		vars  map[string]any
		want  int
	}{
		{"connection object only", `{ episodes { totalCount } }`, nil, 1},
		{"first", `{ episodes(first: 5) { nodes { title } } }`, nil, 6},
		{"default page", `{ episodes { nodes { title } } }`, nil, 21},
		{"last", `{ episodes(last: 7) { nodes { title } } }`, nil, 8},
		{"first zero", `{ episodes(first: 0) { nodes { title } } }`, nil, 1},
		{"edges and pageInfo", `{ episodes(first: 5) { edges { node { title } } pageInfo { hasNextPage } } }`, nil, 12},
		{"list without paging", `{ episodes(first: 5) { nodes { guests { name } } } }`, nil, 56},
		{"variable", `query($n: Int) { episodes(first: $n) { nodes { title } } }`, map[string]any{"n": int64(3)}, 4},
		{"null variable", `query($n: Int) { episodes(first: $n) { nodes { title } } }`, map[string]any{"n": nil}, 21},
		{"capped at the largest page", `{ episodes(first: 1000) { nodes { title } } }`, nil, 101},
		{"negative", `{ episodes(first: -5) { nodes { title } } }`, nil, 1},
		{"ids", `{ nodes(ids: ["a", "b", "c"]) { id } }`, nil, 3},
		{"ids variable", `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []any{"a", "b"}}, 2},
		{"fragment", `{ episodes(first: 5) { ...C } } fragment C on EpisodeConnection { nodes { title } }`, nil, 6},
		{"fragment at two sizes", `{ a: episodes(first: 5) { ...C } b: episodes(first: 50) { ...C } }
			fragment C on EpisodeConnection { nodes { title } }`, nil, 6 + 51},
		{"inline fragment", `{ nodes(ids: ["a"]) { ... on Episode { show { title } } } }`, nil, 2},
		{"typename and introspection are free", `{ __typename __schema { types { name fields { name } } } }`, nil, 0},
		{"nested connections", `{ episodes(first: 20) { nodes { guests { episodes(first: 5) { nodes { title } } } } } }`, nil,
			1 + 20*(1+10*(1+1+5))},
		{"first 100 three deep", `{ episodes(first: 100) { nodes { show { episodes(first: 100) { nodes { show { episodes(first: 100) { nodes { title } } } } } } } } }`, nil,
			1 + 100*(1+1+1+100*(1+1+1+100))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, errs := gqlparser.LoadQueryWithRules(testSchema, tt.query, rules.NewDefaultRules())
			if len(errs) > 0 {
				t.Fatalf("invalid test query: %v", errs)
			}
			vars, err := validator.VariableValues(testSchema, doc.Operations[0], tt.vars)
			if err != nil {
				t.Fatalf("variables: %v", err)
			}
			if got := testModel.operationCost(doc.Operations[0], vars); got != tt.want {
				t.Errorf("cost = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestMeasure(t *testing.T) {
	tests := []struct {
		name  string
		query string
		want  shape // ops and nodes are not compared
	}{
		{"flat", `{ a b c }`, shape{depth: 1, duplicates: 1}},
		{"nested", `{ a { b { c } } d }`, shape{depth: 3, duplicates: 1}},
		{"aliases", `{ x: a y: a z: b(n: 1) }`, shape{depth: 1, aliases: 3, duplicates: 1}},
		{"alias equal to name is no alias", `{ a: a }`, shape{depth: 1, duplicates: 1}},
		{"duplicates", `{ a a a b { c c } }`, shape{depth: 2, duplicates: 3}},
		{"duplicates merged across same-named fields", `{ x { y { z z } } x { y { z z } } }`, shape{depth: 3, duplicates: 4}},
		{"duplicates merged through a fragment", `{ x { ...F } x { y } } fragment F on X { y y }`, shape{depth: 2, duplicates: 3}},
		{"duplicates through fragments", `{ a ...F ... on Q { a } } fragment F on Q { a a }`, shape{depth: 1, duplicates: 4}},
		{"directives", `query Q @d { a @skip(if: true) @d b { c @d } ...F @d } fragment F on Q @d { e @d }`,
			shape{depth: 2, directives: 7, duplicates: 1}},
		{"fragment counted where spread", `{ ...F ...F x { ...F } } fragment F on Q { a: b c: d }`,
			shape{depth: 2, aliases: 6, duplicates: 2}},
		{"fragment depth", `{ a { ...F } } fragment F on Q { b { c { d } } }`, shape{depth: 4, duplicates: 1}},
		{"introspection not counted in depth", `{ __schema { types { fields { type { ofType { ofType { name } } } } } } }`,
			shape{depth: 0, duplicates: 1, introspects: true}},
		{"type lookup", `{ __type(name: "Q") { name } a }`, shape{depth: 1, duplicates: 1, introspects: true}},
		{"fragment cycle ends", `{ ...A } fragment A on Q { a ...B } fragment B on Q { b { ...A } }`,
			shape{depth: 1, duplicates: 1}},
		{"deepest of several operations", `query A { a } query B { a { b } }`, shape{depth: 2, duplicates: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := parser.ParseQuery(&ast.Source{Input: tt.query})
			if err != nil {
				t.Fatal(err)
			}
			got := *measure(doc, 20)
			got.ops, got.nodes = nil, 0
			if got.depth != tt.want.depth || got.aliases != tt.want.aliases || got.directives != tt.want.directives ||
				got.duplicates != tt.want.duplicates || got.introspects != tt.want.introspects {
				t.Errorf("shape = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// A fragment spread twice in each of many fragments would make a naive
// walk exponential; measure must stay fast on it, cyclic or not.
func TestMeasureFragmentFanOut(t *testing.T) {
	for _, cyclic := range []bool{false, true} {
		var b strings.Builder
		b.WriteString("{ ...F0 }\n")
		const n = 60
		for i := range n {
			if i == n-1 {
				if cyclic {
					b.WriteString("fragment F59 on Q { ...F0 }\n")
				} else {
					b.WriteString("fragment F59 on Q { leaf }\n")
				}
				continue
			}
			fmt.Fprintf(&b, "fragment F%d on Q { ...F%d ...F%d }\n", i, i+1, i+1)
		}
		doc, err := parser.ParseQuery(&ast.Source{Input: b.String()})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		s := measure(doc, 20)
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("cyclic=%v: measure took %v", cyclic, d)
		}
		if s.duplicates <= 20 && s.expanded == 0 {
			t.Errorf("cyclic=%v: duplicates = %d, expanded %d: want over a limit", cyclic, s.duplicates, s.expanded)
		}
	}
}

func TestShapeOperation(t *testing.T) {
	doc, err := parser.ParseQuery(&ast.Source{Input: `query A { a } mutation B { b }`})
	if err != nil {
		t.Fatal(err)
	}
	s := measure(doc, 20)
	if op, ok := s.operation("B"); !ok || op != ast.Mutation {
		t.Errorf("operation(B) = %v %v", op, ok)
	}
	if _, ok := s.operation(""); ok {
		t.Errorf("operation(\"\") found one of two operations")
	}
	if _, ok := s.operation("C"); ok {
		t.Errorf("operation(C) found")
	}
}

func TestIncrementalDeliveryRefused(t *testing.T) {
	for _, q := range []string{
		`{ a { ... @defer { b } } }`,
		`query { a { ...F @defer } } fragment F on A { b }`,
		`{ a @stream(initialCount: 1) { b } }`,
	} {
		doc, err := parser.ParseQuery(&ast.Source{Input: q})
		if err != nil {
			t.Fatal(err)
		}
		l := &limits{opts: &Options{}}
		if e := l.check(measure(doc, 20)); codeOf(e) != CodeIncremental {
			t.Errorf("%s: %v, want %s", q, e, CodeIncremental)
		}
	}
}
