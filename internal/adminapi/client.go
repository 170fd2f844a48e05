package adminapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"podcastgraph/internal/pipeline"
	"podcastgraph/store"
)

// Client talks to a running server's admin endpoints, for the client
// commands.
type Client struct {
	// Server is the server's base URL; Token the admin token sent.
	Server string
	Token  string
	// Batch, if smaller than remoteBatchDocs, bounds the documents of one
	// request.
	Batch int
	// Progress, when set, follows Ingest: the documents answered for.
	Progress *pipeline.Progress
}

// remoteBatchBytes and remoteBatchDocs bound one /admin/ingest request
// (--batch, if smaller, bounds it too): each is quick to send and to
// commit, and if the connection breaks few documents are in doubt.
const (
	remoteBatchBytes = 8 << 20
	remoteBatchDocs  = 256
	// remoteBatchURLs is the server's bound on the URLs of one request.
	remoteBatchURLs = 256
)

// remoteIdle is how long the client waits for the server's next answer
// line before giving up on the connection.
const remoteIdle = 5 * time.Minute

// Ingest sends files to the server in bounded batches, then urls for the
// server to fetch, and prints the same lines the local command does, each
// as the server decides it. If a batch's answer is cut short, it says
// which documents were confirmed, which are unknown (sent, not answered
// for) and which were not sent, prints the summary of what was confirmed
// and fails.
func (c *Client) Ingest(ctx context.Context, files, urls []string, out io.Writer) (pipeline.Summary, error) {
	var sum pipeline.Summary
	if err := c.checkServer(); err != nil {
		return sum, err
	}
	client := &http.Client{}
	c.Progress.Begin(len(files) + len(urls))
	emit := func(r pipeline.Result) {
		sum.Add(r)
		pipeline.PrintResult(out, r)
		c.Progress.Add(1)
	}
	var batch []pipeline.Page
	size, confirmed := 0, 0
	// send posts one request for the documents or URLs named names; rest
	// are those not sent yet.
	send := func(req IngestRequest, names, rest []string) error {
		n, err := c.post(ctx, client, req, len(names), emit)
		confirmed += n
		if err != nil {
			var refused *refusedError
			if errors.As(err, &refused) && confirmed == 0 {
				return err // nothing was taken: the reason is enough
			}
			if unsent(err) && confirmed == 0 {
				return fmt.Errorf("ingest --server %s: the server could not be reached, nothing was sent: %w", c.Server, err)
			}
			return c.reportBreak(out, sum, names[n:], rest, err)
		}
		return nil
	}
	flush := func(rest []string) error {
		if len(batch) == 0 {
			return nil
		}
		var req IngestRequest
		names := make([]string, len(batch))
		for i, p := range batch {
			req.Documents = append(req.Documents, Document{Name: p.Name, Data: Base64{Bytes: p.Data}})
			names[i] = p.Name
		}
		if err := send(req, names, rest); err != nil {
			return err
		}
		batch, size = batch[:0], 0
		return nil
	}
	batchDocs := min(max(c.Batch, 1), remoteBatchDocs)
	for i, f := range files {
		p := pipeline.ReadPage(f)
		if p.Err != nil {
			emit(pipeline.Result{Name: p.Name, Status: "failed", Error: p.Err.Error()})
			continue
		}
		if len(batch) > 0 && (size+len(p.Data) > remoteBatchBytes || len(batch) >= batchDocs) {
			if err := flush(append(baseNames(files[i:]), urls...)); err != nil {
				return sum, err
			}
		}
		batch = append(batch, p)
		size += len(p.Data)
	}
	if err := flush(urls); err != nil {
		return sum, err
	}
	for start := 0; start < len(urls); start += remoteBatchURLs {
		part := urls[start:min(start+remoteBatchURLs, len(urls))]
		if err := send(IngestRequest{URLs: part}, part, urls[start+len(part):]); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// checkServer refuses a --server that is not an http(s) URL with a host,
// before anything is read or sent.
func (c *Client) checkServer() error {
	u, err := url.Parse(c.Server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--server %q: not an http:// or https:// URL with a host", c.Server)
	}
	return nil
}

// unsent reports whether err says a request never reached the server: it
// could not be dialled (refused, no route, no such host).
func unsent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// baseNames is the names of files, as their lines print them.
func baseNames(files []string) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = filepath.Base(f)
	}
	return out
}

