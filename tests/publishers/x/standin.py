#!/usr/bin/env python3
"""A stand-in for the X API v2 as the X publisher uses it: posts (create,
delete, lookup with metrics), the user's own timeline, the v2 media upload
and its alt-text metadata, /2/users/me (with the account's public_metrics
when user.fields asks: x-api/users/lookup, "Get my User"), and the OAuth
2.0 token endpoint's refresh grant with single-use refresh tokens.

Each behaviour cites the docs.x.com page it follows; a ⚠ marks one known
only from third parties or uncertain. Anything under /_standin/ is not X:
it is how a test sets the scene and reads what the network holds.
"""

import datetime
import hashlib
import json
import os
import re
import sys
import unicodedata
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import standin_base as base  # noqa: E402

USERS = {
    "1700000000000000001": {"id": "1700000000000000001", "name": "Riverside Clinic", "username": "clinic"},
    "1700000000000000099": {"id": "1700000000000000099", "name": "Someone Else", "username": "someone"},
}
CLIENT_ID = "clearpost-x-app"  # the organisation's "Native App" (a public client: no secret)
ACCESS_TTL = 7200              # oauth-2-0/authorization-code: access tokens last 2 hours
TWITTER_EPOCH_MS = 1288834974657  # snowflake ids carry their time from this epoch
MAX_IMAGE = 5 * 1024 * 1024    # x-api/media/introduction: images up to 5 MB
MAX_ALT = 1000                 # openapi.json, CreateMediaMetadataRequest alt_text.text
NON_PUBLIC_DAYS = 30           # x-api/fundamentals/metrics: non-public metrics for 30 days
# x-api/fundamentals/rate-limits, per user and 15 minutes.
LIMITS = {"tweets": [100, 900], "delete": [50, 900], "timeline": [900, 900], "lookup": [900, 900],
          "me": [75, 900], "media": [500, 900]}

URL_RE = re.compile(r"https?://[^\s]+")


def iso(t):
    """created_at as X writes it: ISO 8601 UTC with milliseconds."""
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + \
        "%03dZ" % int((t % 1) * 1000)


