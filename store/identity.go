package store

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"podcastgraph/ingest"
	"podcastgraph/internal/podcast"
)

// Many shows share a store, and feeds name their shows and episodes in
// their own terms; the write path turns those names into the slugs and
// numbers every key is built from.
//
// A show's identity is its podcast:guid, else its feed's URL, else the
// code it states (a feed item with a code), else its slug. Pages name
// their show by the slug they state, as they always have: every page of a
// slug is one show, and a store of pages has the slugs its pages state.
// Each identity owns one slug for good: a show whose slug another
// identity owns gets the first free one of "slug-2", "slug-3"... the
// first time it is seen, and keeps it across restarts and re-ingests.
//
// A feed item's episode is (show, GUID). The first time a GUID is seen
// it is given a number of its show, for good:
//   - the number the item states (itunes:episode or podcast:episode),
//     unless another episode of the show holds it already (seasons that
//     start again at 1, a number given twice); the number stated stays
//     the episode's feedNumber either way;
//   - else the next number of the show (one more than the highest it
//     holds), given to the items of one write in publication order
//     (pubDate; items without one last), then in document order. Items
//     stating a number that is free claim it before any item is given the
//     next number, so an unnumbered trailer does not push every numbered
//     episode of its feed along.
//
// A feed applied in one write is numbered in publication order; an item
// seen in a later write (a new episode, or an older one the feed had left
// out) gets the next number then: numbers are never reused or moved.
//
//	showids key: 'i' identity -> slug       (identity: "guid:G", "feed:URL", "code:C", "slug:S", "page:S")
//	             's' slug -> identity
//	feedeps key: 'g' show 0 guid -> u32 number
//	             'n' show 0 u32 number -> guid
var (
	bucketShowIDs = []byte("showids")
	bucketFeedEps = []byte("feedeps")
)

// identity is what names a prepared document's show and own episode, and
// the slug and number its fragments were keyed with.
type identity struct {
	show      string // the show's identity (see above)
	slug      string // the slug the document states
	feed      bool   // a feed item
	guid      string // a feed item's GUID (its document's name when it gives none)
	number    int    // the number the document states (0: none)
	published *time.Time
}

// identityOf returns what names doc's show and episode.
func identityOf(doc *ingest.Document) *identity {
	id := &identity{slug: doc.Show.Slug, number: doc.Episode.Number}
	if doc.Kind != ingest.KindFeedItem {
		id.show = "page:" + doc.Show.Slug
		return id
	}
	id.feed = true
	id.published = doc.Episode.PublishedAt
	id.guid = cmp.Or(strings.TrimSpace(doc.Episode.GUID), doc.Name)
	switch s := &doc.Show; {
	case strings.TrimSpace(s.GUID) != "":
		id.show = "guid:" + strings.ToLower(strings.TrimSpace(s.GUID))
	case s.FeedURL != "":
		id.show = "feed:" + s.FeedURL
	case s.Code != "":
		id.show = "code:" + s.Code
	default:
		id.show = "slug:" + s.Slug
	}
	return id
}

// feedCode is the code of a feed show's episodes ("TD 12") when the feed
// states none: the initials of its slug's words, up to four, upper-case
// ("the-daily" -> "TD"); a one-word slug gives its first three letters
// ("radiolab" -> "RAD"); no slug gives none (episodes are then "#12").
func feedCode(slug string) string {
	words := strings.FieldsFunc(slug, func(r rune) bool { return r == '-' })
	var b strings.Builder
	if len(words) == 1 {
		b.WriteString(words[0][:min(3, len(words[0]))])
	} else {
		for _, w := range words[:min(4, len(words))] {
			b.WriteByte(w[0])
		}
	}
	return strings.ToUpper(b.String())
}

// resolution is the slug and own-episode number a document's fragments
// are written under.
type resolution struct {
	slug   string
	number int
	guests map[string]string // guest slugs the document states -> the guests they are (only where they differ; guests.go)
}

