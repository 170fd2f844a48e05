package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// The acceptance facts of the seeds, asked of the running server.
func TestSeedsThroughAPI(t *testing.T) {
	s := startServer(t)
	var d struct {
		Show struct {
			Slug, Title, Code string
			Hosts             []struct{ Name string }
			Links             []struct{ Kind, URL string }
			EpisodeCount      int
		}
		Episodes struct {
			TotalCount int
			Nodes      []struct {
				Number           int
				Code             string
				Title            *string
				ReleaseDate      *string
				Summary          string
				SummaryTruncated bool
				Description      *string
				Guests           []struct{ Slug string }
				Topics           []struct{ Slug string }
				Sources          []struct{ Name, Sha256 string }
			}
		}
		Guests struct {
			TotalCount int
			Nodes      []struct {
				Slug, Name         string
				Role, Organization *string
				Bio                *string
				Links              []struct{ Kind, URL string }
				Episodes           struct{ Nodes []struct{ Number int } }
			}
		}
	}
	s.query(t, `{
	  show { slug title code hosts { name } links { kind url } episodeCount }
	  episodes(first: 100) { totalCount nodes { number code title releaseDate summary summaryTruncated description
	    guests { slug } topics { slug } sources { name sha256 } } }
	  guests(first: 100) { totalCount nodes { slug name role organization bio links { kind url } episodes { nodes { number } } } }
	}`, nil).must(t, &d)

	sh := d.Show
	if sh.Slug != "devops-paradox" || sh.Title != "DevOps Paradox" || sh.Code != "DOP" || sh.EpisodeCount != 12 {
		t.Errorf("show = %+v", sh)
	}
	var hosts []string
	for _, h := range sh.Hosts {
		hosts = append(hosts, h.Name)
	}
	if slices.Sort(hosts); !slices.Equal(hosts, []string{"Darin", "Viktor"}) {
		t.Errorf("hosts = %v", hosts)
	}
	wantLinks := map[string]string{"YOUTUBE": "https://youtube.com/devopsparadox",
		"APPLE_PODCASTS": "https://www.devopsparadox.com/review-podcast/", "SLACK": "https://www.devopsparadox.com/slack/"}
	for _, l := range sh.Links {
		if wantLinks[l.Kind] == l.URL {
			delete(wantLinks, l.Kind)
		}
	}
	if len(wantLinks) > 0 {
		t.Errorf("show links %v miss %v", sh.Links, wantLinks)
	}

	if d.Episodes.TotalCount != 12 || len(d.Episodes.Nodes) != 12 {
		t.Fatalf("episodes: total %d, got %d", d.Episodes.TotalCount, len(d.Episodes.Nodes))
	}
	var numbers []int
	aiCount := 0
	for _, e := range d.Episodes.Nodes {
		numbers = append(numbers, e.Number)
		topics := []string{}
		for _, tp := range e.Topics {
			topics = append(topics, tp.Slug)
		}
		if slices.Contains(topics, "ai") {
			aiCount++
		}
		own := e.Number == 316 || e.Number == 322
		if own {
			if e.Title == nil || e.Description == nil || e.ReleaseDate == nil || e.SummaryTruncated {
				t.Errorf("%d: own page episode incomplete: %+v", e.Number, e)
				continue
			}
			for _, bad := range []string{"info_outline", "contact information", "LinkedIn", "YouTube channel", "Slack:"} {
				if strings.Contains(*e.Description, bad) {
					t.Errorf("%d: description contains %q", e.Number, bad)
				}
			}
		} else if e.Title != nil || e.Description != nil || !e.SummaryTruncated {
			t.Errorf("%d: listing-only episode has title/description or is not truncated", e.Number)
		}
		if strings.Contains(e.Summary, "info_outline") || strings.Contains(e.Summary, "YouTube channel") || strings.HasSuffix(e.Summary, "...") {
			t.Errorf("%d: summary not clean: %q", e.Number, e.Summary)
		}
		if e.Code != fmt.Sprintf("DOP %d", e.Number) {
			t.Errorf("%d: code %q", e.Number, e.Code)
		}
		switch e.Number {
		case 316:
			if *e.ReleaseDate != "2025-09-17" || !slices.Contains(topics, "vpn") {
				t.Errorf("316: date %s topics %v", *e.ReleaseDate, topics)
			}
			if len(e.Sources) != 1 || len(e.Sources[0].Sha256) != 64 {
				t.Errorf("316 sources = %+v", e.Sources)
			}
		case 322:
			if *e.ReleaseDate != "2025-10-29" || !slices.Contains(topics, "peer-to-peer") {
				t.Errorf("322: date %s topics %v", *e.ReleaseDate, topics)
			}
			if paras := strings.Count(*e.Description, "\n\n") + 1; paras != 3 {
				t.Errorf("322: %d paragraphs, want 3", paras)
			}
		case 339:
			if !slices.Contains(topics, "dns") {
				t.Errorf("339 topics %v", topics)
			}
		case 335:
			if !slices.Contains(topics, "observability") || !slices.Contains(topics, "ebpf") {
				t.Errorf("335 topics %v", topics)
			}
		case 330:
			if e.Summary != "In this short episode, Darin and Viktor reflect on the holiday season." {
				t.Errorf("330 summary %q", e.Summary)
			}
		}
		if !own && len(e.Sources) != 2 {
			t.Errorf("%d: seen on %d pages, want 2", e.Number, len(e.Sources))
		}
	}
	if want := []int{339, 338, 337, 336, 335, 334, 333, 332, 331, 330, 322, 316}; !slices.Equal(numbers, want) {
		t.Errorf("numbers %v, want %v", numbers, want)
	}
	if aiCount < 4 {
		t.Errorf("ai on %d episodes, want at least 4", aiCount)
	}

	type guestWant struct {
		role, org, linkedin string
		episode             int
	}
	want := map[string]guestWant{
		"avery-pennarun":      {"CEO", "Tailscale", "https://www.linkedin.com/in/apenwarr/", 316},
		"mathias-buus-madsen": {"co-founder", "Holepunch", "https://www.linkedin.com/in/mathiasbuus/", 322},
		"anthony-eden":        {"", "DNSimple", "", 339},
		"peter-zaitsev":       {"co-founder", "Coroot", "", 335},
		"pete-hunt":           {"CEO", "Dagster", "", 333},
	}
	if d.Guests.TotalCount != 5 || len(d.Guests.Nodes) != 5 {
		t.Errorf("guests: total %d, nodes %d, want 5", d.Guests.TotalCount, len(d.Guests.Nodes))
	}
	for _, g := range d.Guests.Nodes {
		w, ok := want[g.Slug]
		if !ok {
			t.Errorf("unexpected guest %s (%s)", g.Slug, g.Name)
			continue
		}
		if w.role != "" && (g.Role == nil || *g.Role != w.role) {
			t.Errorf("%s role = %v, want %s", g.Slug, g.Role, w.role)
		}
		if g.Organization == nil || *g.Organization != w.org {
			t.Errorf("%s organization = %v, want %s", g.Slug, g.Organization, w.org)
		}
		if w.linkedin != "" && (len(g.Links) != 1 || g.Links[0].Kind != "LINKEDIN" || g.Links[0].URL != w.linkedin) {
			t.Errorf("%s links = %+v", g.Slug, g.Links)
		}
		if len(g.Episodes.Nodes) != 1 || g.Episodes.Nodes[0].Number != w.episode {
			t.Errorf("%s episodes = %+v, want %d", g.Slug, g.Episodes.Nodes, w.episode)
		}
		if g.Slug == "mathias-buus-madsen" && (g.Bio == nil || !strings.Contains(*g.Bio, "Pear Runtime")) {
			t.Errorf("mathias bio = %v", g.Bio)
		}
	}
}
