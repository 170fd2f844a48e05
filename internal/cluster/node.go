package cluster

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"

	"podcastgraph/internal/podcast"
	"podcastgraph/store"
)

// Config is a node's settings (serve's --cluster flags, docs/cluster.md).
type Config struct {
	// ID names the node in the cluster, for good; empty: RaftAddr.
	ID string
	// RaftAddr is where the node listens for raft; Advertise, when set,
	// is the address the other nodes reach it at (else RaftAddr).
	RaftAddr, Advertise string
	// Dir holds the raft log, its snapshots and the members' addresses.
	Dir string
	// Bootstrap makes a node with no raft state the first member of a
	// new cluster. Join lists admin URLs of members (any of them) to ask
	// for membership when the node has no raft state.
	Bootstrap bool
	Join      []string
	// HTTP is the URL of this node's admin endpoints, which the others
	// forward writes to; AdminToken authenticates nodes to each other.
	HTTP, AdminToken string
	// SnapshotThreshold is the log entries after which a snapshot is
	// taken (checked every SnapshotInterval); TrailingLogs those kept
	// after it, so that a follower a little behind catches up from the
	// log rather than a snapshot.
	SnapshotThreshold, TrailingLogs uint64
	SnapshotInterval                time.Duration
	// Timeout is raft's heartbeat and election timeout.
	Timeout time.Duration
	// ReadWait is how long a read carrying an index this node has not
	// applied waits for it.
	ReadWait time.Duration
	// Lag, when set, is told for each entry the node applies how long
	// after its proposal that was (the leader's clock: on one machine,
	// or with synchronised clocks, the replication lag).
	Lag func(time.Duration)
}

// Node is a running member of a cluster. It is the pipeline's Writer: its
// writes go through the replicated log.
type Node struct {
	cfg    *Config
	raft   *raft.Raft
	fsm    *fsm
	store  *store.Store
	logs   *raftboltdb.BoltStore
	trans  *raft.NetworkTransport
	client *http.Client
	log    hclog.Logger

	failed   chan error
	failOnce sync.Once
}

// Start opens the node's raft state in cfg.Dir, starts raft on st and
// bootstraps or joins as cfg says (a node that has raft state rejoins its
// cluster by itself). Raft's log goes to logw. A write the node could not
// apply is reported on Failed; the node must then stop.
func Start(ctx context.Context, cfg *Config, st *store.Store, logw io.Writer) (*Node, error) {
	if cfg.ID == "" {
		cfg.ID = cmp.Or(cfg.Advertise, cfg.RaftAddr)
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("cluster: %w", err)
	}
	n := &Node{cfg: cfg, store: st, failed: make(chan error, 1), client: &http.Client{Timeout: 60 * time.Second},
		log: hclog.New(&hclog.LoggerOptions{Name: "raft", Output: logw, Level: hclog.Info})}
	var err error
	if n.fsm, err = newFSM(ctx, st, cfg.Dir, n.fail); err != nil {
		return nil, err
	}
	n.fsm.observe = cfg.Lag
	if n.logs, err = raftboltdb.NewBoltStore(filepath.Join(cfg.Dir, "raft.db")); err != nil {
		return nil, fmt.Errorf("cluster: open raft log: %w", err)
	}
	snaps, err := raft.NewFileSnapshotStoreWithLogger(cfg.Dir, 2, n.log)
	if err != nil {
		n.logs.Close()
		return nil, fmt.Errorf("cluster: %w", err)
	}
	if err := n.catchUpLocal(ctx, snaps); err != nil {
		n.logs.Close()
		return nil, err
	}
	var adv net.Addr
	if cfg.Advertise != "" {
		if adv, err = net.ResolveTCPAddr("tcp", cfg.Advertise); err != nil {
			n.logs.Close()
			return nil, fmt.Errorf("cluster: --raft-advertise: %w", err)
		}
	}
	if n.trans, err = raft.NewTCPTransportWithLogger(cfg.RaftAddr, adv, 3, 10*time.Second, n.log); err != nil {
		n.logs.Close()
		return nil, fmt.Errorf("cluster: raft listener on %s: %w", cfg.RaftAddr, err)
	}
	rc := raft.DefaultConfig()
	rc.LocalID = raft.ServerID(cfg.ID)
	rc.Logger = n.log
	rc.HeartbeatTimeout, rc.ElectionTimeout = cfg.Timeout, cfg.Timeout
	rc.LeaderLeaseTimeout = cfg.Timeout / 2
	rc.SnapshotThreshold, rc.SnapshotInterval = cfg.SnapshotThreshold, cfg.SnapshotInterval
	rc.TrailingLogs = cfg.TrailingLogs
	// An entry is a batch of documents, megabytes (up to some 20 MB for a
	// start-up batch of 2,048 pages): raft's default of 64 entries a
	// message would let one message to a follower catching up hold a
	// gigabyte.
	rc.MaxAppendEntries = 8
	// The store is the state: it survives a restart, and records the
	// last entry it holds; the log after it is replayed.
	rc.NoSnapshotRestoreOnStart = true
	has, err := raft.HasExistingState(n.logs, n.logs, snaps)
	if err != nil {
		n.close()
		return nil, fmt.Errorf("cluster: %w", err)
	}
	if n.raft, err = raft.NewRaft(rc, n.fsm, n.logs, n.logs, snaps, n.trans); err != nil {
		n.close()
		return nil, fmt.Errorf("cluster: %w", err)
	}
	// A node told to bootstrap that also knows members to join (every node
	// of a StatefulSet has the same flags: --bootstrap-node) asks them
	// first: when one answers, the cluster exists already and this node
	// lost its state, so it joins rather than found a second cluster.
	joined := false
	if !has && cfg.Bootstrap && len(cfg.Join) > 0 {
		joined = n.join(ctx, 1) == nil
	}
	switch {
	case has:
		n.log.Info("raft state found: rejoining the cluster", "id", cfg.ID)
	case joined:
	case cfg.Bootstrap:
		f := n.raft.BootstrapCluster(raft.Configuration{Servers: []raft.Server{{ID: rc.LocalID, Address: n.trans.LocalAddr()}}})
		if err := f.Error(); err != nil {
			n.Close()
			return nil, fmt.Errorf("cluster: bootstrap: %w", err)
		}
		if err := n.snapshotExisting(ctx); err != nil {
			n.Close()
			return nil, err
		}
	case len(cfg.Join) > 0:
		if err := n.join(ctx, joinRounds); err != nil {
			n.Close()
			return nil, err
		}
	default:
		n.Close()
		return nil, errors.New("cluster: no raft state in --raft-dir: give --bootstrap (the first node) or --join URL")
	}
	return n, nil
}

