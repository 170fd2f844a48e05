package ingest_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"podcastgraph/ingest"
)

// The pages in testdata/others are written in the show's own format (header,
// release date, listing glued by info_outline, the own episode, contact
// sections, boilerplate) but by other hands: ten shows, other hosts, other
// ways of introducing guests, and pages that only talk about people (a
// history show, a markets show, quotations). truth.json lists, for each page,
// the guests of its own episode as written (name, role, organization); any
// guest found elsewhere on the page (listing entries) is a false positive.
// Each page has a split: "tuning" (the pages the extractor was improved on),
// "holdout" (every third page of the first batch, set aside before the
// extractor changed; two generic misses it showed were fixed afterwards)
// and "fresh" (a second batch written after the extractor changed and never
// tuned on), to check that gains generalise.

// othersTruth is one page's expected guests.
type othersTruth struct {
	Split  string        `json:"split"` // "tuning", "holdout" or "fresh"
	Guests []othersGuest `json:"guests"`
}

type othersGuest struct {
	Name         string `json:"name"`
	Role         string `json:"role"`
	Organization string `json:"organization"`
}

// othersScore counts guests found and expected over a set of pages.
type othersScore struct {
	found, expected, correct int // correct: found guests that are expected ones
	role, org, name          int // of the correct ones: role, organization and name exactly as written
}

func (s othersScore) precision() float64 { return ratio(s.correct, s.found) }
func (s othersScore) recall() float64    { return ratio(s.correct, s.expected) }

func (s othersScore) String() string {
	return fmt.Sprintf("precision %.3f (%d/%d), recall %.3f (%d/%d); of those found: role as written %d, organization %d, name %d",
		s.precision(), s.correct, s.found, s.recall(), s.correct, s.expected, s.role, s.org, s.name)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// othersKey is how the test matches a found guest to an expected one: the
// slug of the name without a leading honorific, or for a name with no
// slug, the name in lower case.
func othersKey(name string) string {
	for _, h := range []string{"Dr. ", "Prof. ", "Sir "} {
		name = strings.TrimPrefix(name, h)
	}
	if s := ingest.Slugify(name); s != "" {
		return s
	}
	return strings.ToLower(name)
}

// scoreOthers parses every page of testdata/others and scores the guests
// found against truth.json, by split.
func scoreOthers(t *testing.T) (scores map[string]*othersScore, misses []string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "others", "truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var truth map[string]othersTruth
	if err := json.Unmarshal(raw, &truth); err != nil {
		t.Fatalf("truth.json: %v", err)
	}
	names := make([]string, 0, len(truth))
	for name := range truth {
		names = append(names, name)
	}
	sort.Strings(names)
	if len(names) < 40 {
		t.Fatalf("truth.json lists %d pages, want at least 40", len(names))
	}
	vocab := ingest.DefaultVocabulary()
	scores = map[string]*othersScore{"tuning": {}, "holdout": {}, "fresh": {}}
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join("testdata", "others", name))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := ingest.Parse(name, data, vocab)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := truth[name]
		s := scores[want.Split]
		if s == nil {
			t.Fatalf("%s: split %q, want tuning, holdout or fresh", name, want.Split)
		}
		found := slices.Clone(doc.Guests)
		for _, e := range doc.Listing {
			found = append(found, e.Guests...) // listing entries here name no guests
		}
		s.expected += len(want.Guests)
		s.found += len(found)
		for _, g := range found {
			i := slices.IndexFunc(want.Guests, func(w othersGuest) bool { return othersKey(w.Name) == othersKey(g.Name) })
			if i < 0 {
				misses = append(misses, fmt.Sprintf("%s: wrong guest %q (%q)", name, g.Name, g.Evidence))
				continue
			}
			w := want.Guests[i]
			s.correct++
			if g.Role == w.Role {
				s.role++
			} else {
				misses = append(misses, fmt.Sprintf("%s: %s: role %q, want %q", name, w.Name, g.Role, w.Role))
			}
			if g.Organization == w.Organization {
				s.org++
			} else {
				misses = append(misses, fmt.Sprintf("%s: %s: organization %q, want %q", name, w.Name, g.Organization, w.Organization))
			}
			if g.Name == w.Name {
				s.name++
			} else {
				misses = append(misses, fmt.Sprintf("%s: %s: name written %q", name, w.Name, g.Name))
			}
		}
		for _, w := range want.Guests {
			if !slices.ContainsFunc(found, func(g ingest.GuestFacts) bool { return othersKey(w.Name) == othersKey(g.Name) }) {
				misses = append(misses, fmt.Sprintf("%s: missed %q", name, w.Name))
			}
		}
	}
	return scores, misses
}

// TestOthersPages measures the guest extractor on pages written by others
// and fails when precision or recall falls below what it reached when the
// thresholds were set (see EXTRACTION.md for the figures).
func TestOthersPages(t *testing.T) {
	scores, misses := scoreOthers(t)
	for _, split := range []string{"tuning", "holdout", "fresh"} {
		t.Logf("%s pages: %v", split, scores[split])
	}
	for _, m := range misses {
		t.Log(m)
	}
	// Thresholds set below what the extractor reached when they were set
	// (precision and recall 1.000 on every split; roles as written 29/30,
	// 18/19, 18/20): one wrong guest in a split fails.
	const minPrecision, minRecall, minRole = 0.97, 0.90, 0.85
	for split, s := range scores {
		if r := ratio(s.role, s.correct); r < minRole {
			t.Errorf("%s pages: roles as written %.3f, below %.2f", split, r, minRole)
		}
		if p := s.precision(); p < minPrecision {
			t.Errorf("%s pages: precision %.3f, below %.2f", split, p, minPrecision)
		}
		if r := s.recall(); r < minRecall {
			t.Errorf("%s pages: recall %.3f, below %.2f", split, r, minRecall)
		}
	}
}
