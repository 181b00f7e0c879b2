#!/usr/bin/env python3
"""A stand-in for one Mastodon instance, for the Mastodon publisher's tests.

Serves on 127.0.0.1 only, on the port given with --port (0: one the system
picks), and prints "port N" on its first line of output once it listens.

It implements the endpoints the publisher uses the way docs.joinmastodon.org
documents them; each handler cites the page it follows. Its answers were
checked against real recorded Mastodon traffic (conformance.py): the status
and media attachment entities carry the same fields, x-ratelimit-* headers
have the same form (an ISO 8601 reset time with microseconds), and errors
are the same {"error": "..."} shape.

The account's own counts come from GET /api/v1/accounts/verify_credentials
(methods/accounts#verify_credentials, a CredentialAccount as entities/Account
describes it, shaped like the recorded answer): followers_count,
following_count and statuses_count.

Anything under /_standin/ is not Mastodon: it is how a test sets the scene
(revoke or expire a token, lower a rate limit, forget idempotency keys as
an hour would, change the account's follower count) and reads what the
instance saw.
"""

import argparse
import base64
import datetime
import email.parser
import email.utils
import hashlib
import email.policy
import html
import json
import os
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DOMAIN = "mastodon.test"
LOCK = threading.Lock()
VERBOSE = bool(os.environ.get("STANDIN_VERBOSE"))  # request lines on stderr
OFFSET = [0.0]  # seconds added to the system clock: a test sets the instance's time to its own


def now():
    return time.time() + OFFSET[0]


def iso(t):
    """Mastodon's time format: ISO 8601 UTC with milliseconds (entities/Status
    created_at: "2026-08-01T13:53:15.378Z")."""
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + \
        "%03dZ" % int((t % 1) * 1000)


def iso_micro(t):
    """x-ratelimit-reset as Mastodon sends it: microseconds
    ("2026-08-01T15:00:00.409710Z"; api/rate-limits says "ISO 8601 timestamp")."""
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class State:
    def __init__(self):
        self.seq = 0
        self.account = {"id": "110000000000000001", "username": "clinic", "acct": "clinic",
                        "display_name": "Riverside Clinic",
                        # entities/Account: the profile's counts; statuses_count
                        # None is the statuses the instance holds.
                        "followers_count": 0, "following_count": 0, "statuses_count": None}
        # token -> {"revoked": bool, "expires_at": float|None}
        self.tokens = {"good-token": {"revoked": False, "expires_at": None}}
        self.refresh_tokens = {}          # refresh token -> True while unused
        self.issue_expires_in = None      # seconds, for refreshed tokens
        self.statuses = {}                # id -> status dict (our own fields too)
        self.media = {}                   # id -> attachment
        self.media_polls = 1              # GET /api/v1/media/:id answers 206 this many times
        self.media_async = True           # POST /api/v2/media answers 202 (else 200)
        self.idempotency = {}             # (account id, key) -> (status id, stored at)
        # Rate limits (api/rate-limits): family -> (limit, period seconds).
        # Statuses: 300 per 3 hours per account, as the recorded answers to
        # POST /api/v1/statuses show; other API requests 300 per 5 minutes;
        # media uploads and deletions 30 per 30 minutes.
        self.limits = {"statuses": (300, 3 * 3600), "media": (30, 1800), "delete": (30, 1800),
                       "api": (300, 300)}
        self.used = {}                    # (family, window start) -> count
        self.last_429 = None
        self.requests = []                # [method, path, idempotency key]
        self.fail_next = {}               # path prefix -> [status, ...] (5xx scripting)
        self.apps = {}                    # client_id -> {"secret", "redirect_uris", "scopes"}
        self.codes = {}                   # authorization code -> what it was issued for (single use)
        self.signed_in_as = None          # another username the "person" signs in as (None: S.account)
        self.token_accounts = {}          # access token -> that other username
        self.deny = False                 # the person presses "Deny" on the authorisation page

    def next_id(self):
        self.seq += 1
        return str((int(now() * 1000) << 16) + self.seq)


S = State()


# Mastodon counts code points, every URL as 23 and a remote mention by its
# username (api/guidelines, entities/Instance characters_reserved_per_url).
URL_RE = re.compile(r"https?://[^\s]+")
MENTION_RE = re.compile(r"(?<![\w@])@([A-Za-z0-9_]+)(@[A-Za-z0-9.\-]+[A-Za-z0-9])?")


