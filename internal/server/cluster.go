package server

import (
	"context"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"podcastgraph/internal/cluster"
)

// MinIndexHeader is the request header that asks for read-your-writes in
// a cluster: the log index a write returned (docs/cluster.md). A node that
// has not applied it waits up to --read-wait, then answers 503 with
// Retry-After and the code INDEX_NOT_APPLIED.
const MinIndexHeader = "X-Podcast-Min-Index"

// AppliedIndexHeader is set on every GraphQL answer of a cluster node: the
// last log index it had applied when the request came in.
const AppliedIndexHeader = "X-Podcast-Applied-Index"

// readYourWrites makes a request carrying MinIndexHeader wait until this
// node has applied that index; outside a cluster it does nothing.
func (a *app) readYourWrites(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		node := a.node.Load()
		if node == nil {
			next.ServeHTTP(w, r)
			return
		}
		if v := r.Header.Get(MinIndexHeader); v != "" {
			want, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []map[string]any{{
					"message": MinIndexHeader + " must be a log index (a whole number)", "extensions": map[string]string{"code": "BAD_REQUEST"}}}})
				return
			}
			if !node.WaitApplied(r.Context(), want) {
				w.Header().Set("Retry-After", "1")
				w.Header().Set(AppliedIndexHeader, strconv.FormatUint(node.Applied(), 10))
				writeJSON(w, http.StatusServiceUnavailable, map[string]any{"errors": []map[string]any{{
					"message":    "this node has not yet applied log index " + v + ": retry, or ask another node",
					"extensions": map[string]any{"code": "INDEX_NOT_APPLIED", "applied": node.Applied()}}}})
				return
			}
		}
		w.Header().Set(AppliedIndexHeader, strconv.FormatUint(node.Applied(), 10))
		next.ServeHTTP(w, r)
	})
}

// clusterAdmin serves /admin/cluster/*: 503 until the node has started.
func (a *app) clusterAdmin() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		node := a.node.Load()
		if node == nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "the cluster node is starting", "code": "STARTING"})
			return
		}
		node.Handler().ServeHTTP(w, r)
	})
}

// startCluster starts this server's node of the cluster on its store,
// with cfg.HTTP defaulting to the URL of the listener that serves
// /admin/*, and wires it: writes go through it, metrics report it.
func (a *app) startCluster(ctx context.Context, adminURL string) (*cluster.Node, error) {
	cc := *a.cfg.Cluster
	cc.AdminToken = a.cfg.AdminToken
	if cc.HTTP == "" {
		cc.HTTP = adminURL
		if u, err := url.Parse(adminURL); err == nil {
			if ip, err := netip.ParseAddr(u.Hostname()); err == nil && ip.IsUnspecified() {
				a.log.Warn("the other nodes cannot reach " + adminURL + " to forward writes: give --http-advertise")
			}
		}
	}
	cc.Lag = func(d time.Duration) { a.metrics.applyLag.Observe(d.Seconds()) }
	node, err := cluster.Start(ctx, &cc, a.store, a.logw)
	if err != nil {
		return nil, err
	}
	a.metrics.reg.MustRegister(a.metrics.applyLag, &clusterCollector{node: node})
	a.ing.Writer = node
	a.node.Store(node)
	a.log.Info("cluster node started", "id", node.ID(), "raft", cc.RaftAddr, "admin", cc.HTTP)
	return node, nil
}

// clusterCollector exports a node's Status at each scrape.
type clusterCollector struct{ node *cluster.Node }

var (
	descRole     = prometheus.NewDesc("podcast_cluster_role", "1 for the role this node has now (leader, follower, candidate).", []string{"role"}, nil)
	descTerm     = prometheus.NewDesc("podcast_cluster_term", "The raft term this node is in.", nil, nil)
	descLastLog  = prometheus.NewDesc("podcast_cluster_last_log_index", "The last index in this node's raft log.", nil, nil)
	descCommit   = prometheus.NewDesc("podcast_cluster_commit_index", "The last log index this node knows is committed by a majority.", nil, nil)
	descApplied  = prometheus.NewDesc("podcast_cluster_applied_index", "The last log index this node's store has applied.", nil, nil)
	descLag      = prometheus.NewDesc("podcast_cluster_lag_entries", "Committed log entries this node has not applied yet.", nil, nil)
	descSnapshot = prometheus.NewDesc("podcast_cluster_last_snapshot_index", "The log index of this node's newest snapshot.", nil, nil)
)

func (c *clusterCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descRole, descTerm, descLastLog, descCommit, descApplied, descLag, descSnapshot} {
		ch <- d
	}
}

func (c *clusterCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.node.Status()
	for _, role := range []string{"leader", "follower", "candidate"} {
		v := 0.0
		if st.Role == role {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(descRole, prometheus.GaugeValue, v, role)
	}
	for d, v := range map[*prometheus.Desc]uint64{descTerm: st.Term, descLastLog: st.LastLog, descCommit: st.Commit,
		descApplied: st.Applied, descLag: st.Lag, descSnapshot: st.Snapshot} {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v))
	}
}
