#!/usr/bin/env python3
"""A documented stand-in for the Bluesky AppView's app.bsky.feed.getPosts and
app.bsky.actor.getProfile.

The reference PDS alone has no AppView (its app.bsky.* reads answer 400), and
the real one (@atproto/bsky) needs PostgreSQL and a firehose indexer. This
server answers the one read Clearpost's metrics use, deriving the counts from
the records on the PDS itself, the way the AppView derives them from the
firehose:

  likeCount   = app.bsky.feed.like records whose subject.uri is the post
  repostCount = app.bsky.feed.repost records whose subject.uri is the post
  replyCount  = app.bsky.feed.post records whose reply.parent.uri is the post
  quoteCount  = app.bsky.feed.post records embedding the post (app.bsky.embed.record
                or recordWithMedia)

across every repository the PDS lists (com.atproto.sync.listRepos). Like the
AppView it takes 1 to 25 `uris`, leaves out posts that do not exist, and
answers 400 {"error": "InvalidRequest"} otherwise. bookmarkCount is not given:
bookmarks are private to their owner and not records on the PDS.

getProfile takes one `actor` (a DID, or a handle the PDS resolves) and
answers its profileViewDetailed counts the same way:

  followersCount = app.bsky.graph.follow records whose subject is the actor
  followsCount   = the actor's own app.bsky.graph.follow records
  postsCount     = the actor's app.bsky.feed.post records

and 400 {"error": "InvalidRequest", "message": "Profile not found"} for an
actor the PDS does not hold, as the AppView answers.

  appview_standin.py PDS_URL URL_FILE   serves on 127.0.0.1 (a free port) and
                                        writes its base URL to URL_FILE
"""
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
PDS = ""


def xrpc(nsid, **params):
    url = f"{PDS}/xrpc/{nsid}?{urllib.parse.urlencode(params)}"
    with OPENER.open(url, timeout=30) as r:
        return json.load(r)


def pages(nsid, key, **params):
    cursor = None
    while True:
        page = xrpc(nsid, **params, **({"cursor": cursor} if cursor else {}))
        yield from page.get(key, [])
        cursor = page.get("cursor")
        if not cursor or not page.get(key):
            return


def records(did, collection):
    return pages("com.atproto.repo.listRecords", "records", repo=did, collection=collection, limit=100)


def embedded_uri(embed):
    if not isinstance(embed, dict):
        return None
    if embed.get("$type") == "app.bsky.embed.record":
        return embed.get("record", {}).get("uri")
    if embed.get("$type") == "app.bsky.embed.recordWithMedia":
        return embed.get("record", {}).get("record", {}).get("uri")
    return None


def post_views(uris):
    counts = {u: {"likeCount": 0, "repostCount": 0, "replyCount": 0, "quoteCount": 0} for u in uris}
    for repo in pages("com.atproto.sync.listRepos", "repos", limit=500):
        did = repo["did"]
        for kind, field in (("app.bsky.feed.like", "likeCount"), ("app.bsky.feed.repost", "repostCount")):
            for r in records(did, kind):
                subject = r["value"].get("subject", {}).get("uri")
                if subject in counts:
                    counts[subject][field] += 1
        for r in records(did, "app.bsky.feed.post"):
            parent = r["value"].get("reply", {}).get("parent", {}).get("uri")
            if parent in counts:
                counts[parent]["replyCount"] += 1
            quoted = embedded_uri(r["value"].get("embed"))
            if quoted in counts:
                counts[quoted]["quoteCount"] += 1
    views = []
    for uri in uris:
        repo, collection, rkey = uri[len("at://"):].split("/")
        try:
            rec = xrpc("com.atproto.repo.getRecord", repo=repo, collection=collection, rkey=rkey)
        except urllib.error.HTTPError:
            continue  # deleted or never existed: left out, as the AppView does
        views.append({"uri": rec["uri"], "cid": rec["cid"], "author": {"did": repo}, "record": rec["value"],
                      "indexedAt": rec["value"].get("createdAt"), **counts[uri]})
    return views


def profile(actor):
    did = actor
    if not actor.startswith("did:"):
        did = xrpc("com.atproto.identity.resolveHandle", handle=actor)["did"]
    described = xrpc("com.atproto.repo.describeRepo", repo=did)
    followers = 0
    for repo in pages("com.atproto.sync.listRepos", "repos", limit=500):
        followers += sum(1 for r in records(repo["did"], "app.bsky.graph.follow")
                         if r["value"].get("subject") == did)
    return {"did": did, "handle": described["handle"], "followersCount": followers,
            "followsCount": sum(1 for _ in records(did, "app.bsky.graph.follow")),
            "postsCount": sum(1 for _ in records(did, "app.bsky.feed.post"))}


class Handler(BaseHTTPRequestHandler):
    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/xrpc/app.bsky.actor.getProfile":
            actor = urllib.parse.parse_qs(url.query).get("actor", [""])[0]
            if not actor:
                return self.answer(400, {"error": "InvalidRequest", "message": "Error: Params must have the property \"actor\""})
            try:
                return self.answer(200, profile(actor))
            except urllib.error.HTTPError:
                return self.answer(400, {"error": "InvalidRequest", "message": "Profile not found"})
            except (urllib.error.URLError, OSError) as e:
                return self.answer(502, {"error": "UpstreamFailure", "message": f"the PDS did not answer: {e}"})
        if url.path != "/xrpc/app.bsky.feed.getPosts":
            return self.answer(404, {"error": "MethodNotImplemented", "message": "Method Not Implemented"})
        uris = urllib.parse.parse_qs(url.query).get("uris", [])
        bad = [u for u in uris if not u.startswith("at://") or u.count("/") != 4]
        if not 1 <= len(uris) <= 25 or bad:
            return self.answer(400, {"error": "InvalidRequest", "message": "uris must be 1 to 25 at:// post URIs"})
        try:
            self.answer(200, {"posts": post_views(uris)})
        except (urllib.error.URLError, OSError) as e:
            self.answer(502, {"error": "UpstreamFailure", "message": f"the PDS did not answer: {e}"})

    def log_message(self, *args):
        pass


def main():
    global PDS
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    PDS = sys.argv[1].rstrip("/")
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(sys.argv[2], "w") as f:
        f.write(f"http://127.0.0.1:{server.server_address[1]}\n")
    server.serve_forever()


if __name__ == "__main__":
    main()
