#include "clearpost/oauth/client.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>

#include "clearpost/oauth/pkce.h"

namespace clearpost::oauth {

using nlohmann::json;

namespace {

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string trimmed(std::string text, std::size_t limit = 300) {
    if (text.size() > limit) text = text.substr(0, limit) + "...";
    return text;
}

// "Retry-After: 120" (seconds); the HTTP-date form is left to the default backoff.
std::optional<std::int64_t> retry_after(const net::HttpResponse& response) {
    const auto it = response.headers.find("retry-after");
    if (it == response.headers.end()) return std::nullopt;
    std::int64_t seconds = 0;
    const auto& v = it->second;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
    if (ec != std::errc() || end != v.data() + v.size() || seconds < 0) return std::nullopt;
    return seconds;
}

TokenError transient(std::string message, int status, bool in_doubt) {
    TokenError e;
    e.kind = TokenFailure::Transient;
    e.http_status = status;
    e.in_doubt = in_doubt;
    e.message = std::move(message);
    return e;
}

// An error answer (RFC 6749 section 5.2), or whatever else came back.
TokenError classify_error(const net::HttpResponse& response, const std::vector<std::string>& secrets) {
    TokenError e;
    e.http_status = response.status;
    e.retry_after_seconds = retry_after(response);
    const json body = json::parse(response.body, nullptr, false);
    if (body.is_object() && body.contains("error")) {
        const auto& err = body["error"];
        if (err.is_string()) {
            e.error = err.get<std::string>();
        } else if (err.is_object()) {
            // Some networks nest their error ({"error": {"type", "message", "code"}}).
            if (err.contains("type") && err["type"].is_string()) e.error = err["type"].get<std::string>();
            if (err.contains("message") && err["message"].is_string())
                e.description = err["message"].get<std::string>();
        }
        if (body.contains("error_description") && body["error_description"].is_string())
            e.description = body["error_description"].get<std::string>();
    }
    e.description = trimmed(net::redact(e.description, secrets));
    e.error = trimmed(net::redact(e.error, secrets), 80);

    const std::string said =
        e.error.empty() ? "HTTP " + std::to_string(response.status)
                        : e.error + (e.description.empty() ? "" : ": " + e.description) + ", HTTP " +
                              std::to_string(response.status);
    if (e.error == "invalid_grant") {
        e.kind = TokenFailure::Reauthorise;
        e.message = "the sign-in server no longer accepts this account's authorisation (" + said +
                    "); reconnect the account";
    } else if (e.error == "temporarily_unavailable" || e.error == "server_error" || response.status >= 500 ||
               response.status == 429 || response.status == 408) {
        e.kind = TokenFailure::Transient;
        // The server got the request: a refresh may have been used up.
        e.in_doubt = response.status >= 500 && response.status != 503;
        e.message = "the sign-in server could not answer now (" + said + "); Clearpost will try again later";
    } else {
        e.kind = TokenFailure::Rejected;
        e.message = "the sign-in server refused Clearpost's request (" + said +
                    "); check the app's client id, secret and scopes in the account settings";
    }
    return e;
}

}  // namespace

Error TokenError::to_error() const {
    switch (kind) {
    case TokenFailure::Reauthorise:
        return make_error(ErrorCode::Unauthenticated, message);
    case TokenFailure::Rejected:
        return make_error(ErrorCode::Invalid, message);
    case TokenFailure::Transient:
        break;
    }
    return make_error(ErrorCode::Io, message);
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string out;
    for (const auto& [name, value] : fields) {
        if (!out.empty()) out.push_back('&');
        out += percent_encode(name, true);
        out.push_back('=');
        out += percent_encode(value, true);
    }
    return out;
}

std::optional<std::string> percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '+') {
            out.push_back(' ');
        } else if (c == '%') {
            if (i + 2 >= text.size()) return std::nullopt;
            const int hi = hex_value(text[i + 1]);
            const int lo = hex_value(text[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi << 4 | lo));
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::optional<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view query) {
    std::vector<std::pair<std::string, std::string>> out;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view part = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (part.empty()) continue;
        const auto eq = part.find('=');
        auto name = percent_decode(part.substr(0, eq));
        auto value = percent_decode(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1));
        if (!name || !value) return std::nullopt;
        out.emplace_back(std::move(*name), std::move(*value));
    }
    return out;
}

std::string build_authorization_url(const ClientConfig& config, const std::string& redirect_uri,
                                    const std::string& state, const std::string& code_challenge) {
    std::string scope;
    for (const auto& s : config.scopes) scope += (scope.empty() ? "" : " ") + s;
    std::vector<std::pair<std::string, std::string>> params{
        {"response_type", "code"},
        {"client_id", config.client_id},
        {"redirect_uri", redirect_uri},
    };
    if (!scope.empty()) params.emplace_back("scope", scope);
    params.emplace_back("state", state);
    params.emplace_back("code_challenge", code_challenge);
    params.emplace_back("code_challenge_method", "S256");
    for (const auto& p : config.extra_authorization_params) params.push_back(p);

    std::string url = config.authorization_endpoint;
    char sep = url.find('?') == std::string::npos ? '?' : '&';
    for (const auto& [name, value] : params) {
        url.push_back(sep);
        url += percent_encode(name);
        url.push_back('=');
        url += percent_encode(value);
        sep = '&';
    }
    return url;
}

