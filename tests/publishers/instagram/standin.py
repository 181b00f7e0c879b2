#!/usr/bin/env python3
"""A stand-in for the Instagram API with Instagram Login (graph.instagram.com)
and the account's media host, for the Instagram publisher's tests. Serves on
127.0.0.1 only and prints "port N" first (see support/standin_base.py).

Follows developers.facebook.com/docs/instagram-platform: content-publishing
(containers from a public image_url, carousels of 2 to 10 children,
media_publish), instagram-graph-api/reference/ig-container (status_code
FINISHED, PUBLISHED, IN_PROGRESS, ERROR, EXPIRED), ig-user/content_publishing_limit,
reference/access_token and refresh_access_token (long-lived tokens),
reference/instagram-media/insights, and instagram-graph-api/reference/ig-user
(GET /{ig-user-id}?fields=followers_count,follows_count,media_count: the
account's counts, which a test sets with {"followers", "following", "posts"}).
Anything under /_standin/ sets the scene.
"""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "meta"))

from graph_standin import MetaHandler, Store, Tokens, error  # noqa: E402
from standin_base import serve  # noqa: E402


class Instagram(MetaHandler):
    server_version = "Instagram-standin/1"
    S = Store()
    tokens = Tokens()
    version = "/v23.0"
    create_edge = "media"
    publish_edge = "media_publish"
    status_field = "status_code"
    quota_edge = "content_publishing_limit"
    text_field = "caption"
    exchange_grant = "ig_exchange_token"
    refresh_grant = "ig_refresh_token"
    permalink_base = "https://www.instagram.com/p/"
    # ig-user: "Total number of Instagram users following the user", "...the
    # user follows", "Total number of IG Media published on the user".
    profile_fields = ("followers_count", "follows_count", "media_count")

    def check_create(self, p):
        """ig-user/media: image_url for an image (or a carousel item), or
        media_type=CAROUSEL with 2 to 10 children; no text-only posts.
        ⚠ The limits' error codes are not documented; code 100 (invalid
        parameter) with Instagram's wording is what the stand-in answers."""
        caption = p.get("caption", "")
        if p.get("media_type") == "CAROUSEL":
            children = [c for c in (p.get("children") or "").split(",") if c]
            if not 2 <= len(children) <= 10:
                return error(100, "Invalid parameter: a carousel has 2 to 10 children", 2207050)
        elif not p.get("image_url"):
            return error(100, "The parameter image_url is required.")
        if len(caption) > 2200:
            return error(100, "Invalid parameter: the caption is longer than 2200 characters", 2207041)
        if len(re.findall(r"(?:^|\s)#\w", caption)) > 30:
            return error(100, "Invalid parameter: the caption has more than 30 hashtags", 2207041)
        return None

    def check_image(self, c):
        # Instagram takes JPEG only: any other image fails its container.
        if c["image_type"] != "image/jpeg":
            c["status"] = "ERROR"
            c["error"] = "2207026"

    def container_answer(self, c, fields):
        out = {"id": c["id"]}
        if "status_code" in fields:
            out["status_code"] = c["status"]
        if "status" in fields:
            # ig-container: "status": the error subcode when status_code is ERROR.
            out["status"] = "Error: " + c["error"] if c["status"] == "ERROR" and c.get("error") else \
                "Finished: Media has been uploaded and it is ready to be published."
        return out


if __name__ == "__main__":
    serve(Instagram)
