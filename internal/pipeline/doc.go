// Package pipeline is the one way pages get into the store: it lists the
// files to read (regular files only, symlinks checked), reads them within
// the page size limit, parses them in parallel and commits them in batches
// with every document isolated from the others' failures. It also holds
// the collector's policies for bulk ingests and serving, and the watcher
// that ingests new and changed pages of a directory while a server runs.
//
// The ingest command, serve's start-up ingest and --watch, and the admin
// endpoint all use it.
package pipeline
