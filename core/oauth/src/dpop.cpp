#include "clearpost/oauth/dpop.h"

#include <nlohmann/json.hpp>

#include "clearpost/crypto/crypto.h"
#include "clearpost/oauth/pkce.h"

namespace clearpost::oauth {
namespace {

using nlohmann::json;

std::string b64url(std::string_view text) { return base64url(crypto::Bytes(text.begin(), text.end())); }

bool asks_for_nonce(const net::HttpResponse& r) {
    if (r.status == 400) {
        const auto body = json::parse(r.body, nullptr, false);
        return body.is_object() && body.value("error", std::string()) == "use_dpop_nonce";
    }
    if (r.status == 401) {
        auto it = r.headers.find("www-authenticate");
        return it != r.headers.end() && it->second.find("use_dpop_nonce") != std::string::npos;
    }
    return false;
}

}  // namespace

std::string dpop_htu(std::string_view url) {
    const auto end = url.find_first_of("?#");
    return std::string(url.substr(0, end));
}

std::string url_origin(std::string_view url) {
    const auto scheme = url.find("://");
    if (scheme == std::string_view::npos) return std::string(url);
    const auto path = url.find_first_of("/?#", scheme + 3);
    return std::string(url.substr(0, path));
}

Result<std::string> dpop_proof(std::string_view private_key_pem, const DpopClaims& claims) {
    CLEARPOST_ASSIGN(auto pub, crypto::es256_public_key(private_key_pem));
    const json header{{"typ", "dpop+jwt"},
                      {"alg", "ES256"},
                      {"jwk", {{"kty", "EC"}, {"crv", "P-256"}, {"x", base64url(pub.x)}, {"y", base64url(pub.y)}}}};
    json payload{{"jti", base64url(crypto::random_bytes(16))},
                 {"htm", claims.method},
                 {"htu", dpop_htu(claims.url)},
                 {"iat", claims.issued_at}};
    if (!claims.nonce.empty()) payload["nonce"] = claims.nonce;
    if (!claims.access_token.empty()) payload["ath"] = base64url(crypto::sha256(claims.access_token));
    const std::string signing_input = b64url(header.dump()) + "." + b64url(payload.dump());
    CLEARPOST_ASSIGN(auto signature, crypto::es256_sign(private_key_pem, signing_input));
    return signing_input + "." + base64url(signature);
}

std::string DpopNonces::get(const std::string& origin) const {
    const std::lock_guard lock(m_mutex);
    auto it = m_nonces.find(origin);
    return it == m_nonces.end() ? std::string() : it->second;
}

void DpopNonces::put(const std::string& origin, const std::string& nonce) {
    const std::lock_guard lock(m_mutex);
    m_nonces[origin] = nonce;
}

net::HttpResult dpop_send(net::HttpClient& http, net::HttpRequest request, std::string_view private_key_pem,
                          const std::string& access_token, DpopNonces& nonces, Clock clock) {
    const std::string origin = url_origin(request.url);
    request.secrets.emplace_back(private_key_pem);
    if (!access_token.empty()) {
        request.secrets.push_back(access_token);
        request.headers.emplace_back("Authorization", "DPoP " + access_token);
    }
    net::HttpResult result;
    for (int attempt = 0; attempt < 2; ++attempt) {
        auto proof = dpop_proof(private_key_pem, {request.method, request.url, clock(), nonces.get(origin), access_token});
        if (!proof) return net::HttpFailure{net::Failure::NotSent, "making the DPoP proof: " + proof.error().message};
        net::HttpRequest signed_request = request;
        signed_request.headers.emplace_back("DPoP", *proof);
        result = http.send(signed_request);
        auto* response = std::get_if<net::HttpResponse>(&result);
        if (!response) return result;
        if (auto it = response->headers.find("dpop-nonce"); it != response->headers.end()) nonces.put(origin, it->second);
        if (!asks_for_nonce(*response)) return result;
    }
    return result;
}

}  // namespace clearpost::oauth
