#include "clearpost/oauth/atproto.h"

#include <nlohmann/json.hpp>

#include "clearpost/base/percent.h"
#include "clearpost/crypto/crypto.h"
#include "clearpost/oauth/dpop.h"
#include "clearpost/oauth/pkce.h"

namespace clearpost::oauth {
namespace {

using nlohmann::json;

std::string text(const json& j, const char* name) {
    return j.is_object() && j.contains(name) && j[name].is_string() ? j[name].get<std::string>() : std::string();
}

std::string trim_slash(std::string url) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
}

// GET `url` for a JSON object; Io when no answer, Invalid with `what` otherwise.
Result<json> get_json(net::HttpClient& http, const std::string& url, const std::string& what) {
    net::HttpRequest r;
    r.url = url;
    r.headers = {{"Accept", "application/json"}};
    auto answer = http.send(r);
    if (auto* failure = std::get_if<net::HttpFailure>(&answer))
        return make_error(ErrorCode::Io, what + ": " + failure->message + "; check the address and the connection");
    const auto& response = std::get<net::HttpResponse>(answer);
    auto body = json::parse(response.body, nullptr, false);
    if (response.status != 200 || !body.is_object()) {
        const std::string message = text(body, "message").empty() ? text(body, "error") : text(body, "message");
        return make_error(ErrorCode::Invalid, what + ": HTTP " + std::to_string(response.status) +
                                                  (message.empty() ? "" : " (" + message + ")"));
    }
    return body;
}

// The account's PDS from its DID document ("#atproto_pds" service).
std::string pds_of(const json& did_doc) {
    if (!did_doc.is_object() || !did_doc.contains("service") || !did_doc["service"].is_array()) return {};
    for (const auto& s : did_doc["service"]) {
        const std::string id = text(s, "id");
        if (id.size() >= 12 && id.compare(id.size() - 12, 12, "#atproto_pds") == 0) return trim_slash(text(s, "serviceEndpoint"));
    }
    return {};
}

Result<json> post_dpop(net::HttpClient& http, const std::string& url, const std::vector<std::pair<std::string, std::string>>& fields,
                       const std::string& key, DpopNonces& nonces, Clock clock, const std::string& what,
                       std::vector<std::string> secrets, int* status) {
    net::HttpRequest r;
    r.method = "POST";
    r.url = url;
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
    r.body = form_encode(fields);
    r.secrets = std::move(secrets);
    auto answer = dpop_send(http, r, key, {}, nonces, clock);
    if (auto* failure = std::get_if<net::HttpFailure>(&answer))
        return make_error(ErrorCode::Io, what + ": " + failure->message + "; try connecting again");
    const auto& response = std::get<net::HttpResponse>(answer);
    *status = response.status;
    auto body = json::parse(response.body, nullptr, false);
    if (!body.is_object()) return make_error(ErrorCode::Io, what + ": the server's answer was not JSON; try again");
    return body;
}

}  // namespace

