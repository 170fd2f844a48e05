package graphhttp

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"
)

// limited is a handler with the production settings except a rate of one
// request per thousand seconds, in bursts of burst: nothing refills while a
// test runs.
func limited(t *testing.T, burst int, configure func(*Options)) http.Handler {
	return newTestHandler(t, nil, func(o *Options) {
		d := Defaults()
		o.TrustedProxies, o.RateExempt = d.TrustedProxies, d.RateExempt
		o.Rate, o.RateBurst = 0.001, burst
		if configure != nil {
			configure(o)
		}
	})
}

// from is a POST of okQuery from peer with headers.
func from(peer string, header ...string) *http.Request {
	r := post(q(okQuery), header...)
	r.RemoteAddr = peer
	return r
}

// statuses returns the status of n requests made by req.
func statuses(t *testing.T, h http.Handler, n int, req func() *http.Request) []int {
	t.Helper()
	out := make([]int, n)
	for i := range out {
		out[i] = serve(t, h, req()).status
	}
	return out
}

// By default no proxy is trusted and loopback is a client like any other:
// a local process cannot send without limit, nor name another client in
// X-Forwarded-For.
func TestLoopbackLimitedByDefault(t *testing.T) {
	for _, peer := range []string{"127.0.0.1:5000", "[::1]:5000", "[::ffff:127.0.0.1]:5000"} {
		t.Run(peer, func(t *testing.T) {
			h := limited(t, 2, nil)
			got := statuses(t, h, 3, func() *http.Request { return from(peer) })
			if fmt.Sprint(got) != "[200 200 429]" {
				t.Errorf("three requests from loopback: %v, want [200 200 429]", got)
			}
		})
	}
	t.Run("X-Forwarded-For from loopback is ignored", func(t *testing.T) {
		h := limited(t, 2, nil)
		i := 0
		got := statuses(t, h, 3, func() *http.Request {
			i++
			return from("127.0.0.1:5000", "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i))
		})
		if fmt.Sprint(got) != "[200 200 429]" {
			t.Errorf("three requests naming three clients: %v, want [200 200 429]", got)
		}
	})
}

// --rate-exempt names the clients no limit applies to: the peer, or the
// client a trusted proxy names.
func TestRateExempt(t *testing.T) {
	h := limited(t, 1, func(o *Options) {
		o.CostRate, o.CostBurst, o.MaxCost = 0.001, 100, 100
		o.RateExempt = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("192.0.2.10/32")}
		o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.1/32")}
	})
	for name, req := range map[string]func() *http.Request{
		"loopback":              func() *http.Request { return from("127.0.0.1:1") },
		"monitoring, forwarded": func() *http.Request { return from("10.0.0.1:1", "X-Forwarded-For", "192.0.2.10") },
	} {
		for i, s := range statuses(t, h, 5, req) {
			if s != 200 {
				t.Errorf("%s, request %d: status %d", name, i, s)
			}
		}
		if a := serve(t, h, req()); a.header.Get("X-RateLimit-Remaining") != "" || a.Extensions["cost"].(map[string]any)["throttleStatus"] != nil {
			t.Errorf("%s: an exempt client is shown a budget: %v %v", name, a.header, a.Extensions["cost"])
		}
	}
	// The exemption is the client's, not the proxy's.
	if got := statuses(t, h, 2, func() *http.Request { return from("10.0.0.1:1", "X-Forwarded-For", "198.51.100.4") }); fmt.Sprint(got) != "[200 429]" {
		t.Errorf("a client forwarded by the proxy: %v, want [200 429]", got)
	}
	// A client cannot claim an exempt address itself.
	if got := statuses(t, h, 2, func() *http.Request { return from("198.51.100.5:1", "X-Forwarded-For", "127.0.0.1") }); fmt.Sprint(got) != "[200 429]" {
		t.Errorf("a client naming an exempt address: %v, want [200 429]", got)
	}
}

// A malformed X-Forwarded-For from a trusted proxy makes the proxy the
// client: the requests it forwards with such a header share its bucket,
// and nobody else's.
func TestMalformedForwardedFor(t *testing.T) {
	var told atomic.Int32
	h := limited(t, 2, func(o *Options) {
		o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/24")}
		o.InvalidForwardedFor = func(*http.Request) { told.Add(1) }
	})
	junk := []string{"garbage", "203.0.113.1, not-an-address", "unknown", "1.2.3.4.5"}
	i := 0
	got := statuses(t, h, 3, func() *http.Request {
		i++
		return from("10.0.0.1:1", "X-Forwarded-For", junk[i%len(junk)])
	})
	if fmt.Sprint(got) != "[200 200 429]" {
		t.Errorf("malformed headers through one proxy: %v, want [200 200 429]", got)
	}
	if told.Load() != 3 {
		t.Errorf("InvalidForwardedFor told of %d requests, want 3", told.Load())
	}
	// Another proxy's malformed headers, and the first proxy's well-formed
	// ones, are other clients.
	if a := serve(t, h, from("10.0.0.2:1", "X-Forwarded-For", "garbage")); a.status != 200 {
		t.Errorf("malformed header through another proxy: status %d (a shared bucket)", a.status)
	}
	if a := serve(t, h, from("10.0.0.1:1", "X-Forwarded-For", "203.0.113.7")); a.status != 200 {
		t.Errorf("a client forwarded by the first proxy: status %d", a.status)
	}
}

