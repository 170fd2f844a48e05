package adminapi

import "podcastgraph/internal/pipeline"

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
	Data []byte `json:"data"`
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