// resolve gives each document of a write its show's slug and, for feed
// items, its episode's number (see above), recording new ones. Pages go
// first, so that a feed seen in the same write never takes their slug.
func (w *writer) resolve(docs []*Prepared) ([]resolution, error) {
	out := make([]resolution, len(docs))
	for _, pass := range []bool{false, true} {
		for i, p := range docs {
			if p.id == nil || p.id.feed != pass {
				continue
			}
			slug, err := w.showSlug(p.id)
			if err != nil {
				return nil, &DocumentError{Name: p.doc.Name, Err: err}
			}
			out[i] = resolution{slug: slug, number: p.id.number}
		}
	}
	for i, p := range docs {
		if p.id == nil {
			continue
		}
		for _, f := range p.frags {
			e, ok := fragmentEntity(f.key)
			if !ok || e.kind != fragGuest {
				continue
			}
			g, err := w.guestSlug(out[i].slug, e.id, f.value)
			if err != nil {
				return nil, &DocumentError{Name: p.doc.Name, Err: err}
			}
			if g != e.id {
				if out[i].guests == nil {
					out[i].guests = map[string]string{}
				}
				out[i].guests[e.id] = g
			}
		}
	}
	// Items seen before keep their number; the others are numbered in
	// publication order, those stating a free number first.
	var fresh []int
	for i, p := range docs {
		if p.id == nil || !p.id.feed {
			continue
		}
		if v := w.b.feedeps.Get(guidKey(out[i].slug, p.id.guid)); len(v) == 4 {
			out[i].number = int(binary.BigEndian.Uint32(v))
			continue
		}
		fresh = append(fresh, i)
	}
	slices.SortStableFunc(fresh, func(a, b int) int {
		pa, pb := docs[a].id.published, docs[b].id.published
		return cmp.Or(cmp.Compare(out[a].slug, out[b].slug), podcast.ComparePublished(pa, pb))
	})
	held := map[podcast.EpisodeKey]string{} // numbers given in this write -> guid
	give := func(i, n int) error {
		k := podcast.EpisodeKey{Show: out[i].slug, Number: n}
		held[k] = docs[i].id.guid
		out[i].number = n
		if err := w.b.feedeps.Put(guidKey(k.Show, docs[i].id.guid), u32(uint32(n))); err != nil {
			return err
		}
		return w.b.feedeps.Put(numberKey(k), []byte(docs[i].id.guid))
	}
	var rest []int
	for _, i := range fresh {
		k := podcast.EpisodeKey{Show: out[i].slug, Number: docs[i].id.number}
		if k.Number <= 0 || k.Number > maxEpisodeNumber || w.numberHeld(k, held) {
			rest = append(rest, i)
			continue
		}
		if err := give(i, k.Number); err != nil {
			return nil, err
		}
	}
	next := map[string]int{}
	for _, i := range rest {
		slug := out[i].slug
		if _, ok := next[slug]; !ok {
			next[slug] = w.highestNumber(slug, held) + 1
		}
		if next[slug] > maxEpisodeNumber {
			return nil, &DocumentError{Name: docs[i].doc.Name, Err: fmt.Errorf("show %s has no episode number left", slug)}
		}
		if err := give(i, next[slug]); err != nil {
			return nil, err
		}
		next[slug]++
	}
	return out, nil
}

// errNoShowSlug refuses a feed item whose show has no slug.
var errNoShowSlug = errors.New("the feed's show has no slug (no title)")

// maxEpisodeNumber is the highest number an episode key holds.
const maxEpisodeNumber = 1<<31 - 1

// showSlug returns the slug of the show id names, giving it one the
// first time it is seen. A page keeps the slug it states unless a feed's
// show owns it.
func (w *writer) showSlug(id *identity) (string, error) {
	ids := w.b.showids
	if v := ids.Get(append([]byte{'i'}, id.show...)); v != nil {
		return string(v), nil
	}
	base := id.slug
	switch {
	case base == "" && id.feed:
		return "", errNoShowSlug
	case base == "":
		return "", nil // a page that names no show: keyed as it always was
	}
	for n := 1; ; n++ {
		slug := base
		if n > 1 {
			slug = fmt.Sprintf("%s-%d", base, n)
		}
		owner := ids.Get(append([]byte{'s'}, slug...))
		if owner == nil && w.b.shows.Get([]byte(slug)) != nil {
			// A show of pages from before identities were kept.
			owner = []byte("page:" + slug)
			if err := ids.Put(append([]byte{'s'}, slug...), owner); err != nil {
				return "", err
			}
		}
		switch {
		case owner == nil:
			if err := ids.Put(append([]byte{'s'}, slug...), []byte(id.show)); err != nil {
				return "", err
			}
		case string(owner) != id.show:
			continue
		}
		return slug, ids.Put(append([]byte{'i'}, id.show...), []byte(slug))
	}
}

