package adminapi

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"podcastgraph/internal/pipeline"
)

// NDJSON is the media type of the streamed answer of /admin/ingest.
const NDJSON = "application/x-ndjson"

// IngestRequest is the body of POST /admin/ingest: pages as base64 bytes
// (JSON strings cannot carry the non-UTF-8 pages the parser must reject).
type IngestRequest struct {
	Documents []Document `json:"documents"`
	// URLs are fetched by the server, through its own fetcher and its
	// address guard (--fetch-allow-private), and ingested after the
	// documents; each has its result, named by the URL.
	URLs []string `json:"urls,omitempty"`
}

// Document is one page of an IngestRequest.
type Document struct {
	Name string `json:"name"`
	Data Base64 `json:"data"`
}

// Base64 is a document's bytes, a base64 string in JSON. A value that is
// not one does not fail the request it is in: Bad says why, and the
// server fails that document alone, naming it, while the others land.
type Base64 struct {
	Bytes []byte
	Bad   error
}

// MarshalJSON writes the bytes as a base64 string.
func (b Base64) MarshalJSON() ([]byte, error) { return json.Marshal(b.Bytes) }

// UnmarshalJSON reads a base64 string (null is no bytes); anything else
// sets Bad rather than failing the whole request.
func (b *Base64) UnmarshalJSON(data []byte) error {
	*b = Base64{}
	var s *string
	if err := json.Unmarshal(data, &s); err != nil {
		b.Bad = fmt.Errorf("data must be a base64 string")
		return nil
	}
	if s == nil {
		return nil
	}
	dec, err := base64.StdEncoding.DecodeString(*s)
	if err != nil {
		b.Bad = fmt.Errorf("data is not base64 (%v)", err)
		return nil
	}
	b.Bytes = dec
	return nil
}

// IngestResponse is the answer in one piece: one result per document, in
// order.
type IngestResponse struct {
	Results []pipeline.Result `json:"results"`
	// Index is the replicated log index of the request's last write, in
	// a cluster (omitted outside one): a read carrying it in
	// X-Podcast-Min-Index sees the request's documents (docs/cluster.md).
	Index uint64 `json:"index,omitempty"`
}

// IngestLine is one line of the streamed answer of /admin/ingest: a
// document's result as soon as its batch is committed (or failed), and,
// last, the summary. A stream without its summary line was cut short.
type IngestLine struct {
	Result  *pipeline.Result `json:"result,omitempty"`
	Summary *IngestSummary   `json:"summary,omitempty"`
}

// IngestSummary counts a request's documents by outcome. Documents is the
// number of results, one per document sent (a feed is one); the outcomes
// count stored documents, a feed's items each.
type IngestSummary struct {
	Documents int `json:"documents"`
	Added     int `json:"added"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Failed    int `json:"failed"`
	// Index is as in IngestResponse.
	Index uint64 `json:"index,omitempty"`
}
