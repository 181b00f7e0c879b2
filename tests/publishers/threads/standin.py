#!/usr/bin/env python3
"""A stand-in for the Threads API (graph.threads.net) and the account's media
host, for the Threads publisher's tests. Serves on 127.0.0.1 only and prints
"port N" first (see support/standin_base.py).

Follows developers.facebook.com/docs/threads: posts (TEXT, IMAGE and
CAROUSEL containers of 2 to 20 items, threads_publish, 500 characters with
emoji counted as their UTF-8 bytes, the first link as the preview),
posts/accessibility (alt_text), create-posts/text-attachments (at most 5
unique links), reply-management (reply_to_id, /replies), posts/delete-posts,
troubleshooting (container status and error_message, threads_publishing_limit),
insights (media insights, and user insights: GET /{threads-user-id}/threads_insights
?metric=followers_count, the total in total_value.value, set by a test with
{"followers": N}), get-started/long-lived-tokens. Anything under /_standin/
sets the scene.
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "meta"))

from graph_standin import MetaHandler, Store, Tokens, error, url_count  # noqa: E402
from standin_base import serve  # noqa: E402


def is_emoji(cp):
    return (0x1F000 <= cp <= 0x1FAFF or 0x2600 <= cp <= 0x27BF or 0x2300 <= cp <= 0x23FF or 0x2B00 <= cp <= 0x2BFF
            or cp in (0x200D, 0xFE0F, 0x20E3) or 0xE0020 <= cp <= 0xE007F)


def threads_length(text):
    """posts: a character counts 1, an emoji its UTF-8 bytes."""
    return sum(len(ch.encode("utf-8")) if is_emoji(ord(ch)) else 1 for ch in text)


class Threads(MetaHandler):
    server_version = "Threads-standin/1"
    S = Store()
    tokens = Tokens()
    user_insights_edge = "threads_insights"
    # insights, User Insights: the metrics the edge takes.
    USER_METRICS = ("views", "likes", "replies", "reposts", "quotes", "clicks", "followers_count",
                    "follower_demographics")

    def check_create(self, p):
        kind = p.get("media_type")
        text = p.get("text", "")
        if kind not in ("TEXT", "IMAGE", "VIDEO", "CAROUSEL"):
            return error(100, "Param media_type must be one of {TEXT, IMAGE, VIDEO, CAROUSEL}")
        if kind == "TEXT" and not text:
            return error(100, "Param text is required for TEXT posts")
        if kind == "IMAGE" and not p.get("image_url"):
            return error(100, "Param image_url is required for IMAGE posts")
        if kind == "CAROUSEL" and not 2 <= len([c for c in (p.get("children") or "").split(",") if c]) <= 20:
            return error(100, "A carousel has 2 to 20 children")
        # ⚠ The over-length error's code is not documented; 100 it is here.
        if threads_length(text) > 500:
            return error(100, "Param text must be at most 500 characters long")
        if url_count(text) > 5:
            return error(100, "THREADS_API__LINK_LIMIT_EXCEEDED: a post may hold at most 5 unique links")
        if p.get("reply_to_id") and p["reply_to_id"] not in self.S.posts:
            return error(100, "Param reply_to_id is not a post")
        return None

    def container_answer(self, c, fields):
        out = {"id": c["id"], "status": c["status"]}
        if c["status"] == "ERROR":
            out["error_message"] = c.get("error", "UNKNOWN")
        return out

    def finish_post(self, post, params):
        # posts: "the first URL in the text field will be used as the link preview"
        # for a post without media.
        if post["media_type"] == "TEXT":
            words = [w.rstrip(".,;:!?)\"'") for w in post["text"].split() if w.startswith(("http://", "https://"))]
            post["link_preview"] = words[0] if words else None

    def throttled(self):
        """⚠ Threads documents its call budget (overview: 4800 x impressions
        per 24 hours) but not the error: the Graph app-level code 4 with
        X-App-Usage, which carries no time to wait, is what the stand-in answers."""
        if self.S.throttle_minutes <= 0:
            return False
        self.graph_error(error(4, "Application request limit reached"),
                         headers={"X-App-Usage": json.dumps({"call_count": 100, "total_cputime": 30, "total_time": 40})})
        return True

    def user_insights(self, user, p):
        """insights, User Insights: metric is required, from USER_METRICS
        (error 100 otherwise); followers_count is a total,
        {"name", "period": "day", "title", "description", "total_value":
        {"value"}, "id"}. The time-series metrics and demographics are not
        modelled and are left out, as a metric without data is."""
        metrics = [m for m in (p.get("metric") or "").split(",") if m]
        if not metrics:
            return self.graph_error(error(100, "(#100) The parameter metric is required"))
        for m in metrics:
            if m not in self.USER_METRICS:
                return self.graph_error(error(100, "(#100) metric[0] must be one of the following values: " +
                                                   ", ".join(self.USER_METRICS)))
        data = []
        followers = self.S.profile["followers_count"]
        if "followers_count" in metrics and followers is not None:
            data.append({"name": "followers_count", "period": "day", "title": "followers_count",
                         "description": "The number of followers on the profile.",
                         "total_value": {"value": followers}, "id": "%s/insights/followers_count/day" % user})
        return self.send_json(200, {"data": data})

    def delete(self, oid):
        """posts/delete-posts: {"success": true, "deleted_id"}."""
        if oid not in self.S.posts:
            return self.graph_error(error(100, "Object with ID '%s' does not exist" % oid))
        del self.S.posts[oid]
        return self.send_json(200, {"success": True, "deleted_id": oid})


if __name__ == "__main__":
    serve(Threads)
