#pragma once
// DPoP (RFC 9449): every token request and every call with a DPoP-bound
// access token carries a proof, a JWT signed with the session's ES256 key,
// naming the method and URL (and the token's hash). Servers hand out nonces
// to put in the proofs and ask for a fresh one with "use_dpop_nonce"; each
// request is then sent once more.

#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "clearpost/base/result.h"
#include "clearpost/base/time.h"
#include "clearpost/net/http.h"

namespace clearpost::oauth {

// The `htu` of a request: its URL without query and fragment (RFC 9449 4.2).
std::string dpop_htu(std::string_view url);

struct DpopClaims {
    std::string method;        // htm
    std::string url;           // htu is derived from it
    UnixSeconds issued_at = 0; // iat
    std::string nonce;         // the server's latest, if it gave one
    std::string access_token;  // for calls with a bound token: ath = BASE64URL(SHA256(token))
};
// The compact JWT: header {"typ":"dpop+jwt","alg":"ES256","jwk":<public key>},
// claims {"jti" (random), "htm", "htu", "iat", "nonce"?, "ath"?}.
Result<std::string> dpop_proof(std::string_view private_key_pem, const DpopClaims& claims);

// The latest DPoP-Nonce of each server (origin), shared by a session's
// requests; thread-safe.
class DpopNonces {
public:
    std::string get(const std::string& origin) const;
    void put(const std::string& origin, const std::string& nonce);

private:
    mutable std::mutex m_mutex;
    std::map<std::string, std::string> m_nonces;
};

// The scheme, host and port of a URL ("http://localhost:2583").
std::string url_origin(std::string_view url);

// Sends `request` with a fresh proof (and "Authorization: DPoP <token>" when
// `access_token` is given), keeps the answer's DPoP-Nonce, and sends once
// more when the server asks for a nonce (400 {"error":"use_dpop_nonce"}
// from an authorisation server, 401 with WWW-Authenticate naming it from a
// resource server). The key and token are redacted like every secret.
net::HttpResult dpop_send(net::HttpClient& http, net::HttpRequest request, std::string_view private_key_pem,
                          const std::string& access_token, DpopNonces& nonces, Clock clock = system_now);

}  // namespace clearpost::oauth
