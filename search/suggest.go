package search

import (
	"cmp"
	"slices"
	"strings"
)

// suggTok is a word of a suggestion's text and the doc it belongs to.
type suggTok struct {
	Tok string
	Doc uint32
}

func (ix *Index) mergeSugg(add []suggTok) {
	if len(add) == 0 {
		return
	}
	less := func(a, c suggTok) int { return cmp.Or(strings.Compare(a.Tok, c.Tok), cmp.Compare(a.Doc, c.Doc)) }
	slices.SortFunc(add, less)
	merged := make([]suggTok, 0, len(ix.sugg)+len(add))
	i, j := 0, 0
	for i < len(ix.sugg) || j < len(add) {
		if j == len(add) || (i < len(ix.sugg) && less(ix.sugg[i], add[j]) < 0) {
			if ix.docs[ix.sugg[i].Doc].Live {
				merged = append(merged, ix.sugg[i])
			}
			i++
		} else {
			merged = append(merged, add[j])
			j++
		}
	}
	ix.sugg = merged
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

// maxSuggestScan bounds the words a suggestion looks at.
const maxSuggestScan = 4096

// Suggest returns up to n titles and names that have a word beginning
// with the prefix's last word and every other word of the prefix, ranked:
// those beginning with the whole prefix first, then the guests, topics
// and shows with the most episodes, then the shortest. gen is as
// Query.Generation. A prefix without a word is an *InputError.
func (ix *Index) Suggest(prefix string, n int, gen uint64) ([]Suggestion, error) {
	var words []string
	tokenize(prefix, func(t token) { words = append(words, t.term) })
	if len(words) == 0 {
		return nil, &InputError{"prefix", "has no letters or digits"}
	}
	if len(words) > MaxQueryWords {
		return nil, &InputError{"prefix", "has too many words"}
	}
	full := strings.Join(words, " ")
	last := words[len(words)-1]
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	i, _ := slices.BinarySearchFunc(ix.sugg, last, func(s suggTok, t string) int { return strings.Compare(s.Tok, t) })
	type cand struct {
		s     Suggestion
		start bool
	}
	var cands []cand
	seen := map[uint32]bool{}
	for scanned := 0; i < len(ix.sugg) && scanned < maxSuggestScan && strings.HasPrefix(ix.sugg[i].Tok, last); i, scanned = i+1, scanned+1 {
		id := ix.sugg[i].Doc
		d := &ix.docs[id]
		if seen[id] || !d.Live || (gen > 0 && d.Gen > gen) {
			continue
		}
		seen[id] = true
		padded := " " + d.SuggFold + " "
		ok := true
		for _, w := range words[:len(words)-1] {
			ok = ok && strings.Contains(padded, " "+w+" ")
		}
		if !ok {
			continue
		}
		s := Suggestion{Kind: d.Kind, Key: d.Key, Text: d.Sugg}
		switch d.Kind {
		case KindGuest:
			s.Weight = ix.counts["g"+d.Key]
		case KindTopic:
			s.Weight = ix.counts["t"+d.Key]
		case KindShow:
			s.Weight = ix.counts["s"+d.Key]
		}
		cands = append(cands, cand{s, strings.HasPrefix(d.SuggFold, full)})
	}
	slices.SortFunc(cands, func(a, c cand) int {
		if a.start != c.start {
			if a.start {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(c.s.Weight, a.s.Weight), cmp.Compare(len(a.s.Text), len(c.s.Text)),
			strings.Compare(a.s.Text, c.s.Text), cmp.Compare(a.s.Kind, c.s.Kind), strings.Compare(a.s.Key, c.s.Key))
	})
	out := make([]Suggestion, 0, min(n, len(cands)))
	for _, c := range cands[:min(n, len(cands))] {
		out = append(out, c.s)
	}
	return out, nil
}
