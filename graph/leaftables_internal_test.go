package graph

import (
	"maps"
	"slices"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
)

// The leaf tables gqlpatch generates for the real schema hold only plain
// leaves: fields of a built-in scalar, Date or DateTime, whose marshallers
// only read the object (no enum, union, object or list), Float left out
// (a NaN is an error) and DateTime only where null is allowed (a zero
// time is a null). And the rewrite applied: an episode's code, title and
// release date are in Episode's table.
func TestLeafTables(t *testing.T) {
	schema := NewExecutableSchema(Config{Resolvers: &Resolver{}}).Schema()
	check := func(name string, implementors, fields []string) {
		t.Helper()
		def := schema.Types[name]
		if def == nil || def.Kind != ast.Object || len(implementors) == 0 || implementors[0] != name {
			t.Fatalf("%s: not an object of the schema (implementors %v)", name, implementors)
		}
		for _, f := range fields {
			fd := def.Fields.ForName(f)
			if fd == nil {
				t.Errorf("%s.%s: not a field of the schema", name, f)
				continue
			}
			typ := fd.Type
			plain := typ.Elem == nil && schema.Types[typ.NamedType].Kind == ast.Scalar
			switch typ.NamedType {
			case "Float":
				plain = false
			case "DateTime":
				plain = plain && !typ.NonNull
			}
			if !plain {
				t.Errorf("%s.%s, of type %s, is in the table of plain leaves", name, f, typ)
			}
		}
	}
	check("Episode", leavesOfEpisode.implementors, fieldNames(&leavesOfEpisode))
	check("Guest", leavesOfGuest.implementors, fieldNames(&leavesOfGuest))
	check("Topic", leavesOfTopic.implementors, fieldNames(&leavesOfTopic))
	check("Show", leavesOfShow.implementors, fieldNames(&leavesOfShow))
	check("Source", leavesOfSource.implementors, fieldNames(&leavesOfSource))
	check("SearchEdge", leavesOfSearchEdge.implementors, fieldNames(&leavesOfSearchEdge))
	check("Suggestion", leavesOfSuggestion.implementors, fieldNames(&leavesOfSuggestion))
	check("RelatedEpisodeEdge", leavesOfRelatedEpisodeEdge.implementors, fieldNames(&leavesOfRelatedEpisodeEdge))
	check("Appearance", leavesOfAppearance.implementors, fieldNames(&leavesOfAppearance))
	check("Link", leavesOfLink.implementors, fieldNames(&leavesOfLink))
	for _, f := range []string{"code", "title", "releaseDate"} {
		if leavesOfEpisode.fields[f] == nil {
			t.Errorf("Episode.%s is not in Episode's leaf table: the rewrite did not apply", f)
		}
	}
}

func fieldNames[T any](t *leafTable[T]) []string {
	return slices.Sorted(maps.Keys(t.fields))
}
