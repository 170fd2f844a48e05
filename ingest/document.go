// Package ingest turns the text of a podcast episode page, or one item of
// a podcast's RSS or Atom feed, into a Document: the facts it states about
// a show, its episodes, guests and topics.
// It is pure: no I/O beyond the bytes it is given, no store, no globals.
package ingest

import (
	"time"

	"podcastgraph/internal/podcast"
)

// Document is what one page says, kept apart from the store's merged view so
// that a changed page can replace exactly what it contributed.
type Document struct {
	Name     string         `json:"name"`   // file name the page came from
	SHA256   string         `json:"sha256"` // hex digest of the raw bytes
	Show     ShowFacts      `json:"show"`
	Episode  EpisodeFacts   `json:"episode"` // the page's own episode
	Listing  []EpisodeFacts `json:"listing"` // other episodes the page lists
	Guests   []GuestFacts   `json:"guests"`  // guests of the page's own episode
	Warnings []string       `json:"warnings"`
	// Kind is where the facts came from: KindPage (an episode page, the
	// zero value) or KindFeedItem (one item of an RSS or Atom feed, whose
	// Episode is the item and whose Show is the feed's channel).
	Kind string `json:"kind,omitempty"`
}

// Kinds of Document.
const (
	KindPage     = ""
	KindFeedItem = "feed-item"
)

// ShowFacts is what a page says about its show.
type ShowFacts struct {
	Slug  string         `json:"slug"`  // "devops-paradox"
	Title string         `json:"title"` // "DevOps Paradox"
	Code  string         `json:"code"`  // "DOP"
	Hosts []string       `json:"hosts"` // first names, as the page names them
	Links []podcast.Link `json:"links"` // the show's boilerplate links

	// What feeds say (empty for pages). A show's identity is GUID, else
	// FeedURL, else Code (see store).
	GUID        string   `json:"guid,omitempty"`        // podcast:guid
	FeedURL     string   `json:"feedUrl,omitempty"`     // the feed's own URL (atom:link rel=self, else where it was fetched)
	Author      string   `json:"author,omitempty"`      // itunes:author, as written
	Description string   `json:"description,omitempty"` // clean text
	Image       string   `json:"image,omitempty"`       // URL
	Language    string   `json:"language,omitempty"`    // "en-us"
	Categories  []string `json:"categories,omitempty"`  // iTunes categories and <category>, as written ("Technology", "Technology > Tech News")
	Locked      bool     `json:"locked,omitempty"`      // podcast:locked yes: the owner asks that the feed not be imported elsewhere
}

// EpisodeFacts is what a page says about one episode. Own is true for the
// page's own episode; listing entries carry only a truncated summary.
type EpisodeFacts struct {
	Number      int           `json:"number"`
	Own         bool          `json:"own"`
	Title       string        `json:"title,omitempty"`
	ReleaseDate *podcast.Date `json:"releaseDate,omitempty"`
	// Description is the full, cleaned description (own episode only),
	// paragraphs separated by "\n\n".
	Description string `json:"description,omitempty"`
	// Summary is the listing text (boilerplate stripped, trailing "..."
	// removed) or, for the own episode, the description's opening.
	Summary   string   `json:"summary"`
	Truncated bool     `json:"truncated"`
	Topics    []string `json:"topics"` // topic slugs the text mentions, sorted
	// Guests are people the text names as guests (listing entries only;
	// the own episode's guests are Document.Guests).
	Guests []GuestFacts   `json:"guests,omitempty"`
	Links  []podcast.Link `json:"links,omitempty"`
	// Discovered are the names the description uses that the vocabulary
	// does not list (own episodes only; see discover.go): candidates for
	// the show's discovered topics.
	Discovered []Mention `json:"discovered,omitempty"`

	// What feed items say (zero for pages). Number is 0 when an item
	// gives none (neither itunes:episode nor podcast:episode): the store
	// then numbers it, in publication order as first seen.
	GUID        string       `json:"guid,omitempty"`        // the item's guid (else its enclosure URL, else its link)
	PublishedAt *time.Time   `json:"publishedAt,omitempty"` // pubDate (or Atom published/updated), UTC
	Season      int          `json:"season,omitempty"`      // itunes:season or podcast:season; 0 when none
	EpisodeType string       `json:"episodeType,omitempty"` // itunes:episodeType: "full", "trailer" or "bonus"
	Duration    int          `json:"duration,omitempty"`    // itunes:duration in seconds; 0 when unknown
	Explicit    *bool        `json:"explicit,omitempty"`    // itunes:explicit when given
	Image       string       `json:"image,omitempty"`       // itunes:image URL
	Audio       *Enclosure   `json:"audio,omitempty"`       // the enclosure
	Transcripts []Transcript `json:"transcripts,omitempty"` // podcast:transcript
	Chapters    string       `json:"chapters,omitempty"`    // podcast:chapters URL
	Categories  []string     `json:"categories,omitempty"`  // the item's <category> elements, as written
}

// Enclosure is an item's media file.
type Enclosure struct {
	URL    string `json:"url"`
	Type   string `json:"type,omitempty"`   // MIME type, "audio/mpeg"
	Length int64  `json:"length,omitempty"` // bytes; 0 when unknown
}

// Transcript is a podcast:transcript of an item.
type Transcript struct {
	URL      string `json:"url"`
	Type     string `json:"type"`               // MIME type, "text/vtt"
	Language string `json:"language,omitempty"` // "en"
	Rel      string `json:"rel,omitempty"`      // "captions"
}

// GuestFacts is a person a page names as a guest, with the sentence that
// names them.
type GuestFacts struct {
	Slug         string         `json:"slug"` // "avery-pennarun"
	Name         string         `json:"name"`
	Role         string         `json:"role,omitempty"`         // "CEO"
	Organization string         `json:"organization,omitempty"` // "Tailscale"
	Bio          string         `json:"bio,omitempty"`          // "creator of the Pear Runtime"
	Links        []podcast.Link `json:"links,omitempty"`
	Evidence     string         `json:"evidence"`
	// Via says what named the person as a guest: "" for a page's text
	// (ViaText), or for feeds ViaTag (podcast:person), ViaTitle (the
	// item's title), ViaAuthor (an itunes:author list) or ViaText (the
	// cleaned description).
	Via   string `json:"via,omitempty"`
	Image string `json:"image,omitempty"` // podcast:person img URL
}

// Values of GuestFacts.Via.
const (
	ViaText   = ""
	ViaTag    = "tag"
	ViaTitle  = "title"
	ViaAuthor = "author"
)
