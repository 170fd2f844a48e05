// Package ingest turns the text of a podcast episode page into a Document:
// the facts the page states about a show, its episodes, guests and topics.
// It is pure: no I/O beyond the bytes it is given, no store, no globals.
package ingest

import "podcastgraph/internal/podcast"

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
}

// ShowFacts is what a page says about its show.
type ShowFacts struct {
	Slug  string         `json:"slug"`  // "devops-paradox"
	Title string         `json:"title"` // "DevOps Paradox"
	Code  string         `json:"code"`  // "DOP"
	Hosts []string       `json:"hosts"` // first names, as the page names them
	Links []podcast.Link `json:"links"` // the show's boilerplate links
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
}
