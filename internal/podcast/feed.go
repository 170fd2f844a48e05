package podcast

import (
	"slices"
	"strings"
	"time"
)

// ShowFeed is what a show's feed says of it beyond what pages say; every
// field is empty for a show seen only on pages.
type ShowFeed struct {
	GUID        string   `json:"guid,omitempty"`        // podcast:guid
	FeedURL     string   `json:"feedUrl,omitempty"`     // the feed's URL
	Author      string   `json:"author,omitempty"`      // itunes:author, as written
	Description string   `json:"description,omitempty"` // clean text
	Image       string   `json:"image,omitempty"`       // artwork URL
	Language    string   `json:"language,omitempty"`    // "en-us"
	Categories  []string `json:"categories,omitempty"`  // as written, "Technology > Tech News"
	// Locked is podcast:locked yes: the owner asks that the feed not be
	// imported into other platforms.
	Locked bool `json:"locked,omitempty"`
}

// IsZero reports whether no feed said anything of the show.
func (f *ShowFeed) IsZero() bool {
	return f.GUID == "" && f.FeedURL == "" && f.Author == "" && f.Description == "" && f.Image == "" &&
		f.Language == "" && len(f.Categories) == 0 && !f.Locked
}

// EpisodeFeed is what a feed item says of its episode beyond what pages
// say; every field is empty for an episode seen only on pages.
type EpisodeFeed struct {
	GUID        string       `json:"guid,omitempty"`        // the item's guid
	FeedNumber  int          `json:"feedNumber,omitempty"`  // the number the item states (0: none)
	PublishedAt *time.Time   `json:"publishedAt,omitempty"` // pubDate, UTC
	Season      int          `json:"season,omitempty"`      // 0: none
	EpisodeType string       `json:"episodeType,omitempty"` // "full", "trailer", "bonus"
	Duration    int          `json:"duration,omitempty"`    // seconds; 0: unknown
	Explicit    *bool        `json:"explicit,omitempty"`
	Image       string       `json:"image,omitempty"`
	Audio       *Enclosure   `json:"audio,omitempty"`
	Transcripts []Transcript `json:"transcripts,omitempty"`
	Chapters    string       `json:"chapters,omitempty"` // podcast:chapters URL
	Categories  []string     `json:"categories,omitempty"`
}

// IsZero reports whether no feed said anything of the episode.
func (f *EpisodeFeed) IsZero() bool {
	return f.GUID == "" && f.FeedNumber == 0 && f.PublishedAt == nil && f.Season == 0 && f.EpisodeType == "" &&
		f.Duration == 0 && f.Explicit == nil && f.Image == "" && f.Audio == nil && len(f.Transcripts) == 0 &&
		f.Chapters == "" && len(f.Categories) == 0
}

// Clone returns a copy of f that shares no memory with it: strings
// included, so that a copy kept long does not keep what f's strings were
// cut from.
func (f *EpisodeFeed) Clone() EpisodeFeed {
	c := *f
	for _, s := range []*string{&c.GUID, &c.EpisodeType, &c.Image, &c.Chapters} {
		*s = strings.Clone(*s)
	}
	if f.PublishedAt != nil {
		t := *f.PublishedAt
		c.PublishedAt = &t
	}
	if f.Explicit != nil {
		b := *f.Explicit
		c.Explicit = &b
	}
	if f.Audio != nil {
		a := Enclosure{URL: strings.Clone(f.Audio.URL), Type: strings.Clone(f.Audio.Type), Length: f.Audio.Length}
		c.Audio = &a
	}
	c.Transcripts = slices.Clone(f.Transcripts)
	for i := range c.Transcripts {
		t := &c.Transcripts[i]
		t.URL, t.Type, t.Language, t.Rel = strings.Clone(t.URL), strings.Clone(t.Type), strings.Clone(t.Language), strings.Clone(t.Rel)
	}
	c.Categories = slices.Clone(f.Categories)
	for i := range c.Categories {
		c.Categories[i] = strings.Clone(c.Categories[i])
	}
	return c
}

// Size is about how many bytes f holds beyond its own struct.
func (f *EpisodeFeed) Size() int {
	n := len(f.GUID) + len(f.EpisodeType) + len(f.Image) + len(f.Chapters)
	if f.PublishedAt != nil {
		n += 24
	}
	if f.Audio != nil {
		n += 48 + len(f.Audio.URL) + len(f.Audio.Type)
	}
	for _, t := range f.Transcripts {
		n += 64 + len(t.URL) + len(t.Type) + len(t.Language) + len(t.Rel)
	}
	for _, c := range f.Categories {
		n += 16 + len(c)
	}
	return n
}

