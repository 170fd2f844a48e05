package cluster

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"time"

	"podcastgraph/internal/podcast"
)

// entryVersion is the first byte of every log entry: its layout.
const entryVersion = 1

// The operations a log entry carries. Later kinds of write (corrections)
// are new operations with fields of their own.
const (
	opApply      = "apply"      // prepared documents, for store.ApplyPrepared
	opVocabulary = "vocabulary" // the topic vocabulary, for store.SetVocabularyAt
	opMember     = "member"     // where a node's admin HTTP endpoints are
)

// entry is one write of the replicated log. Everything a replica needs to
// apply it the same way as every other is in it: the documents as the
// leader prepared them, the fingerprint of the vocabulary that read them,
// and the time the write is stamped with.
type entry struct {
	Op string
	// At is when the leader proposed the entry: the write's time on
	// every replica (store.ApplyOptions.Now), and the start of its
	// replication lag.
	At          time.Time
	Fingerprint string
	Docs        []byte // store.EncodePrepared
	Topics      []podcast.Topic
	Member      *member
}

// member says where a node's admin HTTP endpoints are, for forwarding.
type member struct {
	ID   string `json:"id"`
	HTTP string `json:"http"`
}

func encodeEntry(e *entry) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte(entryVersion)
	if err := gob.NewEncoder(&buf).Encode(e); err != nil {
		return nil, fmt.Errorf("cluster: encode %s entry: %w", e.Op, err)
	}
	return buf.Bytes(), nil
}

func decodeEntry(b []byte) (*entry, error) {
	if len(b) == 0 {
		return nil, errors.New("cluster: empty log entry")
	}
	if b[0] != entryVersion {
		return nil, fmt.Errorf("cluster: log entry of layout %d, this build reads %d: run one build across the cluster", b[0], entryVersion)
	}
	e := &entry{}
	if err := gob.NewDecoder(bytes.NewReader(b[1:])).Decode(e); err != nil {
		return nil, fmt.Errorf("cluster: decode log entry: %w", err)
	}
	return e, nil
}
