// Bluesky publisher: app-password sessions against the account's PDS, posts
// with facets at UTF-8 byte offsets, long texts as threads, and record keys
// derived from the host's idempotency key, so a retry after a crash finds
// the post it already made instead of making a second one.
//
// Built only against the publisher SDK (no Clearpost core), as any
// third-party plugin would be.

#include <clearpost/publisher.hpp>

#include "web.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <ctime>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace {

using clearpost::sdk::Host;
using clearpost::sdk::json;
using clearpost::sdk::OpResult;
using clearpost::sdk::join;
using clearpost::sdk::read_media_file;
using clearpost::sdk::with_commas;

constexpr const char* kCapabilities = R"({
  "network": "bluesky", "display_name": "Bluesky",
  "text": {"limit": 300, "counting": "graphemes"},
  "media": {"max_images": 4, "max_bytes": 1000000, "alt_text": true, "aspect_ratio": true,
            "types": ["image/jpeg", "image/png", "image/webp"]},
  "link_cards": true,
  "threads": true, "native_scheduling": false, "metrics": true, "account_metrics": true,
  "idempotency": "client_record_key", "publish_batch_max": 100,
  "rate_limits": {"posts_per_hour": 1666, "posts_per_day": 11666}
})";

constexpr std::size_t kPartLimit = 300;  // code points per part: never more graphemes than that
constexpr const char* kCollection = "app.bsky.feed.post";

// FNV-1a, enough to spread idempotency keys over record keys.
std::uint64_t fnv1a(const std::string& s, std::uint64_t seed = 1469598103934665603ull) {
    std::uint64_t h = seed;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

// A TID (base32-sortable, 13 chars) that is a pure function of the key and
// the part number: timestamp from the host's scheduled time plus key bits.
// Many posts of one account share a scheduled minute, so the key spreads
// them over that whole minute (6e7 microseconds) and the 10 clock-id bits:
// ~2^35 keys, where a spread over one millisecond (2^20) made two of 100
// posts collide about once in 200 accounts, failing one of them.
std::string record_key(const std::string& idempotency_key, std::int64_t scheduled_ms, int part) {
    static constexpr char kAlphabet[] = "234567abcdefghijklmnopqrstuvwxyz";
    const std::uint64_t h = fnv1a(idempotency_key + "#" + std::to_string(part));
    const std::uint64_t micros = static_cast<std::uint64_t>(scheduled_ms) * 1000 + (h >> 10) % 60'000'000;
    const std::uint64_t value = ((micros & ((1ull << 53) - 1)) << 10) | (h & 0x3FF);
    std::string out(13, '2');
    std::uint64_t v = value;
    for (int i = 12; i >= 0; --i) {
        out[static_cast<std::size_t>(i)] = kAlphabet[v & 31];
        v >>= 5;
    }
    return out;
}

std::string iso_now(const Host& host) {
    const std::int64_t ms = host.now_ms();
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    return std::string(buf) + "." + std::to_string(1000 + ms % 1000).substr(1) + "Z";
}

// Splits UTF-8 text into parts of at most kPartLimit code points, breaking at
// the last space or newline where there is one.
std::vector<std::string> split_thread(const std::string& text) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t i = start, points = 0, last_break = std::string::npos;
        while (i < text.size() && points < kPartLimit) {
            const unsigned char c = static_cast<unsigned char>(text[i]);
            if (c == ' ' || c == '\n') last_break = i;
            i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
            ++points;
        }
        if (i >= text.size()) {
            parts.push_back(text.substr(start));
            break;
        }
        const std::size_t end = last_break != std::string::npos && last_break > start ? last_break : i;
        parts.push_back(text.substr(start, end - start));
        start = end;
        while (start < text.size() && (text[start] == ' ' || text[start] == '\n')) ++start;
    }
    return parts;
}

bool is_word_char(unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; }

// Link and hashtag facets (UTF-8 byte offsets); mentions are resolved by
// the caller, who knows the PDS.
json facets_for(const std::string& text, const std::vector<std::pair<std::size_t, std::pair<std::size_t, std::string>>>& mentions) {
    json facets = json::array();
    for (std::size_t i = 0; i < text.size();) {
        const bool at_start = i == 0 || !is_word_char(static_cast<unsigned char>(text[i - 1]));
        if (at_start && (text.compare(i, 8, "https://") == 0 || text.compare(i, 7, "http://") == 0)) {
            std::size_t end = i;
            while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) ++end;
            while (end > i && std::string(".,;:!?)\"'").find(text[end - 1]) != std::string::npos) --end;
            facets.push_back({{"index", {{"byteStart", i}, {"byteEnd", end}}},
                              {"features", {{{"$type", "app.bsky.richtext.facet#link"}, {"uri", text.substr(i, end - i)}}}}});
            i = end;
            continue;
        }
        if (at_start && text[i] == '#' && i + 1 < text.size() && is_word_char(static_cast<unsigned char>(text[i + 1])) &&
            !std::isdigit(static_cast<unsigned char>(text[i + 1]))) {
            std::size_t end = i + 1;
            while (end < text.size() && is_word_char(static_cast<unsigned char>(text[end]))) ++end;
            facets.push_back({{"index", {{"byteStart", i}, {"byteEnd", end}}},
                              {"features", {{{"$type", "app.bsky.richtext.facet#tag"}, {"tag", text.substr(i + 1, end - i - 1)}}}}});
            i = end;
            continue;
        }
        ++i;
    }
    for (const auto& [start, rest] : mentions) {
        facets.push_back({{"index", {{"byteStart", start}, {"byteEnd", rest.first}}},
                          {"features", {{{"$type", "app.bsky.richtext.facet#mention"}, {"did", rest.second}}}}});
    }
    return facets;
}

// Seconds to wait from the rate-limit headers the PDS sends.
std::int64_t retry_after_ms(const Host::Response& r, const Host& host) {
    if (auto it = r.headers.find("retry-after"); it != r.headers.end()) {
        try {
            return std::stoll(it->second) * 1000;
        } catch (...) {
        }
    }
    if (auto it = r.headers.find("ratelimit-reset"); it != r.headers.end()) {
        try {
            const std::int64_t reset = std::stoll(it->second) * 1000;
            return std::max<std::int64_t>(reset - host.now_ms(), 1000);
        } catch (...) {
        }
    }
    return 60000;
}

