package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestPlaygroundInBrowser loads / of the real server, on the seeds, in
// headless Chromium (e2e/playground.mjs), runs GraphiQL's default query and
// waits for guest names in the result pane; any request to a host other
// than loopback fails it. It runs when PODCAST_E2E=1 (./test.sh sets it)
// and saves the README's screenshot to docs/playground.png when
// PODCAST_SCREENSHOT=1.
func TestPlaygroundInBrowser(t *testing.T) {
	node := e2eNode(t, "browser check", "playwright-core")
	s := startServer(t)
	shot := filepath.Join(t.TempDir(), "playground.png")
	if os.Getenv("PODCAST_SCREENSHOT") == "1" {
		shot = filepath.Join("docs", "playground.png")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	// The latest episode's guest, as the top of the result pane shows it
	// (the pane only renders the lines in view).
	cmd := exec.CommandContext(ctx, node, filepath.Join("e2e", "playground.mjs"), s.URL+"/", shot,
		"Mathias Buus Madsen", "Holepunch", "DOP 322")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("browser check failed: %v\n%s\nserver log:\n%s", err, out, s.logs.String())
	}
	if fi, err := os.Stat(shot); err != nil || fi.Size() < 10_000 {
		t.Fatalf("no screenshot at %s (%v)", shot, err)
	}
}
