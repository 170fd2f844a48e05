package cli

import (
	"cmp"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"podcastgraph/internal/adminapi"
	"podcastgraph/internal/cluster"
)

// Cluster returns the cluster command: the membership of a running
// cluster, through any of its nodes.
func Cluster() *Command {
	return &Command{Name: "cluster", Run: runCluster,
		Args: "(status | remove ID) --server URL",
		Summary: "Asks a node of a cluster (any: requests are forwarded to the leader) for its\n" +
			"state (status: role, term, leader, commit and applied index, lag, members), or\n" +
			"to remove the node named ID for good (remove; stop that node first). Nodes join\n" +
			"with `serve --cluster --join URL`. See docs/cluster.md.",
	}
}

func runCluster(ctx context.Context, env *Env, args []string) error {
	var c clientFlags
	// The words may come before the flags, as operators type them
	// (`cluster remove n3 --server URL`): flags parse up to the first word.
	var words []string
	for len(args) > 0 && len(words) < 2 && !strings.HasPrefix(args[0], "-") {
		words, args = append(words, args[0]), args[1:]
	}
	args = append(args, words...)
	return Cluster().run(env, args, func(f *flags) { c.declare(f) }, func(f *flags, rest []string) error {
		if err := c.resolve(env, f); err != nil {
			return err
		}
		if c.Server == "" {
			return fmt.Errorf("cluster: --server URL is required (the admin address of any node)")
		}
		client := &adminapi.Client{Server: c.Server, Token: c.Token}
		switch {
		case len(rest) == 1 && rest[0] == "status":
			return client.Cluster(ctx, "", nil, env.Stdout)
		case len(rest) == 2 && rest[0] == "remove" && rest[1] != "":
			return client.Cluster(ctx, "remove", map[string]string{"id": rest[1]}, env.Stdout)
		}
		return fmt.Errorf("cluster: want `status` or `remove ID`, got %q", rest)
	})
}

// clusterFlags declares serve's --cluster flags into cc; on is --cluster.
func clusterFlags(f *flags, on *bool, cc *cluster.Config, join, bootstrapNode *string) {
	f.boolean(on, "cluster", "PODCAST_CLUSTER", false, "run as a node of a replicated cluster (docs/cluster.md); needs --admin-token, shared by every node")
	f.str(&cc.ID, "node-id", "PODCAST_NODE_ID", "", "this node's name in the cluster, for good; empty: its --raft-addr")
	f.str(&cc.RaftAddr, "raft-addr", "PODCAST_RAFT_ADDR", "127.0.0.1:8300", "address the node listens on for raft (node-to-node, unauthenticated: keep it on a private network)")
	f.str(&cc.Advertise, "raft-advertise", "PODCAST_RAFT_ADVERTISE", "", "address the other nodes reach --raft-addr at, when it differs (a wildcard --raft-addr needs one)")
	f.str(&cc.Dir, "raft-dir", "PODCAST_RAFT_DIR", "", "directory of the raft log, snapshots and members; empty: --db with .raft appended")
	f.boolean(&cc.Bootstrap, "bootstrap", "PODCAST_BOOTSTRAP", false, "make this node, if it has no raft state, the first member of a new cluster (one node, once)")
	f.str(bootstrapNode, "bootstrap-node", "PODCAST_BOOTSTRAP_NODE", "", "the --node-id of the node that bootstraps the cluster, for nodes that all get the same flags (a Kubernetes StatefulSet): that node acts as --bootstrap, after asking its --join members whether a cluster exists already")
	f.str(join, "join", "PODCAST_JOIN", "", "comma-separated admin URLs of members (any of them) to join through, when the node has no raft state")
	f.str(&cc.HTTP, "http-advertise", "PODCAST_HTTP_ADVERTISE", "", "URL the other nodes reach this node's /admin/* at (writes are forwarded to the leader there); empty: the listener serving /admin/*")
	f.uint64(&cc.SnapshotThreshold, "snapshot-threshold", "PODCAST_SNAPSHOT_THRESHOLD", 1024, 1, "log entries after which the node snapshots its store (checked every --snapshot-interval)")
	f.duration(&cc.SnapshotInterval, "snapshot-interval", "PODCAST_SNAPSHOT_INTERVAL", 2*time.Minute, 100*time.Millisecond, "how often the node checks whether to snapshot")
	f.uint64(&cc.TrailingLogs, "trailing-logs", "PODCAST_TRAILING_LOGS", 256, 0, "log entries kept after a snapshot, so a follower a little behind catches up from the log; one further behind restores a snapshot")
	f.duration(&cc.Timeout, "raft-timeout", "PODCAST_RAFT_TIMEOUT", time.Second, 50*time.Millisecond, "raft's heartbeat and election timeout: a leader silent this long is replaced")
	f.duration(&cc.ReadWait, "read-wait", "PODCAST_READ_WAIT", 2*time.Second, 0, "how long a read with X-Podcast-Min-Index waits for this node to apply that index before answering 503")
}

// clusterConfig finishes cc from serve's flags.
func clusterConfig(cc *cluster.Config, join, bootstrapNode, db string) *cluster.Config {
	if cc.Dir == "" {
		cc.Dir = db + ".raft"
	}
	if bootstrapNode != "" && bootstrapNode == cmp.Or(cc.ID, cc.RaftAddr) {
		cc.Bootstrap = true
	}
	for _, u := range strings.Split(join, ",") {
		if u = strings.TrimSpace(u); u != "" {
			cc.Join = append(cc.Join, u)
		}
	}
	cc.Dir = filepath.Clean(cc.Dir)
	return cc
}
