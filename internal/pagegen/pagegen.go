// Package pagegen generates realistic episode pages, in the layout of the
// seed pages, for benchmarks and for testing that the ingester generalises:
// each generated page comes with the facts it states (Generate), so a test
// can check what the parser extracts against what was written.
//
// Pages are deterministic in their index and Options. An episode's text
// depends only on its show, its number and the seed, so the listing entry of
// an episode on one page is the opening of that episode's own page.
package pagegen

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"podcastgraph/ingest"
	"podcastgraph/internal/podcast"
)

// Options configures the generator.
type Options struct {
	Shows int   // number of shows pages are spread over; less than 1 means 1
	Seed  int64 // varies every choice; pages are deterministic in (i, Seed)
	// Technologies adds to each own episode's description a sentence naming
	// one or two products from a list the vocabulary does not know
	// (technologies), so that Generated.Names has more to find.
	Technologies bool
	// Catalogue generates pages shaped like a long-running daily show's
	// catalogue (see catalogue.go): pages of about 8 KB, a third as many
	// guests as episodes with some on 150-250 episodes, and every topic of
	// the vocabulary on 7-25% of the episodes. Such pages also state their
	// topics (Generated.Topics and ListingTopics).
	Catalogue bool
}

// Person is a guest as the generated text names them.
type Person struct {
	Name         string
	Role         string
	Organization string
	Bio          string
	Links        []podcast.Link // the contact section's links (own episodes only)
}

// Generated is a generated page and the facts it states. Topics are
// vocabulary slugs, sorted, as ingest's Vocabulary.Match finds them in the
// text the page writes: the own episode's title and description, and each
// listing entry's text without the "..." and the show's boilerplate.
type Generated struct {
	Name          string // "gen_000123.txt"
	Data          []byte
	Show          string // "Generated Show 2"
	Code          string // "GS2"
	Hosts         []string
	Number        int              // the page's own episode
	Title         string           // the own episode's title
	ReleaseDate   podcast.Date     // the own episode's release date
	Topics        []string         // topics of the own episode's title and description
	Paragraphs    []string         // the own episode's description, paragraph by paragraph
	Guests        []Person         // the own episode's guests, with their links
	Listing       map[int][]Person // guests named by each listing entry, by number
	ListingTopics map[int][]string // topics of each listing entry's text, by number
	// Names are the names the own episode's description writes that are
	// neither people nor names or aliases of vocabulary topics: guests'
	// organisations, products and technologies, sorted. Nil for catalogue
	// pages.
	Names []string
}

// Page returns the name and bytes of generated page i: show "Generated Show
// N" (code "GSN") among opts.Shows shows, own episode number i/Shows+1, a
// weekly release date, up to ten listing entries (the ten previous
// episodes, cut off with "..." and glued with info_outline), a description
// naming zero to three guests drawn from a pool of max(50, n/20) people,
// contact sections with LinkedIn, Twitter/X and GitHub links, and the show's
// boilerplate.
func Page(i int, opts Options) (name string, data []byte) {
	g := Generate(i, opts)
	return g.Name, g.Data
}

