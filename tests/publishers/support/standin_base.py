"""Plumbing shared by the stand-ins of networks that cannot run here (X,
LinkedIn, Facebook, Instagram, Threads): a threaded HTTP server on 127.0.0.1
only, a clock a test can set, bearer tokens a test can expire or revoke, a
log of the requests seen, failures scripted per path, and the /_standin/
control and state endpoints. Each network's module subclasses Handler and
answers its documented endpoints in `network(...)`; everything about the
network itself (bodies, status codes, headers) lives there, with citations.

A stand-in serves on the port given with --port (0: one the system picks)
and prints "port N" on its first line of output once it listens.
"""

import argparse
import base64
import email.utils
import hashlib
import json
import os
import sys
import threading
import time
import urllib.parse
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
VERBOSE = bool(os.environ.get("STANDIN_VERBOSE"))  # request lines on stderr
_OFFSET = [0.0]  # seconds added to the system clock: a test sets the network's time to its own


def now():
    return time.time() + _OFFSET[0]


class Tokens:
    """Access and refresh tokens the network knows. A refresh token is
    single-use when the network rotates them (X, per its OAuth 2.0 docs)."""

    def __init__(self):
        self.access = {}   # token -> {"revoked", "expires_at", "account"}
        self.refresh = {}  # token -> {"used", "revoked"}
        self.issued = 0

    def add(self, token, expires_at=None, account=None):
        self.access[token] = {"revoked": False, "expires_at": expires_at, "account": account}

    def check(self, token):
        """None when `token` may be used; else "invalid", "revoked" or "expired"."""
        info = self.access.get(token)
        if info is None:
            return "invalid"
        if info["revoked"]:
            return "revoked"
        if info["expires_at"] is not None and info["expires_at"] <= now():
            return "expired"
        return None

    def issue(self, prefix, expires_in, with_refresh=True):
        """A new access token (and refresh token), as a token endpoint would."""
        self.issued += 1
        access = "%s-access-%d" % (prefix, self.issued)
        self.add(access, now() + expires_in if expires_in else None)
        out = {"access_token": access, "token_type": "bearer"}
        if expires_in:
            out["expires_in"] = expires_in
        if with_refresh:
            refresh = "%s-refresh-%d" % (prefix, self.issued)
            self.refresh[refresh] = {"used": False, "revoked": False}
            out["refresh_token"] = refresh
        return out

    def state(self):
        return {"access": self.access, "refresh": self.refresh}


