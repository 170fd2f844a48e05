package ingest

import (
	"slices"
	"strings"
	"sync"
)

// This file remembers what listing entries say. A show's pages each list
// the episodes before theirs (ten, on the pages this reads), so a bulk
// ingest of a show's pages reads every listing entry's text ten times:
// three quarters of the text of a page, and of the time Parse takes. A
// Memo keeps what the last few thousand entries yielded, keyed by the
// entry's text and the show's name (the only other inputs, with the
// vocabulary and the page's hosts, that decide what an entry says).

// Memo remembers the topics, hosts and guests Parse read from listing
// entries' texts, so that ParseMemo reads a text that an earlier page
// listed only once. A Document parsed with a Memo is the one Parse returns
// without it. A Memo holds a bounded number of entries (the latest ones)
// and is safe for concurrent use. The zero Memo is not usable: see
// NewMemo.
type Memo struct {
	mu      sync.Mutex
	entries map[memoKey]*memoEntry
	ring    []memoKey // keys in insertion order, oldest at next once full
	next    int
}

type memoKey struct {
	vocab      *Vocabulary
	show, text string
}

// memoEntry is what one listing entry's text yields on a page of its
// show. It is never modified once stored; readers copy its slices.
type memoEntry struct {
	hosts  []string // the hosts the text names (namer.hostsIn)
	topics []string
	// with is the page's hosts, joined by NUL bytes, that guests and
	// dropped were found with: a text names the same guests on every
	// page of one show, unless the pages disagree on the hosts.
	with    string
	guests  []GuestFacts
	dropped []string // names dropped for want of a slug (warned about)
}

// DefaultMemoEntries is NewMemo's size when given 0: a few batches of a
// bulk ingest of pages listing ten entries each.
const DefaultMemoEntries = 1 << 13

// NewMemo returns a Memo of the last entries listing entries (0 means
// DefaultMemoEntries). Each costs about twice the entry's text.
func NewMemo(entries int) *Memo {
	if entries <= 0 {
		entries = DefaultMemoEntries
	}
	return &Memo{entries: make(map[memoKey]*memoEntry, entries), ring: make([]memoKey, 0, entries)}
}

// ParseMemo is Parse, reading listing entries through memo (nil reads
// every one).
func ParseMemo(name string, data []byte, vocab *Vocabulary, memo *Memo) (*Document, error) {
	return parse(name, data, vocab, memo)
}

func (m *Memo) get(k memoKey) *memoEntry {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.entries[k]
}

func (m *Memo) put(k memoKey, e *memoEntry) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.entries[k]; ok {
		m.entries[k] = e
		return
	}
	if len(m.ring) < cap(m.ring) {
		m.ring = append(m.ring, k)
	} else {
		delete(m.entries, m.ring[m.next])
		m.ring[m.next] = k
		m.next = (m.next + 1) % len(m.ring)
	}
	m.entries[k] = e
}

// listingMemo is one page's use of a Memo: the entries its listing found,
// by index, and what to remember of the others.
type listingMemo struct {
	memo  *Memo
	vocab *Vocabulary
	show  string
	found []*memoEntry // by listing index; nil where the memo had none
}

func (p *page) listingMemo(listing []*item) *listingMemo {
	if p.memo == nil {
		return nil
	}
	lm := &listingMemo{memo: p.memo, vocab: p.vocab, show: p.show, found: make([]*memoEntry, len(listing))}
	for i, it := range listing {
		lm.found[i] = p.memo.get(lm.key(it.text))
	}
	return lm
}

func (lm *listingMemo) key(text string) memoKey {
	return memoKey{vocab: lm.vocab, show: lm.show, text: text}
}

// entry returns what the memo holds for listing entry i, or nil.
func (lm *listingMemo) entry(i int) *memoEntry {
	if lm == nil {
		return nil
	}
	return lm.found[i]
}

// remember stores what listing entry i's text yielded. The texts are
// copied: a page's strings share the page's bytes, which the memo must not
// keep.
func (lm *listingMemo) remember(i int, text string, e *memoEntry) {
	if lm == nil {
		return
	}
	e.topics = slices.Clone(e.topics)
	e.with = strings.Clone(e.with)
	e.hosts = cloneStrings(e.hosts)
	e.dropped = cloneStrings(e.dropped)
	e.guests = slices.Clone(e.guests)
	for k := range e.guests {
		g := &e.guests[k]
		g.Slug, g.Name, g.Role = strings.Clone(g.Slug), strings.Clone(g.Name), strings.Clone(g.Role)
		g.Organization, g.Bio, g.Evidence = strings.Clone(g.Organization), strings.Clone(g.Bio), strings.Clone(g.Evidence)
		g.Links = slices.Clone(g.Links)
		for j := range g.Links {
			g.Links[j].URL, g.Links[j].Label = strings.Clone(g.Links[j].URL), strings.Clone(g.Links[j].Label)
		}
	}
	lm.memo.put(memoKey{vocab: lm.vocab, show: strings.Clone(lm.show), text: strings.Clone(text)}, e)
}

func cloneStrings(ss []string) []string {
	out := slices.Clone(ss)
	for i, s := range out {
		out[i] = strings.Clone(s)
	}
	return out
}
