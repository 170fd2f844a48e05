package graphhttp

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// costly costs 56 points (see TestCostExtension), okQuery 1.
const costly = `{ episodes(first: 5) { nodes { guests { name } } } }`

// budgeted is a handler with a response cache and a cost budget of 100
// points per client, restored at a point every thousand seconds: nothing
// comes back while a test runs.
func budgeted(t *testing.T, configure func(*Options)) http.Handler {
	var gen atomic.Uint64
	return newTestHandler(t, &gen, func(o *Options) {
		o.CostRate, o.CostBurst, o.MaxCost = 0.001, 100, 100
		if configure != nil {
			configure(o)
		}
	})
}

// throttle returns the budget an answer shows in extensions.cost (of the
// response, or of its first error), nil when it shows none.
func throttle(a *answer) map[string]any {
	ext := a.Extensions
	if len(a.Errors) > 0 {
		ext = a.Errors[0].Extensions
	}
	c, _ := ext["cost"].(map[string]any)
	st, _ := c["throttleStatus"].(map[string]any)
	return st
}

func available(a *answer) int {
	v, _ := throttle(a)["currentlyAvailable"].(float64)
	return int(v)
}

// Each client has a budget of cost points; an operation costing more than
// is left is refused with 429 THROTTLED, and only that client is refused.
// The budget is visible in extensions.cost.throttleStatus and in the
// X-RateLimit headers, decreasing by each operation's cost, answers from
// the response cache included.
func TestCostBudget(t *testing.T) {
	h := budgeted(t, nil)
	a, b := "198.51.100.1:1", "198.51.100.2:1"
	for i, want := range []int{99, 98, 42} { // the second is a cache hit: charged too
		query := okQuery
		if i == 2 {
			query = costly
		}
		ans := serve(t, h, from2(a, query))
		if ans.status != 200 || available(ans) != want || ans.header.Get("X-RateLimit-Remaining") != strconv.Itoa(want) {
			t.Fatalf("request %d: status %d, throttleStatus %v, X-RateLimit-Remaining %q; want %d left",
				i, ans.status, throttle(ans), ans.header.Get("X-RateLimit-Remaining"), want)
		}
	}
	ans := serve(t, h, from2(a, costly))
	if ans.status != http.StatusTooManyRequests || ans.code() != CodeThrottled {
		t.Fatalf("over the budget: status %d code %q", ans.status, ans.code())
	}
	retry, err := strconv.Atoi(ans.header.Get("Retry-After"))
	if err != nil || retry < 14000-1 { // 14 points missing, at 0.001 a second
		t.Errorf("Retry-After %q", ans.header.Get("Retry-After"))
	}
	if msg := ans.Errors[0].Message; !strings.Contains(msg, "costs 56 points") || !strings.Contains(msg, "has 42 of 100") || !strings.Contains(msg, "retry in") {
		t.Errorf("message %q", msg)
	}
	if available(ans) != 42 || ans.header.Get("X-RateLimit-Remaining") != "42" {
		t.Errorf("a refused operation is charged: throttleStatus %v", throttle(ans))
	}
	if len(ans.Data) != 0 {
		t.Errorf("a refused operation has data: %s", ans.Data)
	}

	// Another client is not affected; the cached answer it gets shows its
	// own budget, not the one of the client whose request filled the cache.
	ans = serve(t, h, from2(b, costly))
	if ans.status != 200 || available(ans) != 44 {
		t.Fatalf("another client: status %d, throttleStatus %v", ans.status, throttle(ans))
	}
	if st := throttle(ans); st["maximumAvailable"] != 100.0 || st["restoreRate"] != 0.001 {
		t.Errorf("throttleStatus %v", st)
	}
	hd := ans.header
	reset, _ := strconv.ParseInt(hd.Get("X-RateLimit-Reset"), 10, 64)
	if hd.Get("X-RateLimit-Limit") != "100" || hd.Get("X-RateLimit-Used") != "56" || hd.Get("X-RateLimit-Resource") != "cost" ||
		reset < time.Now().Add(55000*time.Second).Unix() {
		t.Errorf("headers %v", hd)
	}
}

