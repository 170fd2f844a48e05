#!/usr/bin/env node
// federation.mjs composes the podcast graph's subgraph (serve --federation)
// with a small subgraph of its own behind Hive Gateway (@graphql-hive/gateway,
// pinned in package.json), which composes the supergraph locally from each
// subgraph's _service { sdl }, then sends the gateway one query and prints
// its JSON answer on stdout.
//
//   node e2e/federation.mjs PODCAST_URL QUERY    e.g. http://127.0.0.1:8080/graphql
//
// The second subgraph ("profiles") extends Guest (keyed by slug) with
// `mastodon`, and adds Query.featuredGuests, whose guests the gateway then
// completes from the podcast subgraph through _entities: a query can cross
// the two both ways. Everything listens on 127.0.0.1. Exits 1 when the
// gateway does not come up or answers with a status other than 200.

import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, graphql } from 'graphql';

const [podcastURL, query] = process.argv.slice(2);
if (!podcastURL || !query) {
  console.error('usage: node e2e/federation.mjs PODCAST_URL QUERY');
  process.exit(2);
}

// The subgraph's SDL, as composition reads it (federation v2).
const sdl = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

type Guest @key(fields: "slug") {
  slug: String!
  "The guest's Mastodon handle, kept by this subgraph."
  mastodon: String
}

type Query {
  "Guests this subgraph features; the podcast subgraph knows the rest of them."
  featuredGuests: [Guest!]!
}
`;

// What the subgraph executes: the SDL's types plus the federation fields.
const schema = buildSchema(`
scalar _Any
type _Service { sdl: String }
union _Entity = Guest
type Guest { slug: String! mastodon: String }
type Query {
  featuredGuests: [Guest!]!
  _service: _Service!
  _entities(representations: [_Any!]!): [_Entity]!
}
`);

const mastodon = { 'avery-pennarun': '@apenwarr@mastodon.social' };
const guest = (slug) => ({ __typename: 'Guest', slug, mastodon: mastodon[slug] ?? null });
const rootValue = {
  featuredGuests: () => [guest('avery-pennarun')],
  _service: () => ({ sdl }),
  _entities: ({ representations }) =>
    representations.map((r) => (r.__typename === 'Guest' ? guest(r.slug) : null)),
};

const profiles = createServer(async (req, res) => {
  let body = '';
  for await (const chunk of req) body += chunk;
  let result;
  try {
    const { query, variables, operationName } = JSON.parse(body);
    result = await graphql({
      schema, source: query, variableValues: variables, operationName, rootValue,
      typeResolver: (value) => value.__typename,
    });
  } catch (err) {
    result = { errors: [{ message: String(err) }] };
  }
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(result));
});
await new Promise((resolve) => profiles.listen(0, '127.0.0.1', resolve));
const profilesURL = `http://127.0.0.1:${profiles.address().port}/graphql`;

// A free port for the gateway.
const probe = createServer();
await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
const port = probe.address().port;
await new Promise((resolve) => probe.close(resolve));

const bin = join(dirname(fileURLToPath(import.meta.url)), 'node_modules', '@graphql-hive', 'gateway', 'dist', 'bin.js');
let gatewayLog = '';
const gateway = spawn(process.execPath, [bin, 'supergraph',
  '--dev-service', `podcast=${podcastURL}`, '--dev-service', `profiles=${profilesURL}`,
  '--host', '127.0.0.1', '--port', String(port), '--disable-websockets'], { stdio: ['ignore', 'pipe', 'pipe'] });
gateway.stdout.on('data', (d) => { gatewayLog += d; });
gateway.stderr.on('data', (d) => { gatewayLog += d; });

const stop = (code, message) => {
  if (message) console.error(message);
  gateway.kill();
  profiles.close();
  process.exit(code);
};

const gatewayURL = `http://127.0.0.1:${port}/graphql`;
const post = (q) => fetch(gatewayURL, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: q }),
});

// Wait for the gateway to compose and answer (up to 60 s).
const deadline = Date.now() + 60_000;
for (;;) {
  try {
    const r = await post('{ __typename }');
    if (r.ok && (await r.json()).data) break;
  } catch { /* not listening yet */ }
  if (gateway.exitCode !== null || Date.now() > deadline) {
    stop(1, `gateway did not come up:\n${gatewayLog}`);
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
}

const r = await post(query);
const text = await r.text();
if (r.status !== 200) stop(1, `gateway answered ${r.status}: ${text}\n${gatewayLog}`);
console.log(text);
stop(0);