// The exp claim (UTC seconds) of a JWT, or 0 when there is none.
std::int64_t jwt_expiry(const std::string& jwt) {
    const auto first = jwt.find('.');
    const auto second = first == std::string::npos ? first : jwt.find('.', first + 1);
    if (second == std::string::npos) return 0;
    std::string segment = jwt.substr(first + 1, second - first - 1);
    for (char& c : segment) c = c == '-' ? '+' : c == '_' ? '/' : c;  // base64url
    std::string payload;
    if (!clearpost::sdk::base64_decode(segment, payload)) return 0;
    const auto claims = json::parse(payload, nullptr, false);
    return claims.is_object() && claims.contains("exp") && claims["exp"].is_number_integer()
               ? claims["exp"].get<std::int64_t>()
               : 0;
}

std::string xrpc_error(const Host::Response& r) {
    const auto body = json::parse(r.body, nullptr, false);
    std::string out = "HTTP " + std::to_string(r.http_status);
    if (body.is_object()) {
        if (body.contains("error") && body["error"].is_string()) out += " " + body["error"].get<std::string>();
        if (body.contains("message") && body["message"].is_string()) out += ": " + body["message"].get<std::string>();
    }
    return out;
}

// Maps a failed XRPC answer to a status.
OpResult failure(const Host::Response& r, const Host& host, const std::string& what) {
    if (r.status != CLEARPOST_OK) {
        return OpResult::error(r.status == CLEARPOST_ERR_IN_DOUBT ? CLEARPOST_ERR_IN_DOUBT : CLEARPOST_ERR_TRANSIENT,
                               what + ": " + r.error);
    }
    const std::string message = what + ": " + xrpc_error(r);
    if (r.http_status == 429) return OpResult::error(CLEARPOST_ERR_RATE_LIMITED, message, retry_after_ms(r, host));
    if (r.http_status >= 500) return OpResult::error(CLEARPOST_ERR_TRANSIENT, message);
    if (r.http_status == 401) return OpResult::error(CLEARPOST_ERR_AUTH, message);
    if (r.http_status == 400) {
        const auto body = json::parse(r.body, nullptr, false);
        const std::string error = body.is_object() ? body.value("error", std::string()) : std::string();
        if (error == "ExpiredToken" || error == "InvalidToken" || error == "AuthenticationRequired")
            return OpResult::error(CLEARPOST_ERR_AUTH, message);
    }
    return OpResult::error(CLEARPOST_ERR_PERMANENT, message);
}

// Images and link cards. Bluesky's limits (app.bsky.embed.images and the
// thumb of app.bsky.embed.external): 4 images, 1,000,000 bytes each.
constexpr std::size_t kMaxImages = 4;
constexpr std::size_t kMaxImageBytes = 1'000'000;
constexpr std::int64_t kCardBudgetMs = 15000;         // every request of one link card together
constexpr std::size_t kCardPageBytes = 512 * 1024;    // of a page, only this much is read
constexpr int kCardRedirects = 3;

const clearpost::sdk::MediaLimits kMediaLimits{"Bluesky", kMaxImages, kMaxImageBytes,
                                               {"image/jpeg", "image/png", "image/webp"},
                                               "Bluesky takes JPEG, PNG and WebP images"};

std::vector<std::string> media_problems(const json& post) { return clearpost::sdk::media_problems(post, kMediaLimits); }

// The MIME type of image bytes by their signature, or "" when they are not
// a kind Bluesky shows.
std::string sniff_image(const std::string& b) {
    if (b.size() >= 3 && b.compare(0, 3, "\xFF\xD8\xFF") == 0) return "image/jpeg";
    if (b.size() >= 8 && b.compare(0, 8, "\x89PNG\r\n\x1A\n") == 0) return "image/png";
    if (b.size() >= 12 && b.compare(0, 4, "RIFF") == 0 && b.compare(8, 4, "WEBP") == 0) return "image/webp";
    if (b.size() >= 6 && (b.compare(0, 6, "GIF87a") == 0 || b.compare(0, 6, "GIF89a") == 0)) return "image/gif";
    return "";
}

// The first link of a text, as its link facet has it.
std::string first_link(const std::string& text) {
    for (const auto& f : facets_for(text, {}))
        if (f["features"][0].value("$type", std::string()) == "app.bsky.richtext.facet#link")
            return f["features"][0].value("uri", std::string());
    return "";
}

std::string ascii_lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Decodes the HTML character references a title or description uses and
// folds runs of white space into one space.
std::string html_text(std::string_view s) {
    static constexpr std::pair<const char*, const char*> kNamed[] = {
        {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}, {"nbsp", " "}};
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '&') {
            const auto semi = s.find(';', i);
            if (semi != std::string_view::npos && semi - i <= 10) {
                const std::string_view name = s.substr(i + 1, semi - i - 1);
                bool done = false;
                if (name.size() > 1 && name[0] == '#') {
                    const bool hex = name[1] == 'x' || name[1] == 'X';
                    const std::string digits(name.substr(hex ? 2 : 1));
                    if (!digits.empty() && digits.find_first_not_of(hex ? "0123456789abcdefABCDEF" : "0123456789") == std::string::npos) {
                        clearpost::sdk::web::append_utf8(out, static_cast<std::uint32_t>(std::min(std::stoul(digits, nullptr, hex ? 16 : 10), 0x110000ul)));
                        done = true;
                    }
                } else {
                    for (const auto& [n, v] : kNamed)
                        if (name == n) {
                            out += v;
                            done = true;
                        }
                }
                if (done) {
                    i = semi;
                    continue;
                }
            }
        }
        if (std::isspace(static_cast<unsigned char>(c))) {
            if (!out.empty() && out.back() != ' ') out += ' ';
            continue;
        }
        out += c;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

// At most `limit` code points of UTF-8 text, with an ellipsis when cut.
std::string clip(const std::string& s, std::size_t limit) {
    std::size_t points = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
        if (++points > limit) return s.substr(0, i) + "\xE2\x80\xA6";
    }
    return s;
}

struct PageMeta {
    std::string title, description, image;
};

