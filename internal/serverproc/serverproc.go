// Package serverproc builds the podcastgraph binary and runs it as a
// separate process on loopback, for the load and soak tools: the server
// they measure is the real one, started the way a user starts it.
package serverproc

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"time"
)

// Build compiles the module's main package (the current directory must be
// the repository root) into dir and returns the binary's path.
func Build(dir string) (string, error) {
	bin := filepath.Join(dir, "podcastgraph")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		return "", fmt.Errorf("build: %v\n%s", err, out)
	}
	return bin, nil
}

// Server is a running server process.
type Server struct {
	URL string
	Cmd *exec.Cmd
}

var listening = regexp.MustCompile(`listening on (http://[^\s"]+)`)

// Start runs `bin serve args...` on 127.0.0.1:0 and waits until it logs its
// address and /readyz answers 200 (at most a minute). The process ends
// with ctx, or by Stop.
func Start(ctx context.Context, bin string, args ...string) (*Server, error) {
	cmd := exec.CommandContext(ctx, bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &Server{Cmd: cmd}
	sc := bufio.NewScanner(stdout)
	for s.URL == "" && sc.Scan() {
		if m := listening.FindStringSubmatch(sc.Text()); m != nil {
			s.URL = m[1]
		}
	}
	if s.URL == "" {
		_ = cmd.Wait()
		return nil, fmt.Errorf("server exited before listening")
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(s.URL + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.Stop()
	return nil, fmt.Errorf("server at %s not ready after a minute", s.URL)
}

// Stop asks the server to shut down (SIGINT) and waits for it.
func (s *Server) Stop() {
	_ = s.Cmd.Process.Signal(os.Interrupt)
	_ = s.Cmd.Wait()
}
