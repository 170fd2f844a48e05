package store

import (
	"encoding/binary"
	"slices"
	"strings"

	"podcastgraph/internal/podcast"
)

// rebuildEpisode merges an episode from its fragments and sources and
// brings every index that mentions it up to date with the difference
// between its old and new record.
func (w *writer) rebuildEpisode(k podcast.EpisodeKey) error {
	ekey := episodeKey(k)
	var old *podcast.Episode
	if v := w.b.episodes.Get(ekey); v != nil {
		var err error
		if old, err = decodeEpisode(v); err != nil {
			return err
		}
	}
	var cur *podcast.Episode
	own, listing := w.fragments(fragEpisode, string(ekey))
	if len(own)+len(listing) > 0 {
		var err error
		if cur, err = mergeEpisode(k, own, listing); err != nil {
			return err
		}
	}
	w.reindex(k, old, cur)
	w.dayChanged(k, old, cur)
	if cur == nil {
		if err := w.b.days.Delete(ekey); err != nil {
			return err
		}
		return w.b.episodes.Delete(ekey)
	}
	if err := w.b.days.Put(ekey, u32(dayOf(cur.ReleaseDate))); err != nil {
		return err
	}
	w.max.episode(cur)
	return putRecord(w.b.episodes, ekey, cur)
}

// sameIndexing reports whether two versions of an episode have the same
// index entries: same date, topics and guests (the usual case when a page
// only restates what others said).
func sameIndexing(a, b *podcast.Episode) bool {
	if a == nil || b == nil || dayOf(a.ReleaseDate) != dayOf(b.ReleaseDate) || !slices.Equal(a.Topics, b.Topics) ||
		len(a.Appearances) != len(b.Appearances) {
		return false
	}
	for i := range a.Appearances {
		if a.Appearances[i].Guest != b.Appearances[i].Guest {
			return false
		}
	}
	return true
}

// scopes lists the index scopes an episode belongs to.
func scopes(e *podcast.Episode) map[string]bool {
	if e == nil {
		return nil
	}
	s := map[string]bool{scopeAll: true, scopeShow(e.Show): true}
	for _, a := range e.Appearances {
		s[scopeGuest(a.Guest)] = true
	}
	for _, t := range e.Topics {
		s[scopeTopic(t)] = true
	}
	return s
}

// pairs lists the relation pairs an episode contributes one count to.
func pairs(e *podcast.Episode) map[string]bool {
	if e == nil {
		return nil
	}
	p := map[string]bool{}
	for _, a := range e.Appearances {
		p[string(pairKey(pairShowGuest, e.Show, a.Guest))] = true
		for _, t := range e.Topics {
			p[string(pairKey(pairTopicGuest, t, a.Guest))] = true
		}
	}
	for _, t := range e.Topics {
		for _, u := range e.Topics {
			if t != u {
				p[string(pairKey(pairTopicTopic, t, u))] = true
			}
		}
	}
	return p
}

// reindex records the index entries that change between an episode's old
// and new record (flushIndexes writes them) and the counts that move.
func (w *writer) reindex(k podcast.EpisodeKey, old, cur *podcast.Episode) {
	if sameIndexing(old, cur) {
		return
	}
	if old == nil && cur != nil {
		w.indexNew(k, cur)
		return
	}
	oldScopes, curScopes := scopes(old), scopes(cur)
	var oldDay, curDay uint32
	if old != nil {
		oldDay = dayOf(old.ReleaseDate)
	}
	if cur != nil {
		curDay = dayOf(cur.ReleaseDate)
	}
	dayChanged := old != nil && cur != nil && oldDay != curDay
	nsk := numberSortKey(k)
	for s := range oldScopes {
		if !curScopes[s] || dayChanged {
			w.index(true, false, indexKey(s, dateSortKey(oldDay, k)))
		}
		if !curScopes[s] {
			w.index(false, false, indexKey(s, nsk))
			w.countDeltas[s]--
		}
	}
	for s := range curScopes {
		if !oldScopes[s] || dayChanged {
			w.index(true, true, indexKey(s, dateSortKey(curDay, k)))
		}
		if !oldScopes[s] {
			w.index(false, true, indexKey(s, nsk))
			w.countDeltas[s]++
		}
	}
	oldPairs, curPairs := pairs(old), pairs(cur)
	for p := range oldPairs {
		if !curPairs[p] {
			w.pairDeltas[p]--
		}
	}
	for p := range curPairs {
		if !oldPairs[p] {
			w.pairDeltas[p]++
		}
	}
}

