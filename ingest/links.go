package ingest

import (
	"net/url"
	"strings"

	"podcastgraph/internal/podcast"
)

// This file reads links: "Label: URL" lines of contact sections, the show's
// boilerplate ("YouTube channel:", "Slack:", ...), and the same boilerplate
// run together at the end of listing summaries.

// labelKinds maps a lower-cased link label to its kind. A label not listed
// here still yields a link (kind guessed from the URL's host) and a warning.
var labelKinds = map[string]podcast.LinkKind{
	"linkedin": podcast.LinkLinkedIn, "linked in": podcast.LinkLinkedIn,
	"twitter": podcast.LinkTwitter, "x": podcast.LinkTwitter, "twitter/x": podcast.LinkTwitter,
	"x/twitter": podcast.LinkTwitter, "x (twitter)": podcast.LinkTwitter, "twitter (x)": podcast.LinkTwitter,
	"github":  podcast.LinkGitHub,
	"youtube": podcast.LinkYouTube, "youtube channel": podcast.LinkYouTube,
	"apple podcasts": podcast.LinkApplePodcasts, "review the podcast on apple podcasts": podcast.LinkApplePodcasts,
	"slack":   podcast.LinkSlack,
	"website": podcast.LinkWebsite, "web": podcast.LinkWebsite, "web site": podcast.LinkWebsite,
	"site": podcast.LinkWebsite, "homepage": podcast.LinkWebsite, "home page": podcast.LinkWebsite,
	"blog": podcast.LinkWebsite, "personal website": podcast.LinkWebsite, "company website": podcast.LinkWebsite,
	"connect with us at": podcast.LinkWebsite,
	// Known labels with no kind of their own.
	"bluesky": podcast.LinkOther, "mastodon": podcast.LinkOther, "threads": podcast.LinkOther,
	"instagram": podcast.LinkOther, "facebook": podcast.LinkOther, "gitlab": podcast.LinkOther,
	"email": podcast.LinkOther, "e-mail": podcast.LinkOther, "substack": podcast.LinkOther,
	"newsletter": podcast.LinkOther, "discord": podcast.LinkOther, "twitch": podcast.LinkOther,
	"book": podcast.LinkOther, "podcast": podcast.LinkOther, "medium": podcast.LinkOther,
}

// hostKinds maps a URL host (without "www.") to a link kind.
var hostKinds = map[string]podcast.LinkKind{
	"linkedin.com": podcast.LinkLinkedIn, "twitter.com": podcast.LinkTwitter, "x.com": podcast.LinkTwitter,
	"github.com": podcast.LinkGitHub, "youtube.com": podcast.LinkYouTube, "youtu.be": podcast.LinkYouTube,
	"podcasts.apple.com": podcast.LinkApplePodcasts, "slack.com": podcast.LinkSlack,
}

// labelKind returns the kind for a page's label and whether the label is known.
func labelKind(label string) (podcast.LinkKind, bool) {
	k, ok := labelKinds[strings.ToLower(label)]
	return k, ok
}

// urlKind guesses a link's kind from its host; OTHER when nothing fits.
func urlKind(u string) podcast.LinkKind {
	p, err := url.Parse(u)
	if err != nil {
		return podcast.LinkOther
	}
	host := strings.TrimPrefix(strings.ToLower(p.Hostname()), "www.")
	if k, ok := hostKinds[host]; ok {
		return k
	}
	for h, k := range hostKinds {
		if strings.HasSuffix(host, "."+h) { // e.g. "devopsparadox.slack.com"
			return k
		}
	}
	return podcast.LinkOther
}

// isURL reports whether s is one absolute http(s) URL with a host.
func isURL(s string) bool {
	if !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "http://") {
		return false
	}
	if strings.ContainsAny(s, " \t") {
		return false
	}
	p, err := url.Parse(s)
	return err == nil && p.Host != ""
}

