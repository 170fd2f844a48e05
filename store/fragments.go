package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"

	"podcastgraph/ingest"
	"podcastgraph/internal/podcast"
)

// A fragment is what one page says about one entity (a show, an episode or
// a guest). Fragments are content-addressed and refcounted: identical facts
// stated by many pages are stored once, and an entity is rebuilt only when
// one of its distinct fragments appears or disappears. Merging is a pure
// function of the set of fragments, so ingest order never changes a result.
//
//	frags key:   kind entity-id 0 prio hash8     value: the fragment (records.go)
//	refs key:    the same                        value: u32 documents stating it
//
// prio 0 is the episode's own page, 1 a listing; a prefix scan yields the
// fragments of an entity best first.

const (
	fragShow    byte = 's'
	fragEpisode byte = 'e'
	fragGuest   byte = 'g'

	prioOwn     byte = 0
	prioListing byte = 1
)

// showFrag is what a page says of its show.
type showFrag struct {
	Title string         `json:"title"`
	Code  string         `json:"code,omitempty"`
	Hosts []string       `json:"hosts,omitempty"`
	Links []podcast.Link `json:"links,omitempty"`
	podcast.ShowFeed
}

// episodeFrag is what a page says of one episode.
type episodeFrag struct {
	Code        string               `json:"code,omitempty"` // the show's code
	Title       string               `json:"title,omitempty"`
	ReleaseDate *podcast.Date        `json:"releaseDate,omitempty"`
	Description string               `json:"description,omitempty"`
	Summary     string               `json:"summary"`
	Truncated   bool                 `json:"truncated,omitempty"`
	Topics      []string             `json:"topics,omitempty"`
	Appearances []podcast.Appearance `json:"appearances,omitempty"`
	Hosts       []string             `json:"hosts,omitempty"`
	Links       []podcast.Link       `json:"links,omitempty"`
	podcast.EpisodeFeed
}

// guestFrag is what a page says of one guest.
type guestFrag struct {
	Name         string         `json:"name"`
	Role         string         `json:"role,omitempty"`
	Organization string         `json:"organization,omitempty"`
	Bio          string         `json:"bio,omitempty"`
	Links        []podcast.Link `json:"links,omitempty"`
	Image        string         `json:"image,omitempty"`
}

// fragment is one encoded fragment of a document.
type fragment struct {
	key   []byte // kind entity-id 0 prio hash8
	value []byte // encoded (records.go)
}

// entity names what a fragment key belongs to.
type entity struct {
	kind byte
	id   string // show slug, guest slug, or episode key bytes
}

func fragmentEntity(key []byte) (entity, bool) {
	if len(key) < 1+1+1+8 {
		return entity{}, false
	}
	return entity{kind: key[0], id: string(key[1 : len(key)-10])}, true
}

func fragPrefix(kind byte, id string) []byte {
	b := make([]byte, 0, len(id)+2)
	b = append(b, kind)
	b = append(b, id...)
	return append(b, 0)
}

// newFragment encodes a fragment. Its key's hash is of the fragment's
// JSON, as schema version 1 stored it: the same facts keep the same key
// (a page ingested again restates them, not new ones), and the order of
// an entity's fragments, which merging follows, stays what it was.
func newFragment(kind byte, id string, prio byte, v any) (fragment, error) {
	js, err := json.Marshal(v)
	if err != nil {
		return fragment{}, fmt.Errorf("encode fragment: %w", err)
	}
	value, err := encodeFragment(v)
	if err != nil {
		return fragment{}, err
	}
	sum := sha256.Sum256(js)
	key := append(fragPrefix(kind, id), prio)
	key = append(key, sum[:8]...)
	return fragment{key: key, value: value}, nil
}

