package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// A --seeds that was given and does not exist stops serve at start, naming
// it, instead of a server that logs the error and says it is ready
// without the pages it was told to ingest.
func TestServeRefusesMissingSeeds(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-dir")
	_, err := runCmd(t, "serve", "--db", filepath.Join(t.TempDir(), "p.db"), "--addr", "127.0.0.1:0", "--seeds", missing)
	if err == nil || !strings.Contains(err.Error(), "--seeds "+missing) || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("serve --seeds %s: %v, want it refused at start naming the path", missing, err)
	}
}