// og:title, og:description and og:image of a page, with <title> and the
// description meta tag as fallbacks. A forgiving scan, not an HTML parser:
// pages that hide their tags get no card, which is allowed.
PageMeta page_meta(std::string_view html) {
    const std::string lower = ascii_lower(std::string(html));
    PageMeta og, fallback;
    for (std::size_t at = lower.find("<meta"); at != std::string::npos; at = lower.find("<meta", at + 5)) {
        const std::size_t end = lower.find('>', at);
        if (end == std::string::npos) break;
        std::string key, content;
        bool has_content = false;
        for (std::size_t i = at + 5; i < end;) {
            while (i < end && (std::isspace(static_cast<unsigned char>(lower[i])) || lower[i] == '/')) ++i;
            const std::size_t name_start = i;
            while (i < end && lower[i] != '=' && !std::isspace(static_cast<unsigned char>(lower[i]))) ++i;
            const std::string name = lower.substr(name_start, i - name_start);
            while (i < end && std::isspace(static_cast<unsigned char>(lower[i]))) ++i;
            if (i >= end || lower[i] != '=') {
                if (name.empty()) ++i;
                continue;
            }
            ++i;
            while (i < end && std::isspace(static_cast<unsigned char>(lower[i]))) ++i;
            std::size_t value_start = i, value_end = i;
            if (i < end && (lower[i] == '"' || lower[i] == '\'')) {
                const char quote = lower[i];
                value_start = i + 1;
                value_end = lower.find(quote, value_start);
                if (value_end == std::string::npos || value_end > end) value_end = end;
                i = value_end + 1;
            } else {
                while (i < end && !std::isspace(static_cast<unsigned char>(lower[i]))) ++i;
                value_end = i;
            }
            // Values keep their case: read them from the original text.
            const std::string value(html.substr(value_start, value_end - value_start));
            if (name == "property" || name == "name") key = ascii_lower(value);
            if (name == "content") {
                content = value;
                has_content = true;
            }
        }
        if (!has_content) continue;
        const std::string text = html_text(content);
        if (key == "og:title" && og.title.empty()) og.title = text;
        if (key == "og:description" && og.description.empty()) og.description = text;
        if ((key == "og:image" || key == "og:image:url" || key == "og:image:secure_url") && og.image.empty()) og.image = text;
        if ((key == "description" || key == "twitter:description") && fallback.description.empty()) fallback.description = text;
        if ((key == "twitter:title") && fallback.title.empty()) fallback.title = text;
        if ((key == "twitter:image" || key == "twitter:image:src") && fallback.image.empty()) fallback.image = text;
    }
    if (const auto open = lower.find("<title"); open != std::string::npos) {
        const auto start = lower.find('>', open);
        const auto close = start == std::string::npos ? start : lower.find("</title", start);
        if (close != std::string::npos && fallback.title.empty())
            fallback.title = html_text(html.substr(start + 1, close - start - 1));
    }
    if (og.title.empty()) og.title = fallback.title;
    if (og.description.empty()) og.description = fallback.description;
    if (og.image.empty()) og.image = fallback.image;
    return og;
}

// Names reserved for examples and tests (RFC 2606, RFC 6761): they never
// carry a real page, so no card is fetched for them (and tests that post
// example.org links stay off the internet).
bool is_reserved_example_host(const std::string& url) {
    const auto start = url.find("://");
    if (start == std::string::npos) return false;
    std::string host = ascii_lower(url.substr(start + 3, url.find_first_of("/?#", start + 3) - start - 3));
    if (const auto at = host.rfind('@'); at != std::string::npos) host = host.substr(at + 1);
    if (const auto colon = host.rfind(':'); colon != std::string::npos && host.find(']') == std::string::npos)
        host = host.substr(0, colon);
    auto ends_with = [&host](const std::string& suffix) {
        return host == suffix.substr(1) ||
               (host.size() >= suffix.size() && host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0);
    };
    for (const char* suffix : {".example", ".test", ".invalid", ".localhost", ".example.com", ".example.net", ".example.org"})
        if (ends_with(suffix)) return true;
    return false;
}

// `ref` (absolute, scheme-relative, root-relative or relative) against the
// page `base`; "" when it is not an http(s) URL.
std::string resolve_url(const std::string& base, const std::string& ref) {
    if (ref.rfind("https://", 0) == 0 || ref.rfind("http://", 0) == 0) return ref;
    const auto scheme_end = base.find("://");
    if (scheme_end == std::string::npos || ref.empty() || ref.find(':') < ref.find('/')) return "";
    if (ref.rfind("//", 0) == 0) return base.substr(0, scheme_end + 1) + ref;
    const auto path_start = base.find('/', scheme_end + 3);
    const std::string origin = path_start == std::string::npos ? base : base.substr(0, path_start);
    if (ref[0] == '/') return origin + ref;
    std::string dir = path_start == std::string::npos ? "/" : base.substr(path_start, base.find_first_of("?#", path_start) - path_start);
    dir = dir.substr(0, dir.rfind('/') + 1);
    return origin + dir + ref;
}

class Bluesky final : public clearpost::sdk::Publisher {
public:
    const char* capabilities() const override { return kCapabilities; }

    OpResult validate(const Host&, const json& request) override {
        json problems = json::array();
        for (auto& p : media_problems(request.value("post", json::object()))) problems.push_back(std::move(p));
        return OpResult::ok({{"problems", problems}});
    }

    OpResult refresh_credentials(const Host& host, const json& request) override {
        json creds = request.value("credentials", json::object());
        return login(host, creds, /*force=*/true);
    }

    OpResult publish(const Host& host, const json& request) override {
        const json post = request.value("post", json::object());
        if (const auto problems = media_problems(post); !problems.empty())
            return OpResult::error(CLEARPOST_ERR_INVALID, join(problems, "; "));
        json creds = request.value("credentials", json::object());
        auto session = login(host, creds, false);
        if (session.status != CLEARPOST_OK) return session;
        creds = session.body["credentials"];
        const std::string text = post.is_object() ? post.value("text", std::string()) : std::string();
        const std::string key = request.value("idempotency_key", std::string());
        if (key.empty()) return OpResult::error(CLEARPOST_ERR_INVALID, "the host sent no idempotency key");
        const std::int64_t scheduled_ms = request.value("scheduled_at_ms", std::int64_t{0});
        const auto parts = split_thread(text);
        auto embed = first_embed(host, creds, post, text);
        if (embed.status != CLEARPOST_OK) {
            embed.body["credentials"] = creds;
            return embed;
        }
        json root, parent;
        for (std::size_t i = 0; i < parts.size(); ++i) {
            json record = make_record(host, creds, parts[i], i == 0 ? embed.body["embed"] : json());
            if (i > 0) record["reply"] = {{"root", root}, {"parent", parent}};
            const std::string rkey = record_key(key, scheduled_ms, static_cast<int>(i));
            auto made = create_or_find(host, creds, rkey, record);
            if (made.status != CLEARPOST_OK) {
                made.body["credentials"] = creds;
                return made;
            }
            parent = {{"uri", made.body["uri"]}, {"cid", made.body["cid"]}};
            if (i == 0) root = parent;
        }
        const std::string root_uri = root["uri"].get<std::string>();
        return OpResult::ok({{"remote_id", root_uri},
                             {"remote_url", web_url(creds, root_uri)},
                             {"parts", parts.size()},
                             {"credentials", creds}});
    }

