package pagegen

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"podcastgraph/ingest"
)

// Catalogue pages (Options.Catalogue) are shaped like the feed of a daily
// show that has run for years, or a network's catalogue: what makes the
// store's work per page grow with the store.
//
//   - Every page is about 8 KB: the own description runs to three
//     paragraphs, and each of the ten listing entries is about 600 bytes.
//   - Guests: an episode has 0 to 3, as on default pages. Ordinary guests
//     are drawn from a pool that grows with the episode number (a third of
//     the episodes so far, about), so that n pages name about n/3 guests,
//     most on a few episodes; the first of the pool, there from the start,
//     on a few dozen. Besides them a show has regulars: at any time five
//     of them are "in residence", each for 4,000 episodes, and about a
//     quarter of the episodes have one: each regular is on 150-250
//     episodes.
//   - Topics: each topic of the vocabulary has a rate between 7% and 25%
//     and is on each episode with that chance, so that at 100,000 pages
//     every topic is on 7,000-25,000 episodes (about six topics an
//     episode). Only the topics chosen are mentioned: the text around them
//     names none (roles, bios and phrasings that would are not used), so
//     Generate can state exactly which topics each text mentions.
//
// The figures are exact in expectation and checked at a few thousand
// pages by the package's tests.
const (
	// guestRate is the ordinary pool's growth: the pool at episode e is
	// max(50, guestRate*e) people.
	guestRate = 0.46
	// regularSpan is the episodes between two regulars' first episodes;
	// regularsInResidence are on the show at any time, each for
	// regularsInResidence*regularSpan episodes.
	regularSpan         = 800
	regularsInResidence = 5
	// regularChance is the chance that an episode with guests has a
	// regular: 6/7 of episodes have guests, so each regular is on about
	// regularSpan*6/7*regularChance = 185 episodes, times its weight.
	regularChance = 0.27
	// The chance of each topic is spread evenly over [topicMin, topicMax].
	topicMin, topicMax = 0.072, 0.248
	// summaryMin is the least length of a listing entry, before "...".
	summaryMin = 640
)

// catalogueEpisode generates episode n of show sh in the catalogue shape;
// it depends only on the seed, the show and n.
func catalogueEpisode(opts Options, sh show, n, shows int) episode {
	r := rand.New(rand.NewPCG(uint64(opts.Seed)^0xca7a1095e, uint64(sh.index)<<32|uint64(n)))
	// A daily show.
	e := episode{date: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n-1)}
	at := (n-1)*shows + sh.index // the episode's place among all shows' episodes

	count := []int{0, 1, 1, 1, 2, 2, 3}[r.IntN(7)]
	seen := map[string]bool{}
	addGuest := func(p Person) {
		first, _, _ := strings.Cut(p.Name, " ")
		if !seen[first] {
			seen[first] = true
			e.guests = append(e.guests, p)
		}
	}
	if count > 0 && r.Float64() < regularChance {
		addGuest(cataloguePerson(opts.Seed, regularID(r, at)))
	}
	pool := max(50, int(guestRate*float64(at)))
	for tries := 0; len(e.guests) < count && tries < 20; tries++ {
		addGuest(cataloguePerson(opts.Seed, ordinaryID(r.IntN(pool))))
	}

	// Topics, in the order the text mentions them.
	var chosen []int
	for t := range catalogueTopics {
		if r.Float64() < topicChance(t) {
			chosen = append(chosen, t)
		}
	}
	r.Shuffle(len(chosen), func(i, j int) { chosen[i], chosen[j] = chosen[j], chosen[i] })
	phrase := func(i int) string {
		if i < len(chosen) {
			return catalogueTopics[chosen[i]].phrase
		}
		return neutralSubjects[r.IntN(len(neutralSubjects))]
	}
	t1, t2 := phrase(0), phrase(1)
	h1, h2 := sh.hosts[0], sh.hosts[1]
	intro := introduce(r, e.guests, h1, h2, t1, t2, true)
	e.title = titleCase(t1) + titleEndings[r.IntN(len(titleEndings))]

	// The intro names the first topic, and the second when it names a
	// product's use of it.
	said := 1
	if strings.Contains(intro, " "+t2+", ") {
		said = 2
	}
	said = min(said, len(chosen))
	summaryTopics := slices.Clone(chosen[:said])

	// The first paragraph: the intro, up to four topic sentences, filler
	// up to the summary's length, then a last filler sentence that the
	// listing cuts off.
	p1 := []string{intro}
	rest := chosen[said:]
	for k := 0; k < 4 && len(rest) > 0; k++ {
		var s string
		s, rest = topicSentence(r, rest)
		p1 = append(p1, s)
	}
	summaryTopics = append(summaryTopics, chosen[said:len(chosen)-len(rest)]...)
	for length(p1) < summaryMin {
		p1 = append(p1, fillers[r.IntN(len(fillers))])
	}
	last := strings.Fields(fillers[r.IntN(len(fillers))])
	cut := 2 + r.IntN(len(last)-3)
	e.listed, e.listedEnd = strings.Join(p1, " ")+" "+strings.Join(last[:cut], " "), "..."
	p1 = append(p1, strings.Join(last, " "))
	e.paras = append(e.paras, strings.Join(p1, " "))

	// The second paragraph: the other topics and some filler; a third,
	// short one now and then.
	var p2 []string
	for len(rest) > 0 {
		var s string
		s, rest = topicSentence(r, rest)
		p2 = append(p2, s)
	}
	for range 1 + r.IntN(3) {
		p2 = append(p2, fillers[r.IntN(len(fillers))])
	}
	e.paras = append(e.paras, strings.Join(p2, " "))
	if r.IntN(2) == 0 {
		e.paras = append(e.paras, closings[r.IntN(len(closings))])
	}

	// Short descriptions end in the boilerplate, as on default pages: the
	// listing then holds the intro alone.
	switch {
	case n%11 == 0:
		e.listed, e.listedEnd = intro, " YouTube channel: Review the podcast on Apple Podcasts: Slack: Connect with us at:"
		summaryTopics = chosen[:said]
	case n%7 == 0:
		e.listed, e.listedEnd = intro, " YouTube channel: Review the podcast on..."
		summaryTopics = chosen[:said]
	}
	e.topics = topicSlugs(chosen)
	e.listedTopics = topicSlugs(summaryTopics)
	return e
}

