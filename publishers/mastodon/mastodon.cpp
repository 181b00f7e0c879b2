// Mastodon publisher: statuses on the account's instance with an access
// token, images through the asynchronous media API, long texts as a reply
// chain, and the host's idempotency key sent as Mastodon's Idempotency-Key,
// so a retry within the server's window returns the status it already made.
//
// Built only against the publisher SDK (no Clearpost core), as any
// third-party plugin would be. API reference: docs.joinmastodon.org
// (methods/statuses, methods/media, methods/accounts, api/rate-limits,
// entities/Error, entities/Status).

#include <clearpost/publisher.hpp>

#include "web.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

using clearpost::sdk::Host;
using clearpost::sdk::json;
using clearpost::sdk::OpResult;
using clearpost::sdk::join;
using clearpost::sdk::read_media_file;
using clearpost::sdk::with_commas;

// rate_limits: Mastodon limits status creation per account to 300 per
// 3 hours (the answers to POST /api/v1/statuses carry x-ratelimit-limit 300
// and a reset on a 3-hour boundary), so 100 an hour never spends it. The
// documented 300 requests per 5 minutes is a request budget, not a post
// budget: one post costs 1 request plus 1-3 per image, so no post count
// maps onto it; a 429 with x-ratelimit-reset holds the account instead.
constexpr const char* kCapabilities = R"({
  "network": "mastodon", "display_name": "Mastodon",
  "text": {"limit": 500, "counting": "mastodon", "url_length": 23, "remote_mentions": "username"},
  "media": {"max_images": 4, "max_bytes": 16777216, "alt_text": true, "max_alt_length": 1500,
            "types": ["image/jpeg", "image/png", "image/gif", "image/webp"]},
  "threads": true, "native_scheduling": false, "metrics": true, "account_metrics": true,
  "idempotency": "idempotency_key",
  "rate_limits": {"posts_per_hour": 100}
})";

constexpr std::size_t kPartLimit = 500;       // Mastodon's default max_characters
constexpr std::size_t kUrlWeight = 23;        // characters_reserved_per_url
constexpr std::size_t kMaxImages = 4;         // max_media_attachments
constexpr std::size_t kMaxImageBytes = 16'777'216;  // image_size_limit
constexpr std::size_t kMaxAltLength = 1500;   // description_limit
constexpr int kMediaPolls = 20;               // GET /api/v1/media/:id while it answers 206
constexpr std::int64_t kClockSkewMs = 5 * 60 * 1000;  // lookup: the server's clock may differ this much
constexpr int kLookupPages = 5;               // of 40 statuses each
constexpr std::int64_t kIdempotencyWindowMs = 55 * 60 * 1000;  // the server keeps keys 1 hour; a margin

std::size_t utf8_length(char lead) {
    const auto c = static_cast<unsigned char>(lead);
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

std::size_t code_points(std::string_view s) {
    std::size_t n = 0;
    for (char c : s)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    return n;
}

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

// How many characters Mastodon counts for one word: a http(s) URL counts 23
// wherever it starts in the word, and a remote mention @user@host counts as
// @user (the server counts only the username).
std::size_t word_weight(std::string_view word) {
    auto url_at = word.find("https://");
    if (url_at == std::string_view::npos) url_at = word.find("http://");
    if (url_at != std::string_view::npos && (url_at == 0 || !std::isalnum(static_cast<unsigned char>(word[url_at - 1])))) {
        std::size_t end = word.size();
        while (end > url_at && std::string_view(".,;:!?)\"'").find(word[end - 1]) != std::string_view::npos) --end;
        return code_points(word.substr(0, url_at)) + kUrlWeight + code_points(word.substr(end));
    }
    if (word.size() > 1 && word[0] == '@') {
        const auto second = word.find('@', 1);
        if (second != std::string_view::npos && second + 1 < word.size()) {
            std::size_t end = word.size();
            while (end > second && std::string_view(".,;:!?)\"'").find(word[end - 1]) != std::string_view::npos) --end;
            return code_points(word.substr(0, second)) + code_points(word.substr(end));
        }
    }
    return code_points(word);
}

// Splits a text into parts Mastodon takes (at most 500 by its counting),
// breaking at white space; the white space at a break is dropped. A word
// longer than a whole part is cut at code points.
std::vector<std::string> split_thread(const std::string& text) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start < text.size() && is_space(text[start])) ++start;
    while (start < text.size()) {
        std::size_t i = start, weight = 0, end = start;
        while (i < text.size()) {
            std::size_t word_end = i;
            while (word_end < text.size() && !is_space(text[word_end])) ++word_end;
            const std::size_t w = word_weight(std::string_view(text).substr(i, word_end - i));
            if (weight + w > kPartLimit) break;
            weight += w;
            end = word_end;
            i = word_end;
            while (i < text.size() && is_space(text[i])) {
                ++weight;
                ++i;
            }
            if (weight > kPartLimit) break;
        }
        if (end == start) {  // one word longer than a part
            std::size_t points = 0;
            end = start;
            while (end < text.size() && !is_space(text[end]) && points < kPartLimit) {
                end += utf8_length(text[end]);
                ++points;
            }
        }
        std::string part = text.substr(start, end - start);
        while (!part.empty() && is_space(part.back())) part.pop_back();
        parts.push_back(std::move(part));
        start = end;
        while (start < text.size() && is_space(text[start])) ++start;
    }
    if (parts.empty()) parts.emplace_back();
    return parts;
}

