// Package cluster runs a node of a cluster of full replicas, replicated
// with hashicorp/raft (the library behind Consul and Nomad): every node
// holds the whole graph in its own store and answers reads from it; the
// replicated log carries the writes (prepared documents, the vocabulary),
// which every node's finite-state machine applies through the store's one
// write path (store.ApplyPrepared), so that every replica converges to the
// same answers. Snapshots are the store's consistent backup
// (store.WriteTo); a node that joins late or falls far behind restores one
// (store.Restore). A Node is the pipeline's Writer: a write made on any
// node is forwarded to the leader over the admin HTTP endpoints and
// answered once a majority has committed it. docs/cluster.md is the
// operator's guide.
package cluster
