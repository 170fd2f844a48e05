package graphhttp

import (
	"math"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// rateLimiter gives each client a token bucket: rate requests per second,
// bursts of burst. Buckets that have refilled are forgotten, and the number
// of buckets is bounded: past maxClients, new clients share one bucket.
type rateLimiter struct {
	rate    rate.Limit
	burst   int
	proxies []netip.Prefix

	mu        sync.Mutex
	clients   map[string]*rate.Limiter
	overflow  *rate.Limiter
	lastSweep time.Time
}

const maxClients = 1 << 16

func newRateLimiter(perSecond float64, burst int, trustedProxies []netip.Prefix) *rateLimiter {
	if burst < 1 {
		burst = max(1, int(math.Ceil(perSecond)))
	}
	return &rateLimiter{
		rate: rate.Limit(perSecond), burst: burst, proxies: trustedProxies,
		clients:  make(map[string]*rate.Limiter),
		overflow: rate.NewLimiter(rate.Limit(perSecond), burst),
	}
}

// allow takes a token from the client's bucket. When the bucket is empty it
// returns false and how long until the next token.
func (l *rateLimiter) allow(r *http.Request, now time.Time) (ok bool, retryAfter time.Duration) {
	key, exempt := clientKey(r, l.proxies)
	if exempt {
		return true, 0
	}
	l.mu.Lock()
	if since := now.Sub(l.lastSweep); since > 10*time.Second || (len(l.clients) >= maxClients && since > time.Second) {
		l.sweep(now)
	}
	lim, found := l.clients[key]
	if !found {
		if len(l.clients) < maxClients {
			lim = rate.NewLimiter(l.rate, l.burst)
			l.clients[key] = lim
		} else {
			lim = l.overflow
		}
	}
	l.mu.Unlock()
	if lim.AllowN(now, 1) {
		return true, 0
	}
	return false, time.Duration(float64(time.Second) / float64(l.rate))
}

// sweep forgets the buckets that are full again: a new bucket would be the
// same. l.mu is held.
func (l *rateLimiter) sweep(now time.Time) {
	l.lastSweep = now
	for k, lim := range l.clients {
		if lim.TokensAt(now) >= float64(l.burst) {
			delete(l.clients, k)
		}
	}
}

// clientKey names the client a request comes from: its address, or for a
// request from a trusted proxy, the address the proxy put last in
// X-Forwarded-For that is not itself a trusted proxy. IPv6 clients are
// grouped by /64, the block one subscriber gets. exempt is true for a
// request from the loopback interface that no proxy forwarded: a local
// tool, health check or load test.
func clientKey(r *http.Request, trusted []netip.Prefix) (key string, exempt bool) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr, false
	}
	addr := ap.Addr().Unmap()
	if contains(trusted, addr) {
		fwd := r.Header.Values("X-Forwarded-For")
		if len(fwd) == 0 {
			if addr.IsLoopback() {
				return "", true
			}
			return prefixKey(addr), false
		}
		// The rightmost addresses were added by our own proxies; the first
		// one that is not a trusted proxy is the client.
		for i := len(fwd) - 1; i >= 0; i-- {
			hops := strings.Split(fwd[i], ",")
			for j := len(hops) - 1; j >= 0; j-- {
				a, err := netip.ParseAddr(strings.TrimSpace(hops[j]))
				if err != nil {
					return "invalid-forwarded-for", false
				}
				a = a.Unmap()
				if !contains(trusted, a) {
					return prefixKey(a), false
				}
				addr = a
			}
		}
	}
	return prefixKey(addr), false
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
