package cluster

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/raft"

	"podcastgraph/store"
)

// fsm applies the replicated log to the node's store. Its state is the
// store itself, which records the last entry it applied
// (store.AppliedIndex): entries at or below it are skipped, so the log
// replayed after a restart writes nothing twice.
type fsm struct {
	store *store.Store
	dir   string
	// fatal stops the node: a write every replica must make failed here
	// for a reason of this node's (a full disk), and going on would let
	// this replica drift from the others.
	fatal func(error)
	// observe, when set, is told how long after its proposal each entry
	// was applied here (replication lag).
	observe func(time.Duration)

	stored  atomic.Uint64 // the store's applied index
	applied atomic.Uint64 // the last entry applied, whatever it wrote

	mu      sync.Mutex
	advance chan struct{} // closed and replaced when applied moves
	members map[string]string
}

// applyResponse is what applying an entry returned, for the leader's
// future.
type applyResponse struct {
	results []store.Result
	err     error
}

func newFSM(ctx context.Context, st *store.Store, dir string, fatal func(error)) (*fsm, error) {
	f := &fsm{store: st, dir: dir, fatal: fatal, advance: make(chan struct{}), members: map[string]string{}}
	n, err := st.AppliedIndex(ctx)
	if err != nil {
		return nil, err
	}
	f.stored.Store(n)
	f.applied.Store(n)
	b, err := os.ReadFile(f.membersFile())
	if err == nil {
		if err := json.Unmarshal(b, &f.members); err != nil {
			return nil, fmt.Errorf("cluster: %s: %w", f.membersFile(), err)
		}
	} else if !os.IsNotExist(err) {
		return nil, fmt.Errorf("cluster: %w", err)
	}
	return f, nil
}

func (f *fsm) membersFile() string { return filepath.Join(f.dir, "members.json") }

// Apply implements raft.FSM.
func (f *fsm) Apply(l *raft.Log) any {
	defer f.setApplied(l.Index)
	e, err := decodeEntry(l.Data)
	if err != nil {
		f.fatal(fmt.Errorf("log entry %d: %w", l.Index, err))
		return &applyResponse{err: err}
	}
	if f.observe != nil {
		f.observe(time.Since(e.At))
	}
	if e.Op != opMember && l.Index <= f.stored.Load() {
		return &applyResponse{} // in the store already: a replay
	}
	ctx := context.Background()
	switch e.Op {
	case opApply:
		docs, err := store.DecodePrepared(e.Docs)
		if err != nil {
			f.fatal(fmt.Errorf("log entry %d: %w", l.Index, err))
			return &applyResponse{err: err}
		}
		at := e.At
		res, err := f.store.ApplyPrepared(ctx, docs, store.ApplyOptions{Fingerprint: e.Fingerprint,
			Now: func() time.Time { return at }, LogIndex: l.Index})
		if err != nil && store.IsStoreWide(err) {
			f.fatal(fmt.Errorf("log entry %d: %w", l.Index, err))
		}
		if err == nil {
			f.stored.Store(l.Index)
		}
		return &applyResponse{results: res, err: err}
	case opVocabulary:
		err := f.store.SetVocabularyAt(ctx, e.Topics, l.Index)
		if err != nil {
			f.fatal(fmt.Errorf("log entry %d: %w", l.Index, err))
		} else {
			f.stored.Store(l.Index)
		}
		return &applyResponse{err: err}
	case opMember:
		f.mu.Lock()
		changed := f.members[e.Member.ID] != e.Member.HTTP
		f.members[e.Member.ID] = e.Member.HTTP
		snap := maps.Clone(f.members)
		f.mu.Unlock()
		if changed {
			f.saveMembers(snap)
		}
		return &applyResponse{}
	default:
		err := fmt.Errorf("log entry %d: operation %q unknown to this build: run one build across the cluster", l.Index, e.Op)
		f.fatal(err)
		return &applyResponse{err: err}
	}
}