// The idempotency key of part `i`: the host's key for the first part, a key
// derived from it for each reply, so every part is its own request to the
// server and a retry finds each one.
std::string part_key(const std::string& key, std::size_t i) {
    return i == 0 ? key : key + "-part-" + std::to_string(i + 1);
}

// Milliseconds since the epoch of an ISO 8601 UTC time as Mastodon writes
// it ("2026-08-01T15:00:00.409710Z", also with "+00:00"); -1 when it is not one.
std::int64_t parse_iso8601(const std::string& s) {
    std::tm tm{};
    int consumed = 0;
    if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                    &tm.tm_min, &tm.tm_sec, &consumed) != 6)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    std::size_t pos = static_cast<std::size_t>(consumed);
    std::int64_t ms = 0;
    if (pos < s.size() && s[pos] == '.') {
        int digits = 0;
        for (++pos; pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos])); ++pos, ++digits)
            if (digits < 3) ms = ms * 10 + (s[pos] - '0');
        for (; digits < 3; ++digits) ms *= 10;
    }
    std::int64_t offset_s = 0;
    if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        int h = 0, m = 0;
        if (std::sscanf(s.c_str() + pos + 1, "%2d:%2d", &h, &m) != 2) return -1;
        offset_s = (s[pos] == '+' ? 1 : -1) * (h * 3600 + m * 60);
    } else if (pos >= s.size() || (s[pos] != 'Z' && s[pos] != 'z')) {
        return -1;
    }
    const std::time_t t = timegm(&tm);
    if (t == static_cast<std::time_t>(-1)) return -1;
    return (static_cast<std::int64_t>(t) - offset_s) * 1000 + ms;
}

// How long a 429 asks to wait. Mastodon sends X-RateLimit-Reset as an ISO
// 8601 time (api/rate-limits); it is measured against the server's own Date
// header when there is one, so a skewed local clock does not shorten it.
std::int64_t retry_after_ms(const Host::Response& r, const Host& host) {
    if (auto it = r.headers.find("x-ratelimit-reset"); it != r.headers.end()) {
        const std::int64_t reset = parse_iso8601(it->second);
        if (reset > 0) {
            return std::max<std::int64_t>(reset - clearpost::sdk::web::server_now_ms(r, host), 1000);
        }
    }
    if (auto it = r.headers.find("retry-after"); it != r.headers.end()) {
        try {
            return std::max<std::int64_t>(std::stoll(it->second) * 1000, 1000);
        } catch (...) {
        }
    }
    return 60000;
}

// Mastodon's error entity: {"error": "...", "error_description": "..."}.
std::string mastodon_error(const Host::Response& r) {
    const auto body = json::parse(r.body, nullptr, false);
    std::string out = "HTTP " + std::to_string(r.http_status);
    if (body.is_object()) {
        if (body.contains("error") && body["error"].is_string()) out += ": " + body["error"].get<std::string>();
        if (body.contains("error_description") && body["error_description"].is_string())
            out += " (" + body["error_description"].get<std::string>() + ")";
    }
    return out;
}

