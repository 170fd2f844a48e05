// Package cli is the program's commands: each one parses its own flags
// (each with its environment variable, through one helper), prints its own
// --help, refuses flags that are not its own and runs: serve through
// internal/server, ingest through internal/pipeline or, with --server, the
// admin client of internal/adminapi, and backup through the store or the
// same client.
package cli
