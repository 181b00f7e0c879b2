#!/usr/bin/env python3
"""A stand-in for Meta's Graph API as the Facebook Pages publisher uses it:
token exchange, the person's Pages and their Page tokens, feed and photo
posts, the Page's published posts, deletion, post fields and insights, the
Page's own followers_count and fan_count (graph-api/reference/page), with
Graph API error bodies and usage headers.

Each behaviour follows a page of developers.facebook.com, cited where it is
implemented. Paths may carry a version prefix (/v26.0/...), as real
requests do.

Anything under /_standin/ is not Meta's: it is how a test sets the scene
and reads what the network holds (see standin_base.py). Extra controls:
  "buc_limit": [calls, seconds]   Page-token calls allowed per rolling window
  "counts": {post id: {"reactions", "comments", "shares", "views", "reach"}}
  "insights_refused": bool        insights answer a permission error
  "page_size": n                  Pages per answer of /me/accounts
  "followers": n, "page_likes": n the Page's followers_count and fan_count
                                  (Riverside Clinic's, or "page": id's);
                                  None leaves the field out, as Graph does
                                  with a field that has no value
"""

import email.utils
import hashlib
import json
import math
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import standin_base as base  # noqa: E402
from standin_base import now  # noqa: E402

APP_ID = "clearpost-app"
APP_SECRET = "app-secret"
LONG_LIVED_SECONDS = 60 * 86400  # get-long-lived: "about 60 days"
MAX_PHOTO_BYTES = 10 * 1000 * 1000  # photo reference: "a photo must be less than 10MB"
PHOTO_TYPES = ("image/jpeg", "image/png", "image/gif", "image/bmp", "image/tiff")  # photo-uploads: supported formats
APP_CALLS_PER_HOUR = 200  # rate-limiting: 200 calls per hour per user of the app

# The Pages Meta knows here, and the tasks person u-1001 has on them, as
# /me/accounts lists them (pages-api/getting-started).
PAGES = {
    "1000000002": {"name": "Hillside Pharmacy", "username": "hillsidepharmacy"},
    "1000000003": {"name": "Lakeside Dental", "username": None},
    "1000000001": {"name": "Riverside Clinic", "username": "riversideclinic"},
}
ROLES = {
    ("u-1001", "1000000002"): ["ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"],
    ("u-1001", "1000000003"): ["ANALYZE", "MODERATE"],
    ("u-1001", "1000000001"): ["ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"],
}


class State:
    def __init__(self):
        self.seq = 0
        self.token_seq = 1     # user-long-1 and page-token-1 are made below
        self.posts = {}        # post id -> {"id", "page", "message", "link", "photos", "created", counts...}
        self.deleted = []      # ids of posts deleted through the API
        self.photos = {}       # photo id -> {"page", "published", "caption", "alt_text_custom", "_sha256", ...}
        self.page_tokens = {}  # (user token, page id) -> the Page token made from it
        self.page_calls = {}   # page id -> [times of Page-token calls] (Business Use Case limit)
        self.app_calls = []    # times of user-token calls (Platform limit)
        self.buc_limit = (4800, 86400)  # rate-limiting: Pages BUC is 4800 x engaged users per 24 hours
        self.insights_refused = False
        self.page_size = 25    # Graph API paging: 25 by default
        # page/reference: followers_count and fan_count of each Page.
        self.page_counts = {pid: {"followers_count": 0, "fan_count": 0} for pid in PAGES}
        self.last_throttle = None

    def next_id(self):
        self.seq += 1
        return str(1000 + self.seq)

    def next_token(self, prefix):
        self.token_seq += 1
        return "%s-%d" % (prefix, self.token_seq)


S = State()
TOKENS = base.Tokens()
# The long-lived token of the person who connected Riverside Clinic (its
# 60 days are not modelled: a test expires it when it needs to), and the
# Page token made from it.
TOKENS.add("user-long-1", None, {"user": "u-1001"})
TOKENS.add("page-token-1", None, {"user": "u-1001", "page": "1000000001"})
S.page_tokens[("user-long-1", "1000000001")] = "page-token-1"