// joinRounds is how often a node with no raft state tries its --join
// members, a second apart, before it gives up.
const joinRounds = 10

// snapshotExisting makes a store that holds a graph from before the
// cluster (a single server turned into the first node) reach the nodes
// that join: they start from a snapshot of it rather than from the log,
// which does not hold it. It waits for the new cluster's leader (this
// node), snapshots with no log kept behind, and puts the setting back.
func (n *Node) snapshotExisting(ctx context.Context) error {
	if gen, _ := n.store.Generation(); gen == 0 || n.fsm.stored.Load() > 0 {
		return nil
	}
	deadline := time.Now().Add(30 * time.Second)
	for !n.IsLeader() {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return errors.New("cluster: bootstrap: this node did not become leader of its own cluster")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// A write, so that the snapshot has an entry to hold.
	if _, err := n.propose(ctx, &entry{Op: opMember, At: time.Now().UTC(), Member: &member{ID: n.cfg.ID, HTTP: n.cfg.HTTP}}); err != nil {
		return fmt.Errorf("cluster: bootstrap: %w", err)
	}
	rc := n.raft.ReloadableConfig()
	keep := rc.TrailingLogs
	rc.TrailingLogs = 0
	if err := n.raft.ReloadConfig(rc); err != nil {
		return fmt.Errorf("cluster: bootstrap: %w", err)
	}
	err := n.raft.Snapshot().Error()
	rc.TrailingLogs = keep
	if rerr := n.raft.ReloadConfig(rc); err == nil {
		err = rerr
	}
	if err != nil {
		return fmt.Errorf("cluster: bootstrap: snapshot the existing store: %w", err)
	}
	n.log.Info("the store held a graph already: snapshotted for the nodes that join")
	return nil
}

// catchUpLocal restores the newest local snapshot when the store holds
// less than it (a store file replaced behind the node's back): raft itself
// does not restore on start (the store is the state).
func (n *Node) catchUpLocal(ctx context.Context, snaps *raft.FileSnapshotStore) error {
	list, err := snaps.List()
	if err != nil || len(list) == 0 {
		return err
	}
	// Entries up to the snapshot are applied, those that wrote nothing
	// to the store included: raft replays only the log after it.
	defer n.fsm.setApplied(list[0].Index)
	if list[0].Index <= n.fsm.stored.Load() {
		return nil
	}
	_, rc, err := snaps.Open(list[0].ID)
	if err != nil {
		return fmt.Errorf("cluster: open snapshot %s: %w", list[0].ID, err)
	}
	n.log.Warn("store is behind the newest snapshot: restoring it", "store", n.fsm.stored.Load(), "snapshot", list[0].Index)
	return n.fsm.Restore(rc)
}

// Failed reports the error that stopped the node's replica, once.
func (n *Node) Failed() <-chan error { return n.failed }

func (n *Node) fail(err error) {
	n.failOnce.Do(func() { n.failed <- fmt.Errorf("cluster: replica stopped: %w", err) })
}

// Close leaves raft running no more (the node stays a member: see
// remove) and closes the raft log. A leader first hands leadership to
// another node, so that a rolling restart does not wait for an election.
func (n *Node) Close() error {
	if n.raft != nil && n.IsLeader() && len(n.Status().Servers) > 1 {
		if err := n.raft.LeadershipTransfer().Error(); err != nil {
			n.log.Warn("leadership transfer before shutdown", "error", err)
		} else {
			n.log.Info("handed leadership over before shutdown")
		}
	}
	if n.raft != nil {
		if err := n.raft.Shutdown().Error(); err != nil {
			n.log.Error("raft shutdown", "error", err)
		}
	}
	return n.close()
}

func (n *Node) close() error {
	if n.trans != nil {
		_ = n.trans.Close()
	}
	return n.logs.Close()
}

// ID returns the node's id.
func (n *Node) ID() string { return n.cfg.ID }

// IsLeader reports whether the node leads the cluster now.
func (n *Node) IsLeader() bool { return n.raft.State() == raft.Leader }

// WhileLeader runs work each time the node becomes leader, with a context
// cancelled when it stops being leader or ctx ends; it returns when ctx
// ends and work has returned. Work done only once per cluster (fetching
// feeds, watching directories) runs here. Each new leader first says where
// its admin endpoints are, for the others to forward writes to.
func (n *Node) WhileLeader(ctx context.Context, work func(ctx context.Context)) {
	stop := func() {}
	var wg sync.WaitGroup
	defer wg.Wait()
	defer func() { stop() }()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	leading := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if now := n.IsLeader(); now != leading {
			leading = now
			stop()
			wg.Wait()
			if !leading {
				n.log.Info("no longer leader: leader-only work stopped")
				continue
			}
			lctx, cancel := context.WithCancel(ctx)
			stop = cancel
			wg.Go(func() {
				if err := n.announce(lctx); err != nil {
					n.log.Warn("announce leader address", "error", err)
				}
				work(lctx)
			})
		}
	}
}

