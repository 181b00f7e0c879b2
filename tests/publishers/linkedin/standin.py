#!/usr/bin/env python3
"""A stand-in for LinkedIn's versioned REST API as an organisation page uses
it, for the LinkedIn publisher's tests: the Posts, Images, organisation
access control, organisation lookup and share statistics endpoints, the
page's follower count (GET /rest/networkSizes/{organization URN}
?edgeType=COMPANY_FOLLOWED_BY_MEMBER -> {"firstDegreeSize"}:
organizations/organization-lookup-api, "Retrieve Organization Follower
Count"), and the OAuth token endpoint's refresh grant.

Each behaviour cites the Microsoft Learn page it follows (LinkedIn Marketing,
Community Management, under learn.microsoft.com/en-us/linkedin/); a ⚠ marks
one known only from third parties. Anything under /_standin/ is not LinkedIn:
it is how a test sets the scene and reads what the network holds.
"""

import hashlib
import json
import os
import re
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import standin_base as base  # noqa: E402

MEMBER = "urn:li:person:clinic-admin"  # who a token belongs to unless a test says otherwise
CLIENTS = {"app-1": "app-secret"}      # the organisation's registered app
ACCESS_TTL = 60 * 86400                # shared/authentication: access tokens last 60 days
REFRESH_TTL = 365 * 86400              # programmatic-refresh-tokens: 365 days, not extended
# Page roles that may post (posts-api permissions: w_organization_social).
POSTING_ROLES = {"ADMINISTRATOR", "DIRECT_SPONSORED_CONTENT_POSTER", "CONTENT_ADMIN", "CONTENT_ADMINISTRATOR"}
RESERVED = set("|{}@[]()<>#\\*_~")     # little-text-format: reserved characters
TEXT_LIMIT = 3000                      # ⚠ third-party only (Ayrshare)
ALT_LIMIT = 4086                       # ⚠ Posts API media schema, as remembered


def is_word(c):
    return c.isalnum() or ord(c) > 127


def render(little):
    """The text a post shows for its little-format commentary
    (little-text-format): escapes undone, hashtags and mentions shown. An
    unescaped reserved character that starts no element cuts the post off
    there, with no error (⚠ crossposter v1.1.5, composio#2710)."""
    out, i = [], 0
    while i < len(little):
        c = little[i]
        if c == "\\":
            if i + 1 == len(little):
                break
            out.append(little[i + 1])
            i += 2
            continue
        if c == "#" and i + 1 < len(little) and is_word(little[i + 1]):  # HashtagElement
            j = i + 1
            while j < len(little) and is_word(little[j]):
                j += 1
            out.append(little[i:j])
            i = j
            continue
        m = re.match(r"\{hashtag\|\\#\|([^}]*)\}", little[i:])  # HashtagTemplate
        if m:
            out.append("#" + m.group(1))
            i += m.end()
            continue
        m = re.match(r"@\[([^\]]*)\]\((urn:li:[a-zA-Z]+:[^)]+)\)", little[i:])  # MentionElement
        if m:
            out.append(m.group(1))
            i += m.end()
            continue
        if c in RESERVED:
            break
        out.append(c)
        i += 1
    return "".join(out)


def as_read_back(little):
    """Commentary as GET /rest/posts returns it: ⚠ hashtags come back as the
    HashtagTemplate {hashtag|\\#|word} (seen in posts read back; the little
    page documents both forms)."""
    return re.sub(r"(?<![\\\w])#(\w+)", lambda m: "{hashtag|\\#|%s}" % m.group(1), little)


