// Package ingest reads the text of one episode page; EXTRACTION.md in this
// directory is the full account.
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
// show's links, each followed by a URL or nothing. Lines are cleaned first
// (BOM, CRLF, Unicode spaces, trailing blanks); the boilerplate run into the
// end of a listing summary and the trailing "..." or "…" are cut.
//
// # Extraction
//
// Topics are the vocabulary's names and aliases found as whole words or
// phrases, ignoring case, accents, hyphens and a plural "s". Hosts are first
// names said as a pair with a host verb ("Darin and Viktor speak with") or
// joined by a guest ("joins Darin and Viktor"), over the whole page. Guests
// are runs of two to four capitalised words (particles "de la", "al-Amin",
// initials "J. R.", an honorific "Dr." kept in the name but not the slug),
// not stop words, not starting with a host's name, that their sentence or
// the page marks as a guest: a cue before ("speak with", "our guest this
// week is", "joining us is", "thrilled to have", perhaps with a role between:
// "welcome back economist NAME") or after ("NAME joins"); a contact section
// whose name starts the full name; or, when the name is the subject of a
// present-tense verb that does not report speech, an apposition holding a
// role ("NAME, CEO at ORG, explores"), a role before the name ("co-founder
// NAME calls") or a "who" clause; or the subject of a sentence followed by
// "he"/"she" ("NAME has been ... In 2010 he started ORG"). A past tense or
// reported speech ("told analysts", "announced") marks people talked about.
// Roles and organisations are kept as written, the rest of an apposition is
// the bio, and the sentence that names a guest is the evidence.
//
// # Weak spots
//
// A guest needs a cue or a contact section: one mentioned in passing is
// missed, and a product name in a guest's slot is taken for a person unless
// the stop list knows it. One-word names are guests only with a contact
// section of that name and an introduction; names in scripts without case
// are never guests, and names with no Latin, Greek or Cyrillic letters have
// no slug. A guest who shares a host's first name is dropped. Roles outside
// the vocabulary, lower-case organisations and organisations with commas
// are missed or cut; the organisation of a bare "co-founder NAME" is a
// guess. Topic matching knows the plural "s" only.
package ingest
