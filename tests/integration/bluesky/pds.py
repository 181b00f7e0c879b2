#!/usr/bin/env python3
"""Reads an account's posts back from the PDS for the Bluesky integration tests.

  pds.py list PDS_URL DID           -> JSON array of every app.bsky.feed.post record
                                       (listRecords, all pages), sorted by record key
  pds.py get PDS_URL AT_URI         -> the getRecord answer for an at:// URI
  pds.py create PDS_URL HANDLE PASSWORD COLLECTION RECORD_JSON
                                    -> createRecord as that account (createSession
                                       first); prints {"uri", "cid"}. createdAt is
                                       added when the record has none.

Only com.atproto.* calls: the PDS alone has no AppView. Never uses a proxy.
"""
import json
import sys
from datetime import datetime, timezone
import urllib.error
import urllib.parse
import urllib.request

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def xrpc(base, nsid, **params):
    url = f"{base}/xrpc/{nsid}?{urllib.parse.urlencode(params)}"
    try:
        with OPENER.open(url, timeout=30) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        raise SystemExit(f"pds.py: {nsid} {params}: HTTP {e.code} {e.read()[:300]!r}")


def list_records(base, did):
    out, cursor = [], None
    while True:
        params = {"repo": did, "collection": "app.bsky.feed.post", "limit": 100}
        if cursor:
            params["cursor"] = cursor
        page = xrpc(base, "com.atproto.repo.listRecords", **params)
        out.extend(page.get("records", []))
        cursor = page.get("cursor")
        if not cursor or not page.get("records"):
            break
    uris = [r["uri"] for r in out]
    if len(uris) != len(set(uris)):
        raise SystemExit("pds.py: listRecords returned a record twice across pages")
    return sorted(out, key=lambda r: r["uri"].rsplit("/", 1)[1])


def post_xrpc(base, nsid, body, token=None):
    req = urllib.request.Request(f"{base}/xrpc/{nsid}", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with OPENER.open(req, timeout=30) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        raise SystemExit(f"pds.py: {nsid}: HTTP {e.code} {e.read()[:300]!r}")


def create_record(base, handle, password, collection, record):
    session = post_xrpc(base, "com.atproto.server.createSession", {"identifier": handle, "password": password})
    record.setdefault("$type", collection)
    record.setdefault("createdAt", datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"))
    return post_xrpc(base, "com.atproto.repo.createRecord",
                     {"repo": session["did"], "collection": collection, "record": record}, session["accessJwt"])


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "list":
        json.dump(list_records(sys.argv[2], sys.argv[3]), sys.stdout, ensure_ascii=False)
    elif len(sys.argv) == 4 and sys.argv[1] == "get":
        uri = sys.argv[3]
        if not uri.startswith("at://") or uri.count("/") != 4:
            raise SystemExit(f"pds.py: not an at:// record URI: {uri!r}")
        repo, collection, rkey = uri[5:].split("/")
        json.dump(xrpc(sys.argv[2], "com.atproto.repo.getRecord", repo=repo, collection=collection, rkey=rkey),
                  sys.stdout, ensure_ascii=False)
    elif len(sys.argv) == 7 and sys.argv[1] == "create":
        json.dump(create_record(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], json.loads(sys.argv[6])),
                  sys.stdout)
    else:
        raise SystemExit(__doc__)
    print()


if __name__ == "__main__":
    main()