class LinkedIn(base.Handler):
    server_version = "LinkedIn-standin"
    tokens = base.Tokens()
    requests = []
    fail_next = {}
    seq = [0]
    posts = {}       # urn -> post as stored (plus "_text": what it shows, "_deleted")
    images = {}      # urn -> {"owner", "status", "_sha256", "_type", "_bytes"}
    acls = [{"roleAssignee": MEMBER, "role": "ADMINISTRATOR", "organization": "urn:li:organization:2414183",
             "state": "APPROVED"}]
    orgs = {"2414183": {"localizedName": "Riverside Clinic", "vanityName": "riverside-clinic"},
            "5583111": {"localizedName": "Hillside Hospital", "vanityName": "hillside-hospital"}}
    stats = {}       # post urn -> counts a test set
    followers = {"2414183": 0, "5583111": 0}  # organisation id -> members following its page
    settings = {"daily_post_limit": None, "finder_lag_s": 0, "daily_follower_count_limit": None}
    used = {}        # UTC day -> posts created
    follower_reads = {}  # UTC day -> follower count requests
    versions = []    # LinkedIn-Version of every REST request, in order
    last_429 = [None]

    # --- scene ------------------------------------------------------------------
    def control(self, c):
        super().control(c)
        if "add_refresh_token" in c:
            self.tokens.refresh[c["add_refresh_token"]]["expires_at"] = base.now() + REFRESH_TTL
        if "acls" in c:
            self.acls[:] = c["acls"]
        for key in ("daily_post_limit", "finder_lag_s", "daily_follower_count_limit"):
            if key in c:
                self.settings[key] = c[key]
        if "followers" in c:  # {"followers": 1520} for Riverside Clinic, or with "organization": "5583111"
            self.followers[str(c.get("organization", "2414183"))] = c["followers"]
        if "stats" in c:
            self.stats.update(c["stats"])

    def state(self):
        s = super().state()
        s.update({"posts": self.posts, "versions": self.versions, "last_429": self.last_429[0],
                  "images": {k: {f: v for f, v in i.items() if f != "_bytes"} for k, i in self.images.items()}})
        return s

    # --- LinkedIn's answers -----------------------------------------------------
    def error(self, status, message, code=None, service=None, inputs=None, headers=None):
        """LinkedIn's error body (api-guide/concepts/error-handling): status,
        message, and a serviceErrorCode and code where LinkedIn names one;
        validation errors list errorDetails.inputErrors[].code."""
        body = {"status": status, "message": message}
        if code:
            body["code"] = code
        if service:
            body["serviceErrorCode"] = service
        if inputs:
            body["errorDetailType"] = "com.linkedin.common.error.BadRequest"
            body["errorDetails"] = {"inputErrors": [{"code": i, "description": message, "input": {}} for i in inputs]}
        self.send_json(status, body, headers)

    def scripted_error(self, path, status, body):
        if isinstance(body, dict):
            return self.send_json(status, body)
        self.error(status, body if isinstance(body, str) else "scripted failure")

    def member(self):
        """The member the bearer token belongs to, or None (401 sent).
        401s: invalid 65600 (react-native-linkedin#80), revoked 65601
        REVOKED_ACCESS_TOKEN (omniauth-linkedin-oauth2#81), ⚠ expired 65602
        EXPIRED_ACCESS_TOKEN (no official page names it)."""
        token = self.bearer()
        why = self.tokens.check(token)
        if why == "invalid":
            return self.error(401, "Invalid access token", "INVALID_ACCESS_TOKEN", 65600)
        if why == "revoked":
            return self.error(401, "The token used in the request has been revoked by the user",
                              "REVOKED_ACCESS_TOKEN", 65601)
        if why == "expired":
            return self.error(401, "The token used in the request has expired", "EXPIRED_ACCESS_TOKEN", 65602)
        return self.tokens.access[token]["account"] or MEMBER

    def may_post_for(self, member, org, roles=POSTING_ROLES):
        return any(a["roleAssignee"] == member and a["organization"] == org and a["role"] in roles
                   and a["state"] == "APPROVED" for a in self.acls)

    def denied(self, what):
        # A member without the page role: 403 ACCESS_DENIED (posts-api permissions).
        self.error(403, "Not enough permissions to access: %s" % what, "ACCESS_DENIED", 100)

    def network(self, method, path, query, raw):
        if path == "/oauth/v2/accessToken" and method == "POST":
            return self.token_endpoint(self.params(raw))
        if path.startswith("/dms-uploads/") and method == "PUT":
            return self.upload(path[len("/dms-uploads/"):], raw)
        if not path.startswith("/rest/"):
            return self.error(404, "Not Found")
        # Every versioned call names its version and Rest.li 2.0.0
        # (versioning; protocol-version).
        version = self.headers.get("LinkedIn-Version", "")
        self.versions.append(version)
        if not re.fullmatch(r"\d{6}", version):
            return self.error(400, "A version must be present. Please specify a version by adding the "
                                   "LinkedIn-Version header.", "VERSION_MISSING")
        if self.headers.get("X-Restli-Protocol-Version") != "2.0.0":
            return self.error(400, "Rest.li protocol version 2.0.0 is required")
        member = self.member()
        if member is None:
            return None
        if path == "/rest/organizationAcls" and method == "GET" and query.get("q") == "roleAssignee":
            return self.find_acls(member, query)
        if path.startswith("/rest/organizations/") and method == "GET":
            return self.organization(path[len("/rest/organizations/"):])
        if path == "/rest/images" and method == "POST" and query.get("action") == "initializeUpload":
            return self.initialize_upload(member, self.params(raw))
        if path == "/rest/posts" and method == "POST":
            return self.create_post(member, self.params(raw))
        if path == "/rest/posts" and method == "GET" and query.get("q") == "author":
            return self.find_posts(member, query)
        if path.startswith("/rest/posts/") and method == "DELETE":
            return self.delete_post(member, urllib.parse.unquote(path[len("/rest/posts/"):]))
        if path == "/rest/organizationalEntityShareStatistics" and method == "GET":
            return self.share_statistics(member, query)
        if path.startswith("/rest/networkSizes/") and method == "GET":
            return self.network_size(urllib.parse.unquote(path[len("/rest/networkSizes/"):]), query)
        return self.error(404, "Not Found")

    # --- OAuth (authorization-code-flow; programmatic-refresh-tokens) ------------
    def token_endpoint(self, p):
        if CLIENTS.get(p.get("client_id")) != p.get("client_secret"):
            return self.send_json(401, {"error": "invalid_client", "error_description": "Client authentication failed"})
        if p.get("grant_type") != "refresh_token":
            return self.send_json(400, {"error": "unsupported_grant_type", "error_description": "only refresh here"})
        info = self.tokens.refresh.get(p.get("refresh_token"))
        if info is None or info["revoked"] or info.get("expires_at", base.now() + 1) <= base.now():
            # ⚠ LinkedIn answers a dead refresh token with invalid_request, not
            # RFC 6749's invalid_grant (as reported by clients).
            return self.send_json(400, {"error": "invalid_request", "error_description":
                                        "The provided authorization grant or refresh token is invalid, expired or revoked"})
        self.tokens.issued += 1
        access = "li-access-%d" % self.tokens.issued
        self.tokens.add(access, base.now() + ACCESS_TTL)
        # The same refresh token comes back, its life not extended (⚠ trypost#299).
        remaining = int(info.get("expires_at", base.now() + REFRESH_TTL) - base.now())
        self.send_json(200, {"access_token": access, "expires_in": ACCESS_TTL, "refresh_token": p["refresh_token"],
                             "refresh_token_expires_in": remaining, "scope": "r_organization_social,rw_organization_admin,"
                                                                             "w_organization_social"})

    # --- organisations (organization-access-control-by-role; organization-lookup-api)
    def find_acls(self, member, query):
        found = [a for a in self.acls if a["roleAssignee"] == member
                 and query.get("role", a["role"]) == a["role"] and query.get("state", a["state"]) == a["state"]]
        self.send_json(200, {"paging": {"start": 0, "count": len(found), "links": []}, "elements": found})

    def organization(self, org_id):
        org = self.orgs.get(org_id)
        if org is None:
            return self.error(404, "Organization %s not found" % org_id)
        self.send_json(200, {"id": int(org_id), "localizedName": org["localizedName"], "vanityName": org["vanityName"],
                             "name": {"localized": {"en_US": org["localizedName"]},
                                      "preferredLocale": {"country": "US", "language": "en"}}})

    # --- images (images-api) --------------------------------------------------------
    def initialize_upload(self, member, p):
        owner = (p.get("initializeUploadRequest") or {}).get("owner", "")
        if not self.may_post_for(member, owner):
            return self.denied("images.ACTION.initializeUpload")
        self.seq[0] += 1
        image_id = "C4E10AQ%09d" % self.seq[0]
        self.images["urn:li:image:" + image_id] = {"owner": owner, "status": "WAITING_UPLOAD"}
        self.send_json(200, {"value": {"uploadUrlExpiresAt": int((base.now() + 3600) * 1000),
                                       "uploadUrl": "http://%s/dms-uploads/%s" % (self.headers["Host"], image_id),
                                       "image": "urn:li:image:" + image_id}})

    def upload(self, image_id, raw):
        # The upload URL takes the bytes with the member's token (images-api: "Upload the Image").
        if self.member() is None:
            return None
        image = self.images.get("urn:li:image:" + image_id)
        if image is None:
            return self.error(404, "Not Found")
        image.update({"status": "AVAILABLE", "_sha256": hashlib.sha256(raw).hexdigest(),
                      "_type": self.headers.get("Content-Type", ""), "_bytes": raw})
        self.send_json(201, None)

    # --- posts (posts-api; multiimage-post-api) -------------------------------------
    def create_post(self, member, p):
        author = p.get("author", "")
        if not author.startswith("urn:li:organization:") or not self.may_post_for(member, author):
            return self.denied("partnerApiPostsExternal.CREATE")
        if p.get("lifecycleState") not in ("PUBLISHED", "DRAFT") or \
                p.get("visibility") not in ("PUBLIC", "CONNECTIONS", "LOGGED_IN") or \
                (p.get("distribution") or {}).get("feedDistribution") not in ("MAIN_FEED", "NONE"):
            return self.error(422, "lifecycleState, visibility and distribution.feedDistribution are required",
                              inputs=["INVALID_VALUE"])
        content = p.get("content") or {}
        if "media" in content:
            pictures = [content["media"]]
        elif "multiImage" in content:
            pictures = content["multiImage"].get("images", [])
            if not 2 <= len(pictures) <= 20:
                return self.error(422, "A MultiImage post has 2 to 20 images", inputs=["INVALID_VALUE"])
        else:
            pictures = []
        for pic in pictures:
            image = self.images.get(pic.get("id", ""))
            if image is None or image["status"] != "AVAILABLE" or image["owner"] != author:
                return self.error(422, "Image %s is not available" % pic.get("id"), inputs=["INVALID_MEDIA"])
            if len(pic.get("altText", "")) > ALT_LIMIT:
                return self.error(422, "altText is longer than %d characters" % ALT_LIMIT, inputs=["INVALID_VALUE"])
        if "article" in content and not re.match(r"https?://", content["article"].get("source", "")):
            return self.error(422, "article.source must be a URL", inputs=["INVALID_VALUE"])
        commentary = p.get("commentary", "")
        text = render(commentary)
        if len(text) > TEXT_LIMIT:
            return self.error(422, "commentary is longer than %d characters" % TEXT_LIMIT, inputs=["INVALID_VALUE"])
        # The same text again on the same page: 422 DUPLICATE_POST naming the
        # post it repeats (⚠ Linkedin-RSS#5 shows the body).
        for urn, old in self.posts.items():
            if not old["_deleted"] and old["author"] == author and old["commentary"] == commentary:
                return self.error(422, "com.linkedin.content.common.exception.BadRequestResponseException: "
                                       "Content is a duplicate of %s" % urn, inputs=["DUPLICATE_POST"])
        # Daily limits per app and member, reset at midnight UTC, over them
        # 429 without rate-limit headers (api-guide/concepts/rate-limits).
        day = int(base.now() // 86400)
        limit = self.settings["daily_post_limit"]
        if limit is not None and self.used.get(day, 0) >= limit:
            self.last_429[0] = {"date": self.date_time_string()}
            return self.error(429, "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.",
                              "TOO_MANY_REQUESTS", 101)
        self.used[day] = self.used.get(day, 0) + 1
        self.seq[0] += 1
        # ⚠ A multiImage post comes back as a ugcPost, others as shares.
        urn = "urn:li:%s:%d" % ("ugcPost" if "multiImage" in content else "share", 7400000000000000000 + self.seq[0])
        ms = int(base.now() * 1000)
        self.posts[urn] = {"id": urn, "author": author, "commentary": commentary, "content": content,
                           "visibility": p["visibility"], "distribution": p["distribution"],
                           "lifecycleState": p["lifecycleState"],
                           "isReshareDisabledByAuthor": p.get("isReshareDisabledByAuthor", False),
                           "createdAt": ms, "lastModifiedAt": ms, "publishedAt": ms,
                           "_text": text, "_deleted": False}
        # 201 Created with the new post's URN in x-restli-id and no body.
        self.send_json(201, None, {"x-restli-id": urn})

    def find_posts(self, member, query):
        author = query.get("author", "")
        if not self.may_post_for(member, author):
            return self.denied("partnerApiPostsExternal.FINDER-author")
        # The finder may not list a post yet for a while (finder_lag_s: a
        # lagging index, which LinkedIn does not document either way).
        newest_listed = (base.now() - self.settings["finder_lag_s"]) * 1000
        found = [p for p in self.posts.values()
                 if p["author"] == author and not p["_deleted"] and p["createdAt"] <= newest_listed]
        order = "createdAt" if query.get("sortBy") == "CREATED" else "lastModifiedAt"
        found.sort(key=lambda p: p[order], reverse=True)
        start, count = int(query.get("start", 0)), int(query.get("count", 10))
        page = [dict({k: v for k, v in p.items() if not k.startswith("_")}, commentary=as_read_back(p["commentary"]))
                for p in found[start:start + count]]
        self.send_json(200, {"paging": {"start": start, "count": count, "links": []}, "elements": page})

    def delete_post(self, member, urn):
        post = self.posts.get(urn)
        if post is None or post["_deleted"]:
            return self.error(404, "Post %s not found" % urn)
        if not self.may_post_for(member, post["author"]):
            return self.denied("partnerApiPostsExternal.DELETE")
        post["_deleted"] = True
        self.send_json(204, None)

    # --- follower count (organization-lookup-api) -------------------------------------
    def network_size(self, urn, query):
        """"Retrieve Organization Follower Count": the members following any
        organisation's page, {"firstDegreeSize": N}. The versioned API names
        the edge COMPANY_FOLLOWED_BY_MEMBER; the unversioned API's
        CompanyFollowedByMember is an invalid value there. ⚠ The refusals'
        exact wording is not documented. Over the daily limit: 429 without
        rate-limit headers, as every LinkedIn limit (api-guide/concepts/rate-limits)."""
        edge = query.get("edgeType")
        if edge is None:
            return self.error(400, "Missing required field: edgeType", "MISSING_FIELD")
        if edge != "COMPANY_FOLLOWED_BY_MEMBER":
            return self.error(400, "Invalid value %s for field edgeType" % edge, "INVALID_VALUE_FOR_FIELD")
        m = re.fullmatch(r"urn:li:organization:(\d+)", urn)
        if not m:
            return self.error(400, "Invalid URN %s for networkSizes" % urn, "BAD_REQUEST")
        if m.group(1) not in self.followers:
            return self.error(404, "Organization %s not found" % m.group(1), "NOT_FOUND")
        day = int(base.now() // 86400)
        limit = self.settings["daily_follower_count_limit"]
        if limit is not None and self.follower_reads.get(day, 0) >= limit:
            self.last_429[0] = {"date": self.date_time_string()}
            return self.error(429, "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.",
                              "TOO_MANY_REQUESTS", 101)
        self.follower_reads[day] = self.follower_reads.get(day, 0) + 1
        self.send_json(200, {"firstDegreeSize": self.followers[m.group(1)]})

    # --- statistics (organizations/share-statistics) ---------------------------------
    def share_statistics(self, member, query):
        org = query.get("organizationalEntity", "")
        # rw_organization_admin: the ADMINISTRATOR role only.
        if query.get("q") != "organizationalEntity" or not self.may_post_for(member, org, {"ADMINISTRATOR"}):
            return self.denied("organizationalEntityShareStatistics.FINDER-organizationalEntity")
        elements = []
        for field, kind in (("shares", "share"), ("ugcPosts", "ugcPost")):
            listed = query.get(field, "")
            if not listed:
                continue
            if not (listed.startswith("List(") and listed.endswith(")")):
                return self.error(400, "%s must be a List(...)" % field)
            for urn in listed[5:-1].split(","):
                post = self.posts.get(urn)
                if post is None or post["_deleted"] or post["author"] != org:
                    continue
                c = dict({"impressionCount": 0, "uniqueImpressionsCount": 0, "clickCount": 0, "likeCount": 0,
                          "commentCount": 0, "shareCount": 0}, **self.stats.get(urn, {}))
                acted = c["clickCount"] + c["likeCount"] + c["commentCount"] + c["shareCount"]
                c["engagement"] = acted / c["impressionCount"] if c["impressionCount"] else 0.0
                elements.append({"organizationalEntity": org, kind: urn, "totalShareStatistics": c})
        self.send_json(200, {"paging": {"start": 0, "count": len(elements), "links": []}, "elements": elements})


LinkedIn.tokens.add("good-token")

if __name__ == "__main__":
    base.serve(LinkedIn)