def graph_time(t):
    """Graph API times: ISO 8601 with a +0000 offset (page/feed created_time)."""
    return time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(t))


def permalink(post):
    return "https://www.facebook.com/%s/posts/%s" % (post["page"], post["id"].split("_", 1)[1])


class Handler(base.Handler):
    server_version = "Graph-standin"
    requests = []
    fail_next = {}
    tokens = TOKENS

    # --- Graph API answers ----------------------------------------------------
    def graph_error(self, status, code, message, subcode=None, kind="OAuthException", headers=None, **extra):
        """guides/error-handling: {"error": {"message", "type", "code",
        "error_subcode", "fbtrace_id"}}, plus is_transient or error_user_msg."""
        err = {"message": message, "type": kind, "code": code,
               "fbtrace_id": "A" + hashlib.sha1(("%d" % len(self.requests)).encode()).hexdigest()[:20]}
        if subcode:
            err["error_subcode"] = subcode
        err.update(extra)
        self.send_json(status, {"error": err}, headers)

    def scripted_error(self, path, status, body):
        # A scripted [status, body] is sent as given; a bare 5xx is Meta's
        # "temporary issue" (code 2, is_transient true: guides/error-handling).
        if body is not None:
            return self.send_json(status, body)
        self.graph_error(status, 2, "An unexpected error has occurred. Please retry your request later.",
                         is_transient=True)

    def missing_object(self, verb, oid):
        """What Graph answers for an object that is gone or out of reach
        (code 100, subcode 33, GraphMethodException)."""
        self.graph_error(400, 100, "Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due "
                                   "to missing permissions, or does not support this operation. Please read the Graph "
                                   "API documentation at https://developers.facebook.com/docs/graph-api" % (verb, oid),
                         subcode=33, kind="GraphMethodException", headers=self.usage_headers())

    # --- tokens and usage -------------------------------------------------------
    def token_owner(self, p):
        """The access_token parameter (or a Bearer header) checked. Refused
        tokens answer 400 with code 190 (guides/error-handling: 463 expired,
        460 invalidated by a password change, none when it cannot be parsed);
        None is returned when an answer was sent."""
        token = p.get("access_token") or self.bearer()
        problem = TOKENS.check(token)
        if problem == "expired":
            self.graph_error(400, 190, "Error validating access token: Session has expired on %s."
                             % email.utils.formatdate(TOKENS.access[token]["expires_at"], usegmt=True), subcode=463)
        elif problem == "revoked":
            self.graph_error(400, 190, "Error validating access token: The session has been invalidated because the "
                                       "user changed their password or Facebook has changed the session for security "
                                       "reasons.", subcode=460)
        elif problem:
            self.graph_error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        else:
            self.current_token = token
            return TOKENS.access[token]["account"]
        return None

    def usage_headers(self):
        """overview/rate-limiting: requests with a Page token report the
        Business Use Case usage, keyed by the Page (the business object),
        with percentages and estimated_time_to_regain_access in minutes;
        requests with a user token report X-App-Usage, in percentages."""
        owner = getattr(self, "owner", None)
        if not owner:
            return {}
        if owner.get("page"):
            page = owner["page"]
            calls = self.recent(S.page_calls.setdefault(page, []), S.buc_limit[1])
            pct = min(100, int(len(calls) * 100 / S.buc_limit[0]))
            regain = 0
            if len(calls) >= S.buc_limit[0]:
                regain = math.ceil((calls[0] + S.buc_limit[1] - now()) / 60)
            return {"X-Business-Use-Case-Usage": json.dumps(
                {page: [{"type": "pages", "call_count": pct, "total_cputime": pct // 2, "total_time": pct // 2,
                         "estimated_time_to_regain_access": regain}]})}
        calls = self.recent(S.app_calls, 3600)
        pct = min(100, int(len(calls) * 100 / APP_CALLS_PER_HOUR))
        return {"X-App-Usage": json.dumps({"call_count": pct, "total_cputime": pct // 2, "total_time": pct // 2})}

    @staticmethod
    def recent(calls, window):
        calls[:] = [t for t in calls if t > now() - window]
        return calls

    def spend(self):
        """Counts a call; False (error sent) when the Page is throttled:
        code 80001, "There have been too many calls to this Page account"
        (photo reference error codes; rate-limiting), HTTP 400."""
        if self.owner.get("page"):
            page = self.owner["page"]
            calls = self.recent(S.page_calls.setdefault(page, []), S.buc_limit[1])
            if len(calls) >= S.buc_limit[0]:
                headers = self.usage_headers()
                S.last_throttle = {"headers": headers, "date": self.date_time_string()}
                self.graph_error(400, 80001, "There have been too many calls to this Page account. Wait a bit and try "
                                             "again. For more info, please refer to "
                                             "https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
                                 headers=headers)
                return False
            calls.append(now())
        else:
            S.app_calls.append(now())
        return True

    def reply(self, body):
        self.send_json(200, body, self.usage_headers())

    # --- routes ---------------------------------------------------------------
    def network(self, method, path, query, raw):
        path = re.sub(r"^/v\d+\.\d+(?=/)", "", path)
        p = self.params(raw, query)
        self.owner = self.current_token = None  # one connection may carry several requests
        if method == "GET" and path == "/oauth/access_token":
            return self.exchange(p)
        self.owner = self.token_owner(p)
        if self.owner is None or not self.spend():
            return
        if method == "GET" and path == "/me/accounts":
            return self.accounts(p)
        m = re.fullmatch(r"/(\d+)/(feed|photos|published_posts)", path)
        if m and m.group(1) in PAGES:
            if not self.page_token_for(m.group(1)):
                return
            if method == "POST" and m.group(2) == "feed":
                return self.post_feed(m.group(1), p)
            if method == "POST" and m.group(2) == "photos":
                return self.post_photo(m.group(1), p)
            if method == "GET" and m.group(2) == "published_posts":
                return self.published_posts(m.group(1), p)
        if method == "GET" and re.fullmatch(r"/\d+", path) and path[1:] in PAGES:
            return self.get_page(path[1:], p)
        m = re.fullmatch(r"/(\d+_\d+)(/insights)?", path)
        if m and method == "GET" and m.group(2):
            return self.insights(m.group(1), p)
        if m and method == "GET":
            return self.get_post(m.group(1), p)
        if m and method == "DELETE":
            return self.delete_post(m.group(1))
        self.graph_error(400, 100, "Unknown path components: %s" % path)

    def page_token_for(self, page):
        """Publishing and reading a Page's posts need that Page's token
        (posts guide); another token is a permissions error (code 200)."""
        if self.owner.get("page") != page:
            self.graph_error(403, 200, "(#200) The user hasn't authorized the application to perform this action",
                             headers=self.usage_headers())
            return False
        return True

    def exchange(self, p):
        """get-long-lived: GET /oauth/access_token?grant_type=fb_exchange_token
        &client_id&client_secret&fb_exchange_token -> {"access_token",
        "token_type": "bearer", "expires_in"}. A wrong secret is code 1,
        "Error validating client secret"; a refused user token is code 190."""
        if p.get("grant_type") != "fb_exchange_token":
            return self.graph_error(400, 100, "Invalid grant_type")
        if p.get("client_id") != APP_ID or p.get("client_secret") != APP_SECRET:
            return self.graph_error(400, 1, "Error validating client secret.")
        owner = self.token_owner({"access_token": p.get("fb_exchange_token")})
        if owner is None:
            return
        token = S.next_token("user-long")
        TOKENS.add(token, now() + LONG_LIVED_SECONDS, {"user": owner["user"]})
        self.send_json(200, {"access_token": token, "token_type": "bearer", "expires_in": LONG_LIVED_SECONDS})

    def derive_page_token(self, page):
        """The Page token made from the user token in use: the same one while
        it is good, a new one once it was refused (access-tokens: a Page
        token from a long-lived user token has no expiry)."""
        key = (self.current_token, page)
        token = S.page_tokens.get(key)
        if token is None or TOKENS.check(token):
            token = S.next_token("page-token")
            TOKENS.add(token, None, {"user": self.owner["user"], "page": page})
            S.page_tokens[key] = token
        return token

    def accounts(self, p):
        """/{user-id}/accounts (pages-api/getting-started): the Pages the
        person can perform a task on, each with a Page token, paged with
        cursors (graph-api/results: paging.cursors.after, paging.next only
        when there is more)."""
        if self.owner.get("page"):
            return self.graph_error(400, 100, "(#100) Tried accessing nonexisting field (accounts) on node type (Page)",
                                    headers=self.usage_headers())
        fields = (p.get("fields") or "id,name,access_token,category,tasks").split(",")
        mine = [pid for pid in PAGES if (self.owner["user"], pid) in ROLES]
        limit = min(int(p.get("limit", S.page_size)), S.page_size)
        start = int(p.get("after", "0") or 0)
        data = []
        for pid in mine[start:start + limit]:
            page = {"id": pid, "name": PAGES[pid]["name"], "category": "Medical & Health",
                    "tasks": ROLES[(self.owner["user"], pid)], "access_token": self.derive_page_token(pid)}
            if PAGES[pid]["username"]:
                page["username"] = PAGES[pid]["username"]
            data.append({k: v for k, v in page.items() if k in fields or k == "id"})
        body = {"data": data, "paging": {"cursors": {"before": str(start), "after": str(start + len(data))}}}
        if start + len(data) < len(mine):
            body["paging"]["next"] = "https://graph.facebook.com/v26.0/me/accounts?after=%d" % (start + len(data))
        self.reply(body)

    def get_page(self, page, p):
        """GET /{page-id}: with a user token that manages the Page,
        fields=access_token gives a Page token (getting-started); a person
        without a task on it gets the Page without the token.
        followers_count ("the number of people who follow the Page") and
        fan_count ("the number of users who like the Page") are read with
        the Page's own token or a manager's user token (page reference:
        pages_read_engagement); ⚠ another Page's token meets the permission
        error code 10 here (Page Public Content Access is not modelled)."""
        fields = (p.get("fields") or "").split(",")
        body = {"id": page, "name": PAGES[page]["name"]}
        counted = [f for f in ("followers_count", "fan_count") if f in fields]
        if counted:
            mine = self.owner.get("page") == page or \
                (self.owner.get("page") is None and (self.owner["user"], page) in ROLES)
            if not mine:
                return self.graph_error(400, 10, "(#10) This endpoint requires the 'pages_read_engagement' "
                                                 "permission or the 'Page Public Content Access' feature",
                                        headers=self.usage_headers())
            for f in counted:
                if S.page_counts[page][f] is not None:
                    body[f] = S.page_counts[page][f]
        if "access_token" in fields:
            if self.owner.get("page") is None and (self.owner["user"], page) in ROLES:
                body["access_token"] = self.derive_page_token(page)
        self.reply(body)

    def post_feed(self, page, p):
        """page/feed POST: message, link, attached_media[i]={"media_fbid"}
        -> {"id": "{page-id}_{post-id}"} (posts guide). Error 506 is a
        duplicate: the same message as the Page's last post
        (guides/error-handling). No message, link or media is error 100."""
        attached = []
        for k in sorted((k for k in p if re.fullmatch(r"attached_media\[\d+\]", k)),
                        key=lambda k: int(k[15:-1])):
            fbid = json.loads(p[k]).get("media_fbid")
            photo = S.photos.get(fbid)
            if not photo or photo["page"] != page or photo["published"] or photo["_post"]:
                return self.graph_error(400, 100, "(#100) param attached_media[%s] must be an unpublished photo of "
                                                  "this Page" % k[15:-1], headers=self.usage_headers())
            attached.append(fbid)
        message = p.get("message", "")
        if not message and not p.get("link") and not attached:
            return self.graph_error(400, 100, "(#100) Missing message or attachment", headers=self.usage_headers())
        if self.duplicate(page, message):
            return
        post = self.make_post(page, message, p.get("link"), attached)
        self.reply({"id": post["id"]})

    def duplicate(self, page, message):
        mine = [x for x in S.posts.values() if x["page"] == page]
        if message and mine and max(mine, key=lambda x: x["seq"])["message"] == message:
            self.graph_error(400, 506, "(#506) Duplicate status message", headers=self.usage_headers(),
                             error_user_title="Duplicate post",
                             error_user_msg="This status update is identical to the last one you posted.")
            return True
        return False

    def make_post(self, page, message, link, photos):
        S.seq += 1
        post = {"id": "%s_%d" % (page, 2000 + S.seq), "seq": S.seq, "page": page, "message": message, "link": link,
                "photos": photos, "created": now(), "reactions": 0, "comments": 0, "shares": 0,
                "views": None, "reach": None}
        for fbid in photos:
            S.photos[fbid]["_post"] = post["id"]
        S.posts[post["id"]] = post
        return post

    def post_photo(self, page, p):
        """page/photos POST, multipart with the file as "source" (or a url):
        caption, alt_text_custom, published (default true) -> {"id",
        "post_id"}; unpublished: {"id"} (photo reference, photo-uploads).
        Animated photos are not supported and a photo must be less than
        10MB; supported formats are JPEG, BMP, PNG, GIF and TIFF."""
        source = p.get("source")
        if not isinstance(source, dict) or not source["data"]:
            return self.graph_error(400, 324, "(#324) Requires upload file", headers=self.usage_headers())
        if source["content_type"] not in PHOTO_TYPES or len(source["data"]) >= MAX_PHOTO_BYTES:
            return self.graph_error(400, 100, "(#100) Invalid parameter", headers=self.usage_headers(),
                                    error_user_msg="The photo must be a JPEG, BMP, PNG, GIF or TIFF under 10MB.")
        published = p.get("published", "true") != "false"
        caption = p.get("caption", "")
        if published and self.duplicate(page, caption):
            return
        fbid = S.next_id()
        S.photos[fbid] = {"id": fbid, "page": page, "published": published, "caption": caption,
                          "alt_text_custom": p.get("alt_text_custom"), "_post": None,
                          "_sha256": hashlib.sha256(source["data"]).hexdigest(), "_type": source["content_type"],
                          "_bytes": len(source["data"])}
        if not published:
            return self.reply({"id": fbid})
        post = self.make_post(page, caption, None, [fbid])
        self.reply({"id": fbid, "post_id": post["id"]})

    def published_posts(self, page, p):
        """page/published_posts: the Page's own published posts, newest
        first, filtered by since (a Unix time), paged with cursors."""
        fields = (p.get("fields") or "id,created_time,message").split(",")
        since = float(p.get("since", 0))
        mine = sorted((x for x in S.posts.values() if x["page"] == page and x["created"] >= since),
                      key=lambda x: -x["seq"])
        limit = min(int(p.get("limit", 25)), 100)
        start = int(p.get("after", "0") or 0)
        data = []
        for x in mine[start:start + limit]:
            full = {"id": x["id"], "message": x["message"], "created_time": graph_time(x["created"]),
                    "permalink_url": permalink(x)}
            if not x["message"]:
                del full["message"]  # Graph leaves out a field that has no value
            data.append({k: v for k, v in full.items() if k in fields or k == "id"})
        body = {"data": data, "paging": {"cursors": {"before": str(start), "after": str(start + len(data))}}}
        if start + len(data) < len(mine):
            body["paging"]["next"] = "https://graph.facebook.com/v26.0/%s/published_posts?after=%d" % (
                page, start + len(data))
        self.reply(body)

    def own_post(self, pid, verb):
        post = S.posts.get(pid)
        if not post or self.owner.get("page") != post["page"]:
            self.missing_object(verb, pid)
            return None
        return post

    def get_post(self, pid, p):
        """A Post's fields: permalink_url; reactions and comments edges with
        summary(total_count) (field expansion); shares as {"count"}, left out
        when nobody shared (post reference)."""
        post = self.own_post(pid, "get")
        if not post:
            return
        body = {"id": pid}
        for field in re.split(r",(?![^(]*\))", p.get("fields") or "id"):
            name = field.split(".", 1)[0]
            if name == "permalink_url":
                body["permalink_url"] = permalink(post)
            elif name == "message" and post["message"]:
                body["message"] = post["message"]
            elif name == "created_time":
                body["created_time"] = graph_time(post["created"])
            elif name == "reactions":
                body["reactions"] = {"data": [], "summary": {"total_count": post["reactions"], "viewer_reaction": "NONE"}}
            elif name == "comments":
                body["comments"] = {"data": [], "summary": {"order": "ranked", "total_count": post["comments"],
                                                            "can_comment": True}}
            elif name == "shares" and post["shares"]:
                body["shares"] = {"count": post["shares"]}
        self.reply(body)

    def insights(self, pid, p):
        """/{post-id}/insights?metric=...: impressions metrics were
        deprecated (deprecated-metrics: post_impressions_unique ->
        post_total_media_view_unique; changelog 15 Nov 2025: post_impressions
        -> post_media_view); a deprecated name is error 100. Insights need
        the ANALYZE task (code 10 otherwise); a metric without data is left
        out of "data"."""
        post = self.own_post(pid, "get")
        if not post:
            return
        if S.insights_refused:
            return self.graph_error(400, 10, "(#10) Application does not have permission for this action",
                                    headers=self.usage_headers())
        known = {"post_media_view": "views", "post_total_media_view_unique": "reach"}
        data = []
        for metric in (p.get("metric") or "").split(","):
            if metric not in known:
                return self.graph_error(400, 100, "(#100) The value must be a valid insights metric",
                                        headers=self.usage_headers())
            value = post[known[metric]]
            if value is not None:
                data.append({"name": metric, "period": "lifetime", "values": [{"value": value}],
                             "title": metric, "description": metric,
                             "id": "%s/insights/%s/lifetime" % (pid, metric)})
        self.reply({"data": data, "paging": {}})

    def delete_post(self, pid):
        """DELETE /{post-id} -> {"success": true} (posts guide); a post that
        is gone answers the missing-object error (100/33)."""
        post = self.own_post(pid, "delete")
        if not post:
            return
        del S.posts[pid]
        S.deleted.append(pid)
        self.reply({"success": True})

    # --- the stand-in's own endpoints ------------------------------------------
    def control(self, c):
        if "buc_limit" in c:
            S.buc_limit = tuple(c["buc_limit"])
        if "counts" in c:
            for pid, counts in c["counts"].items():
                S.posts[pid].update(counts)
        if "insights_refused" in c:
            S.insights_refused = c["insights_refused"]
        if "page_size" in c:
            S.page_size = c["page_size"]
        for key, field in (("followers", "followers_count"), ("page_likes", "fan_count")):
            if key in c:
                S.page_counts[c.get("page", "1000000001")][field] = c[key]
        super().control(c)

    def state(self):
        out = super().state()
        out.update({"posts": S.posts, "deleted": S.deleted, "photos": S.photos,
                    "page_tokens": {"%s|%s" % k: v for k, v in S.page_tokens.items()},
                    "last_throttle": S.last_throttle})
        return out


if __name__ == "__main__":
    base.serve(Handler)