// Generate returns page i with the facts it states.
func Generate(i int, opts Options) Generated {
	shows := max(opts.Shows, 1)
	i = max(i, 0)
	s := i % shows
	n := i/shows + 1
	sh := newShow(s)
	own := episodeOf(opts, sh, n, shows)

	var b strings.Builder
	fmt.Fprintf(&b, "%s %d: %s\n", sh.code, n, own.title)
	fmt.Fprintf(&b, "Release Date: %s\n", own.date.Format("01/02/2006"))
	b.WriteString(sh.title + "\n")
	listing := make(map[int][]Person)
	listingTopics := make(map[int][]string)
	for m := n - 1; m >= 1 && m >= n-10; m-- {
		e := episodeOf(opts, sh, m, shows)
		fmt.Fprintf(&b, "#%d: %s%s\n", m, e.listed, e.listedEnd)
		b.WriteString("info_outline" + sh.title + "\n")
		listing[m] = withoutLinks(e.guests)
		if opts.Catalogue {
			listingTopics[m] = e.listedTopics
		} else {
			listingTopics[m] = vocabulary.Match(e.listed)
		}
	}
	fmt.Fprintf(&b, "info_outline#%d: %s\n", n, strings.Join(own.paras, "\n"))
	for _, p := range own.guests {
		first, _, _ := strings.Cut(p.Name, " ")
		if strings.HasSuffix(first, "s") {
			fmt.Fprintf(&b, "%s' contact information:\n", first)
		} else {
			fmt.Fprintf(&b, "%s's contact information:\n", first)
		}
		for _, l := range p.Links {
			fmt.Fprintf(&b, "%s: %s\n", l.Label, l.URL)
		}
	}
	slug := strings.ToLower(strings.ReplaceAll(sh.title, " ", ""))
	fmt.Fprintf(&b, "YouTube channel:\nhttps://youtube.com/%s\n", slug)
	fmt.Fprintf(&b, "Review the podcast on Apple Podcasts:\nhttps://www.%s.example/review-podcast/\n", slug)
	fmt.Fprintf(&b, "Slack:\nhttps://www.%s.example/slack/\n", slug)
	b.WriteString("Connect with us at:")

	return Generated{
		Name:          fmt.Sprintf("gen_%06d.txt", i),
		Data:          []byte(b.String()),
		Show:          sh.title,
		Code:          sh.code,
		Hosts:         []string{sh.hosts[0], sh.hosts[1]},
		Number:        n,
		Title:         own.title,
		ReleaseDate:   podcast.DateOf(own.date),
		Topics:        ownTopics(opts, own),
		Paragraphs:    own.paras,
		Guests:        own.guests,
		Listing:       listing,
		ListingTopics: listingTopics,
		Names:         own.names,
	}
}

func withoutLinks(ps []Person) []Person {
	out := make([]Person, len(ps))
	for i, p := range ps {
		p.Links = nil
		out[i] = p
	}
	return out
}

// show is one generated show.
type show struct {
	index       int
	title, code string
	hosts       [2]string
}

func newShow(s int) show {
	return show{
		index: s,
		title: fmt.Sprintf("Generated Show %d", s+1),
		code:  fmt.Sprintf("GS%d", s+1),
		hosts: hostPairs[s%len(hostPairs)],
	}
}

// ownTopics returns the topics of an episode's own page: as the generator
// chose them for catalogue pages, else as the vocabulary finds them.
func ownTopics(opts Options, e episode) []string {
	if opts.Catalogue {
		return e.topics
	}
	return vocabulary.Match(e.title + "\n" + strings.Join(e.paras, "\n"))
}

// episode is the generated content of one episode.
type episode struct {
	title     string
	date      time.Time
	paras     []string
	listed    string // the listing entry's own words
	listedEnd string // what follows them on a listing: "..." or the show's boilerplate
	guests    []Person

	// Catalogue episodes only: the topics the title and description
	// mention, and those the listing entry mentions, as sorted slugs.
	topics, listedTopics []string

	names []string // Generated.Names
}

