package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// e2eNode returns node for a check that runs a script of e2e/ needing the
// npm package pkg. The check is skipped unless PODCAST_E2E=1 (./test.sh
// sets it, after installing what it needs); with it set, anything missing
// fails the test with what to do.
func e2eNode(t *testing.T, what, pkg string) string {
	t.Helper()
	if os.Getenv("PODCAST_E2E") != "1" {
		t.Skip(what + ": set PODCAST_E2E=1 (./test.sh does) to run it")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("PODCAST_E2E=1 but node is not on PATH: install Node.js (>= 20) or run ./test.sh")
	}
	if _, err := os.Stat(filepath.Join("e2e", "node_modules", pkg)); err != nil {
		t.Fatalf("PODCAST_E2E=1 but e2e/node_modules/%s is missing: run ./test.sh (npm ci --prefix e2e)", pkg)
	}
	return node
}