// numberHeld reports whether an episode of k's show already has k's
// number: a feed item given it, one given in this write, or a page's.
func (w *writer) numberHeld(k podcast.EpisodeKey, held map[podcast.EpisodeKey]string) bool {
	if _, ok := held[k]; ok {
		return true
	}
	return w.b.feedeps.Get(numberKey(k)) != nil || w.b.episodes.Get(episodeKey(k)) != nil
}

// highestNumber returns the highest number any episode of the show holds
// or was given: 0 for none.
func (w *writer) highestNumber(slug string, held map[podcast.EpisodeKey]string) int {
	high := 0
	for k := range held {
		if k.Show == slug {
			high = max(high, k.Number)
		}
	}
	last := func(b *bolt.Bucket, prefix []byte) int {
		c := b.Cursor()
		k, _ := c.Seek(prefixEnd(prefix))
		if k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		if k == nil || !bytes.HasPrefix(k, prefix) || len(k) < len(prefix)+4 {
			return 0
		}
		return int(binary.BigEndian.Uint32(k[len(prefix):]))
	}
	high = max(high, last(w.b.feedeps, append(append([]byte{'n'}, slug...), 0)))
	return max(high, last(w.b.bynum, indexKey(scopeShow(slug), nil)))
}

func guidKey(show, guid string) []byte {
	b := make([]byte, 0, 2+len(show)+len(guid))
	b = append(b, 'g')
	b = append(b, show...)
	b = append(b, 0)
	return append(b, guid...)
}

func numberKey(k podcast.EpisodeKey) []byte {
	return append([]byte{'n'}, episodeKey(k)...)
}

// rekey returns the fragments and episodes of a document prepared under
// id's slug and number, moved to r's: a fragment's key names its show's
// slug and episode's number, its value names neither.
func rekey(id *identity, r resolution, frags []fragment, episodes []podcast.EpisodeKey) ([]fragment, []podcast.EpisodeKey, error) {
	if r.slug == id.slug && r.number == id.number && len(r.guests) == 0 {
		return frags, episodes, nil
	}
	from := podcast.EpisodeKey{Show: id.slug, Number: id.number}
	to := podcast.EpisodeKey{Show: r.slug, Number: r.number}
	move := func(k podcast.EpisodeKey) podcast.EpisodeKey {
		if k == from {
			return to
		}
		if k.Show == from.Show {
			k.Show = to.Show
		}
		return k
	}
	out := make([]fragment, len(frags))
	for i, f := range frags {
		out[i] = f
		e, ok := fragmentEntity(f.key)
		if !ok {
			continue
		}
		tail := f.key[len(f.key)-10:] // 0 prio hash8
		switch e.kind {
		case fragShow:
			if e.id == from.Show {
				out[i].key = append(append([]byte{fragShow}, to.Show...), tail...)
			}
		case fragGuest:
			if g, ok := r.guests[e.id]; ok {
				out[i].key = append(append([]byte{fragGuest}, g...), tail...)
			}
		case fragEpisode:
			k, ok := parseEpisodeKey([]byte(e.id))
			if !ok {
				continue
			}
			out[i].key = append(append([]byte{fragEpisode}, episodeKey(move(k))...), tail...)
			if len(r.guests) == 0 {
				continue
			}
			// The episode names its guests in its value: a renamed guest
			// makes another fragment.
			var ef episodeFrag
			if err := decodeEpisodeFrag(f.value, &ef); err != nil {
				return nil, nil, fmt.Errorf("decode episode fragment: %w", err)
			}
			renamed := false
			for j, a := range ef.Appearances {
				if g, ok := r.guests[a.Guest]; ok {
					ef.Appearances[j].Guest, renamed = g, true
				}
			}
			if renamed {
				nf, err := newFragment(fragEpisode, string(episodeKey(move(k))), tail[1], ef)
				if err != nil {
					return nil, nil, err
				}
				out[i] = nf
			}
		}
	}
	moved := make([]podcast.EpisodeKey, len(episodes))
	for i, k := range episodes {
		moved[i] = move(k)
	}
	return out, moved, nil
}