// splitLinkLine splits "Label: URL" into its parts; ok is false when the line
// is not of that form. A line holding only a URL has an empty label.
func splitLinkLine(s string) (label, link string, ok bool) {
	if isURL(s) {
		return "", s, true
	}
	i := strings.Index(s, ":")
	if i <= 0 || i > 60 {
		return "", "", false
	}
	label = strings.TrimSpace(s[:i])
	link = strings.TrimSpace(s[i+1:])
	if !isURL(link) {
		return "", "", false
	}
	return label, link, true
}

// showLabels are the show's boilerplate labels, as the pages spell them.
// Each is followed by a URL on the same or the next line, or by nothing.
var showLabels = []string{
	"YouTube channel:",
	"Review the podcast on Apple Podcasts:",
	"Slack:",
	"Connect with us at:",
}

// cutLabels are the boilerplate labels that, met inside running text, start
// the boilerplate: "Slack:" alone is too common a word to cut at.
var cutLabels = []string{"YouTube channel:", "Review the podcast on", "Connect with us at:"}

// showLabelAt returns the boilerplate label s starts with, or "".
func showLabelAt(s string) string {
	for _, l := range showLabels {
		if len(s) >= len(l) && strings.EqualFold(s[:len(l)], l) {
			return l
		}
	}
	return ""
}

// stripBoilerplate cuts the show's boilerplate from the end of running text
// (labels as the pages spell them, case included): at the first full label ("... anticipated. YouTube channel: Review the
// podcast on...") or at a tail, after the last sentence, that is the start of
// a label cut off by truncation ("... anticipated. YouTube chan..."). It
// returns the text before the cut and the boilerplate after it ("" if none).
func stripBoilerplate(s string) (text, rest string) {
	cut := -1
	for _, l := range cutLabels {
		if i := strings.Index(s, l); i >= 0 && (cut < 0 || i < cut) && (i == 0 || s[i-1] == ' ') {
			cut = i
		}
	}
	if cut < 0 {
		body, _ := trimEllipsis(s)
		if j := strings.LastIndex(body, ". "); j >= 0 {
			tail := body[j+2:]
			for _, l := range showLabels {
				if len(tail) >= 5 && len(tail) < len(l) && strings.EqualFold(l[:len(tail)], tail) {
					cut = j + 2
					break
				}
			}
		}
	}
	if cut < 0 {
		return s, ""
	}
	return strings.TrimRight(s[:cut], " "), s[cut:]
}

// boilerplateLinks reads "Label: URL Label: Label: URL ..." run together on
// one line and returns the links that have a URL. It looks at each colon
// once, so its work is linear in len(s).
func boilerplateLinks(s string) []podcast.Link {
	var links []podcast.Link
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], ':')
		if j < 0 {
			break
		}
		i += j + 1
		label := ""
		for _, l := range showLabels {
			if strings.HasSuffix(s[:i], l) {
				label = l
				break
			}
		}
		if label == "" {
			continue
		}
		word, _, _ := strings.Cut(strings.TrimLeft(s[i:], " "), " ")
		if isURL(word) {
			links = addLink(links, showLink(label, word))
		}
	}
	return links
}

// showLink builds the show's link for a boilerplate label and URL.
func showLink(label, u string) podcast.Link {
	label = strings.TrimSuffix(label, ":")
	kind, ok := labelKind(label)
	if !ok || kind == podcast.LinkOther {
		kind = urlKind(u)
	}
	return podcast.Link{Kind: kind, URL: u, Label: label}
}

// maxLinks caps the links kept for one guest or show.
const maxLinks = 32

// addLink appends l to links unless the same kind and URL is already there
// or links is full.
func addLink(links []podcast.Link, l podcast.Link) []podcast.Link {
	if len(links) >= maxLinks {
		return links
	}
	for _, have := range links {
		if have.Kind == l.Kind && have.URL == l.URL {
			return links
		}
	}
	return append(links, l)
}