// Maps an answer that is not a success to a status. `may_have_posted` is
// true only for the request that creates a status: a lost answer there may
// mean a live post; elsewhere nothing was published yet.
OpResult failure(const Host::Response& r, const Host& host, const std::string& what, bool may_have_posted = false) {
    if (r.status != CLEARPOST_OK) {
        const bool in_doubt = may_have_posted && r.status == CLEARPOST_ERR_IN_DOUBT;
        return OpResult::error(in_doubt ? CLEARPOST_ERR_IN_DOUBT : CLEARPOST_ERR_TRANSIENT, what + ": " + r.error);
    }
    const std::string message = what + ": " + mastodon_error(r);
    const int code = r.http_status;
    if (code == 429) return OpResult::error(CLEARPOST_ERR_RATE_LIMITED, message, retry_after_ms(r, host));
    if (code >= 500 || code == 408) return OpResult::error(CLEARPOST_ERR_TRANSIENT, message);
    // 401: the token is invalid, revoked or expired. 403: the token lacks a
    // scope or the account is disabled; both need a person to reconnect.
    if (code == 401 || code == 403)
        return OpResult::error(CLEARPOST_ERR_AUTH, message + "; reconnect the account");
    if (code == 422) {
        // Media that is still being processed is the one 422 worth retrying
        // (media.validations.not_ready); every other one is the content.
        if (r.body.find("not finished processing") != std::string::npos)
            return OpResult::error(CLEARPOST_ERR_TRANSIENT, message);
        return OpResult::error(CLEARPOST_ERR_INVALID, message);
    }
    return OpResult::error(CLEARPOST_ERR_PERMANENT, message);
}

const clearpost::sdk::MediaLimits kMediaLimits{"Mastodon", kMaxImages, kMaxImageBytes,
                                               {"image/jpeg", "image/png", "image/gif", "image/webp"},
                                               "Clearpost sends Mastodon JPEG, PNG, GIF and WebP images",
                                               kMaxAltLength};

std::vector<std::string> media_problems(const json& post) { return clearpost::sdk::media_problems(post, kMediaLimits); }

// Text of a status's HTML content for comparison: tags dropped, character
// references decoded. Mastodon keeps a link's whole address inside its
// (partly invisible) spans and shows a remote mention as @user.
std::string html_to_text(const std::string& html) {
    std::string out;
    for (std::size_t i = 0; i < html.size();) {
        if (html[i] == '<') {
            const auto close = html.find('>', i);
            if (close == std::string::npos) break;
            const std::string tag = html.substr(i, close - i + 1);
            if (tag.rfind("<br", 0) == 0 || tag.rfind("</p", 0) == 0) out += '\n';
            i = close + 1;
            continue;
        }
        if (html[i] == '&') {
            const auto semi = html.find(';', i);
            if (semi != std::string::npos && semi - i <= 10) {
                const std::string name = html.substr(i + 1, semi - i - 1);
                static constexpr std::pair<const char*, const char*> kNamed[] = {
                    {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}, {"nbsp", " "}};
                bool done = false;
                for (const auto& [n, v] : kNamed)
                    if (name == n) {
                        out += v;
                        done = true;
                    }
                if (!done && name.size() > 1 && name[0] == '#') {
                    unsigned long cp = 0;
                    try {
                        cp = name[1] == 'x' || name[1] == 'X' ? std::stoul(name.substr(2), nullptr, 16)
                                                              : std::stoul(name.substr(1));
                    } catch (...) {
                    }
                    if (cp > 0 && cp <= 0x10FFFF) {
                        clearpost::sdk::web::append_utf8(out, static_cast<std::uint32_t>(cp));
                        done = true;
                    }
                }
                if (done) {
                    i = semi + 1;
                    continue;
                }
            }
        }
        out += html[i++];
    }
    return out;
}

// What two texts are compared by: no white space (Mastodon turns line
// breaks into paragraphs) and remote mentions as the server shows them.
std::string comparable(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        if (is_space(text[i])) {
            ++i;
            continue;
        }
        if (text[i] == '@' && (i == 0 || is_space(text[i - 1]) || text[i - 1] == '(')) {
            std::size_t end = i + 1;
            while (end < text.size() && !is_space(text[end])) ++end;
            const std::string word = text.substr(i, end - i);
            const auto second = word.find('@', 1);
            if (second != std::string::npos && second + 1 < word.size()) {
                std::size_t tail = word.size();
                while (tail > second && std::string_view(".,;:!?)\"'").find(word[tail - 1]) != std::string_view::npos) --tail;
                out += word.substr(0, second) + word.substr(tail);
                i = end;
                continue;
            }
        }
        out += text[i++];
    }
    return out;
}