def parse_iso(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp()


def trim_url(u):
    return u.rstrip(".,;:!?)\"'")


def weighted_length(text):
    """X's count (fundamentals/counting-characters), roughly: NFC, every
    link 23, code points in the light ranges 1, others 2, an emoji sequence
    (joined by ZWJ, with modifiers or variation selectors) 2. The plugin's
    exact counting is checked against twitter-text's own cases; this only
    has to refuse what is clearly too long."""
    text = unicodedata.normalize("NFC", text)
    n = 0
    for m in URL_RE.finditer(text):
        n += 23
        text = text.replace(trim_url(m.group(0)), "", 1)
    joiners = {0x200D, 0xFE0F} | set(range(0x1F3FB, 0x1F400)) | set(range(0xE0020, 0xE0080))
    prev_joined = False
    for c in text:
        cp = ord(c)
        if cp in joiners:
            prev_joined = cp == 0x200D
            continue
        if prev_joined:
            prev_joined = False
            continue
        light = cp <= 0x10FF or 0x2000 <= cp <= 0x200D or 0x2010 <= cp <= 0x201F or 0x2032 <= cp <= 0x2037
        n += 1 if light else 2
    return n


def image_type(data):
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


class X(base.Handler):
    server_version = "tsa_b"
    tokens = base.Tokens()
    tweets = {}     # id -> {"id", "author", "source" (as sent), "text" (as X keeps it), "entities",
    #                   "reply_to", "media_keys", "created", "metrics"}
    media = {}      # id -> {"id", "media_key", "category", "_type", "_sha256", "size", "alt_text", "owner"}
    limits = {k: list(v) for k, v in LIMITS.items()}
    used = {}       # (user, family, window start) -> requests
    last_429 = None
    seq = [0]
    # x-api/users/lookup: a user's public_metrics; a test changes them over
    # time with {"followers": 1520, "following": 80, "posts": 312, "listed": 3}.
    # tweet_count None is the posts the stand-in holds for the user.
    profile = {uid: {"followers_count": 0, "following_count": 0, "tweet_count": None, "listed_count": 0}
               for uid in USERS}

    # --- scene ------------------------------------------------------------------
    def control(self, c):
        super().control(c)
        if "limits" in c:
            for family, (limit, period) in c["limits"].items():
                self.limits[family] = [limit, period]
        if "counts" in c:
            for tid, counts in c["counts"].items():
                self.tweets[tid]["metrics"].update(counts)
        if "add_user" in c:  # another account X knows: {"id", "username", "name"?}
            u = c["add_user"]
            USERS[u["id"]] = {"id": u["id"], "name": u.get("name", u["username"]), "username": u["username"]}
            self.profile[u["id"]] = {"followers_count": 0, "following_count": 0, "tweet_count": None,
                                     "listed_count": 0}
        for key, field in (("followers", "followers_count"), ("following", "following_count"),
                           ("posts", "tweet_count"), ("listed", "listed_count")):
            if key in c:  # @clinic's, or the user named by "user"
                self.profile[self.user_named(c.get("user", "clinic"))][field] = c[key]
        if "add_tweet" in c:  # a post made earlier (outside Clearpost)
            t = c["add_tweet"]
            self.make_tweet(t.get("author", "1700000000000000001"), t["text"], None, [], base.now() - t.get("age", 0))
        if "add_token" in c and c.get("account"):
            self.tokens.access[c["add_token"]]["account"] = self.user_named(c["account"])
        if "add_refresh_token" in c:
            self.tokens.refresh[c["add_refresh_token"]]["account"] = self.user_named(c.get("account", "clinic"))

    def state(self):
        out = super().state()
        out.update({"tweets": sorted(self.tweets.values(), key=lambda t: int(t["id"])),
                    "media": self.media, "last_429": self.last_429})
        return out

    @staticmethod
    def user_named(username):
        return next(u["id"] for u in USERS.values() if u["username"] == username)

    def next_id(self, at=None):
        """Snowflake ids: the time in milliseconds since X's epoch, shifted 22
        bits, then a sequence (so ids sort by time, as X's do)."""
        self.seq[0] += 1
        ms = int((base.now() if at is None else at) * 1000)
        return str(((ms - TWITTER_EPOCH_MS) << 22) | (self.seq[0] & 0x3FFFFF))

    # --- answers ----------------------------------------------------------------
    def problem(self, status, title, detail, ptype="about:blank", headers=None, extra=None):
        """x-api/fundamentals/response-codes-and-errors: RFC 7807 problem objects."""
        body = {"title": title, "detail": detail, "type": ptype, "status": status}
        body.update(extra or {})
        self.send_json(status, body, headers)

    def scripted_error(self, path, status, body):
        if body is not None:
            return self.send_json(status, body)
        titles = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}
        self.problem(status, titles.get(status, "Error"), titles.get(status, "Error"))

    def rate_headers(self, user, family):
        limit, period = self.limits[family]
        start = int(base.now() // period * period)
        used = self.used.get((user, family, start), 0)
        # x-api/fundamentals/rate-limits: the reset is in epoch seconds.
        return {"x-rate-limit-limit": str(limit), "x-rate-limit-remaining": str(max(limit - used, 0)),
                "x-rate-limit-reset": str(start + period)}

    def authorised(self, family):
        """The user a valid bearer token belongs to, or None with a 401 sent
        (expired and revoked tokens alike: response-codes-and-errors), or a
        429 when the user's window for `family` is spent."""
        token = self.bearer()
        if token is None or self.tokens.check(token) is not None:
            self.problem(401, "Unauthorized", "Unauthorized")
            return None
        user = self.tokens.access[token].get("account") or "1700000000000000001"
        limit, period = self.limits[family]
        start = int(base.now() // period * period)
        used = self.used.get((user, family, start), 0)
        if used >= limit:
            headers = self.rate_headers(user, family)
            X.last_429 = {"reset": int(headers["x-rate-limit-reset"]), "date": self.date_time_string()}
            self.problem(429, "Too Many Requests", "Too Many Requests", headers=headers)
            return None
        self.used[(user, family, start)] = used + 1
        return user

    def ok(self, status, body, user, family):
        self.send_json(status, body, self.rate_headers(user, family))

    # --- routes -----------------------------------------------------------------
    def network(self, method, path, query, raw):
        if method == "POST" and path == "/2/oauth2/token":
            return self.token_endpoint(self.params(raw))
        if method == "GET" and path == "/2/users/me":
            return self.me(query)
        if method == "POST" and path == "/2/tweets":
            return self.create(json.loads(raw or b"{}"))
        m = re.fullmatch(r"/2/tweets/(\d+)", path)
        if method == "DELETE" and m:
            return self.delete(m.group(1))
        if method == "GET" and path == "/2/tweets":
            return self.lookup(query)
        m = re.fullmatch(r"/2/users/(\d+)/tweets", path)
        if method == "GET" and m:
            return self.timeline(m.group(1), query)
        if method == "POST" and path == "/2/media/upload":
            return self.upload(self.params(raw))
        if method == "POST" and path == "/2/media/metadata":
            return self.metadata(json.loads(raw or b"{}"))
        self.problem(404, "Not Found Error", "Sorry, that page does not exist")

    def token_endpoint(self, p):
        """fundamentals/authentication/oauth-2-0/authorization-code: the refresh
        grant as a public client, client_id in the body. A refresh token is
        single-use: using it kills it and returns a new pair (⚠ trypost#126,
        gptme-contrib#285). A used, revoked or unknown refresh token is
        refused with invalid_grant (RFC 6749 5.2; ⚠ X has also been seen
        answering invalid_request "Value passed for the token was invalid.")."""
        if p.get("client_id") != CLIENT_ID:
            return self.send_json(401, {"error": "unauthorized_client",
                                        "error_description": "Missing valid authorization header"})
        if p.get("grant_type") != "refresh_token":
            return self.send_json(400, {"error": "unsupported_grant_type",
                                        "error_description": "grant_type not supported"})
        info = self.tokens.refresh.get(p.get("refresh_token"))
        if not info or info["used"] or info["revoked"]:
            return self.send_json(400, {"error": "invalid_grant",
                                        "error_description": "Value passed for the token was invalid."})
        info["used"] = True
        issued = self.tokens.issue("x", ACCESS_TTL)
        account = info.get("account") or "1700000000000000001"
        self.tokens.access[issued["access_token"]]["account"] = account
        self.tokens.refresh[issued["refresh_token"]]["account"] = account
        issued["scope"] = "tweet.read tweet.write users.read media.write offline.access"
        self.send_json(200, issued)

    def me(self, q):
        """x-api/users/lookup, GET /2/users/me: {"data": {"id", "name",
        "username"}}, plus the fields user.fields names; public_metrics is
        {"followers_count", "following_count", "tweet_count", "listed_count"}
        (the quickstart's authenticated-lookup answer). 401 for a token that
        is bad, expired or revoked; 429 with x-rate-limit-reset once the
        user's 75 requests per 15 minutes are spent (x-api/fundamentals/rate-limits)."""
        user = self.authorised("me")
        if not user:
            return
        data = dict(USERS[user])
        if "public_metrics" in q.get("user.fields", "").split(","):
            m = dict(self.profile[user])
            if m["tweet_count"] is None:
                m["tweet_count"] = len([t for t in self.tweets.values() if t["author"] == user])
            data["public_metrics"] = m
        self.ok(200, {"data": data}, user, "me")

    def make_tweet(self, author, source, reply_to, media_keys, created):
        tid = self.next_id(created)
        # data-dictionary: links are kept as t.co addresses with the written
        # one in entities.urls[].expanded_url; attached media add a t.co link
        # with its media_key; &, < and > come back escaped.
        text, urls = source, []
        for m in URL_RE.finditer(source):
            written = trim_url(m.group(0))
            short = "https://t.co/" + hashlib.sha1(written.encode()).hexdigest()[:10]
            text = text.replace(written, short, 1)
            urls.append({"url": short, "expanded_url": written, "display_url": re.sub(r"^https?://", "", written)[:26]})
        if media_keys:
            short = "https://t.co/" + hashlib.sha1(tid.encode()).hexdigest()[:10]
            text = (text + " " + short).strip()
            urls.append({"url": short, "media_key": media_keys[0], "display_url": "pic.x.com/" + short[-10:],
                         "expanded_url": "https://x.com/%s/status/%s/photo/1" % (USERS[author]["username"], tid)})
        for u in urls:  # code point offsets in the text
            u["start"] = text.index(u["url"])
            u["end"] = u["start"] + len(u["url"])
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        self.tweets[tid] = {"id": tid, "author": author, "source": source, "text": text,
                            "entities": {"urls": urls} if urls else {}, "reply_to": reply_to,
                            "media_keys": media_keys, "created": created,
                            "metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 0, "quote_count": 0,
                                        "bookmark_count": 0, "impression_count": 0, "url_link_clicks": 0,
                                        "user_profile_clicks": 0}}
        return self.tweets[tid]

    def create(self, p):
        """x-api/posts/manage-tweets, POST /2/tweets: 201 {"data": {"id", "text",
        "edit_history_tweet_ids"}}. media.media_ids takes 1-4 uploaded ids; a
        reply names its parent in reply.in_reply_to_tweet_id (openapi.json)."""
        user = self.authorised("tweets")
        if not user:
            return
        text = p.get("text", "")
        media_ids = (p.get("media") or {}).get("media_ids", [])
        reply_to = (p.get("reply") or {}).get("in_reply_to_tweet_id")

        def invalid(parameter, message):
            self.problem(400, "Invalid Request", "One or more parameters to your request was invalid.",
                         "https://api.twitter.com/2/problems/invalid-request",
                         extra={"errors": [{"parameters": {parameter: [str(p.get(parameter))]}, "message": message}]})
        if not text and not media_ids:
            return invalid("text", "Tweet text or media is required")
        if len(media_ids) > 4 or any(m not in self.media or self.media[m]["owner"] != user for m in media_ids):
            return invalid("media.media_ids", "Your media IDs are invalid.")
        if reply_to and reply_to not in self.tweets:
            return invalid("reply.in_reply_to_tweet_id", "The Tweet you are replying to is not visible or was deleted.")
        if weighted_length(text) > 280:  # ⚠ the exact message is not documented
            return invalid("text", "Tweet text is too long.")
        # ⚠ iembot#163: the same text as one of the account's posts is refused
        # with 403 and no post id (how far back X looks is not documented).
        if text.strip() and any(t["author"] == user and t["source"].strip() == text.strip() for t in self.tweets.values()):
            return self.problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")
        tweet = self.make_tweet(user, text, reply_to, [self.media[m]["media_key"] for m in media_ids], base.now())
        self.ok(201, {"data": {"id": tweet["id"], "text": tweet["text"], "edit_history_tweet_ids": [tweet["id"]]}},
                user, "tweets")

    def delete(self, tid):
        """x-api/posts/manage-tweets, DELETE /2/tweets/:id: 200 {"data": {"deleted":
        true}}; only the author may; ⚠ a post that is gone answers 404."""
        user = self.authorised("delete")
        if not user:
            return
        t = self.tweets.get(tid)
        if not t:
            return self.problem(404, "Not Found Error", "Could not find tweet with id: [%s]." % tid,
                                "https://api.twitter.com/2/problems/resource-not-found")
        if t["author"] != user:
            return self.problem(403, "Forbidden", "You are not authorized to delete this Tweet.")
        del self.tweets[tid]
        self.ok(200, {"data": {"deleted": True}}, user, "delete")

    def entity(self, t, fields, viewer):
        """A post with the tweet.fields asked for (data-dictionary)."""
        e = {"id": t["id"], "text": t["text"], "edit_history_tweet_ids": [t["id"]]}
        if "created_at" in fields:
            e["created_at"] = iso(t["created"])
        if "author_id" in fields:
            e["author_id"] = t["author"]
        if "entities" in fields and t["entities"]:
            e["entities"] = t["entities"]
        if "referenced_tweets" in fields and t["reply_to"]:
            e["referenced_tweets"] = [{"type": "replied_to", "id": t["reply_to"]}]
        if "attachments" in fields and t["media_keys"]:
            e["attachments"] = {"media_keys": t["media_keys"]}
        if "conversation_id" in fields:
            root = t
            while root["reply_to"] in self.tweets:
                root = self.tweets[root["reply_to"]]
            e["conversation_id"] = root["id"]
        m = t["metrics"]
        if "public_metrics" in fields:
            e["public_metrics"] = {k: m[k] for k in ("retweet_count", "reply_count", "like_count", "quote_count",
                                                     "bookmark_count", "impression_count")}
        if "non_public_metrics" in fields and t["author"] == viewer:
            e["non_public_metrics"] = {"impression_count": m["impression_count"],
                                       "user_profile_clicks": m["user_profile_clicks"]}
            # metrics: url_link_clicks only on a post with a link.
            if any("media_key" not in u for u in t["entities"].get("urls", [])):
                e["non_public_metrics"]["url_link_clicks"] = m["url_link_clicks"]
        return e

    def lookup(self, q):
        """x-api/posts/lookup, GET /2/tweets?ids=: up to 100 ids. A missing post
        is an entry in "errors" (resource-not-found), not a failure. Non-public
        metrics are for the author's posts of the last 30 days
        (x-api/fundamentals/metrics); for an older post X leaves it out of
        "data" with a field authorisation error (⚠ twittered#366: errors in a
        200 answer)."""
        user = self.authorised("lookup")
        if not user:
            return
        ids = [i for i in q.get("ids", "").split(",") if i]
        if not ids or len(ids) > 100:
            return self.problem(400, "Invalid Request", "One or more parameters to your request was invalid.",
                                "https://api.twitter.com/2/problems/invalid-request")
        fields = set(q.get("tweet.fields", "").split(","))
        data, errors = [], []
        for tid in ids:
            t = self.tweets.get(tid)
            if not t:
                errors.append({"value": tid, "detail": "Could not find tweet with ids: [%s]." % tid,
                               "title": "Not Found Error", "resource_type": "tweet", "parameter": "ids",
                               "resource_id": tid, "type": "https://api.twitter.com/2/problems/resource-not-found"})
                continue
            if "non_public_metrics" in fields and base.now() - t["created"] > NON_PUBLIC_DAYS * 86400:
                errors.append({"value": tid, "detail": "Sorry, you are not authorized to access 'non_public_metrics' "
                                                       "on a Tweet older than 30 days.",
                               "title": "Field Authorization Error", "resource_type": "tweet",
                               "field": "non_public_metrics", "resource_id": tid,
                               "type": "https://api.twitter.com/2/problems/not-authorized-for-field"})
                continue
            data.append(self.entity(t, fields, user))
        body = {}
        if data:
            body["data"] = data
        if errors:
            body["errors"] = errors
        self.ok(200, body, user, "lookup")

    def timeline(self, uid, q):
        """x-api/posts/timelines, GET /2/users/:id/tweets: newest first,
        max_results 5-100 (default 10), start_time/end_time (ISO 8601),
        since_id/until_id, pagination_token from meta.next_token; replies
        included unless exclude=replies; meta.result_count always."""
        user = self.authorised("timeline")
        if not user:
            return
        if uid not in USERS:
            return self.problem(404, "Not Found Error", "Could not find user with id: [%s]." % uid,
                                "https://api.twitter.com/2/problems/resource-not-found")
        size = int(q.get("max_results", 10))
        if not 5 <= size <= 100:
            return self.problem(400, "Invalid Request", "One or more parameters to your request was invalid.",
                                "https://api.twitter.com/2/problems/invalid-request")
        items = sorted((t for t in self.tweets.values() if t["author"] == uid), key=lambda t: int(t["id"]), reverse=True)
        if "start_time" in q:
            items = [t for t in items if t["created"] >= parse_iso(q["start_time"])]
        if "end_time" in q:
            items = [t for t in items if t["created"] < parse_iso(q["end_time"])]
        if "since_id" in q:
            items = [t for t in items if int(t["id"]) > int(q["since_id"])]
        if "replies" in q.get("exclude", ""):
            items = [t for t in items if not t["reply_to"]]
        offset = int(q.get("pagination_token", "page-0")[5:])
        page = items[offset:offset + size]
        fields = set(q.get("tweet.fields", "").split(","))
        meta = {"result_count": len(page)}
        if page:
            meta.update({"newest_id": page[0]["id"], "oldest_id": page[-1]["id"]})
        if offset + size < len(items):
            meta["next_token"] = "page-%d" % (offset + size)
        body = {"meta": meta}
        if page:
            body["data"] = [self.entity(t, fields, user) for t in page]
        self.ok(200, body, user, "timeline")

    def upload(self, p):
        """x-api/media/upload-media, POST /2/media/upload (multipart "media",
        media_category): 200 {"data": {"id", "media_key", "size",
        "expires_after_secs", "image": {"image_type"}}}. Images only, up to
        5 MB, JPEG, PNG, GIF or WebP (x-api/media/introduction)."""
        user = self.authorised("media")
        if not user:
            return
        f = p.get("media")
        kind = image_type(f["data"]) if isinstance(f, dict) else None

        def invalid(message):
            self.problem(400, "Invalid Request", message, "https://api.twitter.com/2/problems/invalid-request")
        if not kind:
            return invalid("media type unrecognized.")
        if len(f["data"]) > MAX_IMAGE:
            return invalid("File size exceeds 5242880 bytes.")
        if p.get("media_category") not in ("tweet_image", "dm_image"):
            return invalid("Invalid media_category for an image.")
        mid = self.next_id()
        self.media[mid] = {"id": mid, "media_key": "3_" + mid, "category": p["media_category"], "_type": kind,
                           "_sha256": hashlib.sha256(f["data"]).hexdigest(), "size": len(f["data"]),
                           "alt_text": None, "owner": user}
        self.ok(200, {"data": {"id": mid, "media_key": "3_" + mid, "size": len(f["data"]), "expires_after_secs": 86400,
                               "image": {"image_type": kind}}}, user, "media")

    def metadata(self, p):
        """x-api/media/create-media-metadata, POST /2/media/metadata:
        {"id", "metadata": {"alt_text": {"text"}}}, alt text up to 1000
        characters (openapi.json); ⚠ the answer's shape as the SDKs read it."""
        user = self.authorised("media")
        if not user:
            return
        mid = p.get("id")
        alt = ((p.get("metadata") or {}).get("alt_text") or {}).get("text")
        if mid not in self.media or self.media[mid]["owner"] != user:
            return self.problem(400, "Invalid Request", "The media id is not valid.",
                                "https://api.twitter.com/2/problems/invalid-request")
        if not isinstance(alt, str) or len(alt) > MAX_ALT:
            return self.problem(400, "Invalid Request", "alt_text.text must be at most 1000 characters.",
                                "https://api.twitter.com/2/problems/invalid-request")
        self.media[mid]["alt_text"] = alt
        self.ok(200, {"data": {"id": mid, "associated_metadata": {"alt_text": {"text": alt}}}}, user, "media")


X.tokens.add("good-token", None, "1700000000000000001")
X.tokens.refresh["refresh-0"] = {"used": False, "revoked": False, "account": "1700000000000000001"}

if __name__ == "__main__":
    base.serve(X)
