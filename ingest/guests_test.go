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
		{"our guest this week is NAME, ROLE as written",
			"Our guest this week is Priya Raman, Principal Engineer at Acme Cloud. Darin and Viktor ask how.",
			[]guest{{"Priya Raman", "Principal Engineer", "Acme Cloud", ""}}},
		{"joining us is NAME with a short first name",
			"Joining us is Bo Lindqvist, a site reliability engineer at Northwind Traders.",
			[]guest{{"Bo Lindqvist", "site reliability engineer", "Northwind Traders", ""}}},
		{"thrilled to have an honorific, kept in the name",
			"We're thrilled to have Dr. Amara Nwosu, Director of Research at Lumen Labs, on the show.",
			[]guest{{"Dr. Amara Nwosu", "Director of Research", "Lumen Labs", ""}}},
		{"pronouns in parentheses, then the apposition",
			"Sasha Kim (she/her), Staff Engineer at Fernwood, talks with Darin and Viktor about design systems.",
			[]guest{{"Sasha Kim", "Staff Engineer", "Fernwood", ""}}},
		{"two particles and an al- name, each with an organisation",
			"This week Darin and Viktor sit down with Ana de la Cruz of Mosaic and Yusuf al-Amin from Beta Systems.",
			[]guest{{"Ana de la Cruz", "", "Mosaic", ""}, {"Yusuf al-Amin", "", "Beta Systems", ""}}},
		{"leading initials",
			"Darin and Viktor are joined by J. R. Okonkwo, founder of Tidewater Systems.",
			[]guest{{"J. R. Okonkwo", "founder", "Tidewater Systems", ""}}},
		{"cue before a role: welcome back economist NAME of ORG",
			"Darin and Viktor welcome back economist Rohan Mehta of Larchmont Capital to discuss banks.",
			[]guest{{"Rohan Mehta", "economist", "Larchmont Capital", ""}}},
		{"X veteran NAME: the organisation is not a guest",
			"Darin talks with Morgan Stanley veteran Laura Chen, now chief investment officer at Harbor & Finch, about bonds.",
			[]guest{{"Laura Chen", "chief investment officer", "Harbor & Finch", ""}}},
		{"organisations in parentheses",
			"Darin and Viktor speak with Nadia Haddad (Quiver) and Ola Nordmann (Fjell).",
			[]guest{{"Nadia Haddad", "", "Quiver", ""}, {"Ola Nordmann", "", "Fjell", ""}}},
		{"this episode features NAME, ROLE at ORG",
			"This episode features Ngozi Adeyemi-Okafor, engineering manager at Paystack, who explains slow networks.",
			[]guest{{"Ngozi Adeyemi-Okafor", "engineering manager", "Paystack", ""}}},
		{"a Cyrillic name has a transliterated slug",
			"Darin speaks with Алексей Смирнов, security researcher at Kaspian Labs, about registries.",
			[]guest{{"Алексей Смирнов", "security researcher", "Kaspian Labs", ""}}},

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
		{"people in the news: a role before or beside the name, then reported speech",
			"Nvidia CEO Jensen Huang told analysts demand was strong, while Satya Nadella, CEO of Microsoft, announced layoffs. Darin and Viktor break it down.",
			nil},
		{"history: an apposition with a role and a past-tense verb",
			"Theodore Roosevelt, the 26th President of the United States, protected more land than any president before him.",
			nil},
		{"history: with a host who does not talk",
			"Darin and Viktor follow his 1903 trip with John Muir, the naturalist and founder of the Sierra Club, through Yosemite.",
			nil},
		{"quoted people",
			"Premature optimization is the root of all evil, as Donald Knuth put it. Like Linus Torvalds said, talk is cheap.",
			nil},
		{"a subject in the past tense is talked about",
			"Abraham Lincoln was tired of his generals, and he said so.",
			nil},
		{"companies that look like names",
			"Darin and Viktor explain why Morgan Stanley and Johnson & Johnson moved in opposite directions.",
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
				if g.Slug != ingest.PersonSlug(g.Name) {
					t.Errorf("slug %q of %s, want %q", g.Slug, g.Name, ingest.PersonSlug(g.Name))
				}
			}
		})
	}
}

// TestContactSections checks that a contact section confirms a guest the
// text names in full without a cue, and a one-word stage name only when the
// text introduces it.
func TestContactSections(t *testing.T) {
	tests := []struct {
		name, desc, contacts string
		want                 []guest
	}{
		{"first name of a name given in full, no cue",
			"Darin and Viktor dig into build caches. Teodor Vasilescu built the caching layer, and Teodor explains why.",
			"Teodor's contact information:\nLinkedIn: https://www.linkedin.com/in/tv/\n",
			[]guest{{"Teodor Vasilescu", "", "", ""}}},
		{"a first name that is a stop word elsewhere",
			"We hear from Malia Kealoha, incident commander at Pohaku Health, and from Noor's colleague Dev Patel, who led the recovery.",
			"Malia's contact information:\nX: https://x.com/malia\nDev's contact information:\nX: https://x.com/dev\n",
			[]guest{{"Malia Kealoha", "incident commander", "Pohaku Health", ""}, {"Dev Patel", "", "", ""}}},
		{"two first names",
			"Darin is joined by Rosa María Gutiérrez, VP Engineering at Lumbre, and her colleague Ike Obi.",
			"Rosa María's contact information:\nX: https://x.com/rmg\nIke's contact information:\nX: https://x.com/ike\n",
			[]guest{{"Rosa María Gutiérrez", "VP Engineering", "Lumbre", ""}, {"Ike Obi", "", "", ""}}},
		{"a one-word stage name introduced by a role",
			"Our guest this week is the producer Velvetine, whose record was made on a laptop. Darin asks Velvetine about sampling.",
			"Velvetine's contact information:\nWebsite: https://velvetine.example\n",
			[]guest{{"Velvetine", "producer", "", "whose record was made on a laptop"}}},
		{"a one-word name without an introduction is not enough",
			"Darin and Viktor take listener questions. Rafa answers the ones about Flux.",
			"Rafa's contact information:\nX: https://x.com/rafa\n",
			[]guest{}},
		{"a one-word name is dropped beside the full name",
			"Darin and Viktor speak with Mathias about Keet. Mathias Buus Madsen, co-founder of Holepunch, explains.",
			"Mathias' contact information:\nX: https://x.com/mathias\n",
			[]guest{{"Mathias Buus Madsen", "co-founder", "Holepunch", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := ingest.Parse("t.txt", []byte(string(ownPage(tt.desc))+tt.contacts), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := guestsOf(doc.Guests); !slices.Equal(got, tt.want) {
				t.Errorf("guests of %q\n got %v\nwant %v", tt.desc, got, tt.want)
			}
			for _, g := range doc.Guests {
				if len(g.Links) == 0 {
					t.Errorf("%s has no links from the contact section", g.Name)
				}
			}
		})
	}
}

func TestPersonSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Dr. Amara Nwosu":          "amara-nwosu",
		"Amara Nwosu":              "amara-nwosu",
		"Prof. Dr. Helga Brandt":   "helga-brandt",
		"Professor Anneliese Vogt": "anneliese-vogt",
		"Sir Francis Drake":        "francis-drake",
		"Dr.":                      "dr",
		"Drake":                    "drake",
		"Алексей Смирнов":          "aleksei-smirnov",
	} {
		if got := ingest.PersonSlug(in); got != want {
			t.Errorf("PersonSlug(%q) = %q, want %q", in, got, want)
		}
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
