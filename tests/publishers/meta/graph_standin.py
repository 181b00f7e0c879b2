"""What the Instagram and Threads stand-ins share: Meta's Graph API as both
answer it (versioned paths, the access_token parameter, the error shape,
throttling headers), the two-step container flow, long-lived tokens, the
publishing quota and insights, the account's own node and its counts
(GET /{user-id}?fields=..., user insights on a network's own edge); plus
the account's media host (PUT, GET, DELETE under /_media/), which a
container made with image_url FETCHES over HTTP, as Meta does.

Each network's standin.py subclasses MetaHandler with its names (edges,
status field, token grant types) and its own checks; every behaviour cites
the page it follows. Errors: developers.facebook.com/docs/graph-api/guides/error-handling
({"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}).
"""

import hashlib
import json
import os
import re
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))

import standin_base  # noqa: E402
from standin_base import Handler, Tokens, now  # noqa: E402

DAY = 86400


def graph_time(t):
    """Graph timestamps: "2026-08-01T13:53:15+0000"."""
    return time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(t))


class Store:
    def __init__(self):
        self.seq = 17841400000000000
        self.containers = {}   # id -> {"status", "params", "created_at", "polls_left", "image_sha256", ...}
        self.posts = {}        # media id -> {"id", "text", "timestamp", "permalink", "children", "reply_to_id", ...}
        self.objects = {}      # media host object name -> {"sha256", "type", "bytes"}
        self.deleted_objects = []
        self.container_polls = 0      # IN_PROGRESS answers before FINISHED
        self.quota_total = 100
        self.throttle_minutes = 0     # > 0: Graph calls are throttled, regain after this many minutes
        self.counts = {}              # media id -> {metric: value}
        self.media_host_auth = None   # the Authorization the media host wants (None: any)
        self.issued_at = {}           # token -> when it was issued (refresh needs 24 h)
        self.accounts = {"clinic": "17841400000000001", "otherclinic": "17841400000000002"}
        # The account's counts as the network keeps them; None: the network
        # has no value and leaves the field out (as Graph does).
        self.profile = {"followers_count": 0, "follows_count": 0, "media_count": 0}

    def next_id(self):
        self.seq += 1
        return str(self.seq)


def error(code, message, subcode=None, kind="OAuthException", transient=False):
    body = {"error": {"message": message, "type": kind, "code": code, "fbtrace_id": "AbCdEf123"}}
    if subcode is not None:
        body["error"]["error_subcode"] = subcode
    if transient:
        body["error"]["is_transient"] = True
    return body


