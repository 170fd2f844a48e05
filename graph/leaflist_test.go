package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"podcastgraph/graph"
	"podcastgraph/ingest"
	"podcastgraph/internal/pipeline"
	"podcastgraph/store"
)

// A list whose selection is leaves alone is written in one pass
// (gqlpatch_leaflist.go), one that selects anything else object by
// object, as gqlgen does. Every leaf field of the listed types, selected
// with __typename under an alias, must answer byte for byte what the same
// list answers when it also selects a field the one pass does not write,
// up to that field. The store holds every page and feed of the
// extractor's test data: escapes, every script, feeds' optional fields
// present and missing.
func TestLeafListsAnswerAsObjects(t *testing.T) {
	h := serverFor(testdataStore(t))
	lists := []struct {
		typ, list, other string
	}{
		{"Episode", "episodes(first: 100) { nodes { %s } }", "zz: guests { slug }"},
		{"Guest", "guests(first: 100) { nodes { %s } }", "zz: episodeCount"},
		{"Topic", "topics(first: 100) { nodes { %s } }", "zz: episodeCount"},
		{"Show", "shows(first: 100) { nodes { %s } }", "zz: episodeCount"},
		{"EpisodeEdge", "episodes(first: 100) { edges { %s } }", "zz: node { code }"},
	}
	for _, l := range lists {
		fields := leafFields(t, l.typ)
		if len(fields) == 0 {
			t.Fatalf("%s: %d leaf fields", l.typ, len(fields))
		}
		selections := []string{strings.Join(fields[:min(3, len(fields))], " "), "a: " + fields[0] + " b: " + fields[0]}
		for _, f := range fields {
			selections = append(selections, "__typename x: "+f)
		}
		for _, sel := range selections {
			alone := listNodes(t, h, fmt.Sprintf("{ l: "+l.list+" }", sel))
			mixed := listNodes(t, h, fmt.Sprintf("{ l: "+l.list+" }", sel+" "+l.other))
			if len(alone) == 0 || len(alone) != len(mixed) {
				t.Fatalf("%s { %s }: %d objects alone, %d with %s", l.typ, sel, len(alone), len(mixed), l.other)
			}
			for i := range alone {
				want := string(alone[i][:len(alone[i])-1]) + `,"zz":`
				if !strings.HasPrefix(string(mixed[i]), want) {
					t.Errorf("%s { %s } object %d:\n alone: %s\n mixed: %s", l.typ, sel, i, alone[i], mixed[i])
					break
				}
			}
		}
	}
}

// leafFields returns the fields of typ whose values are scalars or enums
// (or lists of them) and that need no argument, from the schema.
func leafFields(t *testing.T, typ string) []string {
	t.Helper()
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}}).Schema()
	def := schema.Types[typ]
	if def == nil {
		t.Fatalf("no type %s", typ)
	}
	var out []string
	for _, f := range def.Fields {
		base := f.Type
		for base.Elem != nil {
			base = base.Elem
		}
		kind := schema.Types[base.NamedType].Kind
		required := false
		for _, a := range f.Arguments {
			required = required || (a.Type.NonNull && a.DefaultValue == nil)
		}
		if (kind == ast.Scalar || kind == ast.Enum) && !required && !strings.HasPrefix(f.Name, "__") {
			out = append(out, f.Name)
		}
	}
	return out
}

// listNodes runs query, which lists objects under l, and returns each
// object's JSON as the server wrote it.
func listNodes(t *testing.T, h http.Handler, query string) []json.RawMessage {
	t.Helper()
	var d struct {
		Data struct {
			L struct{ Nodes, Edges []json.RawMessage }
		}
	}
	post(t, h, query, nil, &d)
	return append(d.Data.L.Nodes, d.Data.L.Edges...)
}

// testdataStore is a store of every page and feed in the extractor's
// test data (those that fail to parse are left out, as ingest leaves them).
func testdataStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "td.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var files []string
	for _, pattern := range []string{"../ingest/testdata/*.txt", "../ingest/testdata/*.xml"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	ing := &pipeline.Ingester{Store: st, Vocab: ingest.DefaultVocabulary(), Batch: 16}
	sum, err := ing.Files(context.Background(), files, io.Discard)
	if err != nil || sum.Added < 20 {
		t.Fatalf("ingest: %v, %+v", err, sum)
	}
	return st
}
