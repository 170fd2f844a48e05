package store

import (
	"slices"
	"strings"

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

// cachedEpisodeHead returns the head of episode k, through the record
// cache (its heads, by show and number); nil when there is none.
func cachedEpisodeHead(r *reader, k podcast.EpisodeKey) (*podcast.Episode, error) {
	if h, ok := r.cache.getHead(r.gen, k.Show, k.Number); ok {
		return h, nil
	}
	return readEpisodeHead(r, k)
}

// readEpisodeHead reads the head of episode k off the store and keeps it
// in the record cache; nil when there is none.
func readEpisodeHead(r *reader, k podcast.EpisodeKey) (*podcast.Episode, error) {
	raw := r.bucket(bucketEpisodes).Get(episodeKey(k))
	if raw == nil {
		return nil, nil
	}
	e, err := decodeEpisode(raw)
	if err != nil {
		return nil, err
	}
	h := headOf(e)
	r.cache.putHead(r.gen, k.Show, k.Number, h, headSize(h))
	return h, nil
}

// headOf returns e without its texts, marked Partial. The head's strings
// are copied into one string of their own, so that a cached head keeps
// neither the record it was decoded from nor an allocation per string.
func headOf(e *podcast.Episode) *podcast.Episode {
	n := len(e.Show) + len(e.Code)
	if e.Title != nil {
		n += len(*e.Title)
	}
	for _, a := range e.Appearances {
		n += len(a.Guest) + len(a.Evidence) + len(a.Via)
	}
	for _, t := range e.Topics {
		n += len(t)
	}
	for _, x := range e.Hosts {
		n += len(x.Name)
	}
	var b strings.Builder
	b.Grow(n)
	for _, s := range headStrings(e) {
		b.WriteString(*s)
	}
	all := b.String()
	h := &head{e: *e}
	h.e.Summary, h.e.Description, h.e.Links, h.e.Partial = "", nil, nil, true
	if e.Title != nil {
		h.title = *e.Title
		h.e.Title = &h.title
	}
	if e.ReleaseDate != nil {
		h.date = *e.ReleaseDate
		h.e.ReleaseDate = &h.date
	}
	h.e.EpisodeFeed = e.EpisodeFeed.Clone()
	h.e.Appearances = inline(h.apps[:], e.Appearances)
	h.e.Topics = inline(h.topics[:], e.Topics)
	h.e.Hosts = inline(h.hosts[:], e.Hosts)
	for _, s := range headStrings(&h.e) {
		*s, all = all[:len(*s)], all[len(*s):]
	}
	return &h.e
}

// head is an episode's head and what its pointers point at, in one
// allocation.
type head struct {
	e     podcast.Episode
	title string
	date  podcast.Date
	// The usual few appearances, topics and hosts live in the head too:
	// the collector, which marks the cache's heads at every cycle, finds
	// one object where it found four.
	apps   [2]podcast.Appearance
	topics [6]string
	hosts  [2]podcast.Host
}

// headArrays is what head's arrays add to its size.
const headArrays = 2*48 + 6*16 + 2*16

// inline copies src into room when it fits, else into a slice of its own;
// nil stays nil.
func inline[T any](room, src []T) []T {
	if src == nil {
		return nil
	}
	if len(src) <= len(room) {
		return room[:copy(room, src):len(src)]
	}
	return slices.Clone(src)
}

// headStrings returns the strings a head keeps, in one order.
func headStrings(e *podcast.Episode) []*string {
	out := []*string{&e.Show, &e.Code}
	if e.Title != nil {
		out = append(out, e.Title)
	}
	for i := range e.Appearances {
		out = append(out, &e.Appearances[i].Guest, &e.Appearances[i].Evidence, &e.Appearances[i].Via)
	}
	for i := range e.Topics {
		out = append(out, &e.Topics[i])
	}
	for i := range e.Hosts {
		out = append(out, &e.Hosts[i].Name)
	}
	return out
}

// headSize is about what a head holds in memory, in bytes, for the record
// cache's budget.
func headSize(h *podcast.Episode) int {
	n := 200 + headArrays + len(h.Show) + len(h.Code) + h.EpisodeFeed.Size()
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