// saveMembers writes the members' addresses beside the raft state: a
// restarted node knows where to forward before the log tells it again.
// Failing is not fatal: the leader announces itself again each term.
func (f *fsm) saveMembers(m map[string]string) {
	b, _ := json.Marshal(m)
	_, _ = store.WriteFileAtomically(f.membersFile(), func(w io.Writer) (int64, error) {
		n, err := w.Write(b)
		return int64(n), err
	})
}

func (f *fsm) setApplied(index uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if index > f.applied.Load() {
		f.applied.Store(index)
		close(f.advance)
		f.advance = make(chan struct{})
	}
}

// memberHTTP returns where node id's admin endpoints are, "" when unknown.
func (f *fsm) memberHTTP(id string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.members[id]
}

// waitApplied waits until the entry at index is applied here, for at most
// wait; it reports whether it was.
func (f *fsm) waitApplied(ctx context.Context, index uint64, wait time.Duration) bool {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		f.mu.Lock()
		ch := f.advance
		f.mu.Unlock()
		if f.applied.Load() >= index {
			return true
		}
		select {
		case <-ch:
		case <-timer.C:
			return f.applied.Load() >= index
		case <-ctx.Done():
			return false
		}
	}
}

// Snapshot implements raft.FSM: the store's consistent backup, begun when
// raft persists it (Persist runs beside Apply; the store records the
// index it holds, so a snapshot holding more than its index says only
// makes the entries after it skipped on restore).
func (f *fsm) Snapshot() (raft.FSMSnapshot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return &snapshot{store: f.store, header: snapshotHeader{Index: f.applied.Load(), Members: maps.Clone(f.members)}}, nil
}

// snapshotHeader is what a snapshot holds beside the store: the last entry
// applied when it was taken (an entry that wrote nothing to the store
// included), and the members' admin URLs.
type snapshotHeader struct {
	Index   uint64            `json:"index"`
	Members map[string]string `json:"members"`
}

// Restore implements raft.FSM: it replaces the store's content by the
// snapshot's (store.Restore).
func (f *fsm) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 1<<16)
	n, err := binary.ReadUvarint(br)
	if err != nil || n > 1<<20 {
		return fmt.Errorf("cluster: restore: snapshot header: %v", err)
	}
	hdr := make([]byte, n)
	if _, err := io.ReadFull(br, hdr); err != nil {
		return fmt.Errorf("cluster: restore: snapshot header: %w", err)
	}
	var h snapshotHeader
	if err := json.Unmarshal(hdr, &h); err != nil {
		return fmt.Errorf("cluster: restore: snapshot header: %w", err)
	}
	ctx := context.Background()
	if err := f.store.Restore(ctx, br); err != nil {
		return err
	}
	idx, err := f.store.AppliedIndex(ctx)
	if err != nil {
		return err
	}
	f.stored.Store(idx)
	f.mu.Lock()
	maps.Copy(f.members, h.Members)
	snap := maps.Clone(f.members)
	f.mu.Unlock()
	f.saveMembers(snap)
	f.setApplied(max(idx, h.Index))
	return nil
}

// snapshot is a snapshot being persisted: a header (a uvarint length, then
// a snapshotHeader as JSON), then the store's backup.
type snapshot struct {
	store  *store.Store
	header snapshotHeader
}

func (s *snapshot) Persist(sink raft.SnapshotSink) error {
	hdr, _ := json.Marshal(s.header)
	bw := bufio.NewWriterSize(sink, 1<<16)
	_, err := bw.Write(binary.AppendUvarint(nil, uint64(len(hdr))))
	if err == nil {
		_, err = bw.Write(hdr)
	}
	if err == nil {
		_, err = s.store.WriteTo(context.Background(), bw, nil)
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		_ = sink.Cancel()
		return fmt.Errorf("cluster: snapshot: %w", err)
	}
	return sink.Close()
}

func (s *snapshot) Release() {}
