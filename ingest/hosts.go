package ingest

import "slices"

// This file finds the show's hosts: the people named as a pair, "X and Y",
// that speak, explore, reflect... ("In this episode, Darin and Viktor speak
// with ...") or that a guest joins ("... joins Darin and Viktor"). A host is
// named by the first word of the name, as the pages do.

// hostVerbs follow a pair of hosts.
var hostVerbs = wordSet(`speak speaks talk talks chat chats sit sits explore explores discuss
	discusses dive dives dig digs reflect reflects look looks break breaks unpack unpacks examine
	examines welcome welcomes interview interviews are were share shares debate debates catch
	catches tackle tackles cover covers review reviews revisit revisits consider considers compare
	compares ponder ponders answer answers walk walks go goes get gets take takes wrap wraps return
	returns continue continues delve delves weigh weighs question questions investigate
	investigates analyze analyzes analyse analyses kick kicks round rounds celebrate celebrates
	predict predicts make makes offer offers respond responds try tries hear hears learn learns ask
	asks bring brings open opens close closes wonder wonders argue argues agree agrees disagree
	disagrees recap recaps react reacts host hosts invite invites introduce introduces highlight
	highlights dissect dissects challenge challenges imagine imagines tell tells discover discovers
	sort sorts chat chats also both`)

// maxHosts caps the hosts found on one page.
const maxHosts = 8

// hostJoinCues precede a pair of hosts: "Jane Doe joins Darin and Viktor".
var hostJoinCues = wordSet(`joins join joined joining`)

// hostSoloCues follow a single host: "Darin speaks with Jane Doe".
var hostSoloCues = [][]string{
	{"speaks", "with"}, {"talks", "with"}, {"chats", "with"}, {"sits", "down", "with"},
	{"is", "joined", "by"}, {"welcomes"}, {"interviews"},
}

// addHosts adds the names of more not yet in hosts, in order, keeping at
// most maxHosts.
func addHosts(hosts, more []string) []string {
	for _, h := range more {
		if len(hosts) >= maxHosts {
			break
		}
		if !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	return hosts
}

// hostsIn returns the first names of the hosts one text names, in order
// of first appearance, at most maxHosts. A page's hosts are those of its
// texts in page order (see findPeople).
func (p *namer) hostsIn(a *analysis) []string {
	var hosts []string
	add := func(t token) {
		if len(hosts) >= maxHosts {
			return
		}
		for _, h := range hosts {
			if h == t.text {
				return
			}
		}
		hosts = append(hosts, t.text)
	}
	for si, runs := range a.runs {
		if len(runs) < 2 {
			continue
		}
		toks := a.tokens(si)
		for k, r := range runs {
			if r.words > 2 {
				continue
			}
			after := r.last + 1
			if k+1 < len(runs) && !toks[r.last].possessive && after < len(toks) && toks[after].lower == "and" &&
				runs[k+1].first == after+1 && runs[k+1].words <= 2 {
				r2 := runs[k+1]
				next := r2.last + 1
				verb := next < len(toks) && toks[next].kind == tokWord && hostVerbs[toks[next].lower]
				joined := r.first > 0 && hostJoinCues[toks[r.first-1].lower]
				if verb || joined {
					add(toks[r.first])
					add(toks[r2.first])
				}
			}
			// A lone first name speaking with a full name: "Darin speaks
			// with Jane Doe". Never "Avery talks with Darin".
			if n := wordsAt(toks, after, hostSoloCues); r.words == 1 && n > 0 && k+1 < len(runs) &&
				runs[k+1].first == after+n && runs[k+1].words >= 2 {
				add(toks[r.first])
			}
		}
	}
	return hosts
}

// wordsAt returns the length of the first of the word sequences that
// toks[i:] starts with, or 0.
func wordsAt(toks []token, i int, seqs [][]string) int {
	for _, seq := range seqs {
		if i+len(seq) > len(toks) {
			continue
		}
		ok := true
		for k, w := range seq {
			if toks[i+k].lower != w {
				ok = false
				break
			}
		}
		if ok {
			return len(seq)
		}
	}
	return 0
}
