#!/usr/bin/env bash
# fetch-assets.sh rebuilds internal/playground/assets/ from the npm registry at the
# pinned versions below. It is run by hand when the versions change, never in
# CI: the assets it writes are committed and embedded into the binary.
#
# Needs npm and node. Every copied file is byte-identical to the one in the
# npm tarball; VERSIONS records where each came from and its SHA-256 (as an
# SRI string), and playground's tests check the embedded files against it.
# The four main bundles are the ones gqlgen's playground.Handler loads from a
# CDN (graphql/playground/playground.go in gqlgen v0.17.95), with the same
# SRI hashes; the explorer's style.min.css there is a CDN-made minification,
# so the package's own dist/style.css is used instead.
#
# After changing a version here, change the paths in assets.go to match; the
# tests fail until they do.
set -euo pipefail

GRAPHIQL=4.1.2
REACT=18.2.0
EXPLORER=4.0.6
# Bundled into @graphiql/plugin-explorer's UMD file; fetched for its licence.
GRAPHIQL_EXPLORER=0.9.0

here=$(cd "$(dirname "$0")" && pwd)
out=$here/assets
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$work"
for spec in "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT" \
	"@graphiql/plugin-explorer@$EXPLORER" "graphiql-explorer@$GRAPHIQL_EXPLORER"; do
	tgz=$(npm pack --silent "$spec" | tail -n 1)
	dir=${spec#@}
	dir=${dir//\//-}
	dir=${dir//@/-}
	mkdir -p "$dir"
	tar -xzf "$tgz" -C "$dir"
done

rm -rf "$out"
mkdir -p "$out"

versions=$out/VERSIONS
cat >"$versions" <<'EOF'
# Files in this directory, copied unchanged from npm tarballs by ../fetch-assets.sh.
# Tab-separated: package@version, path in the npm tarball, path here, sha256 (SRI).
# Generated files have "-" for the hash.
EOF

# copy PACKAGE@VERSION TARBALL_DIR SRC DEST: copies one file and records it.
copy() {
	local spec=$1 dir=$2 src=$3 dest=$4
	mkdir -p "$(dirname "$out/$dest")"
	cp "$work/$dir/$src" "$out/$dest"
	local sri
	sri="sha256-$(openssl dgst -sha256 -binary "$out/$dest" | openssl base64 -A)"
	printf '%s\t%s\t%s\t%s\n' "$spec" "$src" "$dest" "$sri" >>"$versions"
}

g=graphiql-$GRAPHIQL
copy "graphiql@$GRAPHIQL" "$g" package/graphiql.min.js "$g/graphiql.min.js"
copy "graphiql@$GRAPHIQL" "$g" package/graphiql.min.css "$g/graphiql.min.css"
copy "graphiql@$GRAPHIQL" "$g" package/LICENSE "$g/LICENSE"

r=react-$REACT
copy "react@$REACT" "$r" package/umd/react.production.min.js "$r/react.production.min.js"
copy "react@$REACT" "$r" package/LICENSE "$r/LICENSE"

rd=react-dom-$REACT
copy "react-dom@$REACT" "$rd" package/umd/react-dom.production.min.js "$rd/react-dom.production.min.js"
copy "react-dom@$REACT" "$rd" package/LICENSE "$rd/LICENSE"

e=graphiql-plugin-explorer-$EXPLORER
copy "@graphiql/plugin-explorer@$EXPLORER" "$e" package/dist/index.umd.js "$e/index.umd.js"
copy "@graphiql/plugin-explorer@$EXPLORER" "$e" package/dist/style.css "$e/style.css"
copy "graphiql-explorer@$GRAPHIQL_EXPLORER" "graphiql-explorer-$GRAPHIQL_EXPLORER" package/LICENSE "$e/LICENSE.graphiql-explorer"

# @graphiql/plugin-explorer ships no licence file; its package.json says MIT
# and it lives in the same monorepo (github.com/graphql/graphiql) as graphiql.
{
	printf '@graphiql/plugin-explorer@%s ships no licence file. Its package.json declares\n' "$EXPLORER"
	printf '"license": "%s"; it is developed in the graphql/graphiql monorepo, whose\n' \
		"$(node -p "require('$work/$e/package/package.json').license")"
	printf 'licence, as shipped in graphiql@%s/LICENSE, follows.\n\n' "$GRAPHIQL"
	cat "$work/$g/package/LICENSE"
	printf '\nindex.umd.js bundles graphiql-explorer@%s (OneGraph); its licence is in\nLICENSE.graphiql-explorer beside this file.\n' "$GRAPHIQL_EXPLORER"
} >"$out/$e/LICENSE"
printf '%s\t%s\t%s\t%s\n' "@graphiql/plugin-explorer@$EXPLORER" "(written by fetch-assets.sh)" "$e/LICENSE" "-" >>"$versions"

# graphiql.min.js bundles its dependencies (graphql, codemirror, markdown-it,
# radix-ui, ...). The source map names every bundled package; install the
# same dependency tree (plus graphql-ws, an optional peer dependency of
# @graphiql/toolkit that the bundle includes) and collect their licences.
(
	mkdir tree && cd tree
	npm init -y >/dev/null
	npm install --ignore-scripts --no-audit --no-fund --silent \
		"graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT" graphql@16 graphql-ws >/dev/null
)
node - "$work/$g/package/graphiql.min.js.map" "$work/tree" "$GRAPHIQL" >"$out/$g/THIRD_PARTY_LICENSES" <<'EOF'
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const [map, tree, version] = process.argv.slice(2);
// Packages of the graphiql monorepo appear in the map as sibling directories.
const monorepo = {
  'codemirror-graphql': 'codemirror-graphql',
  'graphiql-plugin-doc-explorer': '@graphiql/plugin-doc-explorer',
  'graphiql-plugin-history': '@graphiql/plugin-history',
  'graphiql-react': '@graphiql/react',
  'graphiql-toolkit': '@graphiql/toolkit',
  'graphql-language-service': 'graphql-language-service',
};
const names = new Set();
for (const src of JSON.parse(fs.readFileSync(map, 'utf8')).sources) {
  const i = src.lastIndexOf('node_modules/');
  if (i >= 0) {
    const parts = src.slice(i + 'node_modules/'.length).split('/');
    names.add(parts[0].startsWith('@') ? parts[0] + '/' + parts[1] : parts[0]);
    continue;
  }
  const dir = src.replace(/^(\.\.\/)+/, '').split('/')[0];
  if (monorepo[dir]) names.add(monorepo[dir]);
}
const out = [
  `Third-party packages bundled into graphiql@${version}/graphiql.min.js, as named by`,
  `its source map (graphiql.min.js.map in the npm package), with the licence each`,
  `ships. Versions are those npm resolves today for graphiql@${version}'s dependency`,
  `ranges, or the latest release for the few that no longer resolve; the bundle`,
  `may hold an earlier release of some of them.`,
  '',
];
// find returns the directory of package name: the hoisted copy if there is
// one, else the first nested copy.
function find(name) {
  const top = path.join(tree, 'node_modules', name);
  if (fs.existsSync(path.join(top, 'package.json'))) return top;
  const queue = [path.join(tree, 'node_modules')];
  while (queue.length > 0) {
    const nm = queue.shift();
    let entries;
    try {
      entries = fs.readdirSync(nm);
    } catch {
      continue;
    }
    for (const e of entries.sort()) {
      const pkgs = e.startsWith('@') ? fs.readdirSync(path.join(nm, e)).map((s) => path.join(e, s)) : [e];
      for (const p of pkgs) {
        const dir = path.join(nm, p);
        if (p === name && fs.existsSync(path.join(dir, 'package.json'))) return dir;
        queue.push(path.join(dir, 'node_modules'));
      }
    }
  }
  return fetched(name) ?? top;
}
// fetched unpacks the latest release of a package the tree no longer holds
// (newer releases of its dependants dropped it) and returns its directory.
function fetched(name) {
  const dest = path.join(tree, 'fetched', name.replace('/', '-'));
  fs.mkdirSync(dest, { recursive: true });
  try {
    const tgz = execFileSync('npm', ['pack', '--silent', '--pack-destination', dest, name], { cwd: dest, encoding: 'utf8' }).trim().split('\n').pop();
    execFileSync('tar', ['-xzf', path.join(dest, tgz), '-C', dest]);
  } catch {
    return undefined;
  }
  return path.join(dest, 'package');
}
for (const name of [...names].sort()) {
  const dir = find(name);
  let pkg;
  try {
    pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  } catch {
    out.push(`== ${name} ==`, 'not found in the installed dependency tree', '');
    continue;
  }
  const license = typeof pkg.license === 'string' ? pkg.license : JSON.stringify(pkg.license);
  out.push(`== ${name}@${pkg.version} (${license}) ==`);
  const files = fs.readdirSync(dir).filter((f) => /^(licen[cs]e|copying)/i.test(f)).sort();
  if (files.length === 0) {
    out.push(`No licence file in the npm package; package.json declares: ${license}`);
  }
  for (const f of files) out.push(fs.readFileSync(path.join(dir, f), 'utf8').trimEnd());
  out.push('');
}
process.stdout.write(out.join('\n'));
EOF
printf '%s\t%s\t%s\t%s\n' "graphiql@$GRAPHIQL" "(generated from graphiql.min.js.map)" "$g/THIRD_PARTY_LICENSES" "-" >>"$versions"

echo "wrote $out:"
(cd "$out" && find . -type f | sort | xargs du -b)
