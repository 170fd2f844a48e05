// Package podcast holds the domain types of the podcast graph: shows, their
// episodes, the guests who appear on them and the topics they talk about.
// The store, the ingester and the GraphQL layer all speak these types; this
// package imports nothing of the project.
package podcast

import "time"

// LinkKind says what a link points at.
type LinkKind string

// The kinds of link the extractor recognises; anything else is LinkOther.
const (
	LinkLinkedIn      LinkKind = "LINKEDIN"
	LinkTwitter       LinkKind = "TWITTER"
	LinkGitHub        LinkKind = "GITHUB"
	LinkYouTube       LinkKind = "YOUTUBE"
	LinkApplePodcasts LinkKind = "APPLE_PODCASTS"
	LinkSlack         LinkKind = "SLACK"
	LinkWebsite       LinkKind = "WEBSITE"
	LinkOther         LinkKind = "OTHER"
)

// Link is a URL with what it is and, when the page said so, its label.
type Link struct {
	Kind  LinkKind `json:"kind"`
	URL   string   `json:"url"`
	Label string   `json:"label,omitempty"`
}

// Host is a person who presents a show.
type Host struct {
	Name string `json:"name"`
}

// Show is a podcast: the merged view of every page that named it.
type Show struct {
	Slug     string `json:"slug"`
	Title    string `json:"title"`
	Code     string `json:"code,omitempty"`
	Hosts    []Host `json:"hosts"`
	Links    []Link `json:"links"`
	ShowFeed        // what the show's feed says; empty for a show of pages alone
}

// EpisodeKey identifies an episode: shows are first-class in every key.
type EpisodeKey struct {
	Show   string `json:"show"`
	Number int    `json:"number"`
}

// Episode is one episode of a show, merged from every page it was seen on.
// Title, ReleaseDate and Description are nil while only a listing summary
// has been seen.
type Episode struct {
	Show             string       `json:"show"`
	Number           int          `json:"number"`
	Code             string       `json:"code"`
	Title            *string      `json:"title,omitempty"`
	ReleaseDate      *Date        `json:"releaseDate,omitempty"`
	Summary          string       `json:"summary"`
	SummaryTruncated bool         `json:"summaryTruncated"`
	Description      *string      `json:"description,omitempty"`
	Hosts            []Host       `json:"hosts"`
	Links            []Link       `json:"links"`
	Appearances      []Appearance `json:"appearances"`
	Topics           []string     `json:"topics"` // topic slugs, sorted
	EpisodeFeed                   // what the episode's feed item says; empty for an episode of pages alone
	// Partial marks an episode read without its texts (Summary,
	// Description and Links are then empty): the store's head of the
	// episode, which most questions need and which costs a fraction of the
	// whole record to keep in memory. Never stored.
	Partial bool `json:"-"`
}

// Key returns the episode's key.
func (e *Episode) Key() EpisodeKey { return EpisodeKey{Show: e.Show, Number: e.Number} }

// Appearance is a guest on an episode, with the sentence that names them.
type Appearance struct {
	Guest    string `json:"guest"` // guest slug
	Evidence string `json:"evidence"`
	Via      string `json:"via,omitempty"` // what named the guest: ViaText (""), ViaTag, ViaTitle or ViaAuthor
}

// Guest is a person who appeared on one or more episodes.
type Guest struct {
	Slug         string `json:"slug"`
	Name         string `json:"name"`
	Role         string `json:"role,omitempty"`
	Organization string `json:"organization,omitempty"`
	Bio          string `json:"bio,omitempty"`
	Links        []Link `json:"links"`
	Image        string `json:"image,omitempty"` // picture URL (podcast:person img)
}

// Topic is an entry of the curated topic vocabulary, or a topic the
// store discovered in a show's episodes (Discovered: see store).
type Topic struct {
	Slug       string   `json:"slug"`
	Name       string   `json:"name"`
	Aliases    []string `json:"aliases,omitempty"`
	Discovered bool     `json:"discovered,omitempty"`
}

// Source is a page an episode was seen on.
type Source struct {
	Name       string    `json:"name"`
	SHA256     string    `json:"sha256"`
	IngestedAt time.Time `json:"ingestedAt"`
	Warnings   []string  `json:"warnings"`
}