def status_length(text):
    def trim(u):
        return u.rstrip(".,;:!?)\"'")
    n = len(text)
    for m in URL_RE.finditer(text):
        n += 23 - len(trim(m.group(0)))
    for m in MENTION_RE.finditer(text):
        if m.group(2):
            n -= len(m.group(2))
    return n


def render(text):
    """Status content as Mastodon renders plain text: paragraphs, <br />, links
    with invisible spans, mentions as h-cards (entities/Status content)."""
    out = []
    for para in re.split(r"\n\n+", text.strip()):
        pieces = []
        pos = 0
        for m in re.finditer(r"https?://[^\s]+|(?<![\w@])@[A-Za-z0-9_]+(?:@[A-Za-z0-9.\-]+[A-Za-z0-9])?", para):
            pieces.append(html.escape(para[pos:m.start()], quote=False))
            word = m.group(0)
            if word.startswith("http"):
                tail = word[len(word.rstrip(".,;:!?)\"'")):]
                url = word[:len(word) - len(tail)]
                scheme, rest = url.split("://", 1)
                pieces.append('<a href="%s" target="_blank" rel="nofollow noopener" translate="no">'
                              '<span class="invisible">%s://</span><span class="">%s</span>'
                              '<span class="invisible"></span></a>%s'
                              % (html.escape(url), scheme, html.escape(rest, quote=False), html.escape(tail)))
            else:
                user = word[1:].split("@")[0]
                pieces.append('<span class="h-card" translate="no"><a href="https://%s/@%s" class="u-url mention">'
                              '@<span>%s</span></a></span>' % (DOMAIN, user, user))
            pos = m.end()
        pieces.append(html.escape(para[pos:], quote=False))
        out.append("<p>" + "".join(pieces).replace("\n", "<br />") + "</p>")
    return "".join(out)


def account_entity():
    a = S.account
    statuses = a["statuses_count"] if a["statuses_count"] is not None else len(S.statuses)
    last = max((s["created"] for s in S.statuses.values()), default=None)
    return {"id": a["id"], "username": a["username"], "acct": a["acct"], "display_name": a["display_name"],
            "locked": False, "bot": False, "discoverable": True, "indexable": True, "group": False,
            "created_at": "2026-01-01T00:00:00.000Z", "note": "", "url": "https://%s/@%s" % (DOMAIN, a["username"]),
            "uri": "https://%s/users/%s" % (DOMAIN, a["username"]), "avatar": "", "avatar_static": "",
            "header": "", "header_static": "", "followers_count": a["followers_count"],
            "following_count": a["following_count"], "statuses_count": statuses,
            # entities/Account: last_status_at is a date ("2026-08-01"), not a time.
            "last_status_at": datetime.datetime.fromtimestamp(last, datetime.timezone.utc).strftime("%Y-%m-%d")
            if last is not None else None,
            "emojis": [], "fields": []}


def credential_account_entity():
    """methods/accounts#verify_credentials answers a CredentialAccount
    (entities/Account): the account with its "source" (what the owner's
    settings hold) and "role", as the recorded answer of a Mastodon 4.x
    server has them (test_verify_credentials.yaml)."""
    e = account_entity()
    e.update({"avatar_description": "", "header_description": "", "hide_collections": None, "noindex": False,
              "show_media": True, "show_media_replies": True, "show_featured": True,
              "feature_approval": {"automatic": [], "manual": [], "current_user": "denied"},
              "source": {"privacy": "public", "sensitive": False, "language": None, "note": "", "fields": [],
                         "follow_requests_count": 0, "hide_collections": None, "discoverable": True,
                         "indexable": True, "attribution_domains": [], "quote_policy": "public"},
              "roles": [],
              "role": {"id": "-99", "name": "", "permissions": "65536", "color": "", "highlighted": False,
                       "collection_limit": 10}})
    return e


