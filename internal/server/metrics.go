package server

import (
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"podcastgraph/internal/pipeline"
	"podcastgraph/store"
)

// maxOperationLabels bounds the operation names metrics keep apart: names
// come from clients, and an unbounded label set would eat memory. A name
// not seen for operationLabelTTL gives its place (and its series) to the
// next new name, so a burst of junk names cannot hold the set for good.
const (
	maxOperationLabels = 200
	operationLabelTTL  = 15 * time.Minute
)

// metrics are the server's Prometheus metrics, in a registry of its own.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	txs      *prometheus.CounterVec
	txTime   *prometheus.HistogramVec
	docs     *prometheus.CounterVec
	// applyLag is a cluster node's replication lag (registered by
	// startCluster only).
	applyLag prometheus.Histogram

	mu    sync.Mutex
	ops   map[string]time.Time // operation label → last seen
	now   func() time.Time
	opTTL time.Duration
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "podcast_graphql_requests_total",
			Help: "GraphQL requests by operation name and outcome (ok, graphql_error, client_error, server_error).",
		}, []string{"operation", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "podcast_graphql_request_duration_seconds",
			Help:    "GraphQL request latency by operation name.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"operation"}),
		txs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "podcast_store_transactions_total",
			Help: "bbolt transactions by kind (read, write) and outcome (ok, error).",
		}, []string{"kind", "outcome"}),
		txTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "podcast_store_transaction_duration_seconds",
			Help:    "bbolt transaction duration by kind.",
			Buckets: []float64{.00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .1, .5, 2},
		}, []string{"kind"}),
		docs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "podcast_ingest_documents_total",
			Help: "Documents ingested by status (added, updated, unchanged, failed).",
		}, []string{"status"}),
		applyLag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "podcast_cluster_apply_lag_seconds",
			Help:    "Time from a log entry's proposal by the leader to its application by this node (the leader's included).",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}),
		ops:   map[string]time.Time{},
		now:   time.Now,
		opTTL: operationLabelTTL,
	}
	m.reg.MustRegister(m.requests, m.latency, m.txs, m.txTime, m.docs,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// watchStore exports the store's size, generation and open read
// transactions.
func (m *metrics) watchStore(st *store.Store) {
	stat := func(f func(store.Stats) float64) func() float64 {
		return func() float64 {
			s, err := st.Stats()
			if err != nil {
				return 0
			}
			return f(s)
		}
	}
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "podcast_store_size_bytes", Help: "Size of the bbolt file."},
			stat(func(s store.Stats) float64 { return float64(s.SizeBytes) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "podcast_store_generation", Help: "Bumped by every write that changed the store."},
			stat(func(s store.Stats) float64 { return float64(s.Generation) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "podcast_store_open_read_txs",
			Help: "Read transactions open now; each answer's is released before the answer is written, so a high count means slow operations, not slow clients."},
			func() float64 { return float64(st.OpenReadTxs()) }),
	)
}

func (m *metrics) observeTx(write bool, d time.Duration, err error) {
	kind, outcome := "read", "ok"
	if write {
		kind = "write"
	}
	if err != nil {
		outcome = "error"
	}
	m.txs.WithLabelValues(kind, outcome).Inc()
	m.txTime.WithLabelValues(kind).Observe(d.Seconds())
}

func (m *metrics) observeDoc(r pipeline.Result) { m.docs.WithLabelValues(r.Status).Inc() }

// operationLabel keeps a client's operation name as a label while there
// are few of them: a new name takes a free place, or the place of the name
// seen longest ago if that was more than opTTL ago (whose series are
// deleted); otherwise it counts as "other".
func (m *metrics) operationLabel(name string) string {
	if name == "" {
		return "anonymous"
	}
	if len(name) > 64 {
		return "other"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if _, ok := m.ops[name]; ok {
		m.ops[name] = now
		return name
	}
	if len(m.ops) >= maxOperationLabels {
		oldest, seen := "", now
		for op, t := range m.ops {
			if t.Before(seen) {
				oldest, seen = op, t
			}
		}
		if oldest == "" || now.Sub(seen) < m.opTTL {
			return "other"
		}
		delete(m.ops, oldest)
		m.requests.DeletePartialMatch(prometheus.Labels{"operation": oldest})
		m.latency.DeleteLabelValues(oldest)
	}
	m.ops[name] = now
	return name
}

// instrument counts and times GraphQL requests. The operation name and
// whether the answer carried GraphQL errors come from gqlgen's hooks
// (newGraphQL's AroundOperations and AroundResponses, graphhttp's CacheHit),
// through the request info; a request refused before GraphQL is known by
// its HTTP status.
func (m *metrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		op, gqlErrors := "", false
		if info := requestInfoFrom(r.Context()); info != nil {
			op, gqlErrors = info.operation, info.graphqlErrors
		}
		label := m.operationLabel(op)
		outcome := "ok"
		switch {
		case sw.status >= 500:
			outcome = "server_error"
		case sw.status >= 400:
			outcome = "client_error"
		case gqlErrors:
			outcome = "graphql_error"
		}
		m.requests.WithLabelValues(label, outcome).Inc()
		m.latency.WithLabelValues(label).Observe(time.Since(start).Seconds())
	})
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}