// length is the length of sentences joined by spaces.
func length(sentences []string) int {
	n := 0
	for _, s := range sentences {
		n += len(s) + 1
	}
	return n
}

// topicSentence writes a sentence naming the first one or two topics of
// ts, and returns the topics it did not name.
func topicSentence(r *rand.Rand, ts []int) (string, []int) {
	if len(ts) >= 2 && r.IntN(3) == 0 {
		tmpl := pairSentences[r.IntN(len(pairSentences))]
		return fmt.Sprintf(tmpl, catalogueTopics[ts[0]].phrase, catalogueTopics[ts[1]].phrase), ts[2:]
	}
	tmpl := topicSentences[r.IntN(len(topicSentences))]
	return fmt.Sprintf(tmpl, catalogueTopics[ts[0]].phrase), ts[1:]
}

// topicChance is the chance that an episode mentions catalogue topic t:
// the rates are spread evenly over [topicMin, topicMax], in an order
// unrelated to the slugs'.
func topicChance(t int) float64 {
	k := len(catalogueTopics)
	if k < 2 {
		return topicMax
	}
	rank := (t * 17) % k // a permutation when k is not a multiple of 17
	if k%17 == 0 {
		rank = t
	}
	return topicMin + (topicMax-topicMin)*float64(rank)/float64(k-1)
}

func topicSlugs(ts []int) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = catalogueTopics[t].slug
	}
	slices.Sort(out)
	return out
}

// regularID returns the person id of one of the regulars in residence at
// episode place at, chosen by their weights. Regular k is on the show
// from place (k-regularsInResidence+1)*regularSpan for
// regularsInResidence*regularSpan places.
func regularID(r *rand.Rand, at int) int {
	newest := at / regularSpan
	var weights [regularsInResidence]float64
	total := 0.0
	for i := range weights {
		weights[i] = regularWeight(newest + i)
		total += weights[i]
	}
	x := r.Float64() * total
	k := 0
	for k < len(weights)-1 && x >= weights[k] {
		x -= weights[k]
		k++
	}
	return (newest + k) * 64 // regulars own the multiples of 64
}

// regularWeight is how often regular k is picked against the others in
// residence: 0.75 to 1.2, so that regulars are on 150 to 250 episodes.
func regularWeight(k int) float64 {
	h := uint64(k)*0x9e3779b97f4a7c15 + 0x632be59bd9b4e019
	h ^= h >> 29
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 32
	return 0.75 + 0.45*float64(h%1000)/999
}