// The plain text of a status: its source "text" when the server sent it
// (answers to DELETE do), else its rendered content.
std::string status_text(const json& status) {
    if (status.contains("text") && status["text"].is_string()) return status["text"].get<std::string>();
    return html_to_text(status.value("content", std::string()));
}

std::string string_field(const json& j, const char* name) {
    return j.is_object() && j.contains(name) && j[name].is_string() ? j[name].get<std::string>() : std::string();
}

class Mastodon final : public clearpost::sdk::Publisher {
public:
    const char* capabilities() const override { return kCapabilities; }

    OpResult validate(const Host&, const json& request) override {
        json problems = json::array();
        const json post = request.value("post", json::object());
        for (auto& p : media_problems(post)) problems.push_back(std::move(p));
        if (const std::string v = string_field(post, "visibility"); !v.empty() && !valid_visibility(v))
            problems.push_back("visibility '" + v + "' is not one of public, unlisted, private, direct");
        return OpResult::ok({{"problems", problems}});
    }

    // Mastodon tokens do not expire on their own (api/oauth-tokens); an
    // instance that issued a refresh token gets the refresh grant at its
    // token endpoint, any other refusal needs a reconnect.
    OpResult refresh_credentials(const Host& host, const json& request) override {
        json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        const std::string refresh = string_field(creds, "refresh_token");
        if (refresh.empty()) {
            return OpResult::error(CLEARPOST_ERR_AUTH,
                                   "the instance refused the access token and issued no refresh token; "
                                   "reconnect the account with a new access token");
        }
        std::vector<std::pair<std::string, std::string>> fields{{"grant_type", "refresh_token"}, {"refresh_token", refresh}};
        if (const auto id = string_field(creds, "client_id"); !id.empty()) fields.emplace_back("client_id", id);
        if (const auto secret = string_field(creds, "client_secret"); !secret.empty()) fields.emplace_back("client_secret", secret);
        auto r = host.http({{"method", "POST"},
                            {"url", service(creds) + "/oauth/token"},
                            {"headers", {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}}},
                            {"body", clearpost::sdk::web::form(fields)},
                            {"timeout_ms", 15000}});
        if (r.status != CLEARPOST_OK) return OpResult::error(CLEARPOST_ERR_TRANSIENT, "refreshing the token: " + r.error);
        const auto body = json::parse(r.body, nullptr, false);
        if (r.http_status == 200) {
            if (!body.is_object() || !body.contains("access_token") || !body["access_token"].is_string())
                return OpResult::error(CLEARPOST_ERR_TRANSIENT, "refreshing the token: the instance's answer has no access token");
            creds["access_token"] = body["access_token"];
            if (body.contains("refresh_token") && body["refresh_token"].is_string()) creds["refresh_token"] = body["refresh_token"];
            if (body.contains("expires_in") && body["expires_in"].is_number_integer()) {
                creds["expires_at"] = host.now_ms() / 1000 + body["expires_in"].get<std::int64_t>();
            } else {
                creds.erase("expires_at");
            }
            return OpResult::ok({{"credentials", creds}});
        }
        // RFC 6749 5.2: invalid_grant is a dead refresh token; 5xx and 429 pass.
        if (r.http_status >= 500 || r.http_status == 429) return failure(r, host, "refreshing the token");
        const std::string error = string_field(body, "error");
        if (error == "invalid_grant" || r.http_status == 401)
            return OpResult::error(CLEARPOST_ERR_AUTH, "the instance refused the refresh token (" + mastodon_error(r) +
                                                           "); reconnect the account");
        return OpResult::error(CLEARPOST_ERR_AUTH, "refreshing the token failed (" + mastodon_error(r) +
                                                       "); check the app settings and reconnect the account");
    }

    OpResult publish(const Host& host, const json& request) override {
        const json post = request.value("post", json::object());
        if (const auto problems = media_problems(post); !problems.empty())
            return OpResult::error(CLEARPOST_ERR_INVALID, join(problems, "; "));
        const json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        const std::string key = request.value("idempotency_key", std::string());
        if (key.empty()) return OpResult::error(CLEARPOST_ERR_INVALID, "the host sent no idempotency key");
        std::string visibility = string_field(post, "visibility");
        if (visibility.empty()) visibility = "public";
        if (!valid_visibility(visibility))
            return OpResult::error(CLEARPOST_ERR_INVALID, "visibility '" + visibility + "' is not one of public, unlisted, private, direct");
        const std::string text = string_field(post, "text");
        const auto parts = split_thread(text);

        // Images first: nothing is posted yet, so a failure here is safe to
        // retry; a retry uploads them again and the unattached ones are
        // removed by the instance.
        std::vector<std::string> media_ids;
        const json media = post.value("media", json::array());
        for (std::size_t i = 0; i < media.size(); ++i) {
            auto uploaded = upload_image(host, creds, media[i], i);
            if (uploaded.status != CLEARPOST_OK) return uploaded;
            media_ids.push_back(uploaded.body["id"].get<std::string>());
        }

        std::string root_id, root_url, parent_id;
        for (std::size_t i = 0; i < parts.size(); ++i) {
            std::vector<std::pair<std::string, std::string>> fields{{"status", parts[i]}, {"visibility", visibility}};
            if (i == 0)
                for (const auto& id : media_ids) fields.emplace_back("media_ids[]", id);
            if (!parent_id.empty()) fields.emplace_back("in_reply_to_id", parent_id);
            // A content warning covers every part of a thread.
            if (const auto cw = string_field(post, "spoiler_text"); !cw.empty()) fields.emplace_back("spoiler_text", cw);
            if (const auto lang = string_field(post, "language"); !lang.empty()) fields.emplace_back("language", lang);
            auto r = host.http({{"method", "POST"},
                                {"url", service(creds) + "/api/v1/statuses"},
                                {"headers",
                                 {{"Content-Type", "application/x-www-form-urlencoded"},
                                  {"Authorization", bearer(creds)},
                                  {"Idempotency-Key", part_key(key, i)}}},
                                {"body", clearpost::sdk::web::form(fields)},
                                {"timeout_ms", 30000}});
            if (r.status != CLEARPOST_OK || r.http_status != 200) {
                auto failed = failure(r, host, parts.size() > 1 ? "publishing part " + std::to_string(i + 1) + " of " +
                                                                      std::to_string(parts.size())
                                                                : std::string("publishing"),
                                      /*may_have_posted=*/true);
                // A part after the first already made the thread visible:
                // anything but a retry of the same keys would leave it cut short.
                if (i > 0 && failed.status != CLEARPOST_ERR_AUTH && failed.status != CLEARPOST_ERR_RATE_LIMITED &&
                    failed.status != CLEARPOST_ERR_IN_DOUBT && failed.status != CLEARPOST_ERR_TRANSIENT)
                    failed.body["error"]["message"] = failed.body["error"]["message"].get<std::string>() +
                                                      "; the first " + std::to_string(i) + " part(s) are live";
                return failed;
            }
            const auto status = json::parse(r.body, nullptr, false);
            const std::string id = string_field(status, "id");
            if (id.empty())
                return OpResult::error(CLEARPOST_ERR_IN_DOUBT, "the instance accepted the post but its answer has no status id");
            if (i == 0) {
                root_id = id;
                root_url = string_field(status, "url");
                if (root_url.empty()) root_url = string_field(status, "uri");
            }
            parent_id = id;
        }
        return OpResult::ok({{"remote_id", root_id}, {"remote_url", root_url}, {"parts", parts.size()}});
    }

    // Settles an in-doubt attempt. Mastodon keeps an Idempotency-Key for one
    // hour: within it, sending again returns the status already made, but
    // the host cannot say when the lost attempt was, and a later resend
    // would post twice. So the account's own statuses since the approved
    // time are searched for the post, part by part (text, reply chain, image
    // count). Not there: {"found": false}, and sending again is safe. A
    // thread found only in part is completed by sending again while its
    // first part is younger than the window (the keys return the parts
    // made); older, a person checks it (PERMANENT -> NeedsAttention).
    OpResult lookup(const Host& host, const json& request) override {
        const json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        const json post = request.value("post", json::object());
        const auto parts = split_thread(string_field(post, "text"));
        const std::size_t images = post.is_object() && post.contains("media") && post["media"].is_array() ? post["media"].size() : 0;
        const std::int64_t since = request.value("scheduled_at_ms", std::int64_t{0}) - kClockSkewMs;

        auto me = get(host, creds, "/api/v1/accounts/verify_credentials");
        if (me.status != CLEARPOST_OK || me.http_status != 200) return failure(me, host, "looking up the account");
        const std::string account_id = string_field(json::parse(me.body, nullptr, false), "id");
        if (account_id.empty()) return OpResult::error(CLEARPOST_ERR_TRANSIENT, "looking up the account: the answer has no id");

        // Newest first; stop at the first status older than the approved time.
        std::vector<json> recent;
        std::string max_id;
        bool reached_start = false;
        for (int page = 0; page < kLookupPages && !reached_start; ++page) {
            std::string path = "/api/v1/accounts/" + account_id + "/statuses?limit=40&exclude_reblogs=true";
            if (!max_id.empty()) path += "&max_id=" + max_id;
            auto r = get(host, creds, path);
            if (r.status != CLEARPOST_OK || r.http_status != 200) return failure(r, host, "searching the account's statuses");
            const auto list = json::parse(r.body, nullptr, false);
            if (!list.is_array()) return OpResult::error(CLEARPOST_ERR_TRANSIENT, "searching the account's statuses: the answer is not a list");
            if (list.empty()) reached_start = true;
            for (const auto& s : list) {
                if (!s.is_object()) continue;
                const std::int64_t created = parse_iso8601(string_field(s, "created_at"));
                if (created >= 0 && created < since) {
                    reached_start = true;
                    break;
                }
                recent.push_back(s);
                max_id = string_field(s, "id");
            }
        }
        std::vector<const json*> chain;
        for (std::size_t i = 0; i < parts.size(); ++i) {
            const json* match = nullptr;
            // Oldest first, so a repeated text matches its first use since then.
            for (auto it = recent.rbegin(); it != recent.rend() && !match; ++it) {
                const json& s = *it;
                const std::string reply_to = string_field(s, "in_reply_to_id");
                if (i == 0 ? !reply_to.empty() : reply_to != string_field(*chain.back(), "id")) continue;
                if (comparable(status_text(s)) != comparable(parts[i])) continue;
                if (i == 0 && s.contains("media_attachments") && s["media_attachments"].is_array() &&
                    s["media_attachments"].size() != images)
                    continue;
                match = &s;
            }
            if (!match) break;
            chain.push_back(match);
        }
        if (chain.size() == parts.size()) {
            const json& root = *chain.front();
            std::string url = string_field(root, "url");
            if (url.empty()) url = string_field(root, "uri");
            return OpResult::ok({{"found", true}, {"remote_id", string_field(root, "id")}, {"remote_url", url}});
        }
        if (!chain.empty()) {
            const std::int64_t first_made = parse_iso8601(string_field(*chain.front(), "created_at"));
            if (first_made < 0 || host.now_ms() - first_made > kIdempotencyWindowMs) {
                return OpResult::error(CLEARPOST_ERR_PERMANENT,
                                       "only " + std::to_string(chain.size()) + " of the thread's " +
                                           std::to_string(parts.size()) + " parts are on Mastodon (status " +
                                           string_field(*chain.front(), "id") +
                                           "), made too long ago to complete safely; delete them or post the rest by hand");
            }
            return OpResult::ok({{"found", false}});
        }
        if (!reached_start) {
            return OpResult::error(CLEARPOST_ERR_PERMANENT,
                                   "the account posted more than " + std::to_string(kLookupPages * 40) +
                                       " statuses since this post's time, so Clearpost cannot tell whether it went out; "
                                       "check the account");
        }
        return OpResult::ok({{"found", false}});
    }

    // Deletes the status and the replies of the same account that continue
    // its thread (the parts Clearpost made), last part first. A status that
    // is already gone (404) counts as deleted.
    OpResult remove(const Host& host, const json& request) override {
        const json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        const std::string id = request.value("remote_id", std::string());
        if (id.empty() || !std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isalnum(c); }))
            return OpResult::error(CLEARPOST_ERR_INVALID, "'" + id + "' is not a Mastodon status id");
        std::vector<std::string> doomed{id};
        auto root = get(host, creds, "/api/v1/statuses/" + id);
        if (root.status == CLEARPOST_OK && root.http_status == 404) return OpResult::ok();
        if (root.status != CLEARPOST_OK || root.http_status != 200) return failure(root, host, "reading the post");
        const std::string author = string_field(json::parse(root.body, nullptr, false).value("account", json::object()), "id");
        auto context = get(host, creds, "/api/v1/statuses/" + id + "/context");
        if (context.status != CLEARPOST_OK || context.http_status != 200) return failure(context, host, "reading the thread");
        const auto descendants = json::parse(context.body, nullptr, false).value("descendants", json::array());
        for (bool grew = true; grew;) {
            grew = false;
            for (const auto& s : descendants) {
                if (!s.is_object() || string_field(s.value("account", json::object()), "id") != author) continue;
                if (string_field(s, "in_reply_to_id") == doomed.back()) {
                    doomed.push_back(string_field(s, "id"));
                    grew = true;
                    break;
                }
            }
        }
        for (auto it = doomed.rbegin(); it != doomed.rend(); ++it) {
            auto r = host.http({{"method", "DELETE"},
                                {"url", service(creds) + "/api/v1/statuses/" + *it},
                                {"headers", {{"Authorization", bearer(creds)}}},
                                {"timeout_ms", 15000}});
            if (r.status == CLEARPOST_OK && (r.http_status == 200 || r.http_status == 404)) continue;
            return failure(r, host, "deleting status " + *it);
        }
        return OpResult::ok();
    }

    // Counts from GET /api/v1/statuses/:id, named as on the other networks
    // (favourites are likes, reblogs are reposts). Only what the instance
    // reports: quotes_count only on servers that have quotes; a status it
    // no longer returns (404) gets no entry. No impressions or clicks exist.
    OpResult fetch_metrics(const Host& host, const json& request) override {
        const json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        const json ids = request.value("remote_ids", json::array());
        static constexpr std::pair<const char*, const char*> kCounts[] = {
            {"favourites_count", "likes"}, {"reblogs_count", "reposts"}, {"replies_count", "replies"}, {"quotes_count", "quotes"}};
        json metrics = json::object();
        for (const auto& id : ids) {
            if (!id.is_string()) return OpResult::error(CLEARPOST_ERR_INVALID, "a post id is not a string");
            auto r = get(host, creds, "/api/v1/statuses/" + id.get<std::string>());
            if (r.status == CLEARPOST_OK && (r.http_status == 404 || r.http_status == 410)) continue;
            if (r.status != CLEARPOST_OK || r.http_status != 200) return failure(r, host, "reading post counts");
            const auto status = json::parse(r.body, nullptr, false);
            if (!status.is_object()) return OpResult::error(CLEARPOST_ERR_TRANSIENT, "reading post counts: the answer is not a status");
            metrics[id.get<std::string>()] = clearpost::sdk::web::counts(status, kCounts);
        }
        return OpResult::ok({{"metrics", metrics}});
    }

    // The account's own counts from GET /api/v1/accounts/verify_credentials
    // (methods/accounts#verify_credentials; entities/Account): followers_count,
    // following_count and statuses_count, as followers, following and posts.
    // Only what the instance reports: a count it leaves out stays out.
    OpResult fetch_account_metrics(const Host& host, const json& request) override {
        const json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        static constexpr std::pair<const char*, const char*> kCounts[] = {
            {"followers_count", "followers"}, {"following_count", "following"}, {"statuses_count", "posts"}};
        auto r = get(host, creds, "/api/v1/accounts/verify_credentials");
        if (r.status != CLEARPOST_OK || r.http_status != 200) return failure(r, host, "reading the account's counts");
        const auto account = json::parse(r.body, nullptr, false);
        if (!account.is_object() || string_field(account, "id").empty())
            return OpResult::error(CLEARPOST_ERR_TRANSIENT, "reading the account's counts: the answer is not an account");
        return OpResult::ok({{"metrics", clearpost::sdk::web::counts(account, kCounts)}});
    }