// episodeOf generates episode n of show sh; it depends only on the seed,
// the show and n.
func episodeOf(opts Options, sh show, n, shows int) episode {
	if opts.Catalogue {
		return catalogueEpisode(opts, sh, n, shows)
	}
	r := rand.New(rand.NewPCG(uint64(opts.Seed), uint64(sh.index)<<32|uint64(n)))
	pool := max(50, n*shows/20)
	e := episode{date: time.Date(2016, 1, 4, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 7*(n-1)+sh.index)}

	// Guests: 0 to 3 distinct people with distinct first names.
	count := []int{0, 1, 1, 1, 2, 2, 3}[r.IntN(7)]
	seen := map[string]bool{}
	for tries := 0; len(e.guests) < count && tries < 20; tries++ {
		p := person(opts.Seed, r.IntN(pool))
		first, _, _ := strings.Cut(p.Name, " ")
		if seen[first] {
			continue
		}
		seen[first] = true
		e.guests = append(e.guests, p)
	}

	t1, t2, t3 := topicPhrase(r), topicPhrase(r), topicPhrase(r)
	h1, h2 := sh.hosts[0], sh.hosts[1]
	intro := introduce(r, e.guests, h1, h2, t1, t2, false)
	follow := fmt.Sprintf("The conversation covers %s, %s and what teams get wrong when they adopt %s too early.", t2, t3, t1)
	e.paras = append(e.paras, intro+" "+follow)
	if len(e.guests) > 0 {
		first, _, _ := strings.Cut(e.guests[0].Name, " ")
		e.paras = append(e.paras, fmt.Sprintf("%s explains how %s and %s fit together, and why %s matters more than most teams think.", first, t2, t3, topicPhrase(r)))
	} else {
		e.paras = append(e.paras, fmt.Sprintf("%s argues that %s is overrated, while %s makes the case for %s.", h2, t2, h1, t3))
	}
	for _, g := range e.guests {
		e.names = append(e.names, g.Organization)
		if g.Bio != "" {
			e.names = append(e.names, bioNames[g.Bio]...)
		}
	}
	if r.IntN(2) == 0 {
		k := r.IntN(len(products))
		e.paras = append(e.paras, products[k])
		e.names = append(e.names, productNames[k]...)
	}
	e.title = titleCase(t1) + titleEndings[r.IntN(len(titleEndings))]
	if opts.Technologies {
		// Drawn from their own stream, so that the rest of the page is
		// the same with and without them.
		rt := rand.New(rand.NewPCG(uint64(opts.Seed)^0x7ec4, uint64(sh.index)<<32|uint64(n)))
		i, j := rt.IntN(len(technologies)), rt.IntN(len(technologies)-1)
		if j >= i {
			j++ // two different ones
		}
		tmpl := techSentences[rt.IntN(len(techSentences))]
		named := []string{technologies[i], technologies[j]}[:strings.Count(tmpl, "%s")]
		args := make([]any, len(named))
		for k, t := range named {
			args[k] = t
		}
		e.paras = append(e.paras, fmt.Sprintf(tmpl, args...))
		e.names = append(e.names, named...)
	}
	slices.Sort(e.names)
	e.names = slices.Compact(e.names)

	// The listing text: the introduction, then the follow-up cut mid-way.
	words := strings.Fields(follow)
	cut := 3 + r.IntN(len(words)-4)
	e.listed, e.listedEnd = intro+" "+strings.Join(words[:cut], " "), "..."
	switch {
	case n%11 == 0:
		e.listed, e.listedEnd = intro, " YouTube channel: Review the podcast on Apple Podcasts: Slack: Connect with us at:"
	case n%7 == 0:
		e.listed, e.listedEnd = intro, " YouTube channel: Review the podcast on..."
	}
	return e
}

// introduce writes the sentence that names the guests, in one of the
// phrasings the pages use. Only t1 and t2 name topics when plain is set:
// the phrasing that mentions venture capital (a topic) is not used.
func introduce(r *rand.Rand, gs []Person, h1, h2, t1, t2 string, plain bool) string {
	switch len(gs) {
	case 0:
		return fmt.Sprintf("In this episode, %s and %s %s %s.", h1, h2, hostVerbs[r.IntN(len(hostVerbs))], t1)
	case 1:
		return introduceOne(r, &gs[0], h1, h2, t1, t2, plain)
	case 2:
		a, b := &gs[0], &gs[1]
		switch r.IntN(3) {
		case 0:
			// Same organisation, no roles.
			b.Organization, a.Role, b.Role, a.Bio, b.Bio = a.Organization, "", "", "", ""
			return fmt.Sprintf("%s and %s from %s join %s and %s to talk about %s.", a.Name, b.Name, a.Organization, h1, h2, t1)
		case 1:
			a.Bio, b.Bio = "", ""
			return fmt.Sprintf("%s, %s at %s, and %s, %s at %s, join %s and %s to compare notes on %s.",
				a.Name, a.Role, a.Organization, b.Name, b.Role, b.Organization, h1, h2, t1)
		default:
			a.Bio, b.Bio = "", ""
			return fmt.Sprintf("In this episode, %s and %s speak with %s, %s at %s, and %s, %s at %s, about %s.",
				h1, h2, a.Name, a.Role, a.Organization, b.Name, b.Role, b.Organization, t1)
		}
	default:
		for i := range gs {
			gs[i].Bio = ""
		}
		return fmt.Sprintf("%s and %s speak with %s, %s at %s, %s, %s at %s, and %s, %s at %s, about %s.", h1, h2,
			gs[0].Name, gs[0].Role, gs[0].Organization, gs[1].Name, gs[1].Role, gs[1].Organization,
			gs[2].Name, gs[2].Role, gs[2].Organization, t1)
	}
}