def status_entity(s, with_source=False):
    """entities/Status: the fields a real instance sends (see conformance.py)."""
    e = {"id": s["id"], "created_at": iso(s["created"]), "in_reply_to_id": s["in_reply_to_id"],
         "in_reply_to_account_id": S.account["id"] if s["in_reply_to_id"] else None,
         "sensitive": bool(s["spoiler_text"]), "spoiler_text": s["spoiler_text"], "visibility": s["visibility"],
         "language": s["language"], "uri": "https://%s/users/%s/statuses/%s" % (DOMAIN, S.account["username"], s["id"]),
         "url": "https://%s/@%s/%s" % (DOMAIN, S.account["username"], s["id"]),
         "replies_count": s["replies"], "reblogs_count": s["reblogs"], "favourites_count": s["favourites"],
         "quotes_count": s["quotes"], "edited_at": None, "favourited": False, "reblogged": False, "muted": False,
         "bookmarked": False, "pinned": False, "filtered": [], "reblog": None,
         "application": {"name": "Clearpost", "website": None}, "account": account_entity(),
         "media_attachments": [S.media[m] for m in s["media_ids"]], "mentions": [], "tags": [], "emojis": [],
         "quote": None, "card": None, "poll": None}
    # DELETE answers with the source "text" instead of "content", so the
    # author can edit and repost it (methods/statuses#delete).
    if with_source:
        e["text"] = s["text"]
    else:
        e["content"] = render(s["text"])
    return e


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Mastodon-standin"

    def date_time_string(self, timestamp=None):
        # The Date header follows the instance's clock (see OFFSET).
        return email.utils.formatdate(now() if timestamp is None else timestamp, usegmt=True)

    def log_message(self, fmt, *args):
        if VERBOSE:
            sys.stderr.write("standin: " + (fmt % args) + "\n")

    # --- plumbing -----------------------------------------------------------
    def body_bytes(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def params(self, raw):
        ctype = self.headers.get("Content-Type", "")
        if ctype.startswith("application/json"):
            return json.loads(raw or b"{}")
        out = {}
        for k, v in urllib.parse.parse_qsl(raw.decode("utf-8"), keep_blank_values=True):
            if k.endswith("[]"):
                out.setdefault(k, []).append(v)
            else:
                out[k] = v
        return out

    def send(self, code, body, family=None, extra=None):
        data = json.dumps(body).encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "private, no-store")
        if family:
            limit, period = S.limits[family]
            start = int(now() // period * period)
            used = S.used.get((family, start), 0)
            # api/rate-limits: X-RateLimit-Limit, -Remaining, -Reset (ISO 8601).
            self.send_header("X-RateLimit-Limit", str(limit))
            self.send_header("X-RateLimit-Remaining", str(max(limit - used, 0)))
            self.send_header("X-RateLimit-Reset", iso_micro(start + period + (now() % 1)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def error(self, code, message, family=None, extra=None):
        # entities/Error: {"error": "..."} (error_description only for OAuth).
        self.send(code, {"error": message}, family, extra)

    def spend(self, family):
        """Counts a request against its family; False (429 sent) when spent.
        Rack::Attack answers 429 {"error": "Too many requests"} (api/rate-limits)."""
        limit, period = S.limits[family]
        start = int(now() // period * period)
        used = S.used.get((family, start), 0)
        if used >= limit:
            reset = iso_micro(start + period + (now() % 1))
            S.last_429 = {"reset": reset, "date": self.date_time_string()}
            self.error(429, "Too many requests", family)
            return False
        S.used[(family, start)] = used + 1
        return True

    def authorised(self, family):
        """Bearer token check. Doorkeeper answers 401 with {"error": "..."} and a
        WWW-Authenticate header: invalid, revoked or expired (methods/statuses,
        "401: Unauthorized: Invalid or missing Authorization header")."""
        auth = self.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else None
        info = S.tokens.get(token)
        why = None
        if info is None:
            why = "The access token is invalid"
        elif info["revoked"]:
            why = "The access token was revoked"
        elif info["expires_at"] is not None and info["expires_at"] <= now():
            why = "The access token expired"
        if why:
            self.error(401, why, None, {"WWW-Authenticate":
                                        'Bearer realm="Doorkeeper", error="invalid_token", error_description="%s"' % why})
            return False
        return self.spend(family)

    def scripted(self, path):
        for prefix, codes in S.fail_next.items():
            if path.startswith(prefix) and codes:
                code = codes.pop(0)
                if isinstance(code, list):  # [status, Mastodon's error message]
                    self.error(code[0], code[1], "statuses" if prefix == "/api/v1/statuses" else "api")
                else:
                    self.error(code, "Service Unavailable" if code == 503 else "Internal Server Error")
                return True
        return False

    # --- routes -------------------------------------------------------------
    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def do_DELETE(self):
        self.route("DELETE")

    def route(self, method):
        url = urllib.parse.urlsplit(self.path)
        path, query = url.path, dict(urllib.parse.parse_qsl(url.query))
        raw = self.body_bytes()
        with LOCK:
            if not path.startswith("/_standin/"):
                S.requests.append([method, path, self.headers.get("Idempotency-Key")])
                if self.scripted(path):
                    return
            try:
                self.dispatch(method, path, query, raw)
            except Exception as e:  # a bug here must show as a 500, as on a real server
                self.error(500, "standin error: %r" % (e,))

    def dispatch(self, method, path, query, raw):
        m = re.fullmatch(r"/api/v1/statuses/(\w+)(/context)?", path)
        if method == "POST" and path == "/api/v1/statuses":
            return self.post_status(raw)
        if method == "POST" and path == "/api/v2/media":
            return self.post_media(raw)
        if method == "GET" and re.fullmatch(r"/api/v1/media/\w+", path):
            return self.get_media(path.rsplit("/", 1)[1])
        if method == "GET" and m:
            return self.get_status(m.group(1), bool(m.group(2)))
        if method == "DELETE" and m and not m.group(2):
            return self.delete_status(m.group(1))
        if method == "GET" and path == "/api/v1/accounts/verify_credentials":
            # The account's own profile with its counts (followers_count,
            # following_count, statuses_count); 401 for a bad token, 429 once
            # the 300 requests per 5 minutes are spent (api/rate-limits).
            if self.authorised("api"):
                entity = credential_account_entity()
                token = self.headers.get("Authorization", "")[7:]
                if token in S.token_accounts:  # the person signed in as someone else
                    entity = dict(entity, id="110000000000000099", username=S.token_accounts[token],
                                  acct=S.token_accounts[token])
                self.send(200, entity, "api")
            return
        am = re.fullmatch(r"/api/v1/accounts/(\w+)/statuses", path)
        if method == "GET" and am:
            return self.account_statuses(am.group(1), query)
        if method == "POST" and path == "/api/v1/apps":
            return self.create_app(raw)
        if method == "GET" and path == "/oauth/authorize":
            return self.authorize(query)
        if method == "POST" and path == "/oauth/token":
            return self.token(raw)
        if method == "POST" and path == "/oauth/revoke":
            return self.revoke(raw)
        if path == "/_standin/control" and method == "POST":
            return self.control(json.loads(raw or b"{}"))
        if path == "/_standin/state" and method == "GET":
            return self.send(200, {"statuses": [dict(s, text=s["text"]) for s in S.statuses.values()],
                                   "requests": S.requests, "last_429": S.last_429,
                                   "tokens": S.tokens, "media": S.media})
        self.error(404, "Record not found")

    def post_status(self, raw):
        """methods/statuses#create. Idempotency-Key: the same key from the same
        account within 1 hour returns the status made the first time instead
        of a new one."""
        if not self.authorised("statuses"):
            return
        p = self.params(raw)
        key = self.headers.get("Idempotency-Key")
        if key:
            hit = S.idempotency.get((S.account["id"], key))
            if hit and now() - hit[1] < 3600 and hit[0] in S.statuses:
                return self.send(200, status_entity(S.statuses[hit[0]]), "statuses")
        text = p.get("status", "")
        media_ids = p.get("media_ids[]", p.get("media_ids", [])) or []
        visibility = p.get("visibility") or "public"
        if visibility not in ("public", "unlisted", "private", "direct"):
            return self.error(422, "Validation failed: Visibility is not included in the list", "statuses")
        if not text.strip() and not media_ids:
            return self.error(422, "Validation failed: Text can't be blank", "statuses")
        if status_length(text) > 500:
            return self.error(422, "Validation failed: Text character limit of 500 exceeded", "statuses")
        if len(media_ids) > 4:
            return self.error(422, "Cannot attach more than 4 files", "statuses")
        for mid in media_ids:
            if mid not in S.media or S.media[mid]["_status"]:
                return self.error(422, "Media (%s) not found or already attached to another post" % mid, "statuses")
            if S.media[mid]["url"] is None:
                return self.error(422, "Cannot attach files that have not finished processing. Try again in a moment!",
                                  "statuses")
        reply_to = p.get("in_reply_to_id") or None
        if reply_to and reply_to not in S.statuses:
            return self.error(404, "Record not found", "statuses")
        sid = S.next_id()
        s = {"id": sid, "created": now(), "text": text, "in_reply_to_id": reply_to, "visibility": visibility,
             "spoiler_text": p.get("spoiler_text", ""), "language": p.get("language") or "en",
             "media_ids": list(media_ids), "replies": 0, "reblogs": 0, "favourites": 0, "quotes": 0,
             "idempotency_key": key}
        for mid in media_ids:
            S.media[mid]["_status"] = sid
        S.statuses[sid] = s
        if reply_to:
            S.statuses[reply_to]["replies"] += 1
        if key:
            S.idempotency[(S.account["id"], key)] = (sid, now())
        self.send(200, status_entity(s), "statuses")

    def post_media(self, raw):
        """methods/media#v2: multipart "file" and "description" (alt text). 200
        with a url when processed at once, 202 with "url": null while it is
        processed asynchronously."""
        if not self.authorised("media"):
            return
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + self.headers.get("Content-Type", "").encode() + b"\r\n\r\n" + raw)
        fields = {}
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            fields[name] = (part.get_content_type(), part.get_payload(decode=True))
        if "file" not in fields or not fields["file"][1]:
            return self.error(422, "Validation failed: File can't be blank", "media")
        ctype, data = fields["file"]
        if len(data) > 16777216:
            return self.error(422, "Validation failed: File file size must be less than 16 MB", "media")
        mid = S.next_id()
        description = fields.get("description", (None, b""))[1].decode("utf-8") or None
        url = "https://%s/system/media_attachments/files/%s/original/image.jpg" % (DOMAIN, mid)
        a = {"id": mid, "type": "image", "url": None if S.media_async else url,
             "preview_url": "https://%s/system/media_attachments/files/%s/small/image.jpg" % (DOMAIN, mid),
             "remote_url": None, "preview_remote_url": None, "text_url": None,
             "meta": {"original": {"width": 1, "height": 1, "size": "1x1", "aspect": 1.0}},
             "description": description, "blurhash": None,
             "_status": None, "_polls_left": S.media_polls, "_url": url, "_bytes": len(data), "_type": ctype,
             "_sha256": hashlib.sha256(data).hexdigest()}
        S.media[mid] = a
        self.send(202 if S.media_async else 200, public_media(a), "media")

    def get_media(self, mid):
        """methods/media#get: 206 Partial Content while processing, 200 when done."""
        if not self.authorised("api"):
            return
        a = S.media.get(mid)
        if not a:
            return self.error(404, "Record not found", "api")
        if a["url"] is None:
            if a["_polls_left"] > 0:
                a["_polls_left"] -= 1
                return self.send(206, public_media(a), "api")
            a["url"] = a["_url"]
        self.send(200, public_media(a), "api")

    def get_status(self, sid, context):
        """methods/statuses#get and #context; 404 {"error": "Record not found"}."""
        if not self.authorised("api"):
            return
        s = S.statuses.get(sid)
        if not s:
            return self.error(404, "Record not found", "api")
        if not context:
            return self.send(200, status_entity(s), "api")
        desc, frontier = [], [sid]
        while frontier:
            nxt = [x for x in S.statuses.values() if x["in_reply_to_id"] in frontier]
            desc += nxt
            frontier = [x["id"] for x in nxt]
        ancestors = []
        cur = s
        while cur["in_reply_to_id"] and cur["in_reply_to_id"] in S.statuses:
            cur = S.statuses[cur["in_reply_to_id"]]
            ancestors.insert(0, cur)
        self.send(200, {"ancestors": [status_entity(x) for x in ancestors],
                        "descendants": [status_entity(x) for x in desc]}, "api")

    def delete_status(self, sid):
        """methods/statuses#delete: 200 with the status and its source "text";
        deletions have their own limit, 30 per 30 minutes (api/rate-limits)."""
        if not self.authorised("delete"):
            return
        s = S.statuses.pop(sid, None)
        if not s:
            return self.error(404, "Record not found", "delete")
        self.send(200, status_entity(s, with_source=True), "delete")

    def account_statuses(self, account_id, query):
        """methods/accounts#statuses: newest first, at most 40 (limit), older than
        max_id; replies included unless exclude_replies."""
        if not self.authorised("api"):
            return
        if account_id != S.account["id"]:
            return self.error(404, "Record not found", "api")
        limit = min(int(query.get("limit", 20)), 40)
        items = sorted(S.statuses.values(), key=lambda s: int(s["id"]), reverse=True)
        if "max_id" in query:
            items = [s for s in items if int(s["id"]) < int(query["max_id"])]
        if query.get("exclude_replies") == "true":
            items = [s for s in items if not s["in_reply_to_id"]]
        self.send(200, [status_entity(s) for s in items[:limit]], "api")

    def create_app(self, raw):
        """methods/apps#create: client_name and redirect_uris are required
        (422 {"error": "Validation failed: ..."} otherwise); the answer is an
        Application entity with client_id and client_secret (always issued:
        Mastodon has only confidential clients)."""
        p = self.params(raw)
        name, uris = p.get("client_name", ""), p.get("redirect_uris", "")
        if not name or not uris:
            return self.error(422, "Validation failed: Name can't be blank, Redirect URI can't be blank")
        uris = uris if isinstance(uris, list) else uris.split()
        client_id = "client-%d" % (len(S.apps) + 1)
        S.apps[client_id] = {"secret": "secret-" + client_id, "redirect_uris": uris,
                             "scopes": p.get("scopes", "read")}
        self.send(200, {"id": str(len(S.apps)), "name": name, "website": p.get("website"),
                        "scopes": S.apps[client_id]["scopes"].split(), "redirect_uri": "\n".join(uris),
                        "redirect_uris": uris, "client_id": client_id,
                        "client_secret": S.apps[client_id]["secret"], "client_secret_expires_at": 0})

    @staticmethod
    def redirect_allowed(registered, given):
        """Doorkeeper compares redirect URIs exactly, except that for an IP
        loopback address it ignores the port (RFC 8252 7.3; doorkeeper#1170)."""
        r, g = urllib.parse.urlsplit(registered), urllib.parse.urlsplit(given)
        if r.hostname in ("127.0.0.1", "::1") and g.hostname == r.hostname:
            return (r.scheme, r.path, r.query) == (g.scheme, g.path, g.query)
        return registered == given

    def authorize(self, q):
        """methods/oauth#authorize. A real instance shows its sign-in and
        "Authorize" pages; here the person signs in as S.account (or
        S.signed_in_as) and approves at once, or denies when S.deny. An
        unknown client or redirect URI is an error page, never a redirect
        (RFC 6749 4.1.2.1); the rest are redirects carrying error= and state.
        PKCE: only S256 (methods/oauth, since 4.3)."""
        app = S.apps.get(q.get("client_id"))
        uri = q.get("redirect_uri", "")
        if not app or not any(self.redirect_allowed(r, uri) for r in app["redirect_uris"]):
            return self.error(400, "The redirect uri included is not valid.")
        sep = "&" if "?" in uri else "?"
        state = q.get("state", "")

        def back(params):
            params["state"] = state
            self.send_response(302)
            self.send_header("Location", uri + sep + urllib.parse.urlencode(params))
            self.send_header("Content-Length", "0")
            self.end_headers()
        if q.get("response_type") != "code":
            return back({"error": "unsupported_response_type"})
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return back({"error": "invalid_request", "error_description": "Code challenge is required."})
        if S.deny:
            return back({"error": "access_denied",
                         "error_description": "The resource owner or authorization server denied the request."})
        code = "code-%d" % (len(S.codes) + 1)
        S.codes[code] = {"client_id": q["client_id"], "redirect_uri": uri, "challenge": q["code_challenge"],
                         "used": False}
        back({"code": code})

    def revoke(self, raw):
        """methods/oauth#revoke: 200 {} even for an unknown token (RFC 7009);
        403 for a client that authenticates wrongly."""
        p = self.params(raw)
        app = S.apps.get(p.get("client_id"))
        if not app or app["secret"] != p.get("client_secret"):
            return self.send(403, {"error": "unauthorized_client",
                                   "error_description": "You are not authorized to revoke this token"})
        if p.get("token") in S.tokens:
            S.tokens[p["token"]]["revoked"] = True
        self.send(200, {})

    def code_grant(self, p):
        """methods/oauth#token with grant_type=authorization_code: the client
        authenticates with its secret, the code is single use and bound to the
        redirect URI and the PKCE challenge (RFC 7636 4.6)."""
        app = S.apps.get(p.get("client_id"))
        if not app or app["secret"] != p.get("client_secret"):
            return self.send(401, {"error": "invalid_client",
                                   "error_description": "Client authentication failed due to unknown client, "
                                                        "no client authentication included, or unsupported "
                                                        "authentication method."})
        issued = S.codes.get(p.get("code"))
        verifier = p.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if not issued or issued["used"] or issued["client_id"] != p.get("client_id") or \
                issued["redirect_uri"] != p.get("redirect_uri") or issued["challenge"] != challenge:
            return self.send(400, {"error": "invalid_grant",
                                   "error_description": "The provided authorization grant is invalid, expired, "
                                                        "revoked, does not match the redirection URI used in the "
                                                        "authorization request, or was issued to another client."})
        issued["used"] = True
        access = "token-%d" % (len(S.tokens) + 1)
        S.tokens[access] = {"revoked": False, "expires_at": None}
        if S.signed_in_as:
            S.token_accounts[access] = S.signed_in_as
        self.send(200, {"access_token": access, "token_type": "Bearer", "scope": app["scopes"],
                        "created_at": int(now())})

    def token(self, raw):
        """methods/oauth#token with grant_type=refresh_token. Doorkeeper answers
        400 {"error": "invalid_grant", "error_description": ...} for a refresh
        token that is unknown, revoked or already used (RFC 6749 5.2)."""
        p = self.params(raw)
        if p.get("grant_type") == "authorization_code":
            return self.code_grant(p)
        if p.get("grant_type") != "refresh_token":
            return self.send(400, {"error": "unsupported_grant_type",
                                   "error_description": "The authorization grant type is not supported by the authorization server."})
        rt = p.get("refresh_token")
        if not S.refresh_tokens.get(rt):
            return self.send(400, {"error": "invalid_grant",
                                   "error_description": "The provided authorization grant is invalid, expired, revoked, "
                                                        "does not match the redirection URI used in the authorization "
                                                        "request, or was issued to another client."})
        S.refresh_tokens[rt] = False
        access = "token-%d" % (len(S.tokens) + 1)
        refresh = "refresh-%d" % (len(S.refresh_tokens) + 1)
        S.tokens[access] = {"revoked": False,
                            "expires_at": now() + S.issue_expires_in if S.issue_expires_in else None}
        S.refresh_tokens[refresh] = True
        body = {"access_token": access, "token_type": "Bearer", "scope": "read write",
                "created_at": int(now()), "refresh_token": refresh}
        if S.issue_expires_in:
            body["expires_in"] = S.issue_expires_in
        self.send(200, body)

    def control(self, c):
        if "clock" in c:
            OFFSET[0] = c["clock"] - time.time()
        if "add_token" in c:
            S.tokens[c["add_token"]] = {"revoked": False, "expires_at": c.get("expires_at")}
        if "revoke" in c:
            S.tokens[c["revoke"]]["revoked"] = True
        if "expire" in c:
            S.tokens[c["expire"]]["expires_at"] = now() - 1
        if "add_refresh_token" in c:
            S.refresh_tokens[c["add_refresh_token"]] = True
        if "deny" in c:
            S.deny = c["deny"]
        if "signed_in_as" in c:
            S.signed_in_as = c["signed_in_as"]
        if "issue_expires_in" in c:
            S.issue_expires_in = c["issue_expires_in"]
        if "limits" in c:
            for family, (limit, period) in c["limits"].items():
                S.limits[family] = (limit, period)
        # The account's profile counts, as they change over time: {"followers":
        # 1520, "following": 80, "posts": 312} ("posts" None: the statuses held).
        for key, field in (("followers", "followers_count"), ("following", "following_count"),
                           ("posts", "statuses_count")):
            if key in c:
                S.account[field] = c[key]
        if "counts" in c:
            for sid, counts in c["counts"].items():
                for k, v in counts.items():
                    S.statuses[sid][k] = v
        if c.get("forget_idempotency"):  # as if the hour had passed
            S.idempotency.clear()
        if "media_polls" in c:
            S.media_polls = c["media_polls"]
        if "media_async" in c:
            S.media_async = c["media_async"]
        if "fail_next" in c:
            for prefix, codes in c["fail_next"].items():
                S.fail_next.setdefault(prefix, []).extend(codes)
        self.send(200, {"ok": True})


def public_media(a):
    return {k: v for k, v in a.items() if not k.startswith("_")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print("port %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
