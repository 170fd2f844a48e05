package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Probe returns the probe command: a health check for images that have no
// shell or curl (the Dockerfile's HEALTHCHECK runs it).
func Probe() *Command {
	return &Command{Name: "probe", Run: runProbe,
		Args: "[--timeout D] URL",
		Summary: "GETs URL (e.g. http://127.0.0.1:8080/readyz) and succeeds when it answers\n" +
			"200; otherwise it prints the status or the error and exits 1.",
	}
}

func runProbe(ctx context.Context, env *Env, args []string) error {
	var timeout time.Duration
	return Probe().run(env, args, func(f *flags) {
		f.duration(&timeout, "timeout", "PODCAST_PROBE_TIMEOUT", 3*time.Second, time.Millisecond, "deadline of the request")
	}, func(f *flags, rest []string) error {
		if len(rest) != 1 {
			return fmt.Errorf("probe takes one URL, got %q", rest)
		}
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, rest[0], nil)
		if err != nil {
			return fmt.Errorf("probe: %w", err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return fmt.Errorf("probe: %w", err)
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("probe: %s answered %s", rest[0], resp.Status)
		}
		return nil
	})
}