    // Single-part posts go to the repository in one applyWrites call: one
    // commit for many posts, which is what lets hundreds of posts due in the
    // same minute all go out within it. Threads are made part by part by
    // publish(), since a reply names its parent's CID.
    static constexpr bool kPublishBatch = true;
    OpResult publish_batch(const Host& host, const json& request) override {
        json creds = request.value("credentials", json::object());
        auto session = login(host, creds, false);
        if (session.status != CLEARPOST_OK) return session;
        creds = session.body["credentials"];
        const json posts = request.value("posts", json::array());
        if (!posts.is_array()) return OpResult::error(CLEARPOST_ERR_INVALID, "the host sent no list of posts");
        json results = json::array();
        Batch batch;
        for (std::size_t i = 0; i < posts.size(); ++i) {
            results.push_back(nullptr);
            const json& item = posts[i];
            const json post = item.value("post", json::object());
            const std::string text = post.is_object() ? post.value("text", std::string()) : std::string();
            const std::string key = item.value("idempotency_key", std::string());
            if (const auto problems = media_problems(post); !problems.empty()) {
                results[i] = OpResult::error(CLEARPOST_ERR_INVALID, join(problems, "; ")).batch_entry();
            } else if (key.empty()) {
                results[i] = OpResult::error(CLEARPOST_ERR_INVALID, "the host sent no idempotency key").batch_entry();
            } else if (split_thread(text).size() > 1) {
                json single = item;
                single["credentials"] = creds;
                auto made = publish(host, single);
                if (made.body.contains("credentials")) creds = made.body["credentials"];
                results[i] = made.batch_entry();
            } else if (auto embed = first_embed(host, creds, post, text); embed.status != CLEARPOST_OK) {
                results[i] = embed.batch_entry();
            } else {
                batch.index.push_back(i);
                batch.rkeys.push_back(record_key(key, item.value("scheduled_at_ms", std::int64_t{0}), 0));
                batch.records.push_back(make_record(host, creds, text, embed.body["embed"]));
            }
        }
        if (!batch.index.empty()) write_batch(host, creds, batch, results);
        return OpResult::ok({{"results", results}, {"credentials", creds}});
    }

    OpResult lookup(const Host& host, const json& request) override {
        json creds = request.value("credentials", json::object());
        auto session = login(host, creds, false);
        if (session.status != CLEARPOST_OK) return session;
        creds = session.body["credentials"];
        const std::string key = request.value("idempotency_key", std::string());
        const std::int64_t scheduled_ms = request.value("scheduled_at_ms", std::int64_t{0});
        auto r = get_record(host, creds, record_key(key, scheduled_ms, 0));
        const auto absent = [](const Host::Response& a) {
            return a.status == CLEARPOST_OK && a.http_status == 400 && a.body.find("RecordNotFound") != std::string::npos;
        };
        if (r.status == CLEARPOST_OK && r.http_status == 200) {
            const auto body = json::parse(r.body, nullptr, false);
            const std::string uri = body.value("uri", std::string());
            // A thread is there only when its last part is (each part is made
            // after the one before it). Cut short, it is "not found": publishing
            // again under the same keys reuses the parts made and adds the rest.
            const json post = request.value("post", json::object());
            const auto parts = split_thread(post.is_object() ? post.value("text", std::string()) : std::string());
            if (parts.size() > 1) {
                auto last = get_record(host, creds, record_key(key, scheduled_ms, static_cast<int>(parts.size() - 1)));
                if (absent(last)) return OpResult::ok({{"found", false}, {"credentials", creds}});
                if (last.status != CLEARPOST_OK || last.http_status != 200) return failure(last, host, "looking up the thread");
            }
            return OpResult::ok({{"found", true}, {"remote_id", uri}, {"remote_url", web_url(creds, uri)}, {"credentials", creds}});
        }
        if (absent(r)) return OpResult::ok({{"found", false}, {"credentials", creds}});
        return failure(r, host, "looking up the post");
    }

    OpResult remove(const Host& host, const json& request) override {
        json creds = request.value("credentials", json::object());
        auto session = login(host, creds, false);
        if (session.status != CLEARPOST_OK) return session;
        creds = session.body["credentials"];
        const std::string uri = request.value("remote_id", std::string());
        const auto slash = uri.rfind('/');
        if (uri.rfind("at://", 0) != 0 || slash == std::string::npos)
            return OpResult::error(CLEARPOST_ERR_INVALID, "'" + uri + "' is not a Bluesky post id");
        auto r = xrpc(host, creds, "com.atproto.repo.deleteRecord",
                      json{{"repo", creds["did"]}, {"collection", kCollection}, {"rkey", uri.substr(slash + 1)}});
        if (r.status == CLEARPOST_OK && r.http_status == 200) return OpResult::ok({{"credentials", creds}});
        return failure(r, host, "deleting the post");
    }