// introduceOne writes the sentence that names one guest; it adjusts the
// guest's facts to what that phrasing states.
func introduceOne(r *rand.Rand, g *Person, h1, h2, t1, t2 string, plain bool) string {
	simple := simpleRoles[r.IntN(len(simpleRoles))]
	pron := []string{"he", "she"}[r.IntN(2)]
	phrasing := r.IntN(9)
	if plain && phrasing == 6 {
		phrasing = 7
	}
	switch phrasing {
	case 0:
		g.Bio = ""
		return fmt.Sprintf("In this episode, %s and %s speak with %s, %s at %s, about %s.", h1, h2, g.Name, g.Role, g.Organization, t1)
	case 1:
		g.Bio = ""
		return fmt.Sprintf("%s and %s are joined by %s, %s at %s, to talk about %s.", h1, h2, g.Name, g.Role, g.Organization, t1)
	case 2:
		g.Role, g.Bio = simple, ""
		return fmt.Sprintf("%s, %s of %s, joins %s and %s to discuss %s.", g.Name, g.Role, g.Organization, h1, h2, t1)
	case 3:
		g.Bio = ""
		return fmt.Sprintf("%s, %s %s at %s, shares how %s approaches %s.", g.Name, article(g.Role), g.Role, g.Organization, g.Organization, t1)
	case 4:
		g.Role = simple
		return fmt.Sprintf("%s, %s of %s and %s, explores %s with %s and %s.", g.Name, g.Role, g.Organization, g.Bio, t1, h1, h2)
	case 5:
		g.Role, g.Bio = simple, ""
		return fmt.Sprintf("%s takes a different approach to %s. Using %s, %s helps teams ship faster, delivering what %s %s calls a calmer way to run production.",
			g.Organization, t1, t2, g.Organization, g.Role, g.Name)
	case 6:
		g.Role, g.Bio = "founder", ""
		return fmt.Sprintf("%s has been in the %s business since %d, when %s was an engineer at a small consultancy. In %d %s started %s, and %s did it without venture capital.",
			g.Name, t1, 1998+r.IntN(10), pron, 2010+r.IntN(10), pron, g.Organization, pron)
	case 7:
		g.Role, g.Bio = "", ""
		return fmt.Sprintf("%s and %s sit down with %s from %s to unpack %s.", h1, h2, g.Name, g.Organization, t1)
	default:
		g.Role, g.Bio = simple, ""
		return fmt.Sprintf("%s %s %s explains why %s is harder than it looks.", g.Organization, g.Role, g.Name, t1)
	}
}

func article(role string) string {
	if strings.ContainsRune("aeiouAEIOU", rune(role[0])) || strings.HasPrefix(role, "SRE") {
		return "an"
	}
	return "a"
}

