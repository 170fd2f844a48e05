package store

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"time"

	"podcastgraph/ingest"
	"podcastgraph/internal/podcast"
)

// A replicated log (internal/cluster) carries prepared documents from the
// node that parsed them to every node's ApplyPrepared: the same fragments,
// identities and file descriptions, so every store applies the same write.
// The encoding is gob of the wire types below; it is read only by the same
// build's DecodePrepared (a cluster runs one build).

// wirePrepared is a Prepared, field for field.
type wirePrepared struct {
	Name, SHA256 string
	Warnings     []string
	Result       Result
	Keys, Values [][]byte
	Episodes     []podcast.EpisodeKey
	Source       *FileStat
	Discovered   []ingest.Mention
	ID           *wireIdentity
	// gob decodes an empty slice as nil; records tell them apart.
	EmptyWarnings, EmptyResultWarnings, EmptyDiscovered bool
}

type wireIdentity struct {
	Show, Slug, GUID string
	Feed             bool
	Number           int
	Published        *time.Time
}

// EncodePrepared encodes documents for DecodePrepared. A document the store
// would refuse (Err is not nil) cannot be encoded: its caller fails it
// before the write, as a single store does.
func EncodePrepared(docs []*Prepared) ([]byte, error) {
	out := make([]wirePrepared, len(docs))
	for i, p := range docs {
		if p.err != nil {
			return nil, fmt.Errorf("store: encode %s: %w", p.doc.Name, p.err)
		}
		w := wirePrepared{Name: p.doc.Name, SHA256: p.doc.SHA256, Warnings: p.doc.Warnings, Result: p.result,
			Episodes: p.episodes, Source: p.source, Discovered: p.discovered}
		w.EmptyWarnings = p.doc.Warnings != nil && len(p.doc.Warnings) == 0
		w.EmptyResultWarnings = p.result.Warnings != nil && len(p.result.Warnings) == 0
		w.EmptyDiscovered = p.discovered != nil && len(p.discovered) == 0
		w.Keys, w.Values = make([][]byte, len(p.frags)), make([][]byte, len(p.frags))
		for j, f := range p.frags {
			w.Keys[j], w.Values[j] = f.key, f.value
		}
		if id := p.id; id != nil {
			w.ID = &wireIdentity{Show: id.show, Slug: id.slug, GUID: id.guid, Feed: id.feed, Number: id.number, Published: id.published}
		}
		out[i] = w
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(out); err != nil {
		return nil, fmt.Errorf("store: encode prepared documents: %w", err)
	}
	return buf.Bytes(), nil
}

// DecodePrepared decodes what EncodePrepared encoded; it fails on bytes it
// did not write.
func DecodePrepared(b []byte) ([]*Prepared, error) {
	var in []wirePrepared
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&in); err != nil {
		return nil, fmt.Errorf("store: decode prepared documents: %w", err)
	}
	out := make([]*Prepared, len(in))
	for i, w := range in {
		if len(w.Keys) != len(w.Values) {
			return nil, errors.New("store: decode prepared documents: keys and values differ in number")
		}
		if w.EmptyWarnings {
			w.Warnings = []string{}
		}
		if w.EmptyResultWarnings {
			w.Result.Warnings = []string{}
		}
		if w.EmptyDiscovered {
			w.Discovered = []ingest.Mention{}
		}
		p := &Prepared{doc: &ingest.Document{Name: w.Name, SHA256: w.SHA256, Warnings: w.Warnings}, result: w.Result,
			episodes: w.Episodes, source: w.Source, discovered: w.Discovered}
		p.frags = make([]fragment, len(w.Keys))
		for j := range w.Keys {
			p.frags[j] = fragment{key: w.Keys[j], value: w.Values[j]}
		}
		if id := w.ID; id != nil {
			p.id = &identity{show: id.Show, slug: id.Slug, guid: id.GUID, feed: id.Feed, number: id.Number, published: id.Published}
		}
		out[i] = p
	}
	return out, nil
}
