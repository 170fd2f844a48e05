package graphhttp

import (
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// boundedSchema has list fields bounded by a first argument, beside a
// connection and nodes(ids:).
var boundedSchema = gqlparser.MustLoadSchema(&ast.Source{Input: `
	interface Node { id: ID! }
	type Query {
		show: Show
		nodes(ids: [ID!]!): [Node]!
		episodes(first: Int): EpisodeConnection!
	}
	type Show { title: String! guests(first: Int): [Guest!]! hosts(first: Int): [Host!]! }
	type Host { name: String! }
	type Guest implements Node { id: ID! name: String! bio: String coGuests(first: Int): [Guest!]! topics(first: Int): [Topic!]! }
	type Topic { name: String! aliases(first: Int): [String!]! }
	type Episode implements Node { id: ID! title: String description: String guests(first: Int): [Guest!]! }
	type EpisodeConnection { nodes: [Episode!]! }
	directive @cost(weight: Int!) on FIELD_DEFINITION
	extend type Episode { related(first: Int): [Episode!]! @cost(weight: 200) score: Int @cost(weight: 3) }
`})

// TestCostBoundedLists checks that a list with a first argument is priced
// at first (20 without it, capped at 100), or at the most items the store
// says the field can hold when that is smaller, and that a string field is
// priced by the longest value the store holds, and that a field's
// @cost(weight:) is added each time it is resolved.
func TestCostBoundedLists(t *testing.T) {
	lists := map[string]int{"Show.guests": 500, "Guest.topics": 3, "Show.hosts": 0}
	texts := map[string]int{"Episode.description": 40 << 10, "Guest.bio": 2000, "Guest.name": 30}
	model := costModel{defaultPage: 20, maxPage: 100, listSize: 10, pageArgs: []string{"first", "last"},
		listBound: func(typ, field string) (int, bool) { n, ok := lists[typ+"."+field]; return n, ok },
		textBytes: func(typ, field string) (int, bool) { n, ok := texts[typ+"."+field]; return n, ok },
	}
	tests := []struct {
		name  string
		query string
		vars  map[string]any
		want  int
	}{
		{"default 20", `{ show { guests { name } } }`, nil, 1 + 20},
		{"first", `{ show { guests(first: 5) { name } } }`, nil, 1 + 5},
		{"first from a variable", `query($n: Int) { show { guests(first: $n) { name } } }`, map[string]any{"n": int64(7)}, 1 + 7},
		{"null first is the default", `query($n: Int) { show { guests(first: $n) { name } } }`, map[string]any{"n": nil}, 1 + 20},
		{"capped at 100", `{ show { guests(first: 1000) { name } } }`, nil, 1 + 100},
		{"the store's bound when smaller", `{ show { guests { topics(first: 50) { name } } } }`, nil, 1 + 20*(1+3)},
		{"an empty bound", `{ show { hosts { name } } }`, nil, 1},
		{"no bound known: first", `{ show { guests { coGuests { coGuests { name } } } } }`, nil, 1 + 20*(1+20*(1+20))},
		{"bounded list under a connection", `{ episodes(first: 10) { nodes { guests(first: 2) { name } } } }`, nil, 1 + 10*(1+2)},
		{"scalar lists stay free", `{ show { guests { topics { aliases } } } }`, nil, 1 + 20*(1+3)},
		{"short texts are free", `{ show { guests(first: 1) { name } } }`, nil, 1 + 1},
		{"a text costs 1 per full KiB", `{ show { guests(first: 1) { bio } } }`, nil, 1 + 1*(1+1)},
		{"nodes repeating a long text", `query($ids: [ID!]!) { a: nodes(ids: $ids) { ... on Episode { description } } b: nodes(ids: $ids) { ... on Episode { description } } }`,
			map[string]any{"ids": []any{"e", "e", "e"}}, 2 * 3 * (1 + 40)},
		{"a weight is added once per resolution", `{ episodes(first: 10) { nodes { related(first: 2) { title } } } }`, nil, 1 + 10*(1+(2*1+200))},
		{"a weight on a scalar", `{ episodes(first: 4) { nodes { score } } }`, nil, 1 + 4*(1+3)},
		{"weights nest", `{ episodes(first: 2) { nodes { related(first: 3) { related(first: 1) { title } } } } }`, nil, 1 + 2*(1+(3*(1+(1+200))+200))},
		{"text priced wherever it is selected", `{ episodes(first: 10) { nodes { title description } } }`, nil, 1 + 10*(1+40)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, errs := gqlparser.LoadQueryWithRules(boundedSchema, tt.query, rules.NewDefaultRules())
			if len(errs) > 0 {
				t.Fatalf("invalid test query: %v", errs)
			}
			vars, err := validator.VariableValues(boundedSchema, doc.Operations[0], tt.vars)
			if err != nil {
				t.Fatalf("variables: %v", err)
			}
			if got := model.operationCost(doc.Operations[0], vars); got != tt.want {
				t.Errorf("cost = %d, want %d", got, tt.want)
			}
		})
	}
}
