package ingest_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"podcastgraph/ingest"
)

// guest is the part of a GuestFacts the phrasing tests compare.
type guest struct{ Name, Role, Org, Bio string }

func (g guest) String() string { return fmt.Sprintf("%s|%s|%s|%s", g.Name, g.Role, g.Org, g.Bio) }

func guestsOf(gs []ingest.GuestFacts) []guest {
	out := []guest{}
	for _, g := range gs {
		out = append(out, guest{g.Name, g.Role, g.Organization, g.Bio})
	}
	return out
}

// ownPage wraps an own-episode description in a minimal page of the
// DevOps Paradox layout.
func ownPage(desc string) []byte {
	return []byte("DOP 1: A title\nRelease Date: 01/02/2025\nDevOps Paradox\ninfo_outline#1: " + desc + "\n")
}

func TestGuests(t *testing.T) {
	vocab := ingest.DefaultVocabulary()
	tests := []struct {
		name string
		desc string
		want []guest
	}{
		{"speak with NAME, ROLE at ORG",
			"In this episode, Darin and Viktor speak with Avery Pennarun, CEO at Tailscale, on the evolving technology landscape.",
			[]guest{{"Avery Pennarun", "CEO", "Tailscale", ""}}},
		{"are joined by NAME, ROLE at ORG, to talk about",
			"Darin and Viktor are joined by Kelsey Hightower, principal engineer at Google Cloud, to talk about Kubernetes.",
			[]guest{{"Kelsey Hightower", "principal engineer", "Google Cloud", ""}}},
		{"NAME, ROLE of ORG, joins",
			"Charity Majors, CTO of Honeycomb, joins Darin and Viktor to discuss observability.",
			[]guest{{"Charity Majors", "CTO", "Honeycomb", ""}}},
		{"NAME, a ROLE at ORG, shares",
			"Liz Rice, a chief open source officer at Isovalent, shares what eBPF can do for networking.",
			[]guest{{"Liz Rice", "chief open source officer", "Isovalent", ""}}},
		{"CEO of ORG and early React team member",
			"Pete Hunt, CEO of Dagster and early React team member, explores the evolution from Facebook's early React development.",
			[]guest{{"Pete Hunt", "CEO", "Dagster", "early React team member"}}},
		{"co-founder of ORG and creator of X",
			"In this episode, Darin and Viktor explore these concepts with Mathias Buus Madsen, co-founder of Holepunch and creator of the Pear Runtime. Mathias shares insights.",
			[]guest{{"Mathias Buus Madsen", "co-founder", "Holepunch", "creator of the Pear Runtime"}}},
		{"delivering what co-founder NAME calls",
			"Coroot takes a different path. Using eBPF technology, Coroot automatically instruments applications, delivering what co-founder Peter Zaitsev calls opinionated observability—a philosophy of less is more.",
			[]guest{{"Peter Zaitsev", "co-founder", "Coroot", ""}}},
		{"NAME has been in the business, he started ORG",
			"DNS has been around since the 1980s. Anthony Eden has been in the DNS business since the late nineties, when he was CTO of one of the first seven domain registrars. In 2010 he started DNSimple, and he did it without a dime of venture capital.",
			[]guest{{"Anthony Eden", "founder", "DNSimple", ""}}},
		{"apostrophe name as subject, she started ORG",
			"Farah O'Brien has been in the distributed systems business since 2006, when she was an engineer at a small consultancy. In 2019 she started Foxglove Data.",
			[]guest{{"Farah O'Brien", "founder", "Foxglove Data", ""}}},
		{"subject with she is the ROLE at ORG",
			"Grace Hopper has spent decades on compilers. She is the CTO at Cobolt Labs.",
			[]guest{{"Grace Hopper", "CTO", "Cobolt Labs", ""}}},
		{"NAME1 and NAME2 from ORG join",
			"Priya Raman and Tomasz Nowak from Quillbase join Darin and Viktor to talk about running Postgres on Kubernetes.",
			[]guest{{"Priya Raman", "", "Quillbase", ""}, {"Tomasz Nowak", "", "Quillbase", ""}}},
		{"NAME1, ROLE at ORG1, and NAME2, ROLE at ORG2",
			"Lena van Dijk, VP of Engineering at Northwind Labs, and Samuel O'Brien, principal engineer at Globex, join Darin and Viktor to compare platform teams.",
			[]guest{{"Lena van Dijk", "VP of Engineering", "Northwind Labs", ""}, {"Samuel O'Brien", "principal engineer", "Globex", ""}}},
		{"three guests after speak with",
			"Darin and Viktor speak with Ana Lima, CEO at Foobar, Ben Okafor, CTO at Barbaz, and Chen Wei, SRE at Bazqux.",
			[]guest{{"Ana Lima", "CEO", "Foobar", ""}, {"Ben Okafor", "CTO", "Barbaz", ""}, {"Chen Wei", "SRE", "Bazqux", ""}}},
		{"speak with NAME1 and NAME2 about",
			"Darin and Viktor speak with Ana Lima and Ben Okafor about incident response.",
			[]guest{{"Ana Lima", "", "", ""}, {"Ben Okafor", "", "", ""}}},
		{"ORG ROLE NAME",
			"Tailscale CEO Avery Pennarun explains why VPNs are hard.",
			[]guest{{"Avery Pennarun", "CEO", "Tailscale", ""}}},
		{"parenthesised role",
			"Darin and Viktor talk with Jane Doe (staff engineer at Acme) about SRE.",
			[]guest{{"Jane Doe", "staff engineer", "Acme", ""}}},
		{"dashes, accents, a single host",
			"Darin speaks with Zoë Ångström — co-founder of Fjordline — about WebAssembly.",
			[]guest{{"Zoë Ångström", "co-founder", "Fjordline", ""}}},
		{"who founded ORG",
			"Darin and Viktor speak with Jane Doe, who founded Acme, about bootstrapping.",
			[]guest{{"Jane Doe", "founder", "Acme", ""}}},
		{"CEO and co-founder",
			"Darin and Viktor welcome back Sam Smith, CEO and co-founder of Initech.",
			[]guest{{"Sam Smith", "CEO and co-founder", "Initech", ""}}},
		{"initial in a name",
			"Darin and Viktor interview John F. Kennedy about space programs.",
			[]guest{{"John F. Kennedy", "", "", ""}}},
		{"developer advocate at ORG",
			"Darin and Viktor speak with Ana Lima, a developer advocate at Foobar.",
			[]guest{{"Ana Lima", "developer advocate", "Foobar", ""}}},
		{"full-name hosts",
			"Darin Pope and Viktor Farcic speak with Jane Doe, CTO at Acme, about GitOps.",
			[]guest{{"Jane Doe", "CTO", "Acme", ""}}},
		{"same guest twice is one guest",
			"Darin and Viktor speak with Jane Doe about Kubernetes. Jane Doe, CTO at Acme, explains why.",
			[]guest{{"Jane Doe", "CTO", "Acme", ""}}},

		// Negatives: hosts-only episodes, products, single names.
		{"hosts only with products",
			"In this episode, Darin and Viktor compare Argo CD with GitHub Actions, then move a workload to Google Cloud using Dev Containers. Viktor's take: Apple Podcasts reviews matter, and React and Coroot are just tools.",
			nil},
		{"capitalised phrases without a cue",
			"Just as Bring Your Own Device policies emerged after the iPhone disrupted corporate standards, on New Year's Eve the Industrial Revolution ended.",
			nil},
		{"single first names are never guests",
			"Avery discusses VPNs. Darin and Viktor speak with Mathias about Keet.",
			nil},
		{"a product as subject is not a person",
			"Backstage Portal has grown fast, and it now ships plugins.",
			nil},
		{"with needs a host in the sentence",
			"Teams deploy with Visual Studio Code and Cloud Run every day.",
			nil},
		{"a bare role word before a product",
			"The CEO Summit was about GitOps.",
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := ingest.Parse("t.txt", ownPage(tt.desc), vocab)
			if err != nil {
				t.Fatal(err)
			}
			got := guestsOf(doc.Guests)
			want := tt.want
			if want == nil {
				want = []guest{}
			}
			if !slices.Equal(got, want) {
				t.Errorf("guests of %q\n got %v\nwant %v", tt.desc, got, want)
			}
			for _, g := range doc.Guests {
				if !strings.Contains(g.Evidence, g.Name) || !strings.Contains(tt.desc, g.Evidence) {
					t.Errorf("evidence %q of %s is not a sentence of the text naming them", g.Evidence, g.Name)
				}
				if g.Slug != ingest.Slugify(g.Name) {
					t.Errorf("slug %q of %s, want %q", g.Slug, g.Name, ingest.Slugify(g.Name))
				}
			}
		})
	}
}

// TestHosts checks that hosts are found as pairs or alone, never as guests.
func TestHosts(t *testing.T) {
	tests := []struct {
		desc string
		want []string
	}{
		{"In this episode, Darin and Viktor speak with Jane Doe, CTO at Acme.", []string{"Darin", "Viktor"}},
		{"Jane Doe, CTO at Acme, joins Maya and Oskar to talk about DNS.", []string{"Maya", "Oskar"}},
		{"Darin speaks with Jane Doe about DNS.", []string{"Darin"}},
		{"Avery talks with Darin about DNS.", []string{}},
		{"Mac and Windows users rejoice.", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			doc, err := ingest.Parse("t.txt", ownPage(tt.desc), nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(doc.Show.Hosts, tt.want) {
				t.Errorf("hosts %q, want %q", doc.Show.Hosts, tt.want)
			}
		})
	}
}
