package podcast

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Global IDs are opaque to clients: base64url of "Type:key". They name the
// show in every episode ID so that many shows can share a store.

// ID returns the show's global ID.
func (s *Show) ID() string { return encodeID("Show", s.Slug) }

// ID returns the episode's global ID.
func (e *Episode) ID() string { return encodeID("Episode", e.Show, strconv.Itoa(e.Number)) }

// ID returns the guest's global ID.
func (g *Guest) ID() string { return encodeID("Guest", g.Slug) }

// ID returns the topic's global ID.
func (t *Topic) ID() string { return encodeID("Topic", t.Slug) }

func encodeID(parts ...string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, ":")))
}

// ParseID splits a global ID into its type and key parts; ok is false for
// anything ID methods cannot have produced.
func ParseID(id string) (typ string, key []string, ok bool) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(id)
	if err != nil {
		return "", nil, false
	}
	parts := strings.Split(string(b), ":")
	want := map[string]int{"Show": 2, "Guest": 2, "Topic": 2, "Episode": 3}[parts[0]]
	if want == 0 || len(parts) != want {
		return "", nil, false
	}
	for _, p := range parts[1:] {
		if p == "" {
			return "", nil, false
		}
	}
	return parts[0], parts[1:], true
}

// CodeOrNil returns the show's code, or nil when it has none.
func (s *Show) CodeOrNil() *string { return orNil(&s.Code) }

// RoleOrNil returns the guest's role, or nil when unknown.
func (g *Guest) RoleOrNil() *string { return orNil(&g.Role) }

// OrganizationOrNil returns the guest's organisation, or nil when unknown.
func (g *Guest) OrganizationOrNil() *string { return orNil(&g.Organization) }

// BioOrNil returns the guest's bio, or nil when unknown.
func (g *Guest) BioOrNil() *string { return orNil(&g.Bio) }

// LabelOrNil returns the link's label, or nil when the page gave none.
func (l *Link) LabelOrNil() *string { return orNil(&l.Label) }

// orNil returns s, nil when it is empty. The ...OrNil methods point into
// their record, which is shared and never changed once read (the
// store's record cache): nothing writes through what they return.
func orNil(s *string) *string {
	if *s == "" {
		return nil
	}
	return s
}

// Node is anything with a global ID: shows, episodes, guests and topics.
type Node interface{ ID() string }

// IsEntity marks a show as an entity of the federation subgraph
// (graph/subgraph's _Entity union, gqlgen's fedruntime.Entity).
func (*Show) IsEntity() {}

// IsEntity marks an episode as an entity of the federation subgraph.
func (*Episode) IsEntity() {}

// IsEntity marks a guest as an entity of the federation subgraph.
func (*Guest) IsEntity() {}

// IsEntity marks a topic as an entity of the federation subgraph.
func (*Topic) IsEntity() {}
