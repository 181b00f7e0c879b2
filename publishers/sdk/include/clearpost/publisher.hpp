// Header-only C++ helper over the C ABI in publisher.h. A plugin derives from
// clearpost::sdk::Publisher, overrides the operations it supports and names
// its class once with CLEARPOST_PUBLISHER(Class). The helper turns JSON
// strings into nlohmann::json, catches every exception at the boundary and
// frees memory on the right side.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "clearpost/publisher.h"

namespace clearpost::sdk {

using json = nlohmann::json;

// The outcome of an operation: a status and the JSON body that goes with it.
struct OpResult {
    ClearpostStatus status = CLEARPOST_OK;
    json body = json::object();

    static OpResult ok(json result = json::object()) { return {CLEARPOST_OK, std::move(result)}; }
    static OpResult error(ClearpostStatus status, std::string message, std::int64_t retry_after_ms = 0) {
        return {status, json{{"error", {{"message", std::move(message)}, {"retry_after_ms", retry_after_ms}}}}};
    }
    // This result as one entry of publish_batch's "results" (credentials
    // travel once, at the top of the batch answer).
    json batch_entry() const {
        json entry = body;
        if (status == CLEARPOST_OK) {
            entry.erase("credentials");
        } else {
            entry = {{"error", body.value("error", json::object())}};
            entry["error"]["status"] = status;
        }
        return entry;
    }
};

inline std::string base64_encode(std::string_view bytes) {
    static constexpr char kTable[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const unsigned v = static_cast<unsigned char>(bytes[i]) << 16 |
                           static_cast<unsigned char>(bytes[i + 1]) << 8 | static_cast<unsigned char>(bytes[i + 2]);
        out += {kTable[v >> 18], kTable[v >> 12 & 63], kTable[v >> 6 & 63], kTable[v & 63]};
    }
    if (i < bytes.size()) {
        unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
        if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        out += kTable[v >> 18];
        out += kTable[v >> 12 & 63];
        out += i + 1 < bytes.size() ? kTable[v >> 6 & 63] : '=';
        out += '=';
    }
    return out;
}

// Returns false on malformed input.
inline bool base64_decode(std::string_view text, std::string& out) {
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == '/') return 63;
        return -1;
    };
    out.clear();
    unsigned buffer = 0;
    int bits = 0;
    for (char c : text) {
        if (c == '=') break;
        const int v = value(c);
        if (v < 0) return false;
        buffer = buffer << 6 | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>(buffer >> bits & 0xFF));
        }
    }
    return true;
}

// Small helpers every publisher needs for its messages and media.

// 1000000 -> "1,000,000": limits in messages people read.
inline std::string with_commas(std::size_t n) {
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

inline std::string join(const std::vector<std::string>& items, const char* separator) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
    return out;
}

// Reads a media file the host named, refusing one over `max_bytes` (the
// network's limit, named in the message); false with `why` when it cannot.
inline bool read_media_file(const std::string& path, std::size_t max_bytes, const std::string& network,
                            std::string& bytes, std::string& why) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        why = "cannot read " + path;
        return false;
    }
    bytes.assign(std::istreambuf_iterator<char>(in), {});
    if (in.bad()) {
        why = "reading " + path + " failed";
        return false;
    }
    if (bytes.size() > max_bytes) {
        why = path + " is " + with_commas(bytes.size()) + " bytes and " + network + " takes at most " + with_commas(max_bytes);
        return false;
    }
    return true;
}

// What a network accepts as a post's images, for media_problems().
struct MediaLimits {
    std::string network;            // "Bluesky", in messages
    std::size_t max_images = 4;
    std::size_t max_bytes = 0;      // per image, after the host stripped its metadata
    std::vector<std::string> types; // MIME types the publisher sends
    std::string types_words;        // "Bluesky takes JPEG, PNG and WebP images"
    std::size_t max_alt = 0;        // code points of alt text; 0: no limit
};

