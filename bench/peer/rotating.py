#!/usr/bin/env python3
"""Write a wrk script that posts the peer's nested page (nested.graphql)
after a different cursor each request: the rotating page cmd/loadtest
measures on the podcast graph. The cursors are PostGraphile's own, walked
once through pageInfo (500 pages of 20 at most).

    python3 bench/peer/rotating.py http://127.0.0.1:5555/graphql > /tmp/peer-rot.lua
"""
import json
import os
import sys
import urllib.request

url = sys.argv[1]
nested = open(os.path.join(os.path.dirname(__file__), "nested.graphql")).read()
rotating = "query($after: Cursor) " + nested.replace(
    "allEpisodes(first: 20, orderBy: NUMBER_DESC)",
    "allEpisodes(first: 20, after: $after, orderBy: NUMBER_DESC)")


def ask(query, variables):
    body = json.dumps({"query": query, "variables": variables}).encode()
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))


after, bodies = None, []
while len(bodies) < 500:
    bodies.append(json.dumps({"query": rotating, "variables": {"after": after}}))
    info = ask("query($after: Cursor) { allEpisodes(first: 20, after: $after, orderBy: NUMBER_DESC)"
               " { pageInfo { endCursor hasNextPage } } }", {"after": after})["data"]["allEpisodes"]["pageInfo"]
    if not info["hasNextPage"]:
        break
    after = info["endCursor"]

print('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nbodies = {')
for b in bodies:
    print("[[" + b + "]],")
print("""}
local threads = 0
function setup(thread)
  thread:set("offset", threads * math.floor(#bodies / 2))
  threads = threads + 1
end
function init(args)
  i = offset or 0
end
function request()
  i = i % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[i])
end""")
