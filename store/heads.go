package store

import (
	"encoding/json"

	"podcastgraph/internal/podcast"
)

// An episode's head is the episode without its texts: no summary,
// description or links (podcast.Episode.Partial). Pages of episodes,
// guests' and topics' episode lists and the relations read heads: a head
// is a fifth of a whole episode of a catalogue's pages in memory (most of
// a record is its description and summary), so the record cache holds five
// times as many, and a question that never asks for the texts never
// decodes them twice. The graph reads the texts, when a query selects
// them, as whole records (EpisodesByKey).

// episodeHeads names heads in the record cache as if they were a bucket;
// no bucket is called that.
var episodeHeads = []byte("#heads")

// cachedEpisodeHead returns the head of the episode at key of the episodes
// bucket, through the record cache; nil when there is none.
func cachedEpisodeHead(r *reader, key []byte) (*podcast.Episode, error) {
	var buf [96]byte
	ck := recordKey(buf[:0], episodeHeads, key)
	if v, ok := r.cache.get(r.gen, ck); ok {
		e, _ := v.(*podcast.Episode)
		return e, nil
	}
	raw := r.bucket(bucketEpisodes).Get(key)
	if raw == nil {
		return nil, nil
	}
	var e podcast.Episode
	if err := json.Unmarshal(raw, &e); err != nil {
		return nil, err
	}
	h := headOf(&e)
	r.cache.put(r.gen, string(ck), h, headSize(h))
	return h, nil
}

// headOf returns e without its texts, marked Partial.
func headOf(e *podcast.Episode) *podcast.Episode {
	h := *e
	h.Summary, h.Description, h.Links, h.Partial = "", nil, nil, true
	return &h
}

// headSize is about what a head holds in memory, in bytes, for the record
// cache's budget.
func headSize(h *podcast.Episode) int {
	n := 200 + len(h.Show) + len(h.Code)
	if h.Title != nil {
		n += len(*h.Title)
	}
	for _, a := range h.Appearances {
		n += 32 + len(a.Guest) + len(a.Evidence)
	}
	for _, t := range h.Topics {
		n += 16 + len(t)
	}
	for _, x := range h.Hosts {
		n += 32 + len(x.Name)
	}
	return n
}
