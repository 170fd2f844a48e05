package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"podcastgraph/store"
)

// Client commands talk to a running server's admin endpoints.

// remoteBatchBytes bounds one /admin/ingest request.
const remoteBatchBytes = 16 << 20

// remoteIngest sends files to the server in batches and prints the same
// lines the local command does.
func remoteIngest(ctx context.Context, cfg *config, files []string, out io.Writer) (summary, error) {
	var sum summary
	client := &http.Client{Timeout: 5 * time.Minute}
	var batch []page
	size := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		results, err := postPages(ctx, client, cfg, batch)
		if err != nil {
			return err
		}
		for _, r := range results {
			sum.add(r)
			printResult(out, r)
		}
		batch, size = batch[:0], 0
		return nil
	}
	for _, f := range files {
		p := readPage(f)
		if p.err != nil {
			r := docResult{Name: p.name, Status: "failed", Error: p.err.Error()}
			sum.add(r)
			printResult(out, r)
			continue
		}
		if size+len(p.data) > remoteBatchBytes || len(batch) >= max(cfg.Batch, 1) {
			if err := flush(); err != nil {
				return sum, err
			}
		}
		batch = append(batch, p)
		size += len(p.data)
	}
	return sum, flush()
}

func postPages(ctx context.Context, client *http.Client, cfg *config, pages []page) ([]docResult, error) {
	var req struct {
		Documents []struct {
			Name string `json:"name"`
			Data []byte `json:"data"`
		} `json:"documents"`
	}
	for _, p := range pages {
		req.Documents = append(req.Documents, struct {
			Name string `json:"name"`
			Data []byte `json:"data"`
		}{p.name, p.data})
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	resp, err := adminRequest(ctx, client, cfg, http.MethodPost, "/admin/ingest", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var res ingestResponse
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil || len(res.Results) != len(pages) {
		return nil, fmt.Errorf("ingest --server: unreadable answer from %s (%v)", cfg.Server, err)
	}
	return res.Results, nil
}

// adminRequest sends an authenticated request and turns failures into
// errors that say what to do.
func adminRequest(ctx context.Context, client *http.Client, cfg *config, method, path string, body io.Reader) (*http.Response, error) {
	url := strings.TrimRight(cfg.Server, "/") + path
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return nil, fmt.Errorf("--server %q: %w", cfg.Server, err)
	}
	req.Header.Set("Authorization", "Bearer "+cfg.Token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("--server: %w", err)
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		resp.Body.Close()
		return nil, fmt.Errorf("%s refused the admin token (401): pass --token or set PODCAST_ADMIN_TOKEN", url)
	case resp.StatusCode == http.StatusNotFound:
		resp.Body.Close()
		return nil, fmt.Errorf("%s: 404: is the server started with --admin-token?", url)
	case resp.StatusCode != http.StatusOK:
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		return nil, fmt.Errorf("%s: %s: %s", url, resp.Status, strings.TrimSpace(string(msg)))
	}
	return resp, nil
}

// remoteBackup downloads a snapshot into out, atomically.
func remoteBackup(ctx context.Context, cfg *config, out string, stdout io.Writer) error {
	resp, err := adminRequest(ctx, &http.Client{}, cfg, http.MethodGet, "/admin/backup", nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	n, err := store.WriteFileAtomically(out, func(w io.Writer) (int64, error) {
		n, err := io.Copy(w, resp.Body)
		if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
			err = fmt.Errorf("snapshot cut short: %d of %d bytes", n, resp.ContentLength)
		}
		return n, err
	})
	if err != nil {
		return fmt.Errorf("backup --server: %w", err)
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes) from %s\n", out, n, cfg.Server)
	return nil
}
