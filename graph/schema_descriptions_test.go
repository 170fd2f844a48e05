package graph_test

import (
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/vektah/gqlparser/v2/ast"

	"podcastgraph/graph"
)

// TestSchemaDocumentsItself walks the schema the server serves (what
// introspection and GraphiQL show) and fails for every type, field,
// argument, input field, enum value and directive of ours that has no
// description, or whose description starts with a lower-case letter. It is
// the no-npm half of the schema lint: graphql-schema-linter's default rules
// (schema_lint_test.go at the root, PODCAST_E2E=1) check the same and more.
func TestSchemaDocumentsItself(t *testing.T) {
	s := graph.NewExecutableSchema(graph.Config{}).Schema()
	var missing []string
	check := func(what, desc string) {
		d := strings.TrimSpace(desc)
		switch {
		case d == "":
			missing = append(missing, what+": no description")
		case unicode.IsLower([]rune(d)[0]):
			missing = append(missing, what+": description starts in lower case")
		}
	}
	args := func(owner string, list ast.ArgumentDefinitionList) {
		for _, a := range list {
			check("argument "+owner+"("+a.Name+":)", a.Description)
		}
	}
	for _, def := range s.Types {
		if def.BuiltIn {
			continue
		}
		check(strings.ToLower(string(def.Kind))+" "+def.Name, def.Description)
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") { // __typename, __schema, __type
				continue
			}
			what := "field "
			if def.Kind == ast.InputObject {
				what = "input field "
			}
			check(what+def.Name+"."+f.Name, f.Description)
			args(def.Name+"."+f.Name, f.Arguments)
		}
		for _, v := range def.EnumValues {
			check("enum value "+def.Name+"."+v.Name, v.Description)
		}
	}
	for _, d := range s.Directives {
		if d.Position != nil && d.Position.Src != nil && d.Position.Src.BuiltIn {
			continue
		}
		check("directive @"+d.Name, d.Description)
		args("@"+d.Name, d.Arguments)
	}
	if len(s.Types) < 20 {
		t.Fatalf("the schema has %d types: not the podcast schema?", len(s.Types))
	}
	if len(missing) > 0 {
		slices.Sort(missing) // s.Types is a map
		t.Errorf("%d schema elements are not documented (graph/schema.graphqls, then go generate ./...):\n%s",
			len(missing), strings.Join(missing, "\n"))
	}
}