    // Counts from the AppView's public app.bsky.feed.getPosts, 25 posts a
    // request. Only what it reports is returned (no impressions or clicks on
    // Bluesky); a post it does not return (deleted) has no entry.
    OpResult fetch_metrics(const Host& host, const json& request) override {
        const json creds = request.value("credentials", json::object());
        const std::string appview = creds.value("appview", std::string("https://public.api.bsky.app"));
        const json ids = request.value("remote_ids", json::array());
        json metrics = json::object();
        static constexpr std::pair<const char*, const char*> kCounts[] = {
            {"likeCount", "likes"}, {"repostCount", "reposts"}, {"replyCount", "replies"},
            {"quoteCount", "quotes"}, {"bookmarkCount", "bookmarks"}};
        for (std::size_t first = 0; first < ids.size(); first += 25) {
            std::string query;
            for (std::size_t i = first; i < std::min(ids.size(), first + 25); ++i) {
                if (!ids[i].is_string()) return OpResult::error(CLEARPOST_ERR_INVALID, "a post id is not a string");
                query += (query.empty() ? "?uris=" : "&uris=") + clearpost::sdk::web::form_encode(ids[i].get<std::string>());
            }
            auto r = host.http({{"method", "GET"},
                                {"url", appview + "/xrpc/app.bsky.feed.getPosts" + query},
                                {"timeout_ms", 15000}});
            if (r.status != CLEARPOST_OK || r.http_status != 200) return failure(r, host, "reading post counts");
            const auto body = json::parse(r.body, nullptr, false);
            if (!body.is_object() || !body.contains("posts") || !body["posts"].is_array())
                return OpResult::error(CLEARPOST_ERR_TRANSIENT, "reading post counts: the AppView's answer is not a post list");
            for (const auto& post : body["posts"]) {
                if (!post.is_object() || !post.contains("uri") || !post["uri"].is_string()) continue;
                metrics[post["uri"].get<std::string>()] = clearpost::sdk::web::counts(post, kCounts);
            }
        }
        return OpResult::ok({{"metrics", metrics}});
    }

    // The profile's counts from the AppView's public app.bsky.actor.getProfile.
    OpResult fetch_account_metrics(const Host& host, const json& request) override {
        const json creds = request.value("credentials", json::object());
        const std::string actor = creds.value("did", creds.value("handle", creds.value("identifier", std::string())));
        if (actor.empty()) return OpResult::error(CLEARPOST_ERR_AUTH, "the account is not connected; connect it first");
        const std::string appview = creds.value("appview", std::string("https://public.api.bsky.app"));
        auto r = host.http({{"method", "GET"},
                            {"url", appview + "/xrpc/app.bsky.actor.getProfile?actor=" +
                                        clearpost::sdk::web::form_encode(actor)},
                            {"timeout_ms", 15000}});
        if (r.status != CLEARPOST_OK || r.http_status != 200) return failure(r, host, "reading the profile's counts");
        const auto body = json::parse(r.body, nullptr, false);
        if (!body.is_object()) return OpResult::error(CLEARPOST_ERR_TRANSIENT, "reading the profile's counts: the AppView's answer is not a profile");
        static constexpr std::pair<const char*, const char*> kCounts[] = {
            {"followersCount", "followers"}, {"followsCount", "following"}, {"postsCount", "posts"}};
        return OpResult::ok({{"metrics", clearpost::sdk::web::counts(body, kCounts)}});
    }

private:
    static std::string service(const json& creds) { return creds.value("service", std::string("https://bsky.social")); }

    static std::string web_url(const json& creds, const std::string& uri) {
        const auto slash = uri.rfind('/');
        return "https://bsky.app/profile/" + creds.value("handle", creds.value("identifier", std::string())) +
               "/post/" + uri.substr(slash + 1);
    }

    // An atproto OAuth session (signed in through the browser) rather than
    // an app password's: its tokens are bound to a DPoP key.
    static bool oauth_session(const json& creds) { return creds.contains("dpop_key") && creds["dpop_key"].is_string(); }

    // `request` with the session's credentials: a Bearer token from an app
    // password's session, or the DPoP-bound token, whose proof the host signs.
    static json authorised(json request, const json& creds) {
        if (oauth_session(creds)) {
            request["dpop"] = {{"key", creds["dpop_key"]}, {"access_token", creds.value("access_token", std::string())}};
        } else {
            request["headers"]["Authorization"] = "Bearer " + creds.value("access_jwt", std::string());
        }
        return request;
    }

    static Host::Response xrpc(const Host& host, const json& creds, const std::string& method, const json& body) {
        return host.http(authorised({{"method", "POST"},
                                     {"url", service(creds) + "/xrpc/" + method},
                                     {"headers", {{"Content-Type", "application/json"}}},
                                     {"body", body.dump()},
                                     {"timeout_ms", 20000}},
                                    creds));
    }

    static Host::Response get_record(const Host& host, const json& creds, const std::string& rkey) {
        return host.http({{"method", "GET"},
                          {"url", service(creds) + "/xrpc/com.atproto.repo.getRecord?repo=" +
                                      creds.value("did", std::string()) + "&collection=" + kCollection +
                                      "&rkey=" + rkey},
                          {"timeout_ms", 15000}});
    }

    // Ensures creds carry a live session: refreshSession, else createSession
    // with the app password. Returns {"credentials"} or an error.
    static OpResult login(const Host& host, json& creds, bool force) {
        if (oauth_session(creds)) return refresh_oauth(host, creds, force);
        if (!force && creds.contains("access_jwt")) return OpResult::ok({{"credentials", creds}});
        if (creds.contains("refresh_jwt")) {
            auto r = host.http({{"method", "POST"},
                                {"url", service(creds) + "/xrpc/com.atproto.server.refreshSession"},
                                {"headers", {{"Authorization", "Bearer " + creds["refresh_jwt"].get<std::string>()}}},
                                {"timeout_ms", 15000}});
            if (r.status == CLEARPOST_OK && r.http_status == 200) return adopt(creds, r);
            if (r.status != CLEARPOST_OK || r.http_status >= 500 || r.http_status == 429) return failure(r, host, "refreshing the session");
            // A dead refresh token: fall back to the app password.
        }
        if (!creds.contains("app_password")) {
            return OpResult::error(CLEARPOST_ERR_AUTH, "no app password is stored for this account; reconnect it");
        }
        auto r = host.http({{"method", "POST"},
                            {"url", service(creds) + "/xrpc/com.atproto.server.createSession"},
                            {"headers", {{"Content-Type", "application/json"}}},
                            {"body", json{{"identifier", creds.value("identifier", std::string())},
                                          {"password", creds["app_password"].get<std::string>()}}
                                         .dump()},
                            {"timeout_ms", 15000}});
        if (r.status == CLEARPOST_OK && r.http_status == 200) return adopt(creds, r);
        if (r.status == CLEARPOST_OK && r.http_status == 401) {
            return OpResult::error(CLEARPOST_ERR_AUTH, "the app password was refused (" + xrpc_error(r) +
                                                           "); create a new app password");
        }
        return failure(r, host, "signing in");
    }

