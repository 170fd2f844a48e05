package graphhttp

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// ThrottleStatus is a client's cost budget, reported in
// extensions.cost.throttleStatus as Shopify reports it: the bucket holds up
// to MaximumAvailable points, CurrentlyAvailable now (after this
// operation's cost was taken), and RestoreRate points come back every
// second.
type ThrottleStatus struct {
	MaximumAvailable   float64 `json:"maximumAvailable"`
	CurrentlyAvailable int     `json:"currentlyAvailable"`
	RestoreRate        float64 `json:"restoreRate"`
}

// budgetedCost is an operation's Cost as one client sees it: with that
// client's budget. The Cost itself is shared by every answer the response
// cache gives to the same request, so the budget is never stored in it.
type budgetedCost struct {
	*Cost
	ThrottleStatus *ThrottleStatus `json:"throttleStatus,omitempty"`
}

// clientBudget is the cost budget of the client of one request, in the
// request's context. The guard puts it there; the operation's cost is
// charged to it once it is known (limits) or, for an answer from the
// response cache, when the answer is found.
type clientBudget struct {
	bucket *clientEntry

	mu         sync.Mutex
	charged    bool
	status     ThrottleStatus
	resetAt    time.Time     // when the bucket is full again
	retryAfter time.Duration // set when the client was refused
}

type clientBudgetKey struct{}

// budgetFrom returns the budget of ctx's client, nil when the client has
// none (no cost budget, or an exempt client).
func budgetFrom(ctx context.Context) *clientBudget {
	b, _ := ctx.Value(clientBudgetKey{}).(*clientBudget)
	return b
}

// charge takes the cost of an operation from the budget of ctx's client.
// It returns a THROTTLED error, carrying the client's budget, when the
// client has fewer points left than the operation costs; nil when it has
// enough or has no budget.
func charge(ctx context.Context, c *Cost) *gqlerror.Error {
	b := budgetFrom(ctx)
	if b == nil || c == nil {
		return nil
	}
	now := time.Now()
	l := b.bucket.cost
	n := max(c.Requested, 0)
	if n > l.Burst() {
		// Only without --max-cost: the bucket can never hold the cost.
		e := errorf(CodeMaxCost, "the operation's cost is %d, over the %d points a client's budget holds: ask for fewer items (first/last) or fewer nested lists", n, l.Burst())
		e.Extensions["cost"] = budgetedCost{c, b.read(now, false)}
		return e
	}
	ok := l.AllowN(now, n)
	st := b.read(now, true)
	if ok {
		return nil
	}
	retry := wait(l, now, n)
	b.mu.Lock()
	b.retryAfter = retry
	b.mu.Unlock()
	e := errorf(CodeThrottled, "throttled: the operation costs %d points and this client has %d of %g left, restoring %g a second; retry in %s",
		n, st.CurrentlyAvailable, st.MaximumAvailable, st.RestoreRate, retrySeconds(retry)+" s")
	e.Extensions["cost"] = budgetedCost{c, st}
	return e
}

// read returns the client's budget now; charged marks it as the budget
// left after this request's operation.
func (b *clientBudget) read(now time.Time, charged bool) *ThrottleStatus {
	l := b.bucket.cost
	tokens := l.TokensAt(now)
	st := ThrottleStatus{
		MaximumAvailable:   float64(l.Burst()),
		CurrentlyAvailable: int(math.Floor(max(tokens, 0))),
		RestoreRate:        float64(l.Limit()),
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if charged || !b.charged {
		b.charged = b.charged || charged
		b.status = st
		b.resetAt = now.Add(wait(l, now, l.Burst()))
	}
	out := b.status
	return &out
}

// current returns the budget to report: the one left after the request's
// operation, or the current one when nothing was charged.
func (b *clientBudget) current() (ThrottleStatus, time.Time, time.Duration) {
	b.mu.Lock()
	charged := b.charged
	b.mu.Unlock()
	if !charged {
		b.read(time.Now(), false)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.status, b.resetAt, b.retryAfter
}

// withBudget returns resp as ctx's client sees it: with its budget in
// extensions.cost.throttleStatus. resp itself is never changed, since the
// response cache may share it. Answers that caches may keep for everyone
// (GET answers with an ETag: show is false) carry the budget in headers
// only, so their bodies are the same for every client.
func withBudget(ctx context.Context, resp *graphql.Response, show bool) *graphql.Response {
	b := budgetFrom(ctx)
	c, ok := resp.Extensions["cost"].(*Cost)
	if b == nil || !ok || !show {
		return resp
	}
	st, _, _ := b.current()
	ext := make(map[string]any, len(resp.Extensions))
	for k, v := range resp.Extensions {
		ext[k] = v
	}
	ext["cost"] = budgetedCost{c, &st}
	out := *resp
	out.Extensions = ext
	return &out
}

// costOf returns the cost the limits put in a response, nil when there is
// none.
func costOf(resp *graphql.Response) *Cost {
	c, _ := resp.Extensions["cost"].(*Cost)
	return c
}

// budgetWriter adds the client's budget to the headers of the answer, as
// GitHub does: X-RateLimit-Limit (the bucket's size), -Remaining (points
// left), -Used (points spent and not yet restored), -Reset (Unix time at
// which the bucket is full again) and -Resource ("cost"), plus Retry-After
// when the operation was refused for its cost. Answers that shared caches
// may keep (Cache-Control: public) carry none of them: a cache would show
// them to other clients.
type budgetWriter struct {
	http.ResponseWriter
	budget      *clientBudget
	wroteHeader bool
}

func (w *budgetWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.wroteHeader = true
		h := w.Header()
		if !strings.HasPrefix(h.Get("Cache-Control"), "public") {
			st, reset, retry := w.budget.current()
			h.Set("X-RateLimit-Limit", strconv.FormatFloat(st.MaximumAvailable, 'f', -1, 64))
			h.Set("X-RateLimit-Remaining", strconv.Itoa(st.CurrentlyAvailable))
			h.Set("X-RateLimit-Used", strconv.Itoa(int(st.MaximumAvailable)-st.CurrentlyAvailable))
			h.Set("X-RateLimit-Reset", strconv.FormatInt(int64(math.Ceil(float64(reset.UnixNano())/1e9)), 10))
			h.Set("X-RateLimit-Resource", "cost")
			if retry > 0 {
				h.Set("Retry-After", retrySeconds(retry))
			}
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *budgetWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *budgetWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// retrySeconds is d in whole seconds for Retry-After, at least 1.
func retrySeconds(d time.Duration) string {
	return strconv.Itoa(max(int(math.Ceil(d.Seconds())), 1))
}
