package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestGraphQLOverHTTPAudit runs the GraphQL-over-HTTP spec's audit suite
// (graphql-http's auditServer, e2e/audit.mjs) against the real server with
// its default settings: every MUST and SHOULD audit must pass, and every MAY
// audit not on the script's documented allow-list. It runs when
// PODCAST_E2E=1 (./test.sh sets it and installs e2e/node_modules).
func TestGraphQLOverHTTPAudit(t *testing.T) {
	node := e2eNode(t, "GraphQL-over-HTTP audit", "graphql-http")
	s := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, filepath.Join("e2e", "audit.mjs"), s.URL+"/graphql").CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("audit failed: %v", err)
	}
}
