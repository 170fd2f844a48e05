package graphhttp

import (
	"container/list"
	"math"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// clientTable holds what the rate limit and the cost budget know of each
// client, keyed by clientKey: a token bucket of requests (rate per second,
// bursts of burst) and a leaky bucket of cost points (costRate points
// restored per second, up to costBurst). Every client has buckets of its
// own: past maxClients entries the least recently seen client is forgotten
// (its next request starts with full buckets) rather than new clients
// sharing a bucket that one of them could empty for all. Entries whose
// buckets are full again are forgotten too: a new entry would be the same.
type clientTable struct {
	rate      rate.Limit // requests per second; 0: requests are not limited
	burst     int
	costRate  rate.Limit // cost points restored per second; 0: no cost budget
	costBurst int
	proxies   []netip.Prefix // trusted proxies: their X-Forwarded-For names the client
	exempt    []netip.Prefix // clients neither limit applies to
	// invalidForwardedFor is told of a request whose X-Forwarded-For,
	// from a trusted proxy, does not parse; nil: nobody is told.
	invalidForwardedFor func(r *http.Request)
	max                 int // entries kept

	mu        sync.Mutex
	index     map[string]*list.Element
	lru       *list.List // of *clientEntry, most recently seen first
	lastSweep time.Time
}

// clientEntry is one client's buckets.
type clientEntry struct {
	key      string
	requests *rate.Limiter // nil when requests are not limited
	cost     *rate.Limiter // nil without a cost budget
}

const maxClients = 1 << 16

// newClientTable returns the table for o's limits, nil when both are off.
func newClientTable(o *Options) *clientTable {
	if o.Rate <= 0 && o.CostRate <= 0 {
		return nil
	}
	t := &clientTable{
		proxies: o.TrustedProxies, exempt: o.RateExempt, invalidForwardedFor: o.InvalidForwardedFor,
		max: maxClients, index: make(map[string]*list.Element), lru: list.New(),
	}
	if o.Rate > 0 {
		t.rate, t.burst = rate.Limit(o.Rate), o.RateBurst
		if t.burst < 1 {
			t.burst = max(1, int(math.Ceil(o.Rate)))
		}
	}
	if o.CostRate > 0 {
		// A client must be able to run one operation of the highest cost
		// the server accepts, from a full bucket.
		t.costRate, t.costBurst = rate.Limit(o.CostRate), max(o.CostBurst, o.MaxCost, 1)
	}
	return t
}

// client returns the entry of the client r comes from, nil when the client
// is exempt.
func (t *clientTable) client(r *http.Request, now time.Time) *clientEntry {
	key, addr, malformed := clientKey(r, t.proxies)
	if malformed && t.invalidForwardedFor != nil {
		t.invalidForwardedFor(r)
	}
	if addr.IsValid() && contains(t.exempt, addr) {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if now.Sub(t.lastSweep) > 10*time.Second {
		t.sweep(now)
	}
	if el, ok := t.index[key]; ok {
		t.lru.MoveToFront(el)
		return el.Value.(*clientEntry)
	}
	for t.lru.Len() >= t.max {
		old := t.lru.Remove(t.lru.Back()).(*clientEntry)
		delete(t.index, old.key)
	}
	e := &clientEntry{key: key}
	if t.rate > 0 {
		e.requests = rate.NewLimiter(t.rate, t.burst)
	}
	if t.costRate > 0 {
		e.cost = rate.NewLimiter(t.costRate, t.costBurst)
	}
	t.index[key] = t.lru.PushFront(e)
	return e
}

// sweep forgets the entries whose buckets are full again. t.mu is held.
func (t *clientTable) sweep(now time.Time) {
	t.lastSweep = now
	for el := t.lru.Front(); el != nil; {
		next := el.Next()
		e := el.Value.(*clientEntry)
		if full(e.requests, now) && full(e.cost, now) {
			t.lru.Remove(el)
			delete(t.index, e.key)
		}
		el = next
	}
}

func full(l *rate.Limiter, now time.Time) bool {
	return l == nil || l.TokensAt(now) >= float64(l.Burst())
}

// allowRequest takes a token from the client's request bucket. When the
// bucket is empty it returns false and how long until the next token.
func (e *clientEntry) allowRequest(now time.Time) (ok bool, retryAfter time.Duration) {
	if e == nil || e.requests == nil {
		return true, 0
	}
	if e.requests.AllowN(now, 1) {
		return true, 0
	}
	return false, wait(e.requests, now, 1)
}

// wait returns how long until l holds n tokens.
func wait(l *rate.Limiter, now time.Time, n int) time.Duration {
	missing := float64(n) - l.TokensAt(now)
	if missing <= 0 {
		return 0
	}
	return time.Duration(math.Ceil(missing / float64(l.Limit()) * float64(time.Second)))
}

// clientKey names the client a request comes from: its peer address, or
// for a request from a trusted proxy, the address the proxy put last in
// X-Forwarded-For that is not itself a trusted proxy. IPv6 clients are
// grouped by /64, the block one subscriber gets. addr is the client's
// address (invalid when the peer address does not parse). When an
// X-Forwarded-For entry a trusted proxy passed on does not parse, the
// client is that proxy (malformed is true): never a key shared by every
// such request, which one client could exhaust for all.
func clientKey(r *http.Request, trusted []netip.Prefix) (key string, addr netip.Addr, malformed bool) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr, netip.Addr{}, false
	}
	addr = ap.Addr().Unmap().WithZone("")
	if !contains(trusted, addr) {
		return prefixKey(addr), addr, false
	}
	// The rightmost addresses were added by our own proxies; the first
	// one that is not a trusted proxy is the client.
	fwd := r.Header.Values("X-Forwarded-For")
	for i := len(fwd) - 1; i >= 0; i-- {
		hops := strings.Split(fwd[i], ",")
		for j := len(hops) - 1; j >= 0; j-- {
			a, ok := parseHop(hops[j])
			if !ok {
				return prefixKey(addr), addr, true
			}
			if !contains(trusted, a) {
				return prefixKey(a), a, false
			}
			addr = a
		}
	}
	return prefixKey(addr), addr, false
}

// parseHop reads one X-Forwarded-For entry: an IPv4 or IPv6 address,
// possibly with a port ("192.0.2.1:443", "[2001:db8::1]:443") or in
// brackets, as some proxies write them.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	a, err := netip.ParseAddr(s)
	if err != nil {
		ap, err2 := netip.ParseAddrPort(s)
		if err2 != nil {
			a, err = netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
			if err != nil {
				return netip.Addr{}, false
			}
		} else {
			a = ap.Addr()
		}
	}
	return a.Unmap().WithZone(""), true
}

func contains(prefixes []netip.Prefix, a netip.Addr) bool {
	for _, p := range prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func prefixKey(a netip.Addr) string {
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
