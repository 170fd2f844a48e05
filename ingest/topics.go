package ingest

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"podcastgraph/internal/podcast"
)

// extractorVersion changes whenever the extraction rules change in a way
// that can change a Document; it is part of Vocabulary.Fingerprint.
const extractorVersion = "ingest/4"

//go:embed topics.json
var defaultTopicsJSON []byte

// Vocabulary is the curated topic list: each topic has a name, a slug and
// aliases, and Match finds the topics a text mentions. A Vocabulary is
// immutable and safe for concurrent use.
type Vocabulary struct {
	topics      []podcast.Topic      // sorted by slug
	phrases     map[string][]phrase  // by first (stemmed) token
	fingerprint string               //
	words       map[string]bool      // lower-cased words of names and aliases
	excludes    map[int][]([]string) // topic index -> phrases that veto a match
	// firsts has bit len%64 of firsts[b] set when a phrase starts with a
	// token of that length whose first byte is b: most words are rejected
	// without a map lookup.
	firsts [256]uint64
}

// phrase is one name or alias of a topic, as match tokens.
type phrase struct {
	tokens []string
	topic  int // index into Vocabulary.topics
}

// topicEntry is one element of the vocabulary file.
type topicEntry struct {
	Name    string   `json:"name"`
	Slug    string   `json:"slug,omitempty"`
	Aliases []string `json:"aliases,omitempty"`
	// Exclude lists phrases containing an alias that do not count as a
	// mention ("network effect" is not networking).
	Exclude []string `json:"exclude,omitempty"`
}

// DefaultVocabulary returns the vocabulary embedded in the binary
// (ingest/topics.json). Each call parses the file afresh (well under a
// millisecond): call it once and keep the result. It panics only if the
// embedded file is broken, which the package's tests rule out.
func DefaultVocabulary() *Vocabulary {
	v, err := ParseVocabulary("topics.json", defaultTopicsJSON)
	if err != nil {
		panic("ingest: embedded vocabulary: " + err.Error())
	}
	return v
}

// LoadVocabulary reads a vocabulary file in the format of topics.json: a JSON
// array of {"name", "slug", "aliases", "exclude"} objects. The error names
// the file (and the line for JSON syntax errors).
func LoadVocabulary(path string) (*Vocabulary, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ingest: read vocabulary: %w", err)
	}
	return ParseVocabulary(path, data)
}

// ParseVocabulary reads a vocabulary from data; name is used in errors only.
// Every entry needs a name; the slug defaults to Slugify(name) and must be a
// valid slug; slugs must be unique; every alias must contain a letter or
// digit. Unknown fields are errors, to catch misspelt keys.
func ParseVocabulary(name string, data []byte) (*Vocabulary, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var entries []topicEntry
	if err := dec.Decode(&entries); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return nil, fmt.Errorf("ingest: vocabulary %s:%d: %v", name, lineAt(data, syn.Offset), err)
		}
		return nil, fmt.Errorf("ingest: vocabulary %s: %v", name, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("ingest: vocabulary %s: data after the JSON array", name)
	}
	slices.SortStableFunc(entries, func(a, b topicEntry) int {
		return strings.Compare(entrySlug(a), entrySlug(b))
	})
	v := &Vocabulary{
		phrases:  make(map[string][]phrase),
		words:    make(map[string]bool),
		excludes: make(map[int][]([]string)),
	}
	for i, e := range entries {
		e.Name = strings.TrimSpace(e.Name)
		if e.Name == "" {
			return nil, fmt.Errorf("ingest: vocabulary %s: entry %d has no name", name, i+1)
		}
		slug := entrySlug(e)
		if slug == "" || Slugify(slug) != slug {
			return nil, fmt.Errorf("ingest: vocabulary %s: topic %q: invalid slug %q (want lowercase ASCII words joined by '-')", name, e.Name, slug)
		}
		if i > 0 && v.topics[i-1].Slug == slug {
			return nil, fmt.Errorf("ingest: vocabulary %s: topic %q: duplicate slug %q", name, e.Name, slug)
		}
		v.topics = append(v.topics, podcast.Topic{Slug: slug, Name: e.Name, Aliases: slices.Clone(e.Aliases)})
		for _, text := range append([]string{e.Name}, e.Aliases...) {
			toks := matchWords(text)
			if len(toks) == 0 {
				return nil, fmt.Errorf("ingest: vocabulary %s: topic %q: alias %q has no letters or digits", name, e.Name, text)
			}
			v.phrases[toks[0]] = append(v.phrases[toks[0]], phrase{tokens: toks, topic: i})
			v.firsts[toks[0][0]] |= 1 << (len(toks[0]) % 64)
			for _, w := range strings.FieldsFunc(foldText(text), notWordRune) {
				v.words[w] = true
			}
		}
		for _, text := range e.Exclude {
			toks := matchWords(text)
			if len(toks) == 0 {
				return nil, fmt.Errorf("ingest: vocabulary %s: topic %q: exclude %q has no letters or digits", name, e.Name, text)
			}
			v.excludes[i] = append(v.excludes[i], toks)
		}
	}
	canon, err := json.Marshal(entries)
	if err != nil {
		return nil, fmt.Errorf("ingest: vocabulary %s: %v", name, err)
	}
	sum := sha256.Sum256(append([]byte(extractorVersion+"\n"), canon...))
	v.fingerprint = hex.EncodeToString(sum[:8])
	return v, nil
}

