package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/raft"

	"podcastgraph/store"
)

// The admin endpoints of a node (mounted under /admin/cluster/, behind the
// admin token, which every node of a cluster shares):
//
//	GET  /admin/cluster          the node's Status
//	POST /admin/cluster/join     {"id", "raft", "http"}: add a voter (any node; forwarded to the leader)
//	POST /admin/cluster/remove   {"id"}: remove a node (any node; forwarded to the leader)
//	POST /admin/cluster/apply    a log entry, from another node: the leader proposes it

// maxEntryBytes bounds a forwarded entry: a batch of prepared documents.
const maxEntryBytes = 512 << 20

// joinRequest asks for membership.
type joinRequest struct {
	ID   string `json:"id"`
	Raft string `json:"raft"`
	HTTP string `json:"http"`
}

// removeRequest asks for a node to leave.
type removeRequest struct {
	ID string `json:"id"`
}

// applyAnswer is the answer of /admin/cluster/apply.
type applyAnswer struct {
	Results []store.Result `json:"results,omitempty"`
	// Refused names the document the store refused, with why (a
	// *store.DocumentError); Error is any other failure.
	Refused string `json:"refused,omitempty"`
	Error   string `json:"error,omitempty"`
}

// Handler serves /admin/cluster and its sub-paths; the caller checks the
// admin token.
func (n *Node) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /admin/cluster", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, n.Status()) })
	mux.HandleFunc("POST /admin/cluster/apply", n.serveApply)
	mux.HandleFunc("POST /admin/cluster/join", func(w http.ResponseWriter, r *http.Request) {
		var req joinRequest
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&req); err != nil || req.ID == "" || req.Raft == "" || req.HTTP == "" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "body must be JSON {\"id\", \"raft\", \"http\"}", "code": "BAD_REQUEST"})
			return
		}
		n.membership(w, r, "join", req, func() error {
			if err := n.raft.AddVoter(raft.ServerID(req.ID), raft.ServerAddress(req.Raft), 0, 30*time.Second).Error(); err != nil {
				return err
			}
			_, err := n.propose(r.Context(), &entry{Op: opMember, At: time.Now().UTC(), Member: &member{ID: req.ID, HTTP: req.HTTP}})
			return err
		})
	})
	mux.HandleFunc("POST /admin/cluster/remove", func(w http.ResponseWriter, r *http.Request) {
		var req removeRequest
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&req); err != nil || req.ID == "" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "body must be JSON {\"id\"}", "code": "BAD_REQUEST"})
			return
		}
		n.membership(w, r, "remove", req, func() error {
			if !n.hasServer(req.ID) {
				return fmt.Errorf("no node %q in the cluster", req.ID)
			}
			return n.raft.RemoveServer(raft.ServerID(req.ID), 0, 30*time.Second).Error()
		})
	})
	return mux
}

// membership runs change on the leader, or forwards the request to it.
func (n *Node) membership(w http.ResponseWriter, r *http.Request, what string, req any, change func() error) {
	if !n.IsLeader() {
		u, err := n.leaderHTTP()
		if err == nil {
			var b []byte
			b, err = n.post(r.Context(), u+"/admin/cluster/"+what, req)
			if err == nil {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(b)
				return
			}
		}
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": what + ": " + err.Error(), "code": "NO_LEADER"})
		return
	}
	if err := change(); err != nil {
		writeJSON(w, http.StatusConflict, map[string]string{"error": what + ": " + err.Error(), "code": "MEMBERSHIP"})
		return
	}
	writeJSON(w, http.StatusOK, n.Status())
}

func (n *Node) hasServer(id string) bool {
	f := n.raft.GetConfiguration()
	if f.Error() != nil {
		return false
	}
	for _, s := range f.Configuration().Servers {
		if string(s.ID) == id {
			return true
		}
	}
	return false
}

// serveApply proposes a forwarded entry, as leader.
func (n *Node) serveApply(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxEntryBytes))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, applyAnswer{Error: err.Error()})
		return
	}
	e, err := decodeEntry(b)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, applyAnswer{Error: err.Error()})
		return
	}
	if !n.IsLeader() {
		writeJSON(w, http.StatusServiceUnavailable, applyAnswer{Error: "not the leader"})
		return
	}
	e.At = time.Now().UTC()
	resp, err := n.propose(r.Context(), e)
	switch {
	case errors.Is(err, errNoLeader):
		writeJSON(w, http.StatusServiceUnavailable, applyAnswer{Error: err.Error()})
	case err != nil:
		writeJSON(w, http.StatusInternalServerError, applyAnswer{Error: err.Error()})
	default:
		ans := applyAnswer{Results: resp.results}
		var de *store.DocumentError
		if errors.As(resp.err, &de) {
			ans.Refused, ans.Error = de.Name, de.Err.Error()
		} else if resp.err != nil {
			ans.Error = resp.err.Error()
		}
		writeJSON(w, http.StatusOK, ans)
	}
}

// forward sends e to the leader's /admin/cluster/apply.
func (n *Node) forward(ctx context.Context, e *entry) (*applyResponse, error) {
	u, err := n.leaderHTTP()
	if err != nil {
		return nil, err
	}
	b, err := encodeEntry(e)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u+"/admin/cluster/apply", bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+n.cfg.AdminToken)
	req.Header.Set("Content-Type", "application/octet-stream")
	res, err := n.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w: forward to %s: %v", errNoLeader, u, err)
	}
	defer res.Body.Close()
	var ans applyAnswer
	if err := json.NewDecoder(res.Body).Decode(&ans); err != nil {
		return nil, fmt.Errorf("%w: forward to %s: %s: %v", errNoLeader, u, res.Status, err)
	}
	switch {
	case res.StatusCode == http.StatusServiceUnavailable:
		return nil, fmt.Errorf("%w: %s: %s", errNoLeader, u, ans.Error)
	case res.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("cluster: forward to %s: %s: %s", u, res.Status, ans.Error)
	case ans.Refused != "":
		return &applyResponse{results: ans.Results, err: fmt.Errorf("store: apply: %w", &store.DocumentError{Name: ans.Refused, Err: errors.New(ans.Error)})}, nil
	case ans.Error != "":
		return &applyResponse{results: ans.Results, err: fmt.Errorf("cluster: leader %s: %s", u, ans.Error)}, nil
	}
	return &applyResponse{results: ans.Results}, nil
}

// join asks the members cfg.Join lists, in turn, until one adds this node.
func (n *Node) join(ctx context.Context, rounds int) error {
	req := joinRequest{ID: n.cfg.ID, Raft: string(n.trans.LocalAddr()), HTTP: n.cfg.HTTP}
	var errs []error
	for attempt := 0; attempt < rounds; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Second):
			}
		}
		for _, u := range n.cfg.Join {
			u = strings.TrimRight(u, "/")
			if !strings.Contains(u, "://") {
				u = "http://" + u
			}
			_, err := n.post(ctx, u+"/admin/cluster/join", req)
			if err == nil {
				n.log.Info("joined the cluster", "through", u)
				return nil
			}
			errs = append(errs, err)
		}
	}
	return fmt.Errorf("cluster: join: %w", errors.Join(errs[len(errs)-len(n.cfg.Join):]...))
}

// post sends v as JSON to u with the admin token and returns the body of a
// 200 answer.
func (n *Node) post(ctx context.Context, u string, v any) ([]byte, error) {
	body, _ := json.Marshal(v)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+n.cfg.AdminToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := n.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s: %s", u, res.Status, bytes.TrimSpace(b))
	}
	return b, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
