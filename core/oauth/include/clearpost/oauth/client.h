#pragma once
// An OAuth 2.0 client for native apps (RFC 6749, RFC 8252): the
// authorisation URL, the code exchange, the refresh-token grant and token
// revocation (RFC 7009), over net::HttpClient.
//
// Token endpoint answers are classified for the unattended publisher: only a
// definite `invalid_grant` means "a person must reconnect the account";
// timeouts, 5xx, 429 and `temporarily_unavailable` are transient and must
// never mark an account dead.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "clearpost/base/percent.h"
#include "clearpost/base/result.h"
#include "clearpost/base/time.h"
#include "clearpost/net/http.h"

namespace clearpost::oauth {

// How the client authenticates at the token and revocation endpoints
// (RFC 6749 section 2.3.1). Public native clients use None and rely on PKCE.
enum class ClientAuth { None, SecretPost, SecretBasic };

struct ClientConfig {
    std::string authorization_endpoint;
    std::string token_endpoint;
    std::string revocation_endpoint;  // empty: the network cannot revoke
    std::string client_id;
    std::string client_secret;        // only with SecretPost or SecretBasic
    ClientAuth auth = ClientAuth::None;
    std::vector<std::string> scopes;
    // Further authorisation request parameters a network needs
    // (e.g. prompt=consent for a refresh token from some servers).
    std::vector<std::pair<std::string, std::string>> extra_authorization_params;
    std::chrono::milliseconds timeout{15000};
};

struct TokenSet {
    std::string access_token;
    std::string token_type;     // "Bearer" (or "DPoP")
    std::string refresh_token;  // empty: none issued
    std::string scope;          // as granted; empty when the server did not say
    std::optional<UnixSeconds> expires_at;  // from expires_in and the clock
};

// What a failed token endpoint call means for the account.
enum class TokenFailure {
    Reauthorise,  // definite: the grant is gone (invalid_grant); a person must reconnect
    Transient,    // try again later (network, timeout, 5xx, 429, temporarily_unavailable)
    Rejected,     // the request itself was refused (client id or secret, scope,
                  // parameters): fix the settings; the account's grant may be fine
};

struct TokenError {
    TokenFailure kind = TokenFailure::Transient;
    std::string error;          // the OAuth error code ("invalid_grant"), if the server gave one
    std::string description;    // the server's error_description, if any
    int http_status = 0;        // 0: no answer arrived
    bool in_doubt = false;      // the request may have taken effect (e.g. a refresh token consumed)
    std::optional<std::int64_t> retry_after_seconds;
    std::string message;        // for people: what happened and what to do; secrets redacted

    Error to_error() const;     // Reauthorise -> Unauthenticated, Rejected -> Invalid, Transient -> Io
};

using TokenResult = std::variant<TokenSet, TokenError>;

// The authorisation request URL (RFC 6749 4.1.1 with RFC 7636 S256): the
// endpoint, then `?` (or `&` when it already has a query) and the
// parameters, percent-encoded, followed by the config's extra parameters.
std::string build_authorization_url(const ClientConfig& config, const std::string& redirect_uri,
                                    const std::string& state, const std::string& code_challenge);

// application/x-www-form-urlencoded (the token endpoint's body); query
// values use clearpost::percent_encode (space as %20).
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);
// Decodes one query or form value ("+" is a space). nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view text);
// Splits "a=1&b=2" into decoded pairs. nullopt on a bad escape.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view query);

// Reads a token endpoint answer (RFC 6749 sections 5.1 and 5.2). `sent_secrets`
// are redacted from any message. A 200 answer without an access token is
// Transient and in doubt (a refresh may have been consumed).
TokenResult parse_token_response(const net::HttpResult& answer, UnixSeconds now,
                                 const std::vector<std::string>& sent_secrets);

class Client {
public:
    Client(ClientConfig config, net::HttpClient& http, Clock clock = system_now);

    const ClientConfig& config() const { return m_config; }

    // Authorisation code grant with the PKCE verifier (RFC 6749 4.1.3, RFC 7636 4.5).
    TokenResult exchange_code(const std::string& code, const std::string& redirect_uri,
                              const std::string& code_verifier);
    // Refresh-token grant (RFC 6749 section 6). When the answer carries no new
    // refresh token, the old one stays valid and is returned in the TokenSet.
    TokenResult refresh(const std::string& refresh_token);
    // Token revocation (RFC 7009). nullopt when the server accepted it (which
    // it also does for a token that was already invalid). `token_type_hint`
    // is "refresh_token" or "access_token". Rejected when no endpoint is set.
    std::optional<TokenError> revoke(const std::string& token, const std::string& token_type_hint);

private:
    net::HttpResult post_form(const std::string& url, std::vector<std::pair<std::string, std::string>> fields,
                              std::vector<std::string> secrets);

    ClientConfig m_config;
    net::HttpClient* m_http;
    Clock m_clock;
};

}  // namespace clearpost::oauth