// Why the post's images (the host's "media" list, each with "path", "mime",
// "bytes" and "alt") cannot go to the network, in words for people; empty
// when they can.
inline std::vector<std::string> media_problems(const json& post, const MediaLimits& limits) {
    std::vector<std::string> out;
    const json media = post.is_object() ? post.value("media", json::array()) : json::array();
    if (!media.is_array()) return {"the post's image list is malformed"};
    if (media.size() > limits.max_images) {
        out.push_back("the post has " + std::to_string(media.size()) + " images and " + limits.network +
                      " takes at most " + std::to_string(limits.max_images) + " per post; remove " +
                      std::to_string(media.size() - limits.max_images));
    }
    for (std::size_t i = 0; i < media.size(); ++i) {
        const json& m = media[i];
        const std::string which = "image " + std::to_string(i + 1);
        if (!m.is_object() || !m.contains("path") || !m["path"].is_string()) {
            out.push_back(which + " names no file");
            continue;
        }
        const std::string mime = m.value("mime", std::string());
        if (std::find(limits.types.begin(), limits.types.end(), mime) == limits.types.end())
            out.push_back(which + " is " + (mime.empty() ? "of no known type" : mime) + "; " + limits.types_words);
        const std::size_t bytes = m.contains("bytes") && m["bytes"].is_number_unsigned() ? m["bytes"].get<std::size_t>() : 0;
        if (bytes > limits.max_bytes) {
            out.push_back(which + " is " + with_commas(bytes) + " bytes after its metadata was stripped and " +
                          limits.network + " takes at most " + with_commas(limits.max_bytes) +
                          " bytes per image; export it smaller and attach it again");
        }
        const std::string alt = m.contains("alt") && m["alt"].is_string() ? m["alt"].get<std::string>() : "";
        const auto alt_length = static_cast<std::size_t>(
            std::count_if(alt.begin(), alt.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U; }));
        if (limits.max_alt > 0 && alt_length > limits.max_alt) {
            out.push_back(which + "'s alt text is " + std::to_string(alt_length) + " characters and " + limits.network +
                          " takes at most " + with_commas(limits.max_alt) + "; shorten it");
        }
    }
    return out;
}

// The host's services, valid for the duration of one operation.
class Host {
public:
    explicit Host(const ClearpostHostV1* host) : m_host(host) {}

    struct Response {
        ClearpostStatus status = CLEARPOST_ERR_TRANSIENT;  // OK when an HTTP response arrived
        int http_status = 0;
        std::map<std::string, std::string> headers;  // lower-case names
        std::string body;
        std::string error;  // when status is not OK
    };

    // `request` as documented on ClearpostHostV1::http.
    Response http(const json& request) const {
        Response r;
        char* raw = nullptr;
        r.status = static_cast<ClearpostStatus>(m_host->http(m_host->context, request.dump().c_str(), &raw));
        const json reply = raw ? json::parse(raw, nullptr, false) : json();
        if (raw) m_host->free_string(m_host->context, raw);
        if (!reply.is_object()) {
            r.status = CLEARPOST_ERR_INTERNAL;
            r.error = "the host answered with malformed JSON";
            return r;
        }
        if (r.status != CLEARPOST_OK) {
            r.error = reply.value("/error/message"_json_pointer, std::string("no response"));
            return r;
        }
        r.http_status = reply.value("status", 0);
        if (reply.contains("headers") && reply["headers"].is_object())
            for (const auto& [k, v] : reply["headers"].items())
                if (v.is_string()) r.headers[k] = v.get<std::string>();
        if (reply.contains("body_base64")) {
            base64_decode(reply["body_base64"].get<std::string>(), r.body);
        } else {
            r.body = reply.value("body", std::string());
        }
        return r;
    }

    std::int64_t now_ms() const { return m_host->now_ms(m_host->context); }

    // Durable notes about one post (ABI 1.2; see ClearpostHostV1::note_put).
    // An older host keeps none: note_put then fails and note_get finds nothing.
    bool keeps_notes() const {
        return m_host->struct_size >= offsetof(ClearpostHostV1, note_get) + sizeof(m_host->note_get) && m_host->note_put &&
               m_host->note_get;
    }
    ClearpostStatus note_put(const std::string& key, const std::optional<std::string>& value) const {
        if (!keeps_notes()) return CLEARPOST_ERR_UNSUPPORTED;
        return static_cast<ClearpostStatus>(m_host->note_put(m_host->context, key.c_str(), value ? value->c_str() : nullptr));
    }
    std::optional<std::string> note_get(const std::string& key) const {
        if (!keeps_notes()) return std::nullopt;
        char* raw = nullptr;
        if (m_host->note_get(m_host->context, key.c_str(), &raw) != CLEARPOST_OK || !raw) return std::nullopt;
        std::string value(raw);
        m_host->free_string(m_host->context, raw);
        return value;
    }
    void log(ClearpostLogLevel level, const std::string& message) const {
        m_host->log(m_host->context, level, message.c_str());
    }

private:
    const ClearpostHostV1* m_host;
};

class Publisher {
public:
    virtual ~Publisher() = default;
    virtual const char* capabilities() const = 0;