// announce writes this node's admin address into the log.
func (n *Node) announce(ctx context.Context) error {
	_, err := n.propose(ctx, &entry{Op: opMember, At: time.Now().UTC(), Member: &member{ID: n.cfg.ID, HTTP: n.cfg.HTTP}})
	return err
}

// ApplyPrepared writes documents through the replicated log: it returns
// once a majority has committed them and this node's leader has applied
// them, with their results (Index is the entry's). A document the store
// refuses is a *store.DocumentError, as from the store itself.
func (n *Node) ApplyPrepared(ctx context.Context, docs []*store.Prepared, opts store.ApplyOptions) ([]store.Result, error) {
	b, err := store.EncodePrepared(docs)
	if err != nil {
		return nil, err
	}
	resp, err := n.write(ctx, &entry{Op: opApply, Fingerprint: opts.Fingerprint, Docs: b})
	if err != nil {
		return nil, err
	}
	if len(resp.results) != len(docs) {
		return nil, fmt.Errorf("cluster: apply: %d results for %d documents", len(resp.results), len(docs))
	}
	return resp.results, nil
}

// SetVocabulary writes the vocabulary through the replicated log.
func (n *Node) SetVocabulary(ctx context.Context, topics []podcast.Topic) error {
	_, err := n.write(ctx, &entry{Op: opVocabulary, Topics: topics})
	return err
}

// forwardRetry bounds how long a write looks for a leader (an election
// takes a few timeouts) before it fails.
const forwardRetry = 30 * time.Second

