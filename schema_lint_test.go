package main

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestSchemaLint runs graphql-schema-linter (e2e/node_modules) with its
// default rules on graph/*.graphqls and fails on any report: every type,
// field, argument, input field and enum value described, descriptions
// capitalized, names cased as GraphQL expects, fields and enum values in
// alphabetical order, connections, their arguments and PageInfo as the
// Relay spec has them. The linter looks for a configuration from the
// directory given by -c upwards; pointing it at an empty temporary directory
// keeps any configuration out, so no rule can be turned off quietly. It runs
// when PODCAST_E2E=1 (./test.sh sets it and installs e2e/node_modules);
// graph's TestSchemaDocumentsItself checks the descriptions without npm.
func TestSchemaLint(t *testing.T) {
	node := e2eNode(t, "schema lint", "graphql-schema-linter")
	schemas, err := filepath.Glob(filepath.Join("graph", "*.graphqls"))
	if err != nil || len(schemas) == 0 {
		t.Fatalf("no graph/*.graphqls (%v)", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args := append([]string{filepath.Join("e2e", "node_modules", "graphql-schema-linter", "lib", "cli.js"),
		"--format", "compact", "--config-directory", t.TempDir()}, schemas...)
	out, err := exec.CommandContext(ctx, node, args...).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 { // compact prints a bare newline when all is well
		t.Fatalf("graphql-schema-linter %v: %v\n%s", schemas, err, out)
	}
}