class MetaHandler(Handler):
    """Subclasses set the class attributes below and may extend create()."""

    S = None
    tokens = None
    version = "/v1.0"
    create_edge = "threads"
    publish_edge = "threads_publish"
    status_field = "status"
    quota_edge = "threads_publishing_limit"
    text_field = "text"
    me_fields = ("id", "username")
    profile_fields = ()        # the counts the user node answers (Instagram's IG User fields)
    user_insights_edge = None  # the user node's insights edge the stand-in answers ("threads_insights")
    exchange_grant = "th_exchange_token"
    refresh_grant = "th_refresh_token"
    permalink_base = "https://www.threads.net/@clinic/post/"

    # --- scene ------------------------------------------------------------------
    def control(self, c):
        S = self.S
        for key in ("container_polls", "quota_total", "throttle_minutes", "media_host_auth"):
            if key in c:
                setattr(S, key, c[key])
        if "counts" in c:
            S.counts.update(c["counts"])
        # The account's counts over time: {"followers": 1520, "following": 80, "posts": 312}.
        for key, field in (("followers", "followers_count"), ("following", "follows_count"), ("posts", "media_count")):
            if key in c:
                S.profile[field] = c[key]
        if "container_status" in c:  # {"id": "EXPIRED"}: what 24 hours or a failed fetch would do
            for cid, status in c["container_status"].items():
                S.containers[cid]["status"] = status
        if "add_token" in c:
            S.issued_at[c["add_token"]] = c.get("issued_at", now() - 2 * DAY)
        super().control(c)

    def state(self):
        out = super().state()
        S = self.S
        out.update({"containers": S.containers, "posts": S.posts, "objects": S.objects,
                    "deleted_objects": S.deleted_objects})
        return out

    def scripted_error(self, path, status, body):
        # A bare status is a Graph server error (code 2, "Service temporarily
        # unavailable", is_transient) unless the test gave the body.
        self.send_json(status, body if body is not None else error(2, "Service temporarily unavailable", transient=True))

    # --- plumbing ---------------------------------------------------------------
    def graph_error(self, body, status=400, headers=None):
        self.send_json(status, body, headers)

    def token_of(self, p):
        return p.get("access_token") or self.bearer()

    def check_token(self, p):
        """None when the token may be used; else the error was sent. Meta
        answers an OAuthException with code 190: subcode 463 expired,
        460 invalidated (password change), no subcode when it is unknown."""
        token = self.token_of(p)
        why = self.tokens.check(token) if token else "invalid"
        if why is None:
            return token
        if why == "expired":
            self.graph_error(error(190, "Error validating access token: Session has expired on Saturday, 01-Aug-26 "
                                        "13:00:00 PDT.", 463))
        elif why == "revoked":
            self.graph_error(error(190, "Error validating access token: The session has been invalidated because the "
                                        "user changed their password or Facebook has changed the session for security "
                                        "reasons.", 460))
        else:
            self.graph_error(error(190, "Invalid OAuth access token - Cannot parse access token"))
        return None

    def throttled(self):
        """Rate limiting (graph-api/overview/rate-limiting): an account over
        its Business Use Case limit gets code 80002 (Instagram) and the
        X-Business-Use-Case-Usage header with estimated_time_to_regain_access
        in minutes."""
        S = self.S
        if S.throttle_minutes <= 0:
            return False
        usage = {S.accounts["clinic"]: [{"type": "instagram", "call_count": 100, "total_cputime": 20, "total_time": 30,
                                          "estimated_time_to_regain_access": S.throttle_minutes}]}
        self.graph_error(error(80002, "There have been too many calls to this Instagram account. Wait a bit and try "
                                      "again."), headers={"X-Business-Use-Case-Usage": json.dumps(usage)})
        return True

    def fetch(self, url):
        """GET `url` as Meta does when a container names image_url. The
        stand-in serves the media host itself, so the shared lock is let go
        while the request is out."""
        standin_base.LOCK.release()
        try:
            direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            with direct.open(urllib.request.Request(url), timeout=10) as r:
                return r.read(), r.headers.get("Content-Type", "")
        except (urllib.error.URLError, OSError):
            return None, ""
        finally:
            standin_base.LOCK.acquire()

    # --- routes -----------------------------------------------------------------
    def network(self, method, path, query, raw):
        if path.startswith("/_media/"):
            return self.media_host(method, path[len("/_media/"):], raw)
        p = self.params(raw, query)
        if path == "/access_token" and method == "GET":
            return self.exchange(p)
        if path == "/refresh_access_token" and method == "GET":
            return self.refresh(p)
        if not path.startswith(self.version + "/"):
            return self.graph_error(error(2500, "Unknown path components: " + path), 404)
        parts = path[len(self.version) + 1:].split("/")
        token = self.check_token(p)
        if token is None:
            return None
        if self.throttled():
            return None
        S = self.S
        user = S.accounts[self.tokens.access[token].get("account") or "clinic"]
        if parts == ["me"] and method == "GET":
            return self.me(p, token)
        if len(parts) == 2 and parts[0] == user:
            edge = parts[1]
            if edge == self.user_insights_edge and method == "GET":
                return self.user_insights(user, p)
            if edge == self.create_edge and method == "POST":
                return self.create(p)
            if edge == self.create_edge and method == "GET":
                return self.listing(p, lambda post: not post.get("reply_to_id") and not post.get("is_carousel_item"))
            if edge == "replies" and method == "GET":
                return self.listing(p, lambda post: bool(post.get("reply_to_id")))
            if edge == self.publish_edge and method == "POST":
                return self.publish(p)
            if edge == self.quota_edge and method == "GET":
                return self.quota(p)
        if len(parts) == 2 and parts[1] == "insights" and method == "GET":
            return self.insights(parts[0], p)
        if len(parts) == 2 and parts[1] == "replies" and method == "GET":
            return self.replies_of(parts[0], p)
        if len(parts) == 1 and method == "GET":
            return self.read(parts[0], p, user)
        if len(parts) == 1 and method == "DELETE":
            return self.delete(parts[0])
        return self.graph_error(error(100, "Unsupported %s request. Object with ID '%s' does not exist, cannot be "
                                           "loaded due to missing permissions, or does not support this operation"
                                      % (method.lower(), parts[0])))

    # The media host: PUT stores, GET serves, DELETE removes.
    def media_host(self, method, name, raw):
        S = self.S
        if S.media_host_auth is not None and self.headers.get("Authorization") != S.media_host_auth and method != "GET":
            return self.send_json(401, None)
        if method == "PUT":
            S.objects[name] = {"sha256": hashlib.sha256(raw).hexdigest(), "type": self.headers.get("Content-Type", ""),
                               "bytes": raw}
            return self.send_json(201, None)
        if method == "GET" and name in S.objects:
            data = S.objects[name]["bytes"]
            self.send_response(200)
            self.send_header("Content-Type", S.objects[name]["type"])
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return None
        if method == "DELETE" and name in S.objects:
            del S.objects[name]
            S.deleted_objects.append(name)
            return self.send_json(204, None)
        return self.send_json(404, None)

    def me(self, p, token):
        username = self.tokens.access[token].get("account") or "clinic"
        fields = (p.get("fields") or "id").split(",")
        values = {"id": self.S.accounts[username], "user_id": self.S.accounts[username], "username": username}
        return self.send_json(200, {f: values[f] for f in fields if f in values})

    def user_node(self, user, p):
        """GET /{user-id}?fields=...: the fields asked for that the node has;
        a field the node type does not have is error 100 ("Tried accessing
        nonexisting field"), a count without a value is left out."""
        values = {"id": user, "username": next(k for k, v in self.S.accounts.items() if v == user)}
        for f in self.profile_fields:
            if self.S.profile[f] is not None:
                values[f] = self.S.profile[f]
        fields = (p.get("fields") or "id").split(",")
        for f in fields:
            if f not in ("id", "username") + tuple(self.profile_fields):
                return self.graph_error(error(100, "(#100) Tried accessing nonexisting field (%s) on node type "
                                                   "(User)" % f))
        return self.send_json(200, {f: values[f] for f in ["id"] + fields if f in values})

    def user_insights(self, user, p):
        raise NotImplementedError

    def exchange(self, p):
        """Short-lived -> long-lived (60 days), with the app secret."""
        if p.get("grant_type") != self.exchange_grant:
            return self.graph_error(error(100, "Unsupported grant_type"))
        if p.get("client_secret") != "app-secret":
            return self.graph_error(error(101, "Error validating client secret."))
        token = self.check_token(p)
        if token is None:
            return None
        return self.issue(token)

    def refresh(self, p):
        """A long-lived token at least 24 hours old and not expired gets 60
        more days. ⚠ The refusal of a younger token is not documented; code
        10 is what the stand-in answers."""
        if p.get("grant_type") != self.refresh_grant:
            return self.graph_error(error(100, "Unsupported grant_type"))
        token = self.check_token(p)
        if token is None:
            return None
        if now() - self.S.issued_at.get(token, 0) < DAY:
            return self.graph_error(error(10, "The access token must be at least 24 hours old to be refreshed"))
        return self.issue(token)

    def issue(self, old):
        self.tokens.issued += 1
        new = "long-lived-%d" % self.tokens.issued
        self.tokens.add(new, now() + 60 * DAY, self.tokens.access[old].get("account"))
        self.S.issued_at[new] = now()
        return self.send_json(200, {"access_token": new, "token_type": "bearer", "expires_in": 60 * DAY})

    def check_create(self, p):
        """The network's own checks of a new container; an error body or None."""
        return None

    def create(self, p):
        S = self.S
        problem = self.check_create(p)
        if problem is not None:
            return self.graph_error(problem)
        cid = S.next_id()
        c = {"id": cid, "status": "IN_PROGRESS" if S.container_polls else "FINISHED", "polls_left": S.container_polls,
             "params": {k: v for k, v in p.items() if k != "access_token"}, "created_at": now()}
        if p.get("image_url"):
            data, ctype = self.fetch(p["image_url"])
            if data is None:
                c["status"] = "ERROR"
                c["error"] = "FAILED_DOWNLOADING_IMAGE"
            else:
                c["image_sha256"] = hashlib.sha256(data).hexdigest()
                c["image_type"] = ctype
                self.check_image(c)
        if p.get("children"):
            for child in p["children"].split(","):
                if child not in S.containers or S.containers[child]["status"] != "FINISHED":
                    return self.graph_error(error(100, "Invalid parameter: children must be finished carousel items"))
        S.containers[cid] = c
        return self.send_json(200, {"id": cid})

    def check_image(self, c):
        """The network's checks of a fetched image; may fail the container."""

    def container_answer(self, c, fields):
        raise NotImplementedError

    def read(self, oid, p, user=None):
        S = self.S
        fields = (p.get("fields") or "id").split(",")
        if oid in S.containers:
            c = S.containers[oid]
            if c["status"] == "IN_PROGRESS":
                c["polls_left"] -= 1
                if c["polls_left"] <= 0:
                    c["status"] = "FINISHED"
            return self.send_json(200, self.container_answer(c, fields))
        if oid in S.posts:
            post = S.posts[oid]
            return self.send_json(200, {f: post[f] for f in ["id"] + fields if f in post})
        if oid == user:  # the account's own node (the stand-in's ids may repeat it: objects first)
            return self.user_node(user, p)
        return self.graph_error(error(100, "Unsupported get request. Object with ID '%s' does not exist" % oid))

    def publish(self, p):
        S = self.S
        cid = p.get("creation_id", "")
        c = S.containers.get(cid)
        if c is None:
            return self.graph_error(error(100, "Invalid parameter", 2207008))
        if c["status"] == "PUBLISHED":
            return self.graph_error(error(100, "The media has already been published", 2207006))
        if c["status"] != "FINISHED":
            return self.graph_error(error(9007, "Media ID is not available", 2207027))
        if self.used_quota() >= S.quota_total:
            return self.graph_error(error(9, "Application request limit reached: the account has reached its limit "
                                             "for publishing", 2207042))
        mid = S.next_id()
        params = c["params"]
        post = {"id": mid, self.text_field: params.get(self.text_field, ""), "timestamp": graph_time(now()),
                "created_at": now(), "permalink": self.permalink_base + mid, "container": cid,
                "media_type": params.get("media_type", "IMAGE"), "reply_to_id": params.get("reply_to_id"),
                "children": [], "username": "clinic"}
        for child in (params.get("children") or "").split(","):
            if child:
                post["children"].append({"image_sha256": S.containers[child].get("image_sha256"),
                                         "image_type": S.containers[child].get("image_type"),
                                         "alt_text": S.containers[child]["params"].get("alt_text")})
        if c.get("image_sha256"):
            post["image_sha256"] = c["image_sha256"]
            post["image_type"] = c["image_type"]
            post["alt_text"] = params.get("alt_text")
        self.finish_post(post, params)
        S.posts[mid] = post
        c["status"] = "PUBLISHED"
        return self.send_json(200, {"id": mid})

    def finish_post(self, post, params):
        pass

    def used_quota(self):
        return len([x for x in self.S.posts.values() if x["created_at"] > now() - DAY and not x.get("reply_to_id")])

    def quota(self, p):
        """quota_usage since 24 hours ago and config {quota_total, quota_duration}."""
        return self.send_json(200, {"data": [{"quota_usage": self.used_quota(),
                                               "config": {"quota_total": self.S.quota_total, "quota_duration": DAY}}]})

    def listing(self, p, which):
        fields = (p.get("fields") or "id").split(",")
        limit = int(p.get("limit") or 25)
        posts = sorted((x for x in self.S.posts.values() if which(x)), key=lambda x: -x["created_at"])[:limit]
        return self.send_json(200, {"data": [{f: x[f] for f in ["id"] + fields if f in x} for x in posts]})

    def replies_of(self, oid, p):
        if oid not in self.S.posts:
            return self.graph_error(error(100, "Object with ID '%s' does not exist" % oid))
        fields = (p.get("fields") or "id").split(",")
        replies = sorted((x for x in self.S.posts.values() if x.get("reply_to_id") == oid), key=lambda x: x["created_at"])
        return self.send_json(200, {"data": [{f: x[f] for f in ["id"] + fields if f in x} for x in replies]})

    def insights(self, oid, p):
        """{"data": [{"name", "period": "lifetime", "values": [{"value"}], "title", "id"}]}
        for the metrics asked, of those the post has (set by the test)."""
        if oid not in self.S.posts:
            return self.graph_error(error(100, "Object with ID '%s' does not exist" % oid))
        counts = self.S.counts.get(oid, {})
        data = [{"name": m, "period": "lifetime", "values": [{"value": counts[m]}], "title": m.title(),
                 "id": "%s/insights/%s/lifetime" % (oid, m)}
                for m in (p.get("metric") or "").split(",") if m in counts]
        return self.send_json(200, {"data": data})

    def delete(self, oid):
        return self.graph_error(error(100, "Unsupported delete request."))


def url_count(text):
    return len(set(u.rstrip(".,;:!?)\"'") for u in re.findall(r"https?://\S+", text)))