// write proposes e on the leader, this node or another, and waits for its
// response; while there is no leader, or it changes, it tries again. An
// entry whose answer was lost may be applied twice: documents are
// idempotent (an unchanged document is skipped).
func (n *Node) write(ctx context.Context, e *entry) (*applyResponse, error) {
	deadline := time.Now().Add(forwardRetry)
	var last error
	for wait := 50 * time.Millisecond; ; wait = min(wait*2, time.Second) {
		var resp *applyResponse
		var err error
		if n.IsLeader() {
			e.At = time.Now().UTC()
			resp, err = n.propose(ctx, e)
		} else {
			resp, err = n.forward(ctx, e)
		}
		if err == nil || !errors.Is(err, errNoLeader) {
			if err == nil {
				err = resp.err
			}
			return resp, err
		}
		last = err
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("cluster: write: %w", last)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
	}
}

// errNoLeader marks a write that found no leader to take it: one is being
// elected, or the one asked is gone. It is tried again.
var errNoLeader = errors.New("no leader")

// propose appends e to the log as leader and waits until it is applied
// here.
func (n *Node) propose(ctx context.Context, e *entry) (*applyResponse, error) {
	b, err := encodeEntry(e)
	if err != nil {
		return nil, err
	}
	f := n.raft.Apply(b, forwardRetry)
	if err := f.Error(); err != nil {
		if errors.Is(err, raft.ErrNotLeader) || errors.Is(err, raft.ErrLeadershipLost) || errors.Is(err, raft.ErrEnqueueTimeout) {
			return nil, fmt.Errorf("%w: %v", errNoLeader, err)
		}
		return nil, fmt.Errorf("cluster: apply: %w", err)
	}
	resp, _ := f.Response().(*applyResponse)
	if resp == nil {
		resp = &applyResponse{}
	}
	for i := range resp.results {
		resp.results[i].Index = f.Index()
	}
	return resp, ctx.Err()
}

// leaderHTTP returns the leader's admin URL, or errNoLeader.
func (n *Node) leaderHTTP() (string, error) {
	_, id := n.raft.LeaderWithID()
	if id == "" {
		return "", errNoLeader
	}
	u := n.fsm.memberHTTP(string(id))
	if u == "" {
		return "", fmt.Errorf("%w: the address of leader %s is not known yet", errNoLeader, id)
	}
	return u, nil
}

// Applied returns the index of the last log entry applied here.
func (n *Node) Applied() uint64 { return n.fsm.applied.Load() }

// WaitApplied waits (at most the configured read wait) for the entry at
// index to be applied here; it reports whether it was.
func (n *Node) WaitApplied(ctx context.Context, index uint64) bool {
	return n.fsm.waitApplied(ctx, index, n.cfg.ReadWait)
}

// Status is what /readyz and the metrics say of the node.
type Status struct {
	ID      string `json:"id"`
	Role    string `json:"role"` // leader, follower, candidate or shutdown
	Leader  string `json:"leader"`
	Term    uint64 `json:"term"`
	LastLog uint64 `json:"lastLogIndex"`
	Commit  uint64 `json:"commitIndex"`
	Applied uint64 `json:"appliedIndex"`
	// Lag is the committed entries not yet applied here.
	Lag      uint64   `json:"lag"`
	Snapshot uint64   `json:"lastSnapshotIndex"`
	Servers  []string `json:"servers"`
}

// Status returns the node's state now.
func (n *Node) Status() Status {
	_, leader := n.raft.LeaderWithID()
	st := Status{ID: n.cfg.ID, Role: strings.ToLower(n.raft.State().String()), Leader: string(leader),
		Term: n.raft.CurrentTerm(), LastLog: n.raft.LastIndex(), Commit: n.raft.CommitIndex(), Applied: n.Applied()}
	// Entries that write nothing (a new leader's no-op, membership) are
	// not the store's: raft's own applied index counts them.
	if done := max(st.Applied, n.raft.AppliedIndex()); st.Commit > done {
		st.Lag = st.Commit - done
	}
	if f := n.raft.GetConfiguration(); f.Error() == nil {
		for _, s := range f.Configuration().Servers {
			st.Servers = append(st.Servers, fmt.Sprintf("%s@%s", s.ID, s.Address))
		}
	}
	var snap uint64
	if _, err := fmt.Sscan(n.raft.Stats()["last_snapshot_index"], &snap); err == nil {
		st.Snapshot = snap
	}
	return st
}
