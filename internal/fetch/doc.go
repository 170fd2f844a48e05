// Package fetch gets the documents ingest reads from http(s) URLs, safely:
// only http and https, bounded in time (connecting, waiting for the
// headers, the whole transfer) and in size (the body, after gzip is
// undone), at most a few redirects, each checked again, and, unless the
// operator allows it, never to a loopback, private, link-local, CGNAT,
// multicast, unspecified or cloud metadata address. The address is checked
// when the connection is dialled (net.Dialer.Control), on the IP actually
// dialled, so neither a redirect nor a DNS answer that changes between two
// lookups (DNS rebinding) gets around it: the server may fetch on behalf
// of whoever holds the admin token (/admin/ingest), and must not become a
// way into the network it runs in.
//
// It also makes conditional requests (If-None-Match, If-Modified-Since)
// from the validators it is given, and says when the answer was 304. It
// keeps no state: remembering validators is the store's job.
package fetch
