// Package search is the full-text index of the podcast graph: episodes
// (title, summary, description), guests (name, role, organization),
// topics (name, aliases) and shows (title), ranked BM25F with field
// boosts, with English stemming, case and accent folding, phrases,
// exclusions, prefix matching of the last word, typo tolerance and facets,
// and a typeahead (Suggest).
//
// The index lives in memory and is fed from the store's change stream
// (Feeder: store.Subscribe nudges it, the store's change journal says
// what changed), never from HTTP handlers; it is saved beside the store
// file with the generation it reflects, so a restart reads the journal
// since then instead of rebuilding, and a crash between a store commit and
// the index's update is repaired the same way. See docs/search.md.
package search