// indexNew is reindex for an episode the store did not have (the usual
// case in a bulk ingest): every scope and pair of cur is added. An
// episode's scopes and pairs are distinct by construction (its guests
// and topics are), so no set is needed to gather them.
func (w *writer) indexNew(k podcast.EpisodeKey, e *podcast.Episode) {
	nsk, dsk := numberSortKey(k), dateSortKey(dayOf(e.ReleaseDate), k)
	add := func(scope string) {
		w.index(true, true, indexKey(scope, dsk))
		w.index(false, true, indexKey(scope, nsk))
		w.countDeltas[scope]++
	}
	add(scopeAll)
	add(scopeShow(e.Show))
	for _, a := range e.Appearances {
		add(scopeGuest(a.Guest))
		w.pairDeltas[string(pairKey(pairShowGuest, e.Show, a.Guest))]++
		for _, t := range e.Topics {
			w.pairDeltas[string(pairKey(pairTopicGuest, t, a.Guest))]++
		}
	}
	for _, t := range e.Topics {
		add(scopeTopic(t))
		for _, u := range e.Topics {
			if t != u {
				w.pairDeltas[string(pairKey(pairTopicTopic, t, u))]++
			}
		}
	}
}

// flushCounts applies the counter changes the transaction's rebuilds
// gathered: each counter is read and written once per transaction, however
// many episodes moved it (a batch moves "*" once per new episode), in key
// order.
func (w *writer) flushCounts() error {
	counts := newCursorBucket(w.b.counts)
	for _, scope := range sortedDeltas(w.countDeltas) {
		if err := w.addCount(counts, scope, w.countDeltas[scope]); err != nil {
			return err
		}
	}
	pairs := newCursorBucket(w.b.pairs)
	for _, p := range sortedDeltas(w.pairDeltas) {
		if err := addU32(pairs, []byte(p), w.pairDeltas[p]); err != nil {
			return err
		}
	}
	clear(w.countDeltas)
	clear(w.pairDeltas)
	return nil
}

// addU32 adds delta to a counter, deleting it at zero; it returns the old and
// new values.
func addU32(b interface {
	Get([]byte) []byte
	Put([]byte, []byte) error
	Delete([]byte) error
}, key []byte, delta int) error {
	_, _, err := addU32Values(b, key, delta)
	return err
}

func addU32Values(b interface {
	Get([]byte) []byte
	Put([]byte, []byte) error
	Delete([]byte) error
}, key []byte, delta int) (before, after uint32, err error) {
	if v := b.Get(key); len(v) == 4 {
		before = binary.BigEndian.Uint32(v)
	}
	after = uint32(max(int(before)+delta, 0))
	if after == 0 {
		return before, after, b.Delete(key)
	}
	return before, after, b.Put(key, u32(after))
}

// addCount moves the episode count of a scope, keeping the guests' and
// topics' by-count index and the set of live topics in step.
func (w *writer) addCount(counts cursorBucket, scope string, delta int) error {
	before, after, err := addU32Values(counts, []byte(scope), delta)
	if err != nil {
		return err
	}
	var kind byte
	var slug string
	switch {
	case strings.HasPrefix(scope, "g:"):
		kind, slug = kindGuest, scope[2:]
	case strings.HasPrefix(scope, "t:"):
		kind, slug = kindTopic, scope[2:]
	case strings.HasPrefix(scope, "d:"):
		kind, slug = kindDiscovered, scope[2:]
	default:
		return nil
	}
	if before > 0 {
		if err := w.b.bycount.Delete(countKey(kind, before, slug)); err != nil {
			return err
		}
	}
	if after > 0 {
		if err := w.b.bycount.Put(countKey(kind, after, slug), nil); err != nil {
			return err
		}
	}
	if kind == kindDiscovered {
		return w.addDiscoveredTopic(slug, before, after)
	}
	if kind != kindTopic {
		return nil
	}
	switch {
	case after == 0:
		if err := addU32(w.b.counts, totalTopics, -1); err != nil {
			return err
		}
		return w.b.topics.Delete([]byte(slug))
	case before == 0:
		if err := addU32(w.b.counts, totalTopics, +1); err != nil {
			return err
		}
		t := &podcast.Topic{Slug: slug, Name: slug}
		if v := w.b.vocab.Get([]byte(slug)); v != nil {
			if t, err = decodeTopic(v); err != nil {
				return err
			}
		}
		return putRecord(w.b.topics, []byte(slug), t)
	}
	return nil
}