func entrySlug(e topicEntry) string {
	if e.Slug != "" {
		return e.Slug
	}
	return Slugify(e.Name)
}

// lineAt returns the 1-based line of byte offset off in data.
func lineAt(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// Topics returns every topic of the vocabulary, sorted by slug. The slice is
// the caller's to keep.
func (v *Vocabulary) Topics() []podcast.Topic {
	out := make([]podcast.Topic, len(v.topics))
	for i, t := range v.topics {
		t.Aliases = slices.Clone(t.Aliases)
		out[i] = t
	}
	return out
}

// Fingerprint returns a short hex digest of the vocabulary and of the
// extractor's version: when it changes, stored documents should be parsed
// again.
func (v *Vocabulary) Fingerprint() string { return v.fingerprint }

// Match returns the sorted, deduplicated slugs of the topics text mentions.
// Names and aliases match whole words or phrases, ignoring case, accents,
// and the difference between hyphens, slashes and spaces ("open-source" is
// "open source", "CI/CD" is "CI CD"); a plural "s" on either side is ignored
// ("VPNs" is "VPN"). "AI" therefore never matches inside "said". It returns an
// empty, non-nil slice when nothing matches.
func (v *Vocabulary) Match(text string) []string {
	low, toks := matchTokens(text)
	var found []int
	for i, t := range toks {
		w := low[t.start:t.end]
		if v.firsts[w[0]]&(1<<(len(w)%64)) == 0 {
			continue
		}
		for _, p := range v.phrases[w] {
			if hasPhraseAt(low, toks, i, p.tokens) && !slices.Contains(found, p.topic) && !v.excluded(low, toks, i, p) {
				found = append(found, p.topic)
			}
		}
	}
	slices.Sort(found) // topics are sorted by slug, so indexes sort slugs
	out := make([]string, len(found))
	for i, t := range found {
		out[i] = v.topics[t].Slug
	}
	return out
}

// excluded reports whether the match of p at toks[i] lies inside one of its
// topic's exclude phrases.
func (v *Vocabulary) excluded(low string, toks []span, i int, p phrase) bool {
	for _, ex := range v.excludes[p.topic] {
		for j := range ex {
			if i-j >= 0 && hasPhraseAt(low, toks, i-j, ex) && slices.Equal(ex[j:min(j+len(p.tokens), len(ex))], p.tokens) {
				return true
			}
		}
	}
	return false
}

// hasPhraseAt reports whether the words of p are the tokens from toks[i].
func hasPhraseAt(low string, toks []span, i int, p []string) bool {
	if i+len(p) > len(toks) {
		return false
	}
	for k, w := range p {
		if t := toks[i+k]; low[t.start:t.end] != w {
			return false
		}
	}
	return true
}

// isTopicWord reports whether w (lower case) is a word of a topic's name or
// alias: such words are never parts of a person's name.
func (v *Vocabulary) isTopicWord(w string) bool { return v.words[w] }

// span is a token of matchTokens: low[start:end].
type span struct{ start, end int32 }

// matchTokens splits text into lower-case, accent-folded alphanumeric words,
// dropping possessive "'s" and a plural "s" (see stem). It returns the
// folded words run together and their spans in it.
func matchTokens(text string) (string, []span) {
	var b strings.Builder
	b.Grow(len(text))
	toks := make([]span, 0, len(text)/6+1)
	start := -1 // start of the current word in b
	end := func() {
		if start >= 0 {
			w := b.String()[start:]
			toks = append(toks, span{int32(start), int32(start + len(stem(w)))})
			start = -1
		}
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			switch {
			case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
			case 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			case c == '\'' && possessiveAt(text, i+1):
				end()
				i += 2
				continue
			default:
				end()
				i++
				continue
			}
			if start < 0 {
				start = b.Len()
			}
			b.WriteByte(c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		i += n
		switch f := foldRune(r); {
		case f != "":
			if start < 0 {
				start = b.Len()
			}
			b.WriteString(f)
		case isWordRune(r):
			if start < 0 {
				start = b.Len()
			}
			b.WriteRune(unicode.ToLower(r))
		case isApostrophe(r) && possessiveAt(text, i):
			end()
			i++
		default:
			end()
		}
	}
	end()
	return b.String(), toks
}

// possessiveAt reports whether text[i:] starts with an "s" that ends a word.
func possessiveAt(text string, i int) bool {
	return i < len(text) && (text[i] == 's' || text[i] == 'S') && (i+1 == len(text) || !isMatchByte(text[i+1]|0x20))
}

// matchWords returns the match tokens of text as strings.
func matchWords(text string) []string {
	low, toks := matchTokens(text)
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = low[t.start:t.end]
	}
	return out
}

func notWordRune(r rune) bool { return !isWordRune(r) }

func isMatchByte(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }

// stem drops a plural "s" from words of three letters or more not ending in
// "ss", so that "VPNs" meets "VPN" and "databases" meets "database". It is
// applied to the text and to the vocabulary alike, so over-stemming ("dns"
// -> "dn") is harmless.
func stem(w string) string {
	if n := len(w); n >= 3 && w[n-1] == 's' && w[n-2] != 's' {
		return w[:n-1]
	}
	return w
}
