package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"testing"
)

// peer is a client of a test server that connects from a loopback address
// of its own (127.0.0.2, ...: all of 127.0.0.0/8 is loopback on Linux),
// optionally through a "proxy" that sends X-Forwarded-For.
type peer struct {
	client *http.Client
	xff    string
}

func newPeer(t *testing.T, ip, xff string) *peer {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	return &peer{client: &http.Client{Transport: tr}, xff: xff}
}

// query POSTs query to s and decodes the answer.
func (p *peer) query(t *testing.T, s *testServer, query string) *gqlResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if p.xff != "" {
		req.Header.Set("X-Forwarded-For", p.xff)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return decodeResponse(t, resp)
}

// statuses returns the statuses of n requests of p.
func (p *peer) statuses(t *testing.T, s *testServer, n int) string {
	t.Helper()
	out := make([]int, n)
	for i := range out {
		out[i] = p.query(t, s, `{ __typename }`).status
	}
	return fmt.Sprint(out)
}

// With the default settings no proxy is trusted and nobody is exempt:
// loopback is limited like any client, its X-Forwarded-For is ignored, and
// another client is unaffected. (The rate is lowered so that nothing
// refills while the test runs.)
func TestHardeningLoopbackLimitedByDefault(t *testing.T) {
	s := startServer(t, "--rate", "0.01", "--rate-burst", "2")
	if got := newPeer(t, "127.0.0.1", "").statuses(t, s, 3); got != "[200 200 429]" {
		t.Errorf("loopback: %s, want [200 200 429]", got)
	}
	if got := newPeer(t, "127.0.0.1", "203.0.113.1").statuses(t, s, 1); got != "[429]" {
		t.Errorf("loopback naming another client in X-Forwarded-For: %s, want [429]", got)
	}
	if got := newPeer(t, "127.0.0.2", "").statuses(t, s, 2); got != "[200 200]" {
		t.Errorf("another client: %s, want [200 200]", got)
	}
}

// --rate-exempt exempts the clients the operator names, and nobody else.
func TestHardeningRateExempt(t *testing.T) {
	s := startServer(t, "--rate", "0.01", "--rate-burst", "1", "--rate-exempt", "127.0.0.1")
	if got := newPeer(t, "127.0.0.1", "").statuses(t, s, 5); got != "[200 200 200 200 200]" {
		t.Errorf("exempt loopback address: %s", got)
	}
	if got := newPeer(t, "127.0.0.2", "").statuses(t, s, 2); got != "[200 429]" {
		t.Errorf("another loopback address: %s, want [200 429]", got)
	}
}

// A malformed X-Forwarded-For from a trusted proxy limits the requests of
// that proxy (its own address is the key), never a bucket every such
// request shares.
func TestHardeningMalformedForwardedFor(t *testing.T) {
	s := startServer(t, "--rate", "0.01", "--rate-burst", "2", "--trusted-proxies", "127.0.0.0/8")
	if got := newPeer(t, "127.0.0.1", "not-an-address").statuses(t, s, 3); got != "[200 200 429]" {
		t.Errorf("malformed X-Forwarded-For from one proxy: %s, want [200 200 429]", got)
	}
	if got := newPeer(t, "127.0.0.2", "not-an-address").statuses(t, s, 1); got != "[200]" {
		t.Errorf("malformed X-Forwarded-For from another proxy: %s, want [200]", got)
	}
	if got := newPeer(t, "127.0.0.1", "203.0.113.7").statuses(t, s, 1); got != "[200]" {
		t.Errorf("a client forwarded by the first proxy: %s, want [200]", got)
	}
}

// The cost budget: every answer shows the client's budget, which goes down
// by each operation's cost (answers from the response cache included) until
// an operation costs more than is left; that is refused with 429 THROTTLED
// and Retry-After, while another client keeps its full budget.
func TestHardeningCostBudget(t *testing.T) {
	s := startServer(t, "--trusted-proxies", "127.0.0.1", "--cost-rate", "0.01", "--cost-burst", "1000", "--max-cost", "1000")
	const query = `{ episodes(first: 20) { nodes { title guests { name } topics { slug } } } }`
	a, b := newPeer(t, "127.0.0.1", "203.0.113.1"), newPeer(t, "127.0.0.1", "203.0.113.2")
	left := 1000
	var cost int
	for i := 0; ; i++ {
		r := a.query(t, s, query)
		if r.status == http.StatusTooManyRequests {
			if r.code() != "THROTTLED" || r.header.Get("Retry-After") == "" || len(r.Data) != 0 {
				t.Errorf("refusal: code %q Retry-After %q data %s", r.code(), r.header.Get("Retry-After"), r.Data)
			}
			if left >= cost {
				t.Errorf("refused with %d points left for an operation of %d", left, cost)
			}
			if got := r.header.Get("X-RateLimit-Remaining"); got != strconv.Itoa(left) {
				t.Errorf("refusal: X-RateLimit-Remaining %q, want %d", got, left)
			}
			t.Logf("throttled after %d operations of cost %d, %d points left", i, cost, left)
			break
		}
		c, _ := r.Extensions["cost"].(map[string]any)
		st, _ := c["throttleStatus"].(map[string]any)
		req, _ := c["requestedQueryCost"].(float64)
		cost = int(req)
		if r.status != 200 || cost < 1 || st == nil {
			t.Fatalf("request %d: status %d, extensions %v, errors %+v", i, r.status, r.Extensions, r.Errors)
		}
		left -= cost
		if got := int(st["currentlyAvailable"].(float64)); got != left {
			t.Fatalf("request %d: currentlyAvailable %d, want %d (cost %d)", i, got, left, cost)
		}
		if got := r.header.Get("X-RateLimit-Remaining"); got != strconv.Itoa(left) || r.header.Get("X-RateLimit-Limit") != "1000" {
			t.Fatalf("request %d: X-RateLimit-Remaining %q (want %d), -Limit %q", i, got, left, r.header.Get("X-RateLimit-Limit"))
		}
		if i > 1000 {
			t.Fatal("never throttled")
		}
	}
	r := b.query(t, s, query)
	if r.status != 200 || r.header.Get("X-RateLimit-Remaining") != strconv.Itoa(1000-cost) {
		t.Errorf("another client: status %d, X-RateLimit-Remaining %q, want %d", r.status, r.header.Get("X-RateLimit-Remaining"), 1000-cost)
	}
}