func TestClientKey(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8:ffff::/48")}
	for _, tt := range []struct {
		peer, xff string
		key       string
		malformed bool
	}{
		{"198.51.100.1:1", "", "198.51.100.1", false},
		{"198.51.100.1:1", "203.0.113.1", "198.51.100.1", false}, // untrusted peer: header ignored
		{"[2001:db8:1:2::7]:1", "", "2001:db8:1:2::/64", false},
		{"10.0.0.1:1", "", "10.0.0.1", false},
		{"10.0.0.1:1", "203.0.113.1", "203.0.113.1", false},
		{"10.0.0.1:1", "198.51.100.9, 203.0.113.1, 10.0.0.2", "203.0.113.1", false},
		{"10.0.0.1:1", "203.0.113.1:4711", "203.0.113.1", false},
		{"10.0.0.1:1", "[2001:db8:1:2::7]:443", "2001:db8:1:2::/64", false},
		{"10.0.0.1:1", "[2001:db8:1:2::7]", "2001:db8:1:2::/64", false},
		{"10.0.0.1:1", "::ffff:203.0.113.1", "203.0.113.1", false},
		{"10.0.0.1:1", "junk, 203.0.113.1", "203.0.113.1", false}, // the junk is beyond the client
		{"10.0.0.1:1", "garbage", "10.0.0.1", true},
		{"10.0.0.1:1", "203.0.113.1, garbage, 10.0.0.2", "10.0.0.2", true}, // the hop that passed it on
		{"10.0.0.1:1", "203.0.113.1,", "10.0.0.1", true},
		{"[2001:db8:ffff::1]:1", "unknown", "2001:db8:ffff::/64", true},
	} {
		r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
		r.RemoteAddr = tt.peer
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		key, _, malformed := clientKey(r, trusted)
		if key != tt.key || malformed != tt.malformed {
			t.Errorf("peer %s, X-Forwarded-For %q: key %q malformed %t, want %q %t", tt.peer, tt.xff, key, malformed, tt.key, tt.malformed)
		}
	}
}

// Past the most clients the table holds, new clients get buckets of their
// own (the least recently seen client is forgotten), never one bucket
// shared by every newcomer, which the first of them could empty for all.
func TestClientTableFullNoSharedBucket(t *testing.T) {
	h := limited(t, 1, nil)
	// DELETE is refused (405) after the rate check: the cheapest request
	// that takes a token.
	del := func(peer string) int {
		r := httptest.NewRequest(http.MethodDelete, "/graphql", nil)
		r.RemoteAddr = peer
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	for i := range maxClients {
		if s := del(fmt.Sprintf("10.%d.%d.1:1", i>>8, i&0xff)); s != http.StatusMethodNotAllowed {
			t.Fatalf("client %d: status %d", i, s)
		}
	}
	if s := del("192.0.2.1:1"); s != http.StatusMethodNotAllowed {
		t.Fatalf("a new client past the table's size: status %d", s)
	}
	if s := del("192.0.2.1:1"); s != http.StatusTooManyRequests {
		t.Errorf("the new client's second request: status %d, want 429", s)
	}
	if s := del("192.0.2.2:1"); s != http.StatusMethodNotAllowed {
		t.Errorf("another new client: status %d (it shares the first one's bucket)", s)
	}
	// The most recently seen clients keep their buckets.
	if s := del("10.255.255.1:1"); s != http.StatusTooManyRequests {
		t.Errorf("a recent client's second request: status %d, want 429", s)
	}
}

// The table never holds more than maxClients entries.
func TestClientTableBounded(t *testing.T) {
	o := Defaults()
	o.Rate, o.RateBurst = 0.001, 1
	tbl := newClientTable(&o)
	tbl.max = 3
	now := time.Now()
	for i := range 10 {
		r := httptest.NewRequest(http.MethodGet, "/graphql", nil)
		r.RemoteAddr = fmt.Sprintf("192.0.2.%d:1", i)
		if ok, _ := tbl.client(r, now).allowRequest(now); !ok {
			t.Fatalf("client %d refused", i)
		}
	}
	if n := tbl.lru.Len(); n != 3 || len(tbl.index) != 3 {
		t.Errorf("table holds %d entries (%d indexed), want 3", n, len(tbl.index))
	}
}