// Enclosure is an episode's media file.
type Enclosure struct {
	URL    string `json:"url"`
	Type   string `json:"type,omitempty"`   // MIME type
	Length int64  `json:"length,omitempty"` // bytes; 0 when unknown
}

// TypeOrNil returns the MIME type, or nil when the feed gave none.
func (e *Enclosure) TypeOrNil() *string { return orNil(&e.Type) }

// LengthOrNil returns the length in bytes, or nil when unknown (or more
// than a GraphQL Int holds).
func (e *Enclosure) LengthOrNil() *int {
	if e.Length <= 0 || e.Length > 1<<31-1 {
		return nil
	}
	return intOrNil(int(e.Length))
}

// Transcript is a transcript of an episode.
type Transcript struct {
	URL      string `json:"url"`
	Type     string `json:"type"`               // MIME type, "text/vtt"
	Language string `json:"language,omitempty"` // "en"
	Rel      string `json:"rel,omitempty"`      // "captions"
}

// LanguageOrNil returns the transcript's language, or nil when not given.
func (t *Transcript) LanguageOrNil() *string { return orNil(&t.Language) }

// RelOrNil returns the transcript's rel, or nil when not given.
func (t *Transcript) RelOrNil() *string { return orNil(&t.Rel) }

// Ways a guest was named (Appearance.Via), as feeds and pages name them.
const (
	ViaText   = ""       // the text of a page or of an item's description
	ViaTag    = "tag"    // a podcast:person tag
	ViaTitle  = "title"  // the item's title
	ViaAuthor = "author" // an itunes:author list
)

// GUIDOrNil returns the show's podcast:guid, or nil when unknown.
func (f *ShowFeed) GUIDOrNil() *string { return orNil(&f.GUID) }

// FeedURLOrNil returns the show's feed URL, or nil when unknown.
func (f *ShowFeed) FeedURLOrNil() *string { return orNil(&f.FeedURL) }

// AuthorOrNil returns the show's author, or nil when unknown.
func (f *ShowFeed) AuthorOrNil() *string { return orNil(&f.Author) }

// DescriptionOrNil returns the show's description, or nil when unknown.
func (f *ShowFeed) DescriptionOrNil() *string { return orNil(&f.Description) }

// ImageOrNil returns the show's artwork URL, or nil when unknown.
func (f *ShowFeed) ImageOrNil() *string { return orNil(&f.Image) }

// LanguageOrNil returns the show's language, or nil when unknown.
func (f *ShowFeed) LanguageOrNil() *string { return orNil(&f.Language) }

// GUIDOrNil returns the item's guid, or nil for an episode of pages.
func (f *EpisodeFeed) GUIDOrNil() *string { return orNil(&f.GUID) }

// FeedNumberOrNil returns the number the item states, or nil.
func (f *EpisodeFeed) FeedNumberOrNil() *int { return intOrNil(f.FeedNumber) }

// SeasonOrNil returns the season, or nil when not given.
func (f *EpisodeFeed) SeasonOrNil() *int { return intOrNil(f.Season) }

// DurationOrNil returns the duration in seconds, or nil when unknown.
func (f *EpisodeFeed) DurationOrNil() *int { return intOrNil(f.Duration) }

// EpisodeTypeOrNil returns the item's episode type, or nil.
func (f *EpisodeFeed) EpisodeTypeOrNil() *string { return orNil(&f.EpisodeType) }

// ImageOrNil returns the item's artwork URL, or nil.
func (f *EpisodeFeed) ImageOrNil() *string { return orNil(&f.Image) }

// ChaptersOrNil returns the chapters URL, or nil.
func (f *EpisodeFeed) ChaptersOrNil() *string { return orNil(&f.Chapters) }

// ImageOrNil returns the guest's picture URL, or nil when unknown.
func (g *Guest) ImageOrNil() *string { return orNil(&g.Image) }

// intOrNil returns nil for 0 (not given) and for what a GraphQL Int
// cannot hold.
func intOrNil(n int) *int {
	if n <= 0 || n > 1<<31-1 {
		return nil
	}
	return &n
}

// ComparePublished orders publication times, unknown last: the order in
// which a feed's unnumbered items are numbered.
func ComparePublished(a, b *time.Time) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return a.Compare(*b)
}
