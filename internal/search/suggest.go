package search

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// suggTok is a word of a suggestion's text and the doc it belongs to:
// Len bytes from Off in the doc's Fold.
type suggTok struct {
	Doc, Off, Len uint32
}

func (ix *Index) tok(t suggTok) string {
	return view(ix.text, ix.docs[t.Doc].Fold.Off+t.Off, t.Len)
}

// suggList is the list of ix.sugg a kind's words go to.
func suggList(k Kind) int {
	if k == KindEpisode {
		return 1
	}
	return 0
}

func (ix *Index) mergeSugg(list int, add []suggTok) {
	if len(add) == 0 {
		return
	}
	sugg := ix.sugg[list]
	less := func(a, c suggTok) int {
		return cmp.Or(strings.Compare(ix.tok(a), ix.tok(c)), cmp.Compare(a.Doc, c.Doc))
	}
	slices.SortFunc(add, less)
	merged := make([]suggTok, 0, len(sugg)+len(add))
	i, j := 0, 0
	for i < len(sugg) || j < len(add) {
		if j == len(add) || (i < len(sugg) && less(sugg[i], add[j]) < 0) {
			if ix.meta[sugg[i].Doc].Live {
				merged = append(merged, sugg[i])
			}
			i++
		} else {
			merged = append(merged, add[j])
			j++
		}
	}
	ix.sugg[list] = merged
}

// Suggestion is a completion of what the user is typing.
type Suggestion struct {
	Kind Kind
	Key  string
	Text string // the title or name
	// Weight is what ranked it: the episodes of a guest, topic or show;
	// 0 for an episode.
	Weight int
}

// maxSuggestScan bounds the words a suggestion looks at: of guests,
// topics and shows, and of episode titles (which all weigh alike, so
// the first few hundred serve as well as all).
const (
	maxSuggestNamed  = 2048
	maxSuggestTitles = 256
)

// Suggest returns up to n titles and names that have a word beginning
// with the prefix's last word and every other word of the prefix, ranked:
// those beginning with the whole prefix first, then the guests, topics
// and shows with the most episodes, then the shortest. gen is as
// Query.Generation. A prefix without a word is an *InputError.
func (ix *Index) Suggest(prefix string, n int, gen uint64) ([]Suggestion, error) {
	if n := utf8.RuneCountInString(prefix); n > MaxQueryRunes {
		return nil, &InputError{"prefix", fmt.Sprintf("is %d characters long; at most %d", n, MaxQueryRunes)}
	}
	var words []string
	tokenize(prefix, func(t token) { words = append(words, t.term) })
	if len(words) == 0 {
		return nil, &InputError{"prefix", "has no letters or digits"}
	}
	if len(words) > MaxQueryWords {
		return nil, &InputError{"prefix", fmt.Sprintf("has %d words; at most %d", len(words), MaxQueryWords)}
	}
	full := strings.Join(words, " ")
	last := words[len(words)-1]
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	// The words are looked up by the last (a prefix) or, when there are
	// complete words before it, by the longest of those (exact): a short
	// last word ("priya s") would have thousands of words to scan.
	look, exact := last, false
	for _, w := range words[:len(words)-1] {
		if !exact || len(w) > len(look) {
			look, exact = w, true
		}
	}
	type cand struct {
		s     Suggestion
		start bool
	}
	// after reports whether a ranks after c.
	after := func(a, c *cand) bool {
		if a.start != c.start {
			return c.start
		}
		if d := cmp.Or(cmp.Compare(c.s.Weight, a.s.Weight), cmp.Compare(len(a.s.Text), len(c.s.Text)),
			strings.Compare(a.s.Text, c.s.Text), cmp.Compare(a.s.Kind, c.s.Kind), strings.Compare(a.s.Key, c.s.Key)); d != 0 {
			return d > 0
		}
		return false
	}
	// cands holds the best n so far, best first: most candidates are
	// turned away by one comparison with the last.
	cands := make([]cand, 0, n+1)
	seen := map[uint32]bool{}
	for list, sugg := range ix.sugg {
		i, _ := slices.BinarySearchFunc(sugg, look, func(s suggTok, t string) int { return strings.Compare(ix.tok(s), t) })
		for scanned := 0; i < len(sugg) && scanned < [2]int{maxSuggestNamed, maxSuggestTitles}[list] && strings.HasPrefix(ix.tok(sugg[i]), look) && (!exact || ix.tok(sugg[i]) == look); i, scanned = i+1, scanned+1 {
			id := sugg[i].Doc
			m := &ix.meta[id]
			fold, dkey := ix.fold(id), ix.key(id)
			if !m.Live || (gen > 0 && ix.gens[id] > gen) || seen[id] {
				continue
			}
			seen[id] = true
			if exact {
				ok := hasWord(fold, last, true)
				for _, w := range words[:len(words)-1] {
					ok = ok && hasWord(fold, w, false)
				}
				if !ok {
					continue
				}
			}
			c := cand{Suggestion{Kind: m.Kind, Key: dkey, Text: ix.suggText(id)}, strings.HasPrefix(fold, full)}
			if m.Kind != KindEpisode {
				c.s.Weight = [...]*interner{&ix.guests, &ix.topics, &ix.shows}[m.Kind-KindGuest].weight(dkey)
			}
			if len(cands) == n && (n == 0 || !after(&cands[n-1], &c)) {
				continue
			}
			at := len(cands)
			for at > 0 && after(&cands[at-1], &c) {
				at--
			}
			cands = slices.Insert(cands, at, c)
			if len(cands) > n {
				cands = cands[:n]
			}
		}
	}
	out := make([]Suggestion, 0, len(cands))
	for _, c := range cands {
		out = append(out, c.s)
	}
	return out, nil
}

// hasWord reports whether the space-separated words of fold include w
// (or, with prefix, a word that begins with w).
func hasWord(fold, w string, prefix bool) bool {
	for at := 0; at <= len(fold)-len(w); {
		i := strings.Index(fold[at:], w)
		if i < 0 {
			return false
		}
		i += at
		end := i + len(w)
		if (i == 0 || fold[i-1] == ' ') && (prefix || end == len(fold) || fold[end] == ' ') {
			return true
		}
		at = i + 1
	}
	return false
}