// fragmentsOf splits a document into the fragments it states, deduplicated,
// encoding through memo those it remembers (nil: none).
func fragmentsOf(doc *ingest.Document, memo *Memo) ([]fragment, []podcast.EpisodeKey, error) {
	show := doc.Show.Slug
	out := make([]fragment, 0, 8+4*len(doc.Listing))
	var seen map[string]bool // the keys in out, once they are many
	var mk []byte            // the memo's key of the fragment at hand
	add := func(kind byte, id string, prio byte, v any) error {
		var f fragment
		remember := false
		if memo != nil {
			mk, remember = memoKey(mk[:0], kind, id, prio, v)
		}
		hit := false
		if remember {
			f, hit = memo.get(mk)
		}
		if !hit {
			var err error
			if f, err = newFragment(kind, id, prio, v); err != nil {
				return err
			}
			if remember {
				memo.put(mk, f)
			}
		}
		// A page states a few dozen fragments: looking through them
		// costs less than a set, until they are many.
		if seen == nil && len(out) >= 64 {
			seen = make(map[string]bool, 2*len(out))
			for _, o := range out {
				seen[string(o.key)] = true
			}
		}
		switch {
		case seen != nil:
			if seen[string(f.key)] {
				return nil
			}
			seen[string(f.key)] = true
		case slices.ContainsFunc(out, func(o fragment) bool { return bytes.Equal(o.key, f.key) }):
			return nil
		}
		out = append(out, f)
		return nil
	}
	if err := add(fragShow, show, prioOwn, &showFrag{
		Title: doc.Show.Title, Code: doc.Show.Code, Hosts: doc.Show.Hosts, Links: doc.Show.Links,
		ShowFeed: showFeedOf(&doc.Show),
	}); err != nil {
		return nil, nil, err
	}
	code := doc.Show.Code
	if doc.Kind == ingest.KindFeedItem && code == "" {
		code = feedCode(show)
	}
	episodes := make([]podcast.EpisodeKey, 0, 1+len(doc.Listing))
	// f and gf are filled anew for each fragment: add keeps nothing of
	// them but their encoding.
	var f episodeFrag
	var gf guestFrag
	addEpisode := func(e *ingest.EpisodeFacts, guests []ingest.GuestFacts) error {
		k := podcast.EpisodeKey{Show: show, Number: e.Number}
		episodes = append(episodes, k)
		f = episodeFrag{
			Code: code, Title: e.Title, ReleaseDate: e.ReleaseDate, Description: e.Description,
			Summary: e.Summary, Truncated: e.Truncated, Topics: e.Topics, Links: e.Links,
			Appearances: f.Appearances[:0], EpisodeFeed: episodeFeedOf(e),
		}
		if doc.Kind == ingest.KindFeedItem {
			f.FeedNumber = e.Number
		}
		prio := prioListing
		if e.Own {
			prio = prioOwn
			f.Hosts = doc.Show.Hosts
		}
		for _, g := range guests {
			f.Appearances = append(f.Appearances, podcast.Appearance{Guest: g.Slug, Evidence: g.Evidence, Via: g.Via})
			gf = guestFrag{Name: g.Name, Role: g.Role, Organization: g.Organization, Bio: g.Bio, Links: g.Links, Image: g.Image}
			if err := add(fragGuest, g.Slug, prio, &gf); err != nil {
				return err
			}
		}
		return add(fragEpisode, string(episodeKey(k)), prio, &f)
	}
	if err := addEpisode(&doc.Episode, doc.Guests); err != nil {
		return nil, nil, err
	}
	for i := range doc.Listing {
		if doc.Listing[i].Number == doc.Episode.Number {
			continue
		}
		if err := addEpisode(&doc.Listing[i], doc.Listing[i].Guests); err != nil {
			return nil, nil, err
		}
	}
	return out, episodes, nil
}

// showFeedOf copies what a feed says of its show.
func showFeedOf(s *ingest.ShowFacts) podcast.ShowFeed {
	return podcast.ShowFeed{GUID: s.GUID, FeedURL: s.FeedURL, Author: s.Author, Description: s.Description,
		Image: s.Image, Language: s.Language, Categories: s.Categories, Locked: s.Locked}
}

// episodeFeedOf copies what a feed item says of its episode, but its
// number (FeedNumber is set for feed items only).
func episodeFeedOf(e *ingest.EpisodeFacts) podcast.EpisodeFeed {
	f := podcast.EpisodeFeed{GUID: e.GUID, PublishedAt: e.PublishedAt, Season: e.Season, EpisodeType: e.EpisodeType,
		Duration: e.Duration, Explicit: e.Explicit, Image: e.Image, Chapters: e.Chapters, Categories: e.Categories}
	if f.PublishedAt != nil {
		at := f.PublishedAt.UTC()
		f.PublishedAt = &at
	}
	if e.Audio != nil {
		f.Audio = &podcast.Enclosure{URL: e.Audio.URL, Type: e.Audio.Type, Length: e.Audio.Length}
	}
	for _, t := range e.Transcripts {
		f.Transcripts = append(f.Transcripts, podcast.Transcript{URL: t.URL, Type: t.Type, Language: t.Language, Rel: t.Rel})
	}
	return f
}
