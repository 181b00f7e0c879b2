#!/usr/bin/env python3
"""Real recorded Mastodon traffic, for the Mastodon publisher's tests.

The recordings are vcrpy cassettes (YAML) made by the Mastodon.py test suite
against a real Mastodon 4.x server (MIT licence, kept with the recordings).
They are not part of this repository: the directory is passed in, and when it
is absent (or PyYAML is missing) both commands say so and the tests skip.

  conformance.py dump DIR
      Prints {"interactions": [...]} as JSON: the recorded requests and
      answers of the endpoints the publisher uses (statuses, media, accounts,
      errors), each {"file", "method", "uri", "request_body", "status",
      "headers" (lower-case names, first values), "body"}. The C++ test feeds
      these answers to the plugin through the HTTP fault-injection hook.
      Exit 0; on a skip, prints {"skip": "why"} and exits 3.

  conformance.py check DIR
      Starts standin.py and checks that its answers agree with the recorded
      ones: the same status and media attachment fields, x-ratelimit-* headers
      in the same form (limit and remaining as integers, reset as ISO 8601 with
      microseconds), 404 and 422 errors as {"error": "..."}. Exit 0 when they
      agree, 1 when not, 77 (skip) when the recordings are absent.
"""

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
RELEVANT = re.compile(r"/api/v1/statuses|/api/v2/media|/api/v1/media|/api/v1/accounts/verify_credentials|"
                      r"/api/v1/accounts/\w+/statuses")
FILES = ["test_status.yaml", "test_toot.yaml", "test_status_empty.yaml", "test_status_missing.yaml",
         "test_lang_for_errors.yaml", "test_media_post_file.yaml", "test_media_post_multiple.yaml",
         "test_status_delete_media.yaml", "test_status_reply.yaml", "test_verify_credentials.yaml",
         "test_status_post_None-public.yaml", "test_status_post_Content_warning-public.yaml"]


def skip(why, code):
    print(json.dumps({"skip": why}))
    sys.exit(code)


def load(directory, code):
    if not os.path.isdir(directory):
        skip("the recorded Mastodon traffic is not at %s (set CLEARPOST_MASTODON_RECORDED)" % directory, code)
    try:
        import yaml
    except ImportError:
        skip("PyYAML is not installed, so the recorded Mastodon traffic cannot be read", code)
    out = []
    for name in FILES:
        path = os.path.join(directory, name)
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        for i in doc.get("interactions", []):
            req, resp = i["request"], i["response"]
            if not RELEVANT.search(req["uri"]):
                continue
            body = resp["body"].get("string", "") if isinstance(resp["body"], dict) else resp["body"]
            if isinstance(body, bytes):
                body = body.decode("utf-8")
            req_body = req.get("body")
            if isinstance(req_body, bytes):
                req_body = None  # multipart with image bytes: not needed as text
            out.append({"file": name, "method": req["method"], "uri": req["uri"], "request_body": req_body or "",
                        "status": resp["status"]["code"],
                        "headers": {k.lower(): v[0] for k, v in resp["headers"].items() if v},
                        "body": body})
    return out


def dump(directory):
    print(json.dumps({"interactions": load(directory, 3)}))


RESET_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


class Checker:
    def __init__(self):
        self.failures = 0

    def expect(self, what, ok, detail=""):
        print(("  ok   " if ok else "  FAIL ") + what + ("" if ok else ": " + detail))
        if not ok:
            self.failures += 1

    def rate_headers(self, what, headers):
        self.expect(what + ": x-ratelimit-limit is an integer", str(headers.get("x-ratelimit-limit", "")).isdigit(),
                    repr(headers.get("x-ratelimit-limit")))
        self.expect(what + ": x-ratelimit-remaining is an integer",
                    str(headers.get("x-ratelimit-remaining", "")).isdigit(), repr(headers.get("x-ratelimit-remaining")))
        self.expect(what + ": x-ratelimit-reset is ISO 8601 with microseconds",
                    bool(RESET_RE.match(headers.get("x-ratelimit-reset", ""))), repr(headers.get("x-ratelimit-reset")))


def call(base, method, path, body=None, headers=None, token="good-token"):
    h = {"Authorization": "Bearer " + token}
    h.update(headers or {})
    req = urllib.request.Request(base + path, data=body, method=method, headers=h)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read().decode("utf-8")