Result<AtprotoSession> sign_in_atproto(net::HttpClient& http, const AtprotoSignIn& sign_in, Clock clock) {
    AtprotoSession s;
    s.handle = sign_in.handle;
    const std::string service = trim_slash(sign_in.service);
    // Handle -> DID -> PDS.
    CLEARPOST_ASSIGN(auto resolved, get_json(http, service + "/xrpc/com.atproto.identity.resolveHandle?handle=" +
                                                       percent_encode(sign_in.handle),
                                             "resolving " + sign_in.handle));
    s.did = text(resolved, "did");
    if (s.did.rfind("did:", 0) != 0) return make_error(ErrorCode::Invalid, sign_in.handle + " did not resolve to a DID");
    CLEARPOST_ASSIGN(auto repo, get_json(http, service + "/xrpc/com.atproto.repo.describeRepo?repo=" + percent_encode(s.did),
                                         "reading the DID document of " + sign_in.handle));
    s.pds = pds_of(repo.value("didDoc", json()));
    if (s.pds.empty()) s.pds = service;
    // PDS -> its authorisation server and the server's endpoints.
    CLEARPOST_ASSIGN(auto resource, get_json(http, s.pds + "/.well-known/oauth-protected-resource",
                                             "asking " + s.pds + " for its authorisation server"));
    const json servers = resource.value("authorization_servers", json::array());
    if (!servers.is_array() || servers.empty() || !servers[0].is_string())
        return make_error(ErrorCode::Invalid, s.pds + " names no authorisation server; connect with an app password");
    const std::string as = trim_slash(servers[0].get<std::string>());
    CLEARPOST_ASSIGN(auto meta, get_json(http, as + "/.well-known/oauth-authorization-server",
                                         "reading the authorisation server's metadata"));
    s.issuer = text(meta, "issuer");
    const std::string par_endpoint = text(meta, "pushed_authorization_request_endpoint");
    const std::string authorization_endpoint = text(meta, "authorization_endpoint");
    s.token_endpoint = text(meta, "token_endpoint");
    s.revocation_endpoint = text(meta, "revocation_endpoint");
    if (trim_slash(s.issuer) != as || par_endpoint.empty() || authorization_endpoint.empty() || s.token_endpoint.empty())
        return make_error(ErrorCode::Invalid, as + " does not describe itself as an atproto authorisation server "
                                                   "(issuer, PAR, authorisation and token endpoints)");

    CLEARPOST_ASSIGN(s.dpop_key, crypto::generate_es256_key());
    DpopNonces nonces;
    CLEARPOST_ASSIGN(auto listener, LoopbackListener::open(sign_in.authorize.loopback));
    const std::string redirect = listener.redirect_uri();
    s.client_id = "http://localhost?redirect_uri=" + percent_encode(redirect) + "&scope=" + percent_encode(sign_in.scope);
    const Pkce pkce = make_pkce();
    const std::string state = make_state();
    int status = 0;
    CLEARPOST_ASSIGN(auto par, post_dpop(http, par_endpoint,
                                         {{"client_id", s.client_id},
                                          {"response_type", "code"},
                                          {"redirect_uri", redirect},
                                          {"scope", sign_in.scope},
                                          {"state", state},
                                          {"code_challenge", pkce.challenge},
                                          {"code_challenge_method", "S256"},
                                          {"login_hint", sign_in.handle}},
                                         s.dpop_key, nonces, clock, "starting the sign-in (PAR)", {}, &status));
    const std::string request_uri = text(par, "request_uri");
    if ((status != 201 && status != 200) || request_uri.empty()) {
        return make_error(ErrorCode::Invalid, "the authorisation server refused the sign-in request (" +
                                                  text(par, "error") + ": " + text(par, "error_description") +
                                                  "); connect with an app password instead");
    }
    const std::string url = authorization_endpoint + (authorization_endpoint.find('?') == std::string::npos ? "?" : "&") +
                            "client_id=" + percent_encode(s.client_id) + "&request_uri=" + percent_encode(request_uri);
    CLEARPOST_CHECK(sign_in.authorize.open_browser ? sign_in.authorize.open_browser(url) : open_in_system_browser(url));
    CLEARPOST_ASSIGN(const std::string code,
                     listener.wait_for_code(state, sign_in.authorize.timeout, sign_in.authorize.stop, s.issuer));

    CLEARPOST_ASSIGN(auto token, post_dpop(http, s.token_endpoint,
                                           {{"grant_type", "authorization_code"},
                                            {"code", code},
                                            {"redirect_uri", redirect},
                                            {"code_verifier", pkce.verifier},
                                            {"client_id", s.client_id}},
                                           s.dpop_key, nonces, clock, "exchanging the code", {code, pkce.verifier},
                                           &status));
    if (status != 200 || text(token, "access_token").empty()) {
        return make_error(status >= 500 ? ErrorCode::Io : ErrorCode::Invalid,
                          "the authorisation server refused the code (" + text(token, "error") + ": " +
                              text(token, "error_description") + "); connect again");
    }
    if (text(token, "token_type") != "DPoP")
        return make_error(ErrorCode::Invalid, "the authorisation server issued a token not bound to Clearpost's key");
    if (text(token, "sub") != s.did) {
        return make_error(ErrorCode::Forbidden, "the browser signed in as " + text(token, "sub") + ", not " +
                                                    sign_in.handle + " (" + s.did +
                                                    "); sign out there, or sign in as " + sign_in.handle);
    }
    s.access_token = text(token, "access_token");
    s.refresh_token = text(token, "refresh_token");
    s.scope = text(token, "scope");
    if (token.contains("expires_in") && token["expires_in"].is_number_integer())
        s.expires_at = clock() + token["expires_in"].get<UnixSeconds>();
    return s;
}

}  // namespace clearpost::oauth
