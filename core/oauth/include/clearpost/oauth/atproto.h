#pragma once
// atproto OAuth (atproto.com/specs/oauth) for a native app: the account's
// handle resolved to its DID and PDS, the PDS's authorisation server found
// through its metadata, a pushed authorisation request (RFC 9126) with PKCE
// and a DPoP proof (RFC 9449, ES256, server nonces), the system browser, the
// loopback redirect with `iss` checked (RFC 9207), and the DPoP-bound code
// exchange, whose `sub` must be the account's DID.
//
// Clearpost uses the loopback client id the specification defines for
// native apps without a hosted metadata document
// ("http://localhost?redirect_uri=...&scope=..."): servers are encouraged,
// not required, to accept it. A server that refuses it says so at the PAR
// step; the account then connects with an app password.

#include <optional>
#include <string>

#include "clearpost/base/result.h"
#include "clearpost/base/time.h"
#include "clearpost/net/http.h"
#include "clearpost/oauth/authorize.h"

namespace clearpost::oauth {

struct AtprotoSession {
    std::string did;
    std::string handle;
    std::string pds;                  // the account's PDS (from its DID document): where posts go
    std::string issuer;               // the authorisation server
    std::string token_endpoint;
    std::string revocation_endpoint;  // empty: none advertised
    std::string client_id;
    std::string access_token;         // DPoP-bound
    std::string refresh_token;        // single-use: each refresh returns the next
    std::string scope;
    std::optional<UnixSeconds> expires_at;
    std::string dpop_key;             // the session's ES256 private key (PEM), sealed with the rest
};

struct AtprotoSignIn {
    std::string handle;                           // "clinic.bsky.social"
    std::string service = "https://bsky.social";  // where the handle is resolved
    std::string scope = "atproto transition:generic";
    AuthorizeOptions authorize;                   // browser, time allowed, stop
};

// Errors: Invalid when the handle does not resolve or the server does not
// offer what atproto OAuth needs (its words included); Forbidden when the
// person refused or signed in as another account; Tampered on a foreign
// answer; Io when the server cannot be reached, the time ran out or the
// stop was requested.
Result<AtprotoSession> sign_in_atproto(net::HttpClient& http, const AtprotoSignIn& sign_in, Clock clock = system_now);

}  // namespace clearpost::oauth