    virtual OpResult authorize_begin(const Host&, const json&) { return unsupported("authorize_begin"); }
    virtual OpResult authorize_complete(const Host&, const json&) { return unsupported("authorize_complete"); }
    virtual OpResult refresh_credentials(const Host&, const json&) { return unsupported("refresh_credentials"); }
    virtual OpResult validate(const Host&, const json&) { return OpResult::ok({{"problems", json::array()}}); }
    virtual OpResult publish(const Host&, const json&) = 0;
    virtual OpResult lookup(const Host&, const json&) { return unsupported("lookup"); }
    virtual OpResult remove(const Host&, const json&) { return unsupported("remove"); }
    virtual OpResult fetch_metrics(const Host&, const json&) { return unsupported("fetch_metrics"); }
    virtual OpResult fetch_account_metrics(const Host&, const json&) { return unsupported("fetch_account_metrics"); }
    // A network that writes many posts in one request overrides this, sets
    // `static constexpr bool kPublishBatch = true;` in its class and says
    // "publish_batch_max" in its capabilities.
    virtual OpResult publish_batch(const Host&, const json&) { return unsupported("publish_batch"); }
    static constexpr bool kPublishBatch = false;

protected:
    static OpResult unsupported(const char* what) {
        return OpResult::error(CLEARPOST_ERR_UNSUPPORTED, std::string(what) + " is not supported by this publisher");
    }
};

namespace detail {

inline char* duplicate(const std::string& s) {
    auto* out = static_cast<char*>(std::malloc(s.size() + 1));
    if (out) std::memcpy(out, s.c_str(), s.size() + 1);
    return out;
}

inline void free_string(char* text) { std::free(text); }

template <typename P>
P& instance() {
    static P plugin;  // constructed on first use, not at load time
    return plugin;
}

template <typename P, OpResult (Publisher::*Method)(const Host&, const json&)>
int trampoline(const ClearpostHostV1* host, const char* request, char** result) noexcept {
    OpResult r;
    try {
        if (!host || !result) return CLEARPOST_ERR_INVALID;
        const json parsed = json::parse(request ? request : "{}", nullptr, false);
        if (parsed.is_discarded() || !parsed.is_object()) {
            r = OpResult::error(CLEARPOST_ERR_INVALID, "the request is not a JSON object");
        } else {
            Host h(host);
            r = (instance<P>().*Method)(h, parsed);
        }
    } catch (const std::exception& e) {
        r = OpResult::error(CLEARPOST_ERR_INTERNAL, std::string("publisher error: ") + e.what());
    } catch (...) {
        r = OpResult::error(CLEARPOST_ERR_INTERNAL, "publisher error");
    }
    try {
        *result = duplicate(r.body.dump(-1, ' ', false, json::error_handler_t::replace));
    } catch (...) {
        *result = nullptr;
        return CLEARPOST_ERR_INTERNAL;
    }
    return r.status;
}

template <typename P>
const char* capabilities() noexcept {
    try {
        return instance<P>().capabilities();
    } catch (...) {
        return "{}";
    }
}

template <typename P>
const ClearpostPublisherV1* table() noexcept {
    static const ClearpostPublisherV1 t{
        sizeof(ClearpostPublisherV1),
        CLEARPOST_PUBLISHER_ABI_MAJOR,
        CLEARPOST_PUBLISHER_ABI_MINOR,
        &capabilities<P>,
        &trampoline<P, &Publisher::authorize_begin>,
        &trampoline<P, &Publisher::authorize_complete>,
        &trampoline<P, &Publisher::refresh_credentials>,
        &trampoline<P, &Publisher::validate>,
        &trampoline<P, &Publisher::publish>,
        &trampoline<P, &Publisher::lookup>,
        &trampoline<P, &Publisher::remove>,
        &trampoline<P, &Publisher::fetch_metrics>,
        &free_string,
        P::kPublishBatch ? &trampoline<P, &Publisher::publish_batch> : nullptr,
        &trampoline<P, &Publisher::fetch_account_metrics>,
    };
    return &t;
}

}  // namespace detail
}  // namespace clearpost::sdk

// Exports the entry point for publisher class `Class`.
#define CLEARPOST_PUBLISHER(Class)                                                                  \
    extern "C" CLEARPOST_PUBLISHER_EXPORT const ClearpostPublisherV1* clearpost_publisher_entry(   \
        uint32_t host_abi_major) {                                                                  \
        if (host_abi_major != CLEARPOST_PUBLISHER_ABI_MAJOR) return nullptr;                        \
        return ::clearpost::sdk::detail::table<Class>();                                            \
    }