// reportBreak prints what became of the documents of a run whose batch
// failed midway: pending were sent and not answered for (or refused),
// rest were not sent. It prints the summary of the confirmed documents and
// returns the error that fails the command.
func (c *Client) reportBreak(out io.Writer, sum pipeline.Summary, pending, rest []string, cause error) error {
	var refused *refusedError
	unknown := 0
	if unsent(cause) {
		// The request never reached the server: its documents were not
		// sent either.
		pending, rest = nil, append(slices.Clip(pending), rest...)
	}
	for _, name := range pending {
		if errors.As(cause, &refused) {
			sum.Add(pipeline.Result{Name: name, Status: "failed"})
			fmt.Fprintf(out, "failed    %s: not stored: %s\n", pipeline.PrintedName(name), refused.status)
			continue
		}
		unknown++
		fmt.Fprintf(out, "unknown   %s: sent, but the connection broke before the server answered for it; run the ingest again (stored pages come back unchanged)\n", pipeline.PrintedName(name))
	}
	for _, name := range rest {
		fmt.Fprintf(out, "not sent  %s\n", pipeline.PrintedName(name))
	}
	fmt.Fprintf(out, "%d documents: %d added, %d updated, %d unchanged, %d failed, %d unknown, %d not sent\n",
		sum.Total()+unknown+len(rest), sum.Added, sum.Updated, sum.Unchanged, sum.Failed, unknown, len(rest))
	return fmt.Errorf("ingest --server %s: stopped after %d documents were answered for: %w", c.Server, sum.Total(), cause)
}

// refusedError is a batch the server answered with an error status: it
// took none of its documents.
type refusedError struct {
	status string
	err    error
}

func (e *refusedError) Error() string { return e.err.Error() }
func (e *refusedError) Unwrap() error { return e.err }

// post sends one batch of want documents or URLs and calls emit with each
// result as the server streams it; it returns how many results came. An
// error after some results means the rest of the batch is unaccounted for.
func (c *Client) post(ctx context.Context, client *http.Client, req IngestRequest, want int, emit func(pipeline.Result)) (int, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return 0, fmt.Errorf("encode batch: %w", err)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	idle := time.AfterFunc(remoteIdle, func() {
		cancel(fmt.Errorf("no answer from the server for %v", remoteIdle))
	})
	defer idle.Stop()
	resp, err := c.request(ctx, client, http.MethodPost, "/admin/ingest", bytes.NewReader(body), "Accept", NDJSON)
	if err != nil {
		return 0, withCause(ctx, err)
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), NDJSON) {
		// A server that answers in one piece.
		var res IngestResponse
		if err := dec.Decode(&res); err != nil || len(res.Results) != want {
			return 0, fmt.Errorf("unreadable answer (%v)", withCause(ctx, err))
		}
		for _, r := range res.Results {
			emit(r)
		}
		return want, nil
	}
	n := 0
	for {
		var line IngestLine
		if err := dec.Decode(&line); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return n, fmt.Errorf("answer cut short after %d of %d documents: %w", n, want, withCause(ctx, err))
		}
		idle.Reset(remoteIdle)
		switch {
		case line.Result != nil && n < want:
			emit(*line.Result)
			n++
		case line.Summary != nil && line.Summary.Documents == n && n == want:
			return n, nil
		default:
			return n, fmt.Errorf("unexpected answer line after %d of %d documents", n, want)
		}
	}
}

// withCause prefers the reason ctx was cancelled to the error it caused.
func withCause(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	return err
}

// request sends an authenticated request and turns failures into
// errors that say what to do.
func (c *Client) request(ctx context.Context, client *http.Client, method, path string, body io.Reader, header ...string) (*http.Response, error) {
	url := strings.TrimRight(c.Server, "/") + path
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return nil, fmt.Errorf("--server %q: %w", c.Server, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("--server: %w", err)
	}
	if resp.StatusCode == http.StatusOK {
		return resp, nil
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		err = fmt.Errorf("%s refused the admin token (401): pass --token-file or --token, or set PODCAST_ADMIN_TOKEN", url)
	case http.StatusNotFound:
		err = fmt.Errorf("%s: 404: is the server started with --admin-token?", url)
	default:
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		err = fmt.Errorf("%s: %s: %s", url, resp.Status, strings.TrimSpace(string(msg)))
	}
	return nil, &refusedError{status: resp.Status, err: err}
}

// Backup downloads a snapshot into out, atomically.
func (c *Client) Backup(ctx context.Context, out string, stdout io.Writer) error {
	resp, err := c.request(ctx, &http.Client{}, http.MethodGet, "/admin/backup", nil)
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
	fmt.Fprintf(stdout, "wrote %s (%d bytes) from %s\n", out, n, c.Server)
	return nil
}

// Cluster sends a request to the server's /admin/cluster endpoints (GET
// /admin/cluster when body is nil, else a POST of body as JSON to
// /admin/cluster/op) and copies the JSON answer to out.
func (c *Client) Cluster(ctx context.Context, op string, body any, out io.Writer) error {
	method, path, r := http.MethodGet, "/admin/cluster", io.Reader(nil)
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		method, path, r = http.MethodPost, "/admin/cluster/"+op, bytes.NewReader(b)
	}
	resp, err := c.request(ctx, &http.Client{Timeout: time.Minute}, method, path, r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(out, resp.Body)
	return err
}
