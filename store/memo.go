package store

import (
	"encoding/binary"
	"sync"

	"podcastgraph/ingest"
	"podcastgraph/internal/podcast"
)

// This file remembers the fragments recent documents stated. A show's
// pages each list the episodes before theirs, with their guests, so a
// bulk ingest states most fragments again on page after page; encoding
// one (its JSON for the key's hash, then its binary value) costs far more
// than looking it up. A Memo keeps the latest few thousand fragments,
// keyed by everything that decides their key and value: the entity, the
// priority and every field of the fragment, written out without loss.

// Memo remembers the fragments PrepareMemo encoded, so that a fragment a
// recent document stated is not encoded again. A Prepared document made
// with a Memo is the one Prepare makes without it. A Memo holds a bounded
// number of fragments (the latest ones) and is safe for concurrent use.
// The zero Memo is not usable: see NewMemo.
type Memo struct {
	mu      sync.Mutex
	entries map[string]fragment
	ring    []string // keys in insertion order, oldest at next once full
	next    int
}

// DefaultMemoFragments is NewMemo's size when given 0: the fragments of a
// few hundred catalogue pages (each states about 45), which is how far
// back a page's listing reaches, and the guests seen meanwhile.
const DefaultMemoFragments = 1 << 14

// NewMemo returns a Memo of the last fragments fragments (0 means
// DefaultMemoFragments). Each costs about three times the fragment's
// encoded size.
func NewMemo(fragments int) *Memo {
	if fragments <= 0 {
		fragments = DefaultMemoFragments
	}
	return &Memo{entries: make(map[string]fragment, fragments), ring: make([]string, 0, fragments)}
}

// PrepareMemo is Prepare, encoding fragments through memo (nil encodes
// every one).
func PrepareMemo(doc *ingest.Document, memo *Memo) *Prepared {
	return prepare(doc, memo)
}

func (m *Memo) get(k []byte) (fragment, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.entries[string(k)]
	return f, ok
}

func (m *Memo) put(k []byte, f fragment) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.entries[string(k)]; ok {
		return
	}
	key := string(k)
	if len(m.ring) < cap(m.ring) {
		m.ring = append(m.ring, key)
	} else {
		delete(m.entries, m.ring[m.next])
		m.ring[m.next] = key
		m.next = (m.next + 1) % len(m.ring)
	}
	m.entries[key] = f
}

// memoKey writes the memo's key of a fragment to b: kind, priority,
// entity and every field, strings and lists with their lengths, so that
// two keys are equal only when the fragments are. ok is false for a
// fragment that carries a feed's fields, which are not written out here,
// and for an episode's fragment from its own page, which no other page
// states: those are always encoded.
//
// A field added to a fragment must be written here too (TestMemoKeyFields
// counts them).
func memoKey(b []byte, kind byte, id string, prio byte, v any) (_ []byte, ok bool) {
	b = append(b, kind, prio)
	b = memoStr(b, id)
	switch f := v.(type) {
	case *episodeFrag:
		// An episode's own page states it once; listings restate it.
		if prio == prioOwn || !f.EpisodeFeed.IsZero() {
			return b, false
		}
		b = memoStr(b, f.Code)
		b = memoStr(b, f.Title)
		if d := f.ReleaseDate; d != nil {
			b = append(b, 1)
			b = binary.AppendVarint(b, int64(d.Year))
			b = binary.AppendVarint(b, int64(d.Month))
			b = binary.AppendVarint(b, int64(d.Day))
		} else {
			b = append(b, 0)
		}
		b = memoStr(b, f.Description)
		b = memoStr(b, f.Summary)
		if f.Truncated {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
		b = memoStrs(b, f.Topics)
		b = binary.AppendUvarint(b, uint64(len(f.Appearances)))
		for _, a := range f.Appearances {
			b = memoStr(b, a.Guest)
			b = memoStr(b, a.Evidence)
			b = memoStr(b, a.Via)
		}
		b = memoStrs(b, f.Hosts)
		b = memoLinks(b, f.Links)
	case *guestFrag:
		b = memoStr(b, f.Name)
		b = memoStr(b, f.Role)
		b = memoStr(b, f.Organization)
		b = memoStr(b, f.Bio)
		b = memoLinks(b, f.Links)
		b = memoStr(b, f.Image)
	default: // shows: one a page, not worth remembering
		return b, false
	}
	return b, true
}

func memoStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func memoStrs(b []byte, list []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(list)))
	for _, s := range list {
		b = memoStr(b, s)
	}
	return b
}

func memoLinks(b []byte, list []podcast.Link) []byte {
	b = binary.AppendUvarint(b, uint64(len(list)))
	for _, l := range list {
		b = memoStr(b, string(l.Kind))
		b = memoStr(b, l.URL)
		b = memoStr(b, l.Label)
	}
	return b
}
