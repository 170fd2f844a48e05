# export.py URL — reads every episode with its guests and topics through the
# podcast graph's API and prints SQL for the PostGraphile peer.
import json, sys, urllib.request
url = sys.argv[1]
q = """query($after: String) { episodes(first: 100, after: $after, orderBy: {field: NUMBER, direction: ASC}) {
  pageInfo { hasNextPage endCursor } nodes { number code title releaseDate
  guests { slug name role organization } topics { slug name } } } }"""
after = None
eps, guests, topics = [], {}, {}
while True:
    body = json.dumps({"query": q, "variables": {"after": after}}).encode()
    req = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    d = json.load(urllib.request.urlopen(req))["data"]["episodes"]
    for n in d["nodes"]:
        eps.append(n)
        for g in n["guests"]:
            guests.setdefault(g["slug"], g)
        for t in n["topics"]:
            topics.setdefault(t["slug"], t)
    if not d["pageInfo"]["hasNextPage"]:
        break
    after = d["pageInfo"]["endCursor"]
def lit(v):
    return "NULL" if v is None else "'" + str(v).replace("'", "''") + "'"
gid = {s: i + 1 for i, s in enumerate(sorted(guests))}
tid = {s: i + 1 for i, s in enumerate(sorted(topics))}
print("""drop table if exists episode_guest, episode_topic, episode, guest, topic;
create table episode (id int primary key, number int not null, code text not null, title text, release_date date);
create table guest (id int primary key, slug text unique not null, name text not null, role text, organization text);
create table topic (id int primary key, slug text unique not null, name text not null);
create table episode_guest (episode_id int not null references episode(id), guest_id int not null references guest(id), primary key (episode_id, guest_id));
create index on episode_guest (guest_id, episode_id);
create table episode_topic (episode_id int not null references episode(id), topic_id int not null references topic(id), primary key (episode_id, topic_id));
create index on episode_topic (topic_id);
create index on episode (number);
begin;""")
for s, g in guests.items():
    print(f"insert into guest values ({gid[s]}, {lit(s)}, {lit(g['name'])}, {lit(g['role'])}, {lit(g['organization'])});")
for s, t in topics.items():
    print(f"insert into topic values ({tid[s]}, {lit(s)}, {lit(t['name'])});")
for i, e in enumerate(eps):
    print(f"insert into episode values ({i + 1}, {e['number']}, {lit(e['code'])}, {lit(e['title'])}, {lit(e['releaseDate'])});")
    for g in e["guests"]:
        print(f"insert into episode_guest values ({i + 1}, {gid[g['slug']]});")
    for t in e["topics"]:
        print(f"insert into episode_topic values ({i + 1}, {tid[t['slug']]});")
print("commit; analyze;")
print(f"-- {len(eps)} episodes, {len(guests)} guests, {len(topics)} topics", file=sys.stderr)