// from2 is a POST of query from peer.
func from2(peer, query string) *http.Request {
	r := post(q(query))
	r.RemoteAddr = peer
	return r
}

// GET answers that caches may keep are the same for every client: the
// budget is in the headers only, and not even there when shared caches may
// keep the answer (Cache-Control: public).
func TestCostBudgetCacheableAnswers(t *testing.T) {
	h := budgeted(t, nil)
	getFrom := func(peer string) *http.Request {
		r := get(url.Values{"query": {costly}})
		r.RemoteAddr = peer
		return r
	}
	x := serve(t, h, getFrom("198.51.100.1:1"))
	y := serve(t, h, getFrom("198.51.100.2:1"))
	serve(t, h, getFrom("198.51.100.2:1"))
	z := serve(t, h, getFrom("198.51.100.2:1")) // over the budget
	if x.status != 200 || x.header.Get("ETag") == "" || !bytes.Equal(x.body, y.body) || throttle(x) != nil {
		t.Errorf("cacheable GET answers differ by client or show a budget:\n%s\n%s", x.body, y.body)
	}
	if x.header.Get("X-RateLimit-Remaining") != "44" || y.header.Get("X-RateLimit-Remaining") != "44" {
		t.Errorf("X-RateLimit-Remaining %q and %q, want 44", x.header.Get("X-RateLimit-Remaining"), y.header.Get("X-RateLimit-Remaining"))
	}
	if z.status != http.StatusTooManyRequests || z.code() != CodeThrottled || z.header.Get("Cache-Control") != "no-store" {
		t.Errorf("over the budget by GET: status %d code %q Cache-Control %q", z.status, z.code(), z.header.Get("Cache-Control"))
	}
	// A revalidation that the client's copy is current costs nothing.
	r := getFrom("198.51.100.1:1")
	r.Header.Set("If-None-Match", x.header.Get("ETag"))
	if a := serve(t, h, r); a.status != http.StatusNotModified || a.header.Get("X-RateLimit-Remaining") != "44" {
		t.Errorf("revalidation: status %d, X-RateLimit-Remaining %q", a.status, a.header.Get("X-RateLimit-Remaining"))
	}

	h = budgeted(t, func(o *Options) { o.CacheMaxAge = time.Minute })
	a := serve(t, h, getFrom("198.51.100.1:1"))
	if a.status != 200 || a.header.Get("X-RateLimit-Remaining") != "" || throttle(a) != nil {
		t.Errorf("an answer for shared caches shows a client's budget: %v %s", a.header, a.body)
	}
	if p := serve(t, h, from2("198.51.100.1:1", costly)); p.status != 429 || available(p) != 44 {
		t.Errorf("the answer for shared caches was not charged: status %d, throttleStatus %v", p.status, throttle(p))
	}
}

// The budget always holds one operation of the highest cost the server
// accepts, whatever --cost-burst says.
func TestCostBudgetHoldsMaxCost(t *testing.T) {
	h := budgeted(t, func(o *Options) { o.CostBurst = 10 })
	a := serve(t, h, from2("198.51.100.1:1", costly))
	if a.status != 200 || available(a) != 44 || throttle(a)["maximumAvailable"] != 100.0 {
		t.Errorf("status %d, throttleStatus %v", a.status, throttle(a))
	}
}

// Pages of allowed origins can read the budget headers, as GitHub lets
// them.
func TestCostBudgetHeadersExposed(t *testing.T) {
	h := budgeted(t, func(o *Options) { o.CORSOrigins = []string{"https://app.example"} })
	r := from2("198.51.100.1:1", okQuery)
	r.Header.Set("Origin", "https://app.example")
	a := serve(t, h, r)
	exposed := strings.ToLower(a.header.Get("Access-Control-Expose-Headers"))
	for _, name := range []string{"Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Used", "X-RateLimit-Resource"} {
		if !strings.Contains(exposed, strings.ToLower(name)) || a.header.Get(name) == "" && name != "Retry-After" {
			t.Errorf("%s: not exposed or not sent (Access-Control-Expose-Headers %q)", name, exposed)
		}
	}
}