// person returns person j of the pool: distinct names for every j, with
// a role, an organisation, a bio and contact links.
func person(seed int64, j int) Person {
	f, l := len(firstNames), len(lastNames)
	// Spread consecutive j over first and last names.
	k := (j*7919 + int(uint64(seed)%1000)) % (f * l)
	name := firstNames[k%f] + " " + lastNames[k/f]
	if m := j / (f * l); m > 0 {
		// One middle name, then two: names stay distinct however large
		// the pool.
		first, last, _ := strings.Cut(name, " ")
		middle := middleNames[(m-1)%len(middleNames)]
		if m2 := (m - 1) / len(middleNames); m2 > 0 {
			middle += " " + middleNames[(m2-1)%len(middleNames)]
		}
		name = first + " " + middle + " " + last
	}
	r := rand.New(rand.NewPCG(uint64(seed), uint64(j)|1<<63))
	handle := strings.ToLower(asciiOnly(strings.ReplaceAll(name, " ", "")))
	p := Person{
		Name:         name,
		Role:         roles[r.IntN(len(roles))],
		Organization: orgs[r.IntN(len(orgs))],
		Bio:          bios[r.IntN(len(bios))],
		Links:        []podcast.Link{{Kind: podcast.LinkLinkedIn, URL: "https://www.linkedin.com/in/" + handle + "/", Label: "LinkedIn"}},
	}
	switch r.IntN(3) {
	case 0:
		p.Links = append(p.Links, podcast.Link{Kind: podcast.LinkTwitter, URL: "https://twitter.com/" + handle, Label: "Twitter"})
	case 1:
		p.Links = append(p.Links, podcast.Link{Kind: podcast.LinkTwitter, URL: "https://x.com/" + handle, Label: "X"})
	}
	if r.IntN(2) == 0 {
		p.Links = append(p.Links, podcast.Link{Kind: podcast.LinkGitHub, URL: "https://github.com/" + handle, Label: "GitHub"})
	}
	return p
}

// asciiOnly keeps the ASCII letters and digits of s, folding accents.
func asciiOnly(s string) string {
	return strings.ReplaceAll(ingest.Slugify(s), "-", "")
}

// topicPhrase returns the name of a topic of the default vocabulary, as it
// would appear inside a sentence.
func topicPhrase(r *rand.Rand) string {
	t := topics[r.IntN(len(topics))]
	name := t.Name
	if rest := name[1:]; strings.ToLower(rest) == rest && !properTopics[name] {
		first, size := utf8.DecodeRuneInString(name)
		name = string(unicode.ToLower(first)) + name[size:]
	}
	return name
}

func titleCase(s string) string {
	first, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(first)) + s[size:]
}

// vocabulary is the default vocabulary, read once; topics is its topic
// list. Neither is ever modified.
var (
	vocabulary = ingest.DefaultVocabulary()
	topics     = vocabulary.Topics()
)

// properTopics keep their capital inside a sentence.
var properTopics = map[string]bool{"Kubernetes": true, "Linux": true}

var hostPairs = [][2]string{
	{"Darin", "Viktor"}, {"Maya", "Oskar"}, {"Priscilla", "Tobias"}, {"Nell", "Rufus"}, {"Imogen", "Casper"},
}

var hostVerbs = []string{"talk about", "reflect on", "dig into", "explore", "discuss", "look back at"}

var firstNames = []string{
	"Ana", "Ben", "Chen", "Dana", "Elif", "Farah", "Gustavo", "Hana", "Ibrahim", "Jonas",
	"Kalani", "Lena", "Mateo", "Nadia", "Olu", "Priya", "Quinn", "Rosa", "Samuel", "Tomasz",
	"Uma", "Valeria", "Wen", "Ximena", "Yusuf", "Zoë", "José", "Søren", "Aisha", "Bruno",
	"Camille", "Dmitri", "Esther", "Felix", "Greta", "Hugo", "Inès", "Jamal", "Keiko", "Lars",
	"Marisol", "Niamh", "Omar", "Pilar", "Rafael", "Saoirse", "Thandiwe", "Ulrich", "Vikram", "Wanjiru",
}

var lastNames = []string{
	"Lima", "Okafor", "Wei", "Sato", "Berg", "Raman", "Nowak", "O'Brien", "van Dijk", "de Souza",
	"Álvarez", "Ångström", "McAllister", "Fischer", "Kowalski", "Haddad", "Mensah", "Novak", "Petrov", "Quispe",
	"Rahman", "Schmidt", "Tanaka", "Umarov", "Varga", "Whitfield", "Xu", "Yilmaz", "Zhang", "Costa",
	"Dubois", "Eriksen", "Ferreira", "Gallagher", "Hoffmann", "Iyer", "Jensen", "Kim", "Larsen", "Moreau",
	"Nakamura", "Oyelaran", "Park", "Ribeiro", "Lindqvist", "Brennan", "Castillo", "Adeyemi", "Kaur", "Horvat",
}