def check(directory):
    recorded = load(directory, 77)
    env = dict(os.environ, NO_PROXY="127.0.0.1", no_proxy="127.0.0.1")
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "standin.py"), "--port", "0"],
                            stdout=subprocess.PIPE, env=env, text=True)
    try:
        base = "http://127.0.0.1:%s" % proc.stdout.readline().split()[1]
        urllib.request.install_opener(urllib.request.build_opener(urllib.request.ProxyHandler({})))
        c = Checker()

        def rec(file, method, part, status=None):
            for i in recorded:
                if i["file"] == file and i["method"] == method and part in i["uri"] and \
                        (status is None or i["status"] == status):
                    return i
            raise SystemExit("no recorded %s %s in %s" % (method, part, file))

        # POST /api/v1/statuses: same status fields and rate-limit headers.
        real = rec("test_status.yaml", "POST", "/api/v1/statuses")
        code, headers, body = call(base, "POST", "/api/v1/statuses", b"status=Toot%21",
                                   {"Content-Type": "application/x-www-form-urlencoded", "Idempotency-Key": "k1"})
        c.expect("POST /api/v1/statuses answers 200", code == real["status"], str(code))
        mine, theirs = json.loads(body), json.loads(real["body"])
        core = set(theirs) - {"tagged_collections", "quote_approval"}  # newer than the publisher needs
        c.expect("a status has every field of the recorded one", core <= set(mine), str(sorted(core - set(mine))))
        for k in core & set(mine):
            if theirs[k] is not None and mine[k] is not None:
                c.expect("status field %s has the recorded type" % k, type(theirs[k]) is type(mine[k]),
                         "%s vs %s" % (type(mine[k]).__name__, type(theirs[k]).__name__))
        c.expect("status created_at has the recorded form",
                 bool(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", mine["created_at"])), mine["created_at"])
        c.expect("status content is HTML like the recorded <p>Toot!</p>", mine["content"] == theirs["content"],
                 mine["content"])
        c.expect("statuses limit is 300 as recorded", headers.get("x-ratelimit-limit") ==
                 real["headers"]["x-ratelimit-limit"], headers.get("x-ratelimit-limit"))
        c.rate_headers("POST /api/v1/statuses", headers)
        c.rate_headers("recorded POST /api/v1/statuses", real["headers"])
        sid = mine["id"]

        # The same Idempotency-Key gives the same status.
        code, _, again = call(base, "POST", "/api/v1/statuses", b"status=Toot%21",
                              {"Content-Type": "application/x-www-form-urlencoded", "Idempotency-Key": "k1"})
        c.expect("the same Idempotency-Key returns the same status", json.loads(again)["id"] == sid, again[:80])

        # GET /api/v1/statuses/:id and DELETE (which carries "text", not "content").
        real_get = rec("test_status.yaml", "GET", "/api/v1/statuses/")
        code, headers, body = call(base, "GET", "/api/v1/statuses/" + sid)
        c.expect("GET a status answers 200", code == real_get["status"], str(code))
        c.expect("a fetched status carries the recorded counts",
                 all(k in json.loads(body) for k in ("replies_count", "reblogs_count", "favourites_count", "quotes_count")))
        c.expect("GET limit is 300 as recorded", headers.get("x-ratelimit-limit") ==
                 real_get["headers"]["x-ratelimit-limit"], headers.get("x-ratelimit-limit"))
        real_del = rec("test_status.yaml", "DELETE", "/api/v1/statuses/")
        code, headers, body = call(base, "DELETE", "/api/v1/statuses/" + sid)
        deleted, theirs_del = json.loads(body), json.loads(real_del["body"])
        c.expect("DELETE answers 200 with the source text like the recorded one",
                 code == 200 and ("text" in deleted) == ("text" in theirs_del) and
                 ("content" in deleted) == ("content" in theirs_del), str(sorted(deleted))[:120])
        c.expect("DELETE limit is 30 as recorded", headers.get("x-ratelimit-limit") ==
                 real_del["headers"]["x-ratelimit-limit"], headers.get("x-ratelimit-limit"))

        # 404s and 422s: {"error": "..."} only.
        real_404 = rec("test_status_delete_media.yaml", "DELETE", "/api/v1/statuses/", 404)
        code, _, body = call(base, "DELETE", "/api/v1/statuses/" + sid)
        c.expect("deleting a deleted status answers the recorded 404", code == 404 and
                 json.loads(body) == json.loads(real_404["body"]), body)
        real_missing = rec("test_status_missing.yaml", "GET", "/api/v1/statuses/0", 404)
        code, _, body = call(base, "GET", "/api/v1/statuses/0")
        c.expect("a missing status answers 404 with one error string", code == 404 and
                 set(json.loads(body)) == set(json.loads(real_missing["body"])) == {"error"}, body)
        for file in ("test_status_empty.yaml", "test_lang_for_errors.yaml"):
            real_422 = rec(file, "POST", "/api/v1/statuses", 422)
            form = real_422["request_body"].encode()
            code, headers, body = call(base, "POST", "/api/v1/statuses", form,
                                       {"Content-Type": "application/x-www-form-urlencoded"})
            c.expect("the request of %s is refused with 422 as recorded" % file, code == 422, str(code))
            c.expect("its error has the recorded shape", set(json.loads(body)) == set(json.loads(real_422["body"])),
                     body)
            c.rate_headers("422 of " + file, headers)

        # POST /api/v2/media: the same attachment fields; 202 then 206/200.
        real_media = rec("test_media_post_multiple.yaml", "POST", "/api/v2/media")
        boundary = "b0undary"
        form = ("--%s\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\nJohn Lennon doing a funny walk\r\n"
                "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n"
                "Content-Type: image/jpeg\r\n\r\n" % (boundary, boundary)).encode() + b"\xff\xd8\xff\xe0" + \
            ("\r\n--%s--\r\n" % boundary).encode()
        code, headers, body = call(base, "POST", "/api/v2/media", form,
                                   {"Content-Type": "multipart/form-data; boundary=" + boundary})
        mine, theirs = json.loads(body), json.loads(real_media["body"])
        c.expect("POST /api/v2/media answers 200 or 202", code in (200, 202), str(code))
        c.expect("an attachment has every field of the recorded one", set(theirs) <= set(mine),
                 str(sorted(set(theirs) - set(mine))))
        c.expect("the alt text comes back as description", mine["description"] == theirs["description"],
                 str(mine["description"]))
        c.expect("media limit is 30 as recorded", headers.get("x-ratelimit-limit") ==
                 real_media["headers"]["x-ratelimit-limit"], headers.get("x-ratelimit-limit"))
        c.rate_headers("POST /api/v2/media", headers)
        codes = []
        for _ in range(5):
            code, _, body = call(base, "GET", "/api/v1/media/" + mine["id"])
            codes.append(code)
            if code == 200:
                break
        c.expect("a processing attachment answers 206, then 200 with a url", codes[-1] == 200 and
                 all(x == 206 for x in codes[:-1]) and json.loads(body)["url"], str(codes))

        # verify_credentials: an account with an id, as recorded.
        real_me = rec("test_verify_credentials.yaml", "GET", "/verify_credentials")
        code, headers, body = call(base, "GET", "/api/v1/accounts/verify_credentials")
        mine, theirs = json.loads(body), json.loads(real_me["body"])
        c.expect("verify_credentials answers 200", code == real_me["status"], str(code))
        c.expect("verify_credentials gives an account id as a string like the recorded one",
                 isinstance(mine["id"], str) and isinstance(theirs["id"], str))
        c.expect("the account has every field of the recorded one", set(theirs) <= set(mine),
                 str(sorted(set(theirs) - set(mine))))
        for k in set(theirs) & set(mine):
            if theirs[k] is not None and mine[k] is not None:
                c.expect("account field %s has the recorded type" % k, type(theirs[k]) is type(mine[k]),
                         "%s vs %s" % (type(mine[k]).__name__, type(theirs[k]).__name__))
        c.expect("the account's source has every field of the recorded one",
                 set(theirs["source"]) <= set(mine["source"]), str(sorted(set(theirs["source"]) - set(mine["source"]))))
        c.expect("followers, following and statuses are integer counts as recorded",
                 all(isinstance(mine[k], int) and isinstance(theirs[k], int)
                     for k in ("followers_count", "following_count", "statuses_count")))
        c.expect("verify_credentials limit is 300 as recorded", headers.get("x-ratelimit-limit") ==
                 real_me["headers"]["x-ratelimit-limit"], headers.get("x-ratelimit-limit"))
        c.rate_headers("GET /api/v1/accounts/verify_credentials", headers)

        # 401: {"error": "..."} as the documentation gives it.
        code, _, body = call(base, "GET", "/api/v1/statuses/1", token="nope")
        c.expect("a bad token answers 401 {\"error\": \"The access token is invalid\"}",
                 code == 401 and json.loads(body) == {"error": "The access token is invalid"}, body)

        print("%d check(s) failed" % c.failures if c.failures else "the stand-in agrees with the recorded traffic")
        return 1 if c.failures else 0
    finally:
        proc.terminate()
        proc.wait()


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("dump", "check"):
        sys.stderr.write(__doc__)
        return 2
    if sys.argv[1] == "dump":
        dump(sys.argv[2])
        return 0
    return check(sys.argv[2])


if __name__ == "__main__":
    sys.exit(main())
