// Package adminapi is the admin wire format, spoken by the server's
// /admin/ingest and /admin/backup endpoints and by the client that the
// ingest --server and backup --server commands use: the JSON of an ingest
// request and its answer, the NDJSON lines of a streamed answer, and the
// client itself.
package adminapi
