package store

import (
	"fmt"
	"strings"

	"podcastgraph/internal/podcast"
)

// Guests across shows. A guest's slug comes from the name the source
// prints (ingest.Slugify), and within one show one slug is one person, as
// it always was. A show's guest is the person another show's guest of
// that slug already is only on evidence: the same organization (letter
// case and surrounding space aside), or a link in common (the same URL,
// letter case, scheme and a trailing "/" aside). A name alone never joins
// two shows' guests: the later show's person gets the first of "slug-2",
// "slug-3"... that is theirs by the same rules, or is free; the choice is
// made once, when the show first names the person, and kept.
//
//	guestids key: 'm' show 0 name-slug -> guest slug   (only where the two differ)
//	              'c' guest slug -> ""                 (a suffixed slug given out)
//
// A guest's shows are the pairs bucket's show-guest entries, and, within
// a write, what the write has given out.
var bucketGuestIDs = []byte("guestids")

// guestSeen is a guest given out in this write: their shows and the
// evidence of the first fragment that named them.
type guestSeen struct {
	shows map[string]bool
	org   string
	links []podcast.Link
}

// guestSlug returns the slug of the guest a fragment of show names slug
// (raw is the encoded fragment), giving one out the first time.
func (w *writer) guestSlug(show, slug string, raw []byte) (string, error) {
	memo := show + "\x00" + slug
	if s, ok := w.guestMemo[memo]; ok {
		return s, nil
	}
	ids := w.b.guestids
	if v := ids.Get(append([]byte{'m'}, memo...)); v != nil {
		w.guestMemo[memo] = string(v)
		return string(v), nil
	}
	var f *guestFrag
	frag := func() (*guestFrag, error) {
		if f == nil {
			f = new(guestFrag)
			if err := decodeGuestFrag(raw, f); err != nil {
				return nil, fmt.Errorf("decode guest fragment: %w", err)
			}
		}
		return f, nil
	}
	for n := 1; ; n++ {
		cand := slug
		if n > 1 {
			cand = fmt.Sprintf("%s-%d", slug, n)
		}
		seen := w.guestNew[cand]
		rec := w.b.guests.Get([]byte(cand))
		given := n > 1 && ids.Get(append([]byte{'c'}, cand...)) != nil
		same := false
		switch {
		case seen == nil && rec == nil && !given:
			f, err := frag()
			if err != nil {
				return "", err
			}
			w.guestNew[cand] = &guestSeen{shows: map[string]bool{show: true}, org: f.Organization, links: f.Links}
			same = true
		case seen != nil && seen.shows[show],
			rec != nil && w.b.pairs.Get(pairKey(pairShowGuest, show, cand)) != nil:
			same = true
		default:
			f, err := frag()
			if err != nil {
				return "", err
			}
			if seen != nil {
				same = sameEvidence(f, seen.org, seen.links)
			}
			if !same && rec != nil {
				g, err := decodeGuest(rec)
				if err != nil {
					return "", fmt.Errorf("decode guest %s: %w", cand, err)
				}
				same = sameEvidence(f, g.Organization, g.Links)
			}
			if same {
				if seen == nil {
					w.guestNew[cand] = &guestSeen{shows: map[string]bool{}}
				}
				w.guestNew[cand].shows[show] = true
			}
		}
		if !same {
			continue
		}
		if n > 1 {
			if err := ids.Put(append([]byte{'m'}, memo...), []byte(cand)); err != nil {
				return "", err
			}
			if err := ids.Put(append([]byte{'c'}, cand...), nil); err != nil {
				return "", err
			}
		}
		w.guestMemo[memo] = cand
		return cand, nil
	}
}

// sameEvidence reports whether a fragment names the person an
// organization and links belong to: the same organization, or a link in
// common.
func sameEvidence(f *guestFrag, org string, links []podcast.Link) bool {
	if o := strings.TrimSpace(f.Organization); o != "" && strings.EqualFold(o, strings.TrimSpace(org)) {
		return true
	}
	for _, a := range f.Links {
		for _, b := range links {
			if sameURL(a.URL, b.URL) {
				return true
			}
		}
	}
	return false
}

// sameURL compares URLs but for letter case, scheme and a trailing "/".
func sameURL(a, b string) bool {
	norm := func(u string) string {
		u = strings.ToLower(strings.TrimSpace(u))
		u = strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
		u = strings.TrimPrefix(u, "www.")
		return strings.TrimSuffix(u, "/")
	}
	return a != "" && norm(a) == norm(b)
}