class Handler(BaseHTTPRequestHandler):
    """Subclasses set `server_version`, `tokens`, and implement network(),
    and may extend control() and state()."""

    protocol_version = "HTTP/1.1"
    requests = []   # [method, path, selected headers] in arrival order
    fail_next = {}  # path prefix -> [status or [status, body-dict]] answered before the route runs
    tokens = None
    # The authorisation-server half (/_oauth/...): what a sign-in in the
    # browser meets. Real networks each host it elsewhere (x.com/i/oauth2/,
    # linkedin.com/oauth/v2/, facebook.com/dialog/oauth, ...); one RFC 6749
    # + RFC 7636 implementation stands in for all of them.
    oauth = {"deny": False, "account": None, "client": None, "expires_in": 7200,
             "codes": {}, "authorize_requests": [], "revoked": []}

    # --- to override ------------------------------------------------------------
    def network(self, method, path, query, raw):
        raise NotImplementedError

    def scripted_error(self, path, status, body):
        """Answers a scripted failure; `body` is None for a bare status."""
        self.send_json(status, body if body is not None else {"error": "scripted failure"})

    def control(self, c):
        """Sets the scene; subclasses handle their own keys, then call this."""
        if "oauth" in c:  # {"deny", "account", "client": {"client_id", "client_secret"}, "expires_in"}
            self.oauth.update(c["oauth"])
        if "clock" in c:
            _OFFSET[0] = c["clock"] - time.time()
        if "add_token" in c:
            self.tokens.add(c["add_token"], c.get("expires_at"), c.get("account"))
        if "add_refresh_token" in c:
            self.tokens.refresh[c["add_refresh_token"]] = {"used": False, "revoked": False}
        if "revoke" in c:
            self.tokens.access[c["revoke"]]["revoked"] = True
        if "revoke_refresh" in c:
            self.tokens.refresh[c["revoke_refresh"]]["revoked"] = True
        if "expire" in c:
            self.tokens.access[c["expire"]]["expires_at"] = now() - 1
        if "fail_next" in c:
            for prefix, codes in c["fail_next"].items():
                self.fail_next.setdefault(prefix, []).extend(codes)

    def state(self):
        return {"requests": self.requests, "tokens": self.tokens.state(),
                "oauth": {k: v for k, v in self.oauth.items() if k != "codes"}}

    # --- the authorisation server (RFC 6749 4.1, RFC 7636, RFC 7009) ----------
    def oauth_route(self, method, path, query, raw):
        if method == "GET" and path == "/_oauth/authorize":
            return self.oauth_authorize(query)
        p = self.params(raw)
        if method == "POST" and path == "/_oauth/token":
            return self.oauth_token(p)
        if method == "POST" and path == "/_oauth/revoke":
            # RFC 7009 2.2: 200 whether or not the token was known.
            token = p.get("token", "")
            if token in self.tokens.access:
                self.tokens.access[token]["revoked"] = True
            if token in self.tokens.refresh:
                self.tokens.refresh[token]["revoked"] = True
            self.oauth["revoked"].append(token)
            return self.send_json(200, None)
        return self.send_json(404, {"error": "not_found"})

    def oauth_authorize(self, q):
        """The person signs in and consents at once (the test is the person);
        "deny" makes them refuse. RFC 6749 4.1.2: back to the redirect URI
        with code and state, or error=access_denied."""
        self.oauth["authorize_requests"].append(q)
        redirect = q.get("redirect_uri", "")
        sep = "&" if "?" in redirect else "?"
        if self.oauth["deny"]:
            target = redirect + sep + urllib.parse.urlencode({"error": "access_denied", "state": q.get("state", "")})
        elif q.get("response_type") != "code" or q.get("code_challenge_method") != "S256":
            target = redirect + sep + urllib.parse.urlencode({"error": "invalid_request", "state": q.get("state", "")})
        else:
            code = "code-%d" % (len(self.oauth["authorize_requests"]))
            self.oauth["codes"][code] = {"client_id": q.get("client_id"), "redirect_uri": redirect,
                                         "challenge": q.get("code_challenge"), "used": False}
            target = redirect + sep + urllib.parse.urlencode({"code": code, "state": q.get("state", "")})
        self.send_response(302)
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def oauth_token(self, p):
        """RFC 6749 4.1.3 with the PKCE check of RFC 7636 4.6; errors per 5.2."""
        def refuse(code, error):
            return self.send_json(code, {"error": error})
        client = self.oauth["client"]
        if client:
            auth = self.headers.get("Authorization", "")
            given_id, given_secret = p.get("client_id"), p.get("client_secret")
            if auth.startswith("Basic "):
                given_id, _, given_secret = base64.b64decode(auth[6:]).decode().partition(":")
                given_id, given_secret = urllib.parse.unquote(given_id), urllib.parse.unquote(given_secret)
            if given_id != client["client_id"] or (client.get("client_secret") and given_secret != client["client_secret"]):
                return refuse(401, "invalid_client")
        if p.get("grant_type") != "authorization_code":
            return refuse(400, "unsupported_grant_type")
        grant = self.oauth["codes"].get(p.get("code", ""))
        if not grant or grant["used"] or grant["redirect_uri"] != p.get("redirect_uri") or \
                grant["client_id"] != p.get("client_id", grant["client_id"]):
            return refuse(400, "invalid_grant")
        verifier = p.get("code_verifier", "").encode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
        if challenge != grant["challenge"]:
            return refuse(400, "invalid_grant")
        grant["used"] = True
        issued = self.tokens.issue("signin", self.oauth["expires_in"])
        self.tokens.access[issued["access_token"]]["account"] = self.oauth["account"]
        if "refresh_token" in issued:  # renewing keeps the account that signed in
            self.tokens.refresh[issued["refresh_token"]]["account"] = self.oauth["account"]
        issued["scope"] = "granted"
        return self.send_json(200, issued, {"Cache-Control": "no-store"})

    # --- plumbing ---------------------------------------------------------------
    def date_time_string(self, timestamp=None):
        # The Date header follows the network's clock.
        return email.utils.formatdate(now() if timestamp is None else timestamp, usegmt=True)

    def log_message(self, fmt, *args):
        if VERBOSE:
            sys.stderr.write("standin: " + (fmt % args) + "\n")

    def bearer(self):
        auth = self.headers.get("Authorization", "")
        return auth[7:] if auth.startswith("Bearer ") else None

    def params(self, raw, query=None):
        """Form, JSON or multipart fields of the body, over the query's.
        A multipart file field is {"filename", "content_type", "data" (bytes)}."""
        out = dict(query or {})
        ctype = self.headers.get("Content-Type", "")
        if ctype.startswith("application/json"):
            body = json.loads(raw or b"{}")
            if isinstance(body, dict):
                out.update(body)
            return out
        if ctype.startswith("multipart/form-data"):
            msg = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + raw)
            for part in msg.iter_parts():
                name = part.get_param("name", header="content-disposition")
                data = part.get_payload(decode=True) or b""
                if part.get_filename():
                    out[name] = {"filename": part.get_filename(), "content_type": part.get_content_type(), "data": data}
                else:
                    out[name] = data.decode("utf-8")
            return out
        out.update(dict(urllib.parse.parse_qsl(raw.decode("utf-8"), keep_blank_values=True)))
        return out

    def send_json(self, code, body, headers=None):
        data = b"" if body is None else json.dumps(body).encode("utf-8")
        self.send_response(code)
        if body is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def do_PUT(self):
        self.route("PUT")

    def do_DELETE(self):
        self.route("DELETE")

    def route(self, method):
        url = urllib.parse.urlsplit(self.path)
        path, query = url.path, dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        with LOCK:
            if path == "/_standin/control" and method == "POST":
                self.control(json.loads(raw or b"{}"))
                return self.send_json(200, {"ok": True})
            if path == "/_standin/state" and method == "GET":
                return self.send_json(200, self.state())
            self.requests.append([method, path])
            if path.startswith("/_oauth/"):
                return self.oauth_route(method, path, query, raw)
            for prefix, codes in self.fail_next.items():
                if path.startswith(prefix) and codes:
                    code = codes.pop(0)
                    if isinstance(code, list):
                        return self.scripted_error(path, code[0], code[1])
                    return self.scripted_error(path, code, None)
            try:
                self.network(method, path, query, raw)
            except Exception as e:  # a bug here must show as a 500, as on a real server
                self.send_json(500, {"error": "standin error: %r" % (e,)})


def serve(handler_class):
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_class)
    print("port %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
