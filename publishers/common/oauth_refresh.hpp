// The OAuth 2.0 refresh grant (RFC 6749 section 6) as a publisher plugin
// makes it through the host's HTTP, for networks with standard token
// endpoints (X, LinkedIn). The host serialises refreshes per account and
// seals the answer's credentials before anyone may refresh again, so a
// single-use refresh token that rotates is never sent twice.
#pragma once

#include "web.hpp"

namespace clearpost::sdk::oauth_refresh {

struct Endpoint {
    std::string token_url;
    std::string client_id;
    std::string client_secret;  // empty: a public client (client_id in the body)
    bool basic_auth = false;    // client_secret_basic rather than _post
};

// `creds` with new access_token, refresh_token (when the server rotated it),
// and expires_at (seconds since the epoch), or:
//   AUTH      a definite invalid_grant, or no refresh token: a person reconnects;
//   TRANSIENT no answer, 5xx, 429, or 200 without a token: try later, tokens untouched;
//   AUTH      other 4xx (client id or secret wrong) with that said.
inline OpResult refresh(const Host& host, json creds, const Endpoint& ep, const std::string& network) {
    const std::string refresh_token = web::string_field(creds, "refresh_token");
    if (refresh_token.empty()) {
        return OpResult::error(CLEARPOST_ERR_AUTH, network + " refused the access token and Clearpost holds no refresh "
                                                             "token for it; reconnect the account");
    }
    web::Fields fields{{"grant_type", "refresh_token"}, {"refresh_token", refresh_token}};
    json headers{{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
    std::vector<std::string> secrets{refresh_token};
    if (ep.basic_auth && !ep.client_secret.empty()) {
        headers["Authorization"] = "Basic " + base64_encode(web::form_encode(ep.client_id) + ":" + web::form_encode(ep.client_secret));
        secrets.push_back(headers["Authorization"].get<std::string>());
    } else {
        fields.emplace_back("client_id", ep.client_id);
        if (!ep.client_secret.empty()) fields.emplace_back("client_secret", ep.client_secret);
    }
    if (!ep.client_secret.empty()) secrets.push_back(ep.client_secret);
    auto r = host.http({{"method", "POST"}, {"url", ep.token_url}, {"headers", headers}, {"body", web::form(fields)},
                        {"timeout_ms", 15000}, {"secrets", secrets}});
    if (r.status != CLEARPOST_OK) return OpResult::error(CLEARPOST_ERR_TRANSIENT, "refreshing the " + network + " token: " + r.error);
    const auto body = json::parse(r.body, nullptr, false);
    const std::string error = web::string_field(body, "error");
    const std::string described = error + (web::string_field(body, "error_description").empty()
                                               ? ""
                                               : " (" + web::string_field(body, "error_description") + ")");
    if (r.http_status == 200) {
        if (!body.is_object() || !body.contains("access_token") || !body["access_token"].is_string())
            return OpResult::error(CLEARPOST_ERR_TRANSIENT, "refreshing the " + network + " token: the answer has no access token");
        creds["access_token"] = body["access_token"];
        if (body.contains("refresh_token") && body["refresh_token"].is_string()) creds["refresh_token"] = body["refresh_token"];
        if (body.contains("expires_in") && body["expires_in"].is_number_integer()) {
            creds["expires_at"] = host.now_ms() / 1000 + body["expires_in"].get<std::int64_t>();
        } else {
            creds.erase("expires_at");
        }
        if (body.contains("refresh_token_expires_in") && body["refresh_token_expires_in"].is_number_integer())
            creds["refresh_expires_at"] = host.now_ms() / 1000 + body["refresh_token_expires_in"].get<std::int64_t>();
        return OpResult::ok({{"credentials", creds}});
    }
    if (r.http_status >= 500 || r.http_status == 429 || error == "temporarily_unavailable") {
        const std::int64_t wait = web::retry_after_header_ms(r, host);
        return OpResult::error(r.http_status == 429 ? CLEARPOST_ERR_RATE_LIMITED : CLEARPOST_ERR_TRANSIENT,
                               "refreshing the " + network + " token: HTTP " + std::to_string(r.http_status),
                               wait > 0 ? wait : 60000);
    }
    if (error == "invalid_grant") {
        return OpResult::error(CLEARPOST_ERR_AUTH, network + " refused the refresh token (" + described +
                                                       "); reconnect the account");
    }
    return OpResult::error(CLEARPOST_ERR_AUTH, "refreshing the " + network + " token failed (HTTP " +
                                                   std::to_string(r.http_status) + " " + described +
                                                   "); check the app's client id and secret, then reconnect the account");
}

}  // namespace clearpost::sdk::oauth_refresh
