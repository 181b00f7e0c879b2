// Bluesky publisher: app-password sessions against the account's PDS, posts
// with facets at UTF-8 byte offsets, long texts as threads, and record keys
// derived from the host's idempotency key, so a retry after a crash finds
// the post it already made instead of making a second one.
//
// Built only against the publisher SDK (no Clearpost core), as any
// third-party plugin would be.

#include <clearpost/publisher.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

namespace {

using clearpost::sdk::Host;
using clearpost::sdk::json;
using clearpost::sdk::OpResult;

constexpr const char* kCapabilities = R"({
  "network": "bluesky", "display_name": "Bluesky",
  "text": {"limit": 300, "counting": "graphemes"},
  "media": {"max_images": 4, "max_bytes": 1000000, "alt_text": true},
  "threads": true, "native_scheduling": false, "metrics": true,
  "idempotency": "client_record_key"
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

class Bluesky final : public clearpost::sdk::Publisher {
public:
    const char* capabilities() const override { return kCapabilities; }

    OpResult refresh_credentials(const Host& host, const json& request) override {
        json creds = request.value("credentials", json::object());
        return login(host, creds, /*force=*/true);
    }

    OpResult publish(const Host& host, const json& request) override {
        json creds = request.value("credentials", json::object());
        auto session = login(host, creds, false);
        if (session.status != CLEARPOST_OK) return session;
        creds = session.body["credentials"];
        const std::string text = request["post"].value("text", std::string());
        const std::string key = request.value("idempotency_key", std::string());
        if (key.empty()) return OpResult::error(CLEARPOST_ERR_INVALID, "the host sent no idempotency key");
        const std::int64_t scheduled_ms = request.value("scheduled_at_ms", std::int64_t{0});
        const auto parts = split_thread(text);
        json root, parent;
        for (std::size_t i = 0; i < parts.size(); ++i) {
            json record{{"$type", kCollection}, {"text", parts[i]}, {"createdAt", iso_now(host)}};
            auto mentions = resolve_mentions(host, creds, parts[i]);
            const json facets = facets_for(parts[i], mentions);
            if (!facets.empty()) record["facets"] = facets;
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

private:
    static std::string service(const json& creds) { return creds.value("service", std::string("https://bsky.social")); }

    static std::string web_url(const json& creds, const std::string& uri) {
        const auto slash = uri.rfind('/');
        return "https://bsky.app/profile/" + creds.value("handle", creds.value("identifier", std::string())) +
               "/post/" + uri.substr(slash + 1);
    }

    static Host::Response xrpc(const Host& host, const json& creds, const std::string& method, const json& body) {
        return host.http({{"method", "POST"},
                          {"url", service(creds) + "/xrpc/" + method},
                          {"headers",
                           {{"Content-Type", "application/json"},
                            {"Authorization", "Bearer " + creds.value("access_jwt", std::string())}}},
                          {"body", body.dump()},
                          {"timeout_ms", 20000}});
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

    static OpResult adopt(json& creds, const Host::Response& r) {
        const auto body = json::parse(r.body, nullptr, false);
        if (!body.is_object() || !body.contains("accessJwt") || !body.contains("did")) {
            return OpResult::error(CLEARPOST_ERR_TRANSIENT, "the server's session answer was malformed");
        }
        creds["access_jwt"] = body["accessJwt"];
        creds["refresh_jwt"] = body.value("refreshJwt", std::string());
        creds["did"] = body["did"];
        if (body.contains("handle")) creds["handle"] = body["handle"];
        return OpResult::ok({{"credentials", creds}});
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
