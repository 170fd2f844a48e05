package store

import (
	"cmp"
	"fmt"
	"slices"

	"podcastgraph/internal/podcast"
)

// Merging turns the fragments of an entity into its record. Fragments come
// best first (own page before listings, then by content hash), so the result
// depends only on the set of fragments, never on ingest order.

func mergeShow(slug string, frags [][]byte) (*podcast.Show, error) {
	show := &podcast.Show{Slug: slug, Hosts: []podcast.Host{}, Links: []podcast.Link{}}
	var hosts []string
	for _, js := range frags {
		var f showFrag
		if err := decodeShowFrag(js, &f); err != nil {
			return nil, fmt.Errorf("decode show fragment: %w", err)
		}
		if show.Title == "" {
			show.Title = f.Title
		}
		if show.Code == "" {
			show.Code = f.Code
		}
		hosts = appendNew(hosts, f.Hosts...)
		show.Links = mergeLinks(show.Links, f.Links)
		sf := &show.ShowFeed
		sf.GUID = cmp.Or(sf.GUID, f.GUID)
		sf.FeedURL = cmp.Or(sf.FeedURL, f.FeedURL)
		sf.Author = cmp.Or(sf.Author, f.Author)
		sf.Description = cmp.Or(sf.Description, f.Description)
		sf.Image = cmp.Or(sf.Image, f.Image)
		sf.Language = cmp.Or(sf.Language, f.Language)
		sf.Categories = appendNew(sf.Categories, f.Categories...)
		sf.Locked = sf.Locked || f.Locked
	}
	for _, h := range hosts {
		show.Hosts = append(show.Hosts, podcast.Host{Name: h})
	}
	return show, nil
}

func mergeGuest(slug string, own, listing [][]byte) (*podcast.Guest, error) {
	var frags []guestFrag
	for _, js := range append(own, listing...) {
		var f guestFrag
		if err := decodeGuestFrag(js, &f); err != nil {
			return nil, fmt.Errorf("decode guest fragment: %w", err)
		}
		frags = append(frags, f)
	}
	// Within a priority, the fragment that says the most wins each field.
	filled := func(f guestFrag) int {
		n := 0
		for _, s := range []string{f.Role, f.Organization, f.Bio} {
			if s != "" {
				n++
			}
		}
		return n
	}
	nOwn := len(own)
	slices.SortStableFunc(frags[:nOwn], func(a, b guestFrag) int { return filled(b) - filled(a) })
	slices.SortStableFunc(frags[nOwn:], func(a, b guestFrag) int { return filled(b) - filled(a) })
	g := &podcast.Guest{Slug: slug, Links: []podcast.Link{}}
	for _, f := range frags {
		g.Name = cmp.Or(g.Name, f.Name)
		g.Role = cmp.Or(g.Role, f.Role)
		g.Organization = cmp.Or(g.Organization, f.Organization)
		g.Bio = cmp.Or(g.Bio, f.Bio)
		g.Links = mergeLinks(g.Links, f.Links)
		g.Image = cmp.Or(g.Image, f.Image)
	}
	return g, nil
}

// mergeEpisode builds an episode from its fragments and sources. The own
// page's title, date and description win over listing text.
func mergeEpisode(k podcast.EpisodeKey, own, listing [][]byte) (*podcast.Episode, error) {
	e := &podcast.Episode{
		Show: k.Show, Number: k.Number,
		Hosts: []podcast.Host{}, Links: []podcast.Link{}, Appearances: []podcast.Appearance{},
		Topics: []string{},
	}
	var hosts, topics []string
	apps := map[string]int{} // guest slug -> index in e.Appearances
	var code string
	for i, js := range append(own, listing...) {
		var f episodeFrag
		if err := decodeEpisodeFrag(js, &f); err != nil {
			return nil, fmt.Errorf("decode episode fragment: %w", err)
		}
		isOwn := i < len(own)
		code = cmp.Or(code, f.Code)
		switch {
		case isOwn && e.Title == nil:
			e.Title = ptrIf(f.Title)
			e.Description = ptrIf(f.Description)
			e.ReleaseDate = f.ReleaseDate
			e.Summary = f.Summary
			e.SummaryTruncated = f.Truncated
		case !isOwn && len(own) == 0 && len(f.Summary) > len(e.Summary):
			// Listings only: the longest cut-off summary says the most.
			e.Summary = f.Summary
			e.SummaryTruncated = f.Truncated
		}
		if e.ReleaseDate == nil && f.ReleaseDate != nil {
			e.ReleaseDate = f.ReleaseDate
		}
		topics = appendNew(topics, f.Topics...)
		hosts = appendNew(hosts, f.Hosts...)
		e.Links = mergeLinks(e.Links, f.Links)
		fillEpisodeFeed(&e.EpisodeFeed, &f.EpisodeFeed)
		for _, a := range f.Appearances {
			if _, ok := apps[a.Guest]; !ok {
				apps[a.Guest] = len(e.Appearances)
				e.Appearances = append(e.Appearances, a)
			}
		}
	}
	e.Code = fmt.Sprintf("%s %d", code, k.Number)
	if code == "" {
		e.Code = fmt.Sprintf("#%d", k.Number)
	}
	slices.Sort(topics)
	e.Topics = append(e.Topics, topics...)
	for _, h := range hosts {
		e.Hosts = append(e.Hosts, podcast.Host{Name: h})
	}
	return e, nil
}

func ptrIf(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// appendNew appends the values of add not yet in list, keeping order.
func appendNew(list []string, add ...string) []string {
	for _, s := range add {
		if !slices.Contains(list, s) {
			list = append(list, s)
		}
	}
	return list
}

// mergeLinks adds links whose URL is not yet present; a later label fills a
// missing one.
func mergeLinks(list, add []podcast.Link) []podcast.Link {
	for _, l := range add {
		i := slices.IndexFunc(list, func(o podcast.Link) bool { return o.URL == l.URL })
		if i < 0 {
			list = append(list, l)
		} else if list[i].Label == "" {
			list[i].Label = l.Label
		}
	}
	return list
}

// fillEpisodeFeed fills what dst lacks from src: the best fragment's
// value of each field wins; categories add up.
func fillEpisodeFeed(dst, src *podcast.EpisodeFeed) {
	dst.GUID = cmp.Or(dst.GUID, src.GUID)
	dst.FeedNumber = cmp.Or(dst.FeedNumber, src.FeedNumber)
	if dst.PublishedAt == nil {
		dst.PublishedAt = src.PublishedAt
	}
	dst.Season = cmp.Or(dst.Season, src.Season)
	dst.EpisodeType = cmp.Or(dst.EpisodeType, src.EpisodeType)
	dst.Duration = cmp.Or(dst.Duration, src.Duration)
	if dst.Explicit == nil {
		dst.Explicit = src.Explicit
	}
	dst.Image = cmp.Or(dst.Image, src.Image)
	if dst.Audio == nil {
		dst.Audio = src.Audio
	}
	if dst.Transcripts == nil {
		dst.Transcripts = src.Transcripts
	}
	dst.Chapters = cmp.Or(dst.Chapters, src.Chapters)
	dst.Categories = appendNew(dst.Categories, src.Categories...)
}
