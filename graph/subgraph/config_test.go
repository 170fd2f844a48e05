package subgraph_test

import (
	"os"
	"strings"
	"testing"
)

// The subgraph binds the schema's types exactly as package graph does:
// gqlgen.subgraph.yml's models section is gqlgen.yml's, byte for byte.
func TestModelsMatchMainConfig(t *testing.T) {
	models := func(path string) string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		i := strings.Index(s, "\nmodels:\n")
		if i < 0 {
			t.Fatalf("%s: no models section", path)
		}
		return s[i:]
	}
	if models("../../gqlgen.yml") != models("../../gqlgen.subgraph.yml") {
		t.Error("the models sections of gqlgen.yml and gqlgen.subgraph.yml differ: copy gqlgen.yml's into gqlgen.subgraph.yml and go generate ./...")
	}
}