TokenResult parse_token_response(const net::HttpResult& answer, UnixSeconds now,
                                 const std::vector<std::string>& sent_secrets) {
    if (const auto* failure = std::get_if<net::HttpFailure>(&answer)) {
        switch (failure->kind) {
        case net::Failure::Refused: {
            TokenError e;
            e.kind = TokenFailure::Rejected;
            e.message = "the sign-in server's address cannot be used (" + failure->message +
                        "); check the account settings";
            return e;
        }
        case net::Failure::NotSent:
            return transient("the sign-in server could not be reached (" + failure->message +
                                 "); Clearpost will try again later",
                             0, false);
        case net::Failure::InDoubt:
        case net::Failure::TooLarge:
            break;
        }
        return transient("no complete answer came from the sign-in server (" + failure->message +
                             "); Clearpost will try again later",
                         0, true);
    }
    const auto& response = std::get<net::HttpResponse>(answer);
    if (response.status != 200) return classify_error(response, sent_secrets);

    const json body = json::parse(response.body, nullptr, false);
    if (!body.is_object() || !body.contains("access_token") || !body["access_token"].is_string() ||
        body["access_token"].get<std::string>().empty()) {
        return transient("the sign-in server answered without an access token; Clearpost will try again later",
                         200, true);
    }
    TokenSet t;
    t.access_token = body["access_token"].get<std::string>();
    t.token_type = body.contains("token_type") && body["token_type"].is_string()
                       ? body["token_type"].get<std::string>()
                       : "Bearer";
    if (body.contains("refresh_token") && body["refresh_token"].is_string())
        t.refresh_token = body["refresh_token"].get<std::string>();
    if (body.contains("scope") && body["scope"].is_string()) t.scope = body["scope"].get<std::string>();
    if (body.contains("expires_in")) {
        const auto& v = body["expires_in"];
        std::optional<double> seconds;
        if (v.is_number()) {
            seconds = v.get<double>();
        } else if (v.is_string()) {  // some servers send "3600"
            const auto s = v.get<std::string>();
            std::int64_t n = 0;
            const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
            if (ec == std::errc() && end == s.data() + s.size()) seconds = static_cast<double>(n);
        }
        if (seconds && std::isfinite(*seconds))
            t.expires_at = now + static_cast<UnixSeconds>(std::max(0.0, std::floor(*seconds)));
    }
    return t;
}

Client::Client(ClientConfig config, net::HttpClient& http, Clock clock)
    : m_config(std::move(config)), m_http(&http), m_clock(std::move(clock)) {}

net::HttpResult Client::post_form(const std::string& url, std::vector<std::pair<std::string, std::string>> fields,
                                  std::vector<std::string> secrets) {
    net::HttpRequest request;
    request.method = "POST";
    request.url = url;
    request.timeout = m_config.timeout;
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
    switch (m_config.auth) {
    case ClientAuth::None:
        fields.emplace_back("client_id", m_config.client_id);
        break;
    case ClientAuth::SecretPost:
        fields.emplace_back("client_id", m_config.client_id);
        fields.emplace_back("client_secret", m_config.client_secret);
        break;
    case ClientAuth::SecretBasic: {
        // RFC 6749 section 2.3.1: both parts form-encoded before base64.
        const std::string pair =
            percent_encode(m_config.client_id, true) + ":" + percent_encode(m_config.client_secret, true);
        request.headers.emplace_back("Authorization", "Basic " + base64(pair));
        secrets.push_back(base64(pair));
        break;
    }
    }
    if (!m_config.client_secret.empty()) secrets.push_back(m_config.client_secret);
    request.body = form_encode(fields);
    request.secrets = std::move(secrets);
    return m_http->send(request);
}

TokenResult Client::exchange_code(const std::string& code, const std::string& redirect_uri,
                                  const std::string& code_verifier) {
    std::vector<std::string> secrets{code, code_verifier};
    const auto answer = post_form(m_config.token_endpoint,
                                  {{"grant_type", "authorization_code"},
                                   {"code", code},
                                   {"redirect_uri", redirect_uri},
                                   {"code_verifier", code_verifier}},
                                  secrets);
    return parse_token_response(answer, m_clock(), secrets);
}

TokenResult Client::refresh(const std::string& refresh_token) {
    if (refresh_token.empty()) {
        TokenError e;
        e.kind = TokenFailure::Reauthorise;
        e.message = "no refresh token is stored for this account; reconnect the account";
        return e;
    }
    std::vector<std::string> secrets{refresh_token};
    const auto answer = post_form(m_config.token_endpoint,
                                  {{"grant_type", "refresh_token"}, {"refresh_token", refresh_token}}, secrets);
    auto result = parse_token_response(answer, m_clock(), secrets);
    // RFC 6749 section 6: without a new refresh token the old one stays in use.
    if (auto* t = std::get_if<TokenSet>(&result); t && t->refresh_token.empty()) t->refresh_token = refresh_token;
    return result;
}

std::optional<TokenError> Client::revoke(const std::string& token, const std::string& token_type_hint) {
    if (m_config.revocation_endpoint.empty()) {
        TokenError e;
        e.kind = TokenFailure::Rejected;
        e.message = "this network offers no way to revoke tokens; remove Clearpost in the network's own settings";
        return e;
    }
    std::vector<std::pair<std::string, std::string>> fields{{"token", token}};
    if (!token_type_hint.empty()) fields.emplace_back("token_type_hint", token_type_hint);
    const std::vector<std::string> secrets{token};
    const auto answer = post_form(m_config.revocation_endpoint, std::move(fields), secrets);
    if (const auto* r = std::get_if<net::HttpResponse>(&answer); r && r->status == 200) return std::nullopt;
    auto parsed = parse_token_response(answer, m_clock(), secrets);
    if (auto* e = std::get_if<TokenError>(&parsed)) return std::move(*e);
    return std::nullopt;  // not reached: a non-200 answer or a failure is always an error
}

}  // namespace clearpost::oauth