var middleNames = []string{
	"Rae", "Jo", "Lee", "Mae", "Ray", "Kai", "Ann", "Lou", "Jay", "Ada", "Ivy", "Noor", "Kit", "Lin", "Bo", "Dee",
	"Fay", "Gil", "Hal", "Ida", "Jem", "Kay", "Liv", "Nia", "Pia", "Rue", "Sol", "Tove", "Viv", "Wren", "Zan", "Elm",
}

var roles = []string{
	"CEO", "CTO", "co-founder", "founder", "VP of Engineering", "principal engineer", "staff engineer",
	"developer advocate", "head of Platform", "SRE", "engineering manager", "product manager",
	"director of Infrastructure", "maintainer",
}

// simpleRoles read well before a name and with "of ORG".
var simpleRoles = []string{"CEO", "CTO", "co-founder", "founder"}

var orgs = []string{
	"Quillbase", "Northwind Labs", "Globex", "Initech", "Mirrorline", "Barbaz", "Fjordline", "Holloway Systems",
	"Brightwave", "Cobalt Forge", "Driftwood", "Emberstack", "Foxglove Data", "Hexlet", "Ironleaf",
	"Juniper Grid", "Kestrel", "Lumenix", "Moss & Pine", "Nimbusly",
}

var bios = []string{
	"creator of the Zephyr Runtime", "early React team member", "author of a book on incident response",
	"longtime Linux kernel contributor", "creator of the Helix scheduler",
}

var titleEndings = []string{" Without the Hype", " in Practice", ": What Changed", " at Scale", " for Small Teams"}

// bioNames are the names each bio writes that the vocabulary does not know.
var bioNames = map[string][]string{
	"creator of the Zephyr Runtime":  {"Zephyr Runtime"},
	"creator of the Helix scheduler": {"Helix"},
}

// productNames are the names each of products writes that the vocabulary
// does not know ("Argo CD", "React" and the like are topics' aliases).
var productNames = [][]string{
	{"Google Cloud"},
	{"Visual Studio Code", "Apple Podcasts", "Raspberry Pi"},
	{"Google Cloud", "JavaScript"},
	{"Coroot", "Grafana Cloud", "Cloud Native Computing Foundation"},
}

// technologies are product names the vocabulary does not know, shaped as
// such names are: one word, camel case, two words, with digits.
var technologies = []string{
	"Quarkline", "Tanagerd", "OtterDB", "Brindle Queue", "Larkspur", "NimbleMQ", "Cindermesh",
	"PebbleStore", "Saltmarsh", "Vireo Proxy", "HoneyGrid", "Starling CI", "Pipewren", "Tessellate",
	"Gannet Flow", "Quokka Build", "KiteSQL", "Marigold", "Pelican Edge", "Thistle", "Wavecrest",
	"Bramble Vault", "Corvid", "Dunlin Tracing", "Egret", "FernOS", "Goldcrest", "Heronwatch",
	"Ibis Cache", "Jackdaw", "Kittiwake", "LoonStack", "Merlin Deploy", "Nuthatch", "OspreyDB",
	"Puffin Mesh", "Redpoll", "Siskin", "Turnstone Gateway", "Wagtail Queue", "Zebu 2",
}

// techSentences name one or two technologies.
var techSentences = []string{
	"They compare %s with %s for teams that outgrew their first setup.",
	"Later the talk turns to %s, and why its authors rewrote it twice.",
	"A listener asks about moving from %s to %s without downtime.",
	"%s comes up as the tool most teams try first, and %s as the one they keep.",
	"The show notes link to %s and to a long thread about %s.",
	"Both agree that %s is underrated.",
	"If you run %s today, the second half is for you.",
}

// products are sentences full of product and company names that are not guests.
var products = []string{
	"Along the way they touch on Argo CD, GitHub Actions, Google Cloud and Dev Containers.",
	"Viktor's favourite tools this week: Visual Studio Code, Apple Podcasts and a very old Raspberry Pi.",
	"They also compare Amazon Web Services with Google Cloud, and React with plain JavaScript.",
	"Expect mentions of Coroot, Grafana Cloud and the Cloud Native Computing Foundation.",
}
