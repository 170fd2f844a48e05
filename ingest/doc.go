// Package ingest reads the text of one episode page (see EXTRACTION.md for
// the full account, mirrored here).
//
// # Layout
//
// A page starts with a header "CODE NUMBER: title" ("DOP 316: ..."), a
// "Release Date: MM/DD/YYYY" line and the show's name. Then come items
// "#N: text": the listing of other episodes, each cut off with "..." and
// glued to the next by the icon name "info_outline" and the show's name,
// and the page's own episode, "info_outline#316: ...", whose following lines
// are paragraphs of its description. "<Name>'s contact information:" opens a
// contact section of "Label: URL" lines; "YouTube channel:", "Review the
// podcast on Apple Podcasts:", "Slack:" and "Connect with us at:" are the
// show's boilerplate, each followed by a URL or nothing. Lines are cleaned
// first: BOM, CRLF, Unicode spaces, trailing blanks.
//
// # Extraction
//
// Hosts are first names said as a pair with a host verb ("Darin and Viktor
// speak with") or joined by a guest ("joins Darin and Viktor"), gathered over
// the whole page. Guests are runs of two to four capitalised words, not
// stop words, not starting with a host's name, that a cue marks as a guest:
// an apposition holding a role ("NAME, CEO at ORG,"), a role before the name
// ("co-founder NAME"), a cue before ("speak with", "joined by", "with" in a
// sentence naming a host) or after ("NAME joins", "NAME and NAME from ORG
// join"), or the subject of a sentence followed by "he"/"she" ("NAME has
// been ... In 2010 he started ORG"). Roles come from a small vocabulary;
// organisations are the capitalised words after "at"/"of"; other appositive
// text is the bio. Topics are the curated vocabulary's names and aliases
// found as whole words or phrases.
//
// # Weak spots
//
// Names need a cue: a guest mentioned only in passing is missed. Names of
// one word, or written in a script without case, are never guests. A guest
// who shares a host's first name is dropped. An organisation with a comma in
// its name, or one named only by a lower-case word, is cut short or missed.
// The organisation of a guest introduced by a bare role ("co-founder NAME")
// is guessed from the capitalised words around. Topic matching knows plural
// "s" only, not "-es" or other inflections.
package ingest