private:
    static bool valid_visibility(const std::string& v) {
        return v == "public" || v == "unlisted" || v == "private" || v == "direct";
    }

    static std::string service(const json& creds) {
        std::string s = string_field(creds, "service");
        while (!s.empty() && s.back() == '/') s.pop_back();
        return s;
    }

    static std::string bearer(const json& creds) { return "Bearer " + string_field(creds, "access_token"); }

    static OpResult check_credentials(const json& creds) {
        if (service(creds).rfind("https://", 0) != 0 && service(creds).rfind("http://", 0) != 0)
            return OpResult::error(CLEARPOST_ERR_AUTH, "no Mastodon instance is stored for this account; reconnect it with --service https://INSTANCE");
        if (string_field(creds, "access_token").empty())
            return OpResult::error(CLEARPOST_ERR_AUTH, "no access token is stored for this account; reconnect it");
        return OpResult::ok();
    }

    static Host::Response get(const Host& host, const json& creds, const std::string& path) {
        return host.http({{"method", "GET"},
                          {"url", service(creds) + path},
                          {"headers", {{"Authorization", bearer(creds)}, {"Accept", "application/json"}}},
                          {"timeout_ms", 15000}});
    }

    // POST /api/v2/media (multipart: file, description = alt text) -> {"id"}.
    // 200: processed; 202: still processing, so GET /api/v1/media/:id is
    // polled (206 while processing, 200 when done) a bounded number of times.
    static OpResult upload_image(const Host& host, const json& creds, const json& m, std::size_t index) {
        const std::string which = "image " + std::to_string(index + 1);
        std::string bytes, why;
        if (!read_media_file(m.value("path", std::string()), kMaxImageBytes, "Mastodon", bytes, why)) return OpResult::error(CLEARPOST_ERR_INVALID, which + ": " + why);
        const std::string mime = m.value("mime", std::string("image/jpeg"));
        const std::string alt = m.contains("alt") && m["alt"].is_string() ? m["alt"].get<std::string>() : "";
        std::string boundary = "clearpost-" + m.value("sha256", std::string("0")).substr(0, 32);
        while (bytes.find(boundary) != std::string::npos || alt.find(boundary) != std::string::npos) boundary += "x";
        const std::string extension = mime == "image/png" ? "png" : mime == "image/gif" ? "gif" : mime == "image/webp" ? "webp" : "jpg";
        std::string body;
        if (!alt.empty())
            body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\n" + alt + "\r\n";
        body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"image-" +
                std::to_string(index + 1) + "." + extension + "\"\r\nContent-Type: " + mime + "\r\n\r\n";
        body += bytes;
        body += "\r\n--" + boundary + "--\r\n";
        auto r = host.http({{"method", "POST"},
                            {"url", service(creds) + "/api/v2/media"},
                            {"headers",
                             {{"Content-Type", "multipart/form-data; boundary=" + boundary}, {"Authorization", bearer(creds)}}},
                            {"body_base64", clearpost::sdk::base64_encode(body)},
                            {"timeout_ms", 120000}});
        if (r.status != CLEARPOST_OK || (r.http_status != 200 && r.http_status != 202))
            return failure(r, host, "uploading " + which);
        auto attachment = json::parse(r.body, nullptr, false);
        const std::string id = string_field(attachment, "id");
        if (id.empty()) return OpResult::error(CLEARPOST_ERR_TRANSIENT, "uploading " + which + ": the answer has no media id");
        if (r.http_status == 200) return OpResult::ok({{"id", id}});
        auto delay = std::chrono::milliseconds(200);
        for (int poll = 0; poll < kMediaPolls; ++poll) {
            std::this_thread::sleep_for(delay);
            delay = std::min(delay * 2, std::chrono::milliseconds(3000));
            auto p = get(host, creds, "/api/v1/media/" + id);
            if (p.status == CLEARPOST_OK && p.http_status == 206) continue;
            if (p.status == CLEARPOST_OK && p.http_status == 200) return OpResult::ok({{"id", id}});
            return failure(p, host, "waiting for " + which + " to be processed");
        }
        return OpResult::error(CLEARPOST_ERR_TRANSIENT, "the instance was still processing " + which + " after " +
                                                            std::to_string(kMediaPolls) + " checks; publishing will try again");
    }
};

}  // namespace

CLEARPOST_PUBLISHER(Mastodon)