// ordinaryID returns the person id of ordinary guest j: the ids that are
// not multiples of 64.
func ordinaryID(j int) int { return j + j/63 + 1 }

// cataloguePerson is person id, with a role and bio that name no topic.
func cataloguePerson(seed int64, id int) Person {
	p := person(seed, id)
	if p.Role == "SRE" {
		p.Role = "staff engineer"
	}
	p.Bio = catalogueBios[id%len(catalogueBios)]
	return p
}

// catalogueTopic is a topic of the vocabulary and a phrase that mentions it
// and no other topic.
type catalogueTopic struct {
	slug, phrase string
}

// catalogueTopics are the default vocabulary's topics that some name or
// alias mentions alone (all of them, today); read once, never modified.
var catalogueTopics = func() []catalogueTopic {
	vocab := ingest.DefaultVocabulary()
	var out []catalogueTopic
	for _, t := range vocab.Topics() {
		for _, p := range append([]string{t.Name}, t.Aliases...) {
			p = inSentence(p)
			if m := vocab.Match("They cover " + p + " today."); len(m) == 1 && m[0] == t.Slug {
				out = append(out, catalogueTopic{slug: t.Slug, phrase: p})
				break
			}
		}
	}
	return out
}()

// inSentence lower-cases a topic's name for use inside a sentence, unless
// it is a proper name or an acronym.
func inSentence(name string) string {
	if rest := name[1:]; strings.ToLower(rest) == rest && !properTopics[name] {
		return strings.ToLower(name[:1]) + rest
	}
	return name
}

// The sentences of catalogue pages: none names a topic or a person but
// through its verbs.
var (
	topicSentences = []string{
		"The conversation turns to %s and what it asks of the people who run it.",
		"Later on, the discussion moves to %s, and why the hard part is rarely the technology.",
		"There is a long detour into %s, with stories from teams that tried it and some that gave up.",
		"They spend a while on %s, and on what changed since the last time it came up on the show.",
		"Both hosts admit they were wrong about %s a few years ago.",
		"The middle of the episode is about %s and the trade-offs nobody puts on a slide.",
		"Questions from listeners bring up %s more than once.",
		"A good part of the hour goes to %s: what works, what does not, and what is merely fashionable.",
	}
	pairSentences = []string{
		"They compare %s with %s, and ask which one deserves the attention it gets.",
		"The talk then connects %s to %s in ways that surprise both hosts.",
		"Somewhere between %s and %s, the episode finds its real subject.",
	}
	fillers = []string{
		"Nobody agrees on everything, which is rather the point.",
		"Expect stories from the trenches, a few strong opinions and one or two regrets.",
		"The hosts keep asking what a small group of engineers should do first, and what can wait.",
		"It is a candid hour about decisions that looked obvious at the time.",
		"Along the way there are lessons about writing things down before they are forgotten.",
		"The answer, as usual, is that it depends, and the episode is about what it depends on.",
		"There are no silver bullets here, only habits that make the next mistake cheaper.",
		"What looks like a technical problem often turns out to be about how people talk to each other.",
		"The discussion ranges from the first prototype to the day the old system was finally switched off.",
		"Some of the advice is old, and the episode argues that this is exactly why it still works.",
		"Budgets, deadlines and the occasional heroics all make an appearance.",
		"The hosts disagree about how much process is too much, and say so.",
		"Every claim gets the same question back: how would you know if you were wrong?",
		"The stories are specific, the numbers are real, and the conclusions are modest.",
		"By the end, the trade-offs are clearer than the answers, which is honest.",
		"Listeners who build software for a living will recognise more than one of these situations.",
		"It turns out that the boring choice was the right one more often than anybody expected.",
		"The episode keeps coming back to the cost of changing your mind late.",
	}
	closings = []string{
		"Thanks for listening, and see you in the next episode.",
		"As always, questions and comments are welcome.",
		"If this one was useful, share it with someone who would enjoy it.",
	}
	// neutralSubjects stand in for a topic in the intro and the title when
	// an episode has fewer than two.
	neutralSubjects = []string{"the craft of software", "the last ten years", "building things that last"}
	// catalogueBios replace the default bios, some of which name topics.
	catalogueBios = []string{
		"creator of the Zephyr Runtime", "creator of the Helix scheduler", "author of a book on software design",
		"longtime maintainer of the Quasar compiler",
	}
)