    // An atproto OAuth session's refresh (atproto.com/specs/oauth): the
    // refresh grant at the authorisation server's token endpoint with a
    // DPoP proof. Refresh tokens are single-use; the host refreshes one
    // account at a time and seals the next one before anyone may refresh
    // again. A definite invalid_grant ends the session: a person signs in.
    static OpResult refresh_oauth(const Host& host, json& creds, bool force) {
        if (!force && !creds.value("access_token", std::string()).empty()) return OpResult::ok({{"credentials", creds}});
        const std::string refresh = creds.value("refresh_token", std::string());
        const std::string endpoint = creds.value("token_endpoint", std::string());
        if (refresh.empty() || endpoint.empty())
            return OpResult::error(CLEARPOST_ERR_AUTH, "the Bluesky session cannot be renewed; sign in again");
        auto r = host.http({{"method", "POST"},
                            {"url", endpoint},
                            {"headers", {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}}},
                            {"body", clearpost::sdk::web::form({{"grant_type", "refresh_token"},
                                                                {"refresh_token", refresh},
                                                                {"client_id", creds.value("client_id", std::string())}})},
                            {"dpop", {{"key", creds["dpop_key"]}}},
                            {"secrets", {refresh}},
                            {"timeout_ms", 15000}});
        if (r.status != CLEARPOST_OK) return OpResult::error(CLEARPOST_ERR_TRANSIENT, "renewing the Bluesky session: " + r.error);
        const auto body = json::parse(r.body, nullptr, false);
        const std::string error = body.is_object() ? body.value("error", std::string()) : std::string();
        if (r.http_status == 200 && body.is_object() && body.contains("access_token") && body["access_token"].is_string()) {
            if (body.value("sub", creds.value("did", std::string())) != creds.value("did", std::string()))
                return OpResult::error(CLEARPOST_ERR_AUTH, "the renewed Bluesky session belongs to another account; sign in again");
            creds["access_token"] = body["access_token"];
            if (body.contains("refresh_token") && body["refresh_token"].is_string()) creds["refresh_token"] = body["refresh_token"];
            if (body.contains("expires_in") && body["expires_in"].is_number_integer())
                creds["expires_at"] = host.now_ms() / 1000 + body["expires_in"].get<std::int64_t>();
            return OpResult::ok({{"credentials", creds}});
        }
        if (r.http_status >= 500 || r.http_status == 429 || r.http_status == 200)
            return failure(r, host, "renewing the Bluesky session");
        const std::string words = error + (body.is_object() && body.contains("error_description")
                                               ? " (" + body.value("error_description", std::string()) + ")"
                                               : "");
        return OpResult::error(CLEARPOST_ERR_AUTH, "the Bluesky session ended (" + words + "); sign in again");
    }

    static OpResult adopt(json& creds, const Host::Response& r) {
        const auto body = json::parse(r.body, nullptr, false);
        if (!body.is_object() || !body.contains("accessJwt") || !body.contains("did")) {
            return OpResult::error(CLEARPOST_ERR_TRANSIENT, "the server's session answer was malformed");
        }
        creds["access_jwt"] = body["accessJwt"];
        creds["refresh_jwt"] = body.value("refreshJwt", std::string());
        // When the access token runs out, so the host can refresh ahead of it.
        if (const auto exp = jwt_expiry(creds["access_jwt"].get<std::string>()); exp > 0) creds["expires_at"] = exp;
        creds["did"] = body["did"];
        if (body.contains("handle")) creds["handle"] = body["handle"];
        return OpResult::ok({{"credentials", creds}});
    }

    // The first record's embed, {"embed": ...}: the post's images (uploaded
    // as blobs), else a card for its first link, else null. Blobs are
    // uploaded before the record: after a crash they are uploaded again,
    // which is harmless, and the record key still finds the post made before.
    static OpResult first_embed(const Host& host, json& creds, const json& post, const std::string& text) {
        json embed;
        auto images = upload_images(host, creds, post.value("media", json::array()));
        if (images.status != CLEARPOST_OK) return images;
        if (!images.body["images"].empty()) {
            embed = {{"$type", "app.bsky.embed.images"}, {"images", images.body["images"]}};
        } else if (const std::string link = first_link(text); !link.empty()) {
            std::string why;
            embed = link_card(host, creds, link, why);
            if (embed.is_null())
                host.log(CLEARPOST_LOG_WARN, "no link card for " + link + " (" + why + "); the post goes out without one");
        }
        return OpResult::ok({{"embed", embed}});
    }

    // A post record for one part: its text, facets and embed, stamped now.
    static json make_record(const Host& host, json& creds, const std::string& text, const json& embed) {
        json record{{"$type", kCollection}, {"text", text}, {"createdAt", iso_now(host)}};
        const json facets = facets_for(text, resolve_mentions(host, creds, text));
        if (!facets.empty()) record["facets"] = facets;
        if (!embed.is_null()) record["embed"] = embed;
        return record;
    }

    struct Batch {
        std::vector<std::size_t> index;  // of each record in the request's posts
        std::vector<std::string> rkeys;
        std::vector<json> records;
    };

    // Writes every record of `batch` in one commit (applyWrites is all or
    // nothing) and fills in their results. When the server refuses the
    // commit as a whole, say because one record key is already taken by an
    // earlier attempt, each record is made on its own instead, so one post
    // does not hold back the others.
    static void write_batch(const Host& host, json& creds, const Batch& batch, json& results) {
        json writes = json::array();
        for (std::size_t k = 0; k < batch.records.size(); ++k) {
            writes.push_back({{"$type", "com.atproto.repo.applyWrites#create"},
                              {"collection", kCollection},
                              {"rkey", batch.rkeys[k]},
                              {"value", batch.records[k]}});
        }
        const json body{{"repo", creds["did"]}, {"writes", writes}};
        auto r = xrpc(host, creds, "com.atproto.repo.applyWrites", body);
        if (token_refused(r)) {
            if (auto again = login(host, creds, true); again.status != CLEARPOST_OK) {
                for (const std::size_t i : batch.index) results[i] = again.batch_entry();
                return;
            }
            r = xrpc(host, creds, "com.atproto.repo.applyWrites", body);
        }
        if (r.status == CLEARPOST_OK && r.http_status == 200) {
            const auto made = json::parse(r.body, nullptr, false);
            const json written = made.is_object() ? made.value("results", json::array()) : json::array();
            for (std::size_t k = 0; k < batch.index.size(); ++k) {
                const bool has_uri = written.is_array() && k < written.size() && written[k].is_object() &&
                                     written[k].contains("uri") && written[k]["uri"].is_string();
                results[batch.index[k]] =
                    has_uri ? json{{"remote_id", written[k]["uri"]}, {"remote_url", web_url(creds, written[k]["uri"])}}
                            : OpResult::error(CLEARPOST_ERR_IN_DOUBT, "the server accepted the posts but its answer was malformed")
                                  .batch_entry();
            }
            return;
        }
        if (r.status != CLEARPOST_OK || r.http_status == 429) {
            const auto failed = failure(r, host, "publishing").batch_entry();
            for (const std::size_t i : batch.index) results[i] = failed;
            return;
        }
        std::optional<json> down;  // a passing failure: the rest wait too
        for (std::size_t k = 0; k < batch.index.size(); ++k) {
            if (down) {
                results[batch.index[k]] = *down;
                continue;
            }
            auto one = create_or_find(host, creds, batch.rkeys[k], batch.records[k]);
            if (one.status == CLEARPOST_OK) {
                const std::string uri = one.body["uri"].get<std::string>();
                results[batch.index[k]] = {{"remote_id", uri}, {"remote_url", web_url(creds, uri)}};
                continue;
            }
            results[batch.index[k]] = one.batch_entry();
            if (one.status == CLEARPOST_ERR_TRANSIENT || one.status == CLEARPOST_ERR_RATE_LIMITED) down = results[batch.index[k]];
        }
    }

    // Creates the record under `rkey` and nothing else: putRecord with a
    // null swapRecord is create-only on the PDS (an existing key answers 400
    // InvalidSwap; createRecord would answer 500). When the key is taken, it
    // was our own earlier attempt: return that record instead.
    static OpResult create_or_find(const Host& host, json& creds, const std::string& rkey, const json& record) {
        const json body{{"repo", creds["did"]}, {"collection", kCollection}, {"rkey", rkey},
                        {"record", record}, {"swapRecord", nullptr}};
        auto r = xrpc(host, creds, "com.atproto.repo.putRecord", body);
        if (r.status == CLEARPOST_OK && (r.http_status == 401 || r.http_status == 400)) {
            const auto err = json::parse(r.body, nullptr, false);
            const std::string code = err.is_object() ? err.value("error", std::string()) : std::string();
            if (r.http_status == 401 || code == "ExpiredToken" || code == "InvalidToken") {
                auto again = login(host, creds, true);
                if (again.status != CLEARPOST_OK) return again;
                r = xrpc(host, creds, "com.atproto.repo.putRecord", body);
            }
        }
        if (r.status == CLEARPOST_OK && r.http_status == 200) {
            const auto made = json::parse(r.body, nullptr, false);
            if (made.is_object() && made.contains("uri") && made.contains("cid"))
                return OpResult::ok({{"uri", made["uri"]}, {"cid", made["cid"]}});
            return OpResult::error(CLEARPOST_ERR_IN_DOUBT, "the server accepted the post but its answer was malformed");
        }
        const bool taken = r.status == CLEARPOST_OK && r.http_status == 400 && r.body.find("InvalidSwap") != std::string::npos;
        if (taken || r.status != CLEARPOST_OK) {
            auto existing = get_record(host, creds, rkey);
            if (existing.status == CLEARPOST_OK && existing.http_status == 200) {
                const auto found = json::parse(existing.body, nullptr, false);
                if (found.is_object() && found.contains("uri") && found.contains("cid") && found.contains("value") &&
                    found["value"].value("text", std::string()) == record.value("text", std::string()))
                    return OpResult::ok({{"uri", found["uri"]}, {"cid", found["cid"]}});
                if (taken) {
                    return OpResult::error(CLEARPOST_ERR_PERMANENT,
                                           "another post already uses this post's record key " + rkey +
                                               "; cancel and reschedule the post");
                }
            }
        }
        if (r.status != CLEARPOST_OK) {
            // No answer and no record found: sending again under the same
            // record key is safe, but say whether the first one left.
            return OpResult::error(r.status == CLEARPOST_ERR_IN_DOUBT ? CLEARPOST_ERR_IN_DOUBT : CLEARPOST_ERR_TRANSIENT,
                                   "publishing: " + r.error);
        }
        return failure(r, host, "publishing");
    }

    // True when the PDS refused the session token (expired or revoked).
    static bool token_refused(const Host::Response& r) {
        if (r.status != CLEARPOST_OK) return false;
        if (r.http_status == 401) return true;
        if (r.http_status != 400) return false;
        const auto err = json::parse(r.body, nullptr, false);
        const std::string code = err.is_object() ? err.value("error", std::string()) : std::string();
        return code == "ExpiredToken" || code == "InvalidToken";
    }

    // com.atproto.repo.uploadBlob -> {"blob": <blob ref>}. Nothing is posted
    // yet, so a lost answer is only a passing failure.
    static OpResult upload_blob(const Host& host, json& creds, const std::string& bytes, const std::string& mime) {
        auto send = [&] {
            return host.http(authorised({{"method", "POST"},
                                         {"url", service(creds) + "/xrpc/com.atproto.repo.uploadBlob"},
                                         {"headers", {{"Content-Type", mime}}},
                                         {"body_base64", clearpost::sdk::base64_encode(bytes)},
                                         {"timeout_ms", 60000}},
                                        creds));
        };
        auto r = send();
        if (token_refused(r)) {
            auto again = login(host, creds, true);
            if (again.status != CLEARPOST_OK) return again;
            r = send();
        }
        if (r.status == CLEARPOST_OK && r.http_status == 200) {
            const auto body = json::parse(r.body, nullptr, false);
            if (body.is_object() && body.contains("blob") && body["blob"].is_object()) return OpResult::ok({{"blob", body["blob"]}});
            return OpResult::error(CLEARPOST_ERR_TRANSIENT, "uploading an image: the server's answer was malformed");
        }
        if (r.status != CLEARPOST_OK) return OpResult::error(CLEARPOST_ERR_TRANSIENT, "uploading an image: " + r.error);
        return failure(r, host, "uploading an image");
    }

    // Uploads the post's images -> {"images": [app.bsky.embed.images#image ...]}.
    static OpResult upload_images(const Host& host, json& creds, const json& media) {
        json images = json::array();
        if (!media.is_array()) return OpResult::ok({{"images", images}});
        for (std::size_t i = 0; i < media.size(); ++i) {
            const json& m = media[i];
            std::string bytes, why;
            if (!read_media_file(m.value("path", std::string()), kMaxImageBytes, "Bluesky", bytes, why))
                return OpResult::error(CLEARPOST_ERR_INVALID, "image " + std::to_string(i + 1) + ": " + why);
            auto blob = upload_blob(host, creds, bytes, m.value("mime", std::string("image/jpeg")));
            if (blob.status != CLEARPOST_OK) return blob;
            json item{{"image", blob.body["blob"]}, {"alt", m.value("alt", std::string())}};
            const int width = m.value("width", 0), height = m.value("height", 0);
            if (width > 0 && height > 0) item["aspectRatio"] = {{"width", width}, {"height", height}};
            images.push_back(std::move(item));
        }
        return OpResult::ok({{"images", images}});
    }

    // GET `url` for a link card, following a few redirects, within `deadline`
    // (host milliseconds). False with `why` on any failure.
    static bool fetch_for_card(const Host& host, std::string url, std::int64_t deadline, const char* accept,
                               Host::Response& out, std::string& final_url, std::string& why) {
        for (int hop = 0; hop <= kCardRedirects; ++hop) {
            const std::int64_t left = deadline - host.now_ms();
            if (left <= 0) {
                why = "it took too long";
                return false;
            }
            out = host.http({{"method", "GET"},
                             {"url", url},
                             {"headers", {{"Accept", accept}}},
                             {"timeout_ms", std::min<std::int64_t>(left, 8000)}});
            if (out.status != CLEARPOST_OK) {
                why = "fetching " + url + " failed: " + out.error;
                return false;
            }
            const int code = out.http_status;
            if (code == 301 || code == 302 || code == 303 || code == 307 || code == 308) {
                const auto location = out.headers.find("location");
                const std::string next = location == out.headers.end() ? "" : resolve_url(url, location->second);
                if (next.empty()) {
                    why = url + " redirects nowhere";
                    return false;
                }
                url = next;
                continue;
            }
            if (code != 200) {
                why = url + " answered HTTP " + std::to_string(code);
                return false;
            }
            final_url = url;
            return true;
        }
        why = "more than " + std::to_string(kCardRedirects) + " redirects";
        return false;
    }

    // An app.bsky.embed.external card for `url`: the page's title and
    // description, and its preview image as a thumb when it is an image
    // Bluesky takes. null with `why` when there is no card to make; a
    // missing thumb only leaves the thumb out.
    static json link_card(const Host& host, json& creds, const std::string& url, std::string& why) {
        if (is_reserved_example_host(url)) {
            why = "its host is reserved for examples";
            return nullptr;
        }
        const std::int64_t deadline = host.now_ms() + kCardBudgetMs;
        Host::Response page;
        std::string page_url;
        if (!fetch_for_card(host, url, deadline, "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1", page, page_url, why))
            return nullptr;
        const auto type = page.headers.find("content-type");
        if (type == page.headers.end() || ascii_lower(type->second).find("html") == std::string::npos) {
            why = "the link is not a web page";
            return nullptr;
        }
        const PageMeta meta = page_meta(std::string_view(page.body).substr(0, kCardPageBytes));
        if (meta.title.empty() && meta.description.empty()) {
            why = "the page has no title or description";
            return nullptr;
        }
        json external{{"uri", url}, {"title", clip(meta.title, 300)}, {"description", clip(meta.description, 1000)}};
        if (!meta.image.empty()) {
            std::string thumb_why, image_url_final;
            Host::Response image;
            const std::string image_url = resolve_url(page_url, meta.image);
            if (image_url.empty()) {
                thumb_why = "its address '" + meta.image + "' is not http(s)";
            } else if (fetch_for_card(host, image_url, deadline, "image/*", image, image_url_final, thumb_why)) {
                const std::string mime = sniff_image(image.body);
                if (mime.empty()) {
                    thumb_why = image_url + " is not a JPEG, PNG, WebP or GIF image";
                } else if (image.body.size() > kMaxImageBytes) {
                    thumb_why = image_url + " is " + with_commas(image.body.size()) + " bytes, over Bluesky's " +
                                with_commas(kMaxImageBytes);
                } else if (auto blob = upload_blob(host, creds, image.body, mime); blob.status == CLEARPOST_OK) {
                    external["thumb"] = blob.body["blob"];
                } else {
                    thumb_why = blob.body.value("/error/message"_json_pointer, std::string("the upload failed"));
                }
            }
            if (!external.contains("thumb"))
                host.log(CLEARPOST_LOG_WARN, "link card for " + url + " has no preview image: " + thumb_why);
        }
        return {{"$type", "app.bsky.embed.external"}, {"external", external}};
    }

    // @handle mentions resolved to DIDs; unresolvable handles stay plain text.
    static std::vector<std::pair<std::size_t, std::pair<std::size_t, std::string>>> resolve_mentions(
        const Host& host, const json& creds, const std::string& text) {
        std::vector<std::pair<std::size_t, std::pair<std::size_t, std::string>>> out;
        for (std::size_t i = 0; i < text.size(); ++i) {
            if (text[i] != '@' || (i > 0 && is_word_char(static_cast<unsigned char>(text[i - 1])))) continue;
            std::size_t end = i + 1;
            while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '.' ||
                                         text[end] == '-'))
                ++end;
            while (end > i + 1 && text[end - 1] == '.') --end;
            const std::string handle = text.substr(i + 1, end - i - 1);
            if (handle.find('.') == std::string::npos) continue;
            auto r = host.http({{"method", "GET"},
                                {"url", service(creds) + "/xrpc/com.atproto.identity.resolveHandle?handle=" + handle},
                                {"timeout_ms", 10000}});
            if (r.status != CLEARPOST_OK || r.http_status != 200) continue;
            const auto body = json::parse(r.body, nullptr, false);
            if (body.is_object() && body.contains("did")) out.push_back({i, {end, body["did"].get<std::string>()}});
            i = end - 1;
        }
        return out;
    }
};

}  // namespace

CLEARPOST_PUBLISHER(Bluesky)
