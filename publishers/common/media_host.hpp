// The media host: where a publisher puts a post's images so that a network
// which only takes images by URL (Instagram, Threads: Meta fetches them,
// developers.facebook.com/docs/instagram-platform/content-publishing) can
// fetch them. Configured in the account's credentials document as
// "media_host":
//   {"kind": "put", "upload_url": "https://dav.example.org/clearpost/",
//    "public_url": "https://media.example.org/clearpost/",
//    "authorization": "Bearer ..." (optional)}
//     an HTTP PUT (WebDAV) target; DELETE removes an object;
//   {"kind": "s3", "endpoint": "https://s3.REGION.amazonaws.com/BUCKET/",
//    "public_url": "...", "region": "...", "access_key": "...", "secret_key": "..."}
//     an S3-compatible bucket; the host's HTTP signs the request with AWS
//     Signature Version 4 (the request's "aws_sigv4" and "aws_credentials").
// Object names are the image's SHA-256 plus 16 random bytes, so nobody can
// guess where an image is before it is posted; objects are removed as soon
// as the network has them, or when publishing fails.
#pragma once

#include <random>

#include "web.hpp"

namespace clearpost::sdk::media_host {

struct Config {
    std::string kind;  // "put" or "s3"
    std::string upload_url;
    std::string public_url;
    std::string authorization;  // put: the Authorization header, when any
    std::string region;         // s3
    std::string access_key;     // s3
    std::string secret_key;     // s3
};

inline std::string with_slash(std::string url) {
    if (!url.empty() && url.back() != '/') url += '/';
    return url;
}

// The media host the credentials name; nullopt with `problem` empty when
// they name none, nullopt with `problem` set when it is not usable.
inline std::optional<Config> from_credentials(const json& creds, std::string& problem) {
    problem.clear();
    if (!creds.is_object() || !creds.contains("media_host") || creds["media_host"].is_null()) return std::nullopt;
    const json& m = creds["media_host"];
    Config c;
    c.kind = web::string_field(m, "kind");
    c.public_url = with_slash(web::string_field(m, "public_url"));
    if (c.kind == "put") {
        c.upload_url = with_slash(web::string_field(m, "upload_url"));
        c.authorization = web::string_field(m, "authorization");
    } else if (c.kind == "s3") {
        c.upload_url = with_slash(web::string_field(m, "endpoint"));
        c.region = web::string_field(m, "region");
        c.access_key = web::string_field(m, "access_key");
        c.secret_key = web::string_field(m, "secret_key");
        if (c.region.empty() || c.access_key.empty() || c.secret_key.empty())
            problem = "the S3 media host needs \"region\", \"access_key\" and \"secret_key\"";
    } else {
        problem = "the media host's \"kind\" must be \"put\" or \"s3\"";
    }
    if (problem.empty() && (c.upload_url.rfind("http", 0) != 0 || c.public_url.rfind("http", 0) != 0))
        problem = "the media host needs an http(s) upload address and \"public_url\"";
    if (!problem.empty()) return std::nullopt;
    return c;
}

// What the person configures, for messages that refuse a post with images.
inline std::string how_to_configure(const std::string& network) {
    std::string lower = network;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return network + " fetches images from a public web address, so an account that posts images needs a media host: "
                     "an admin sets one with clearpostctl account media-host " + lower +
           " HANDLE --kind put|s3 --upload-url URL --public-url URL (a WebDAV or HTTP PUT folder, or an S3 bucket)";
}

// The media host's secrets, for the host to redact.
inline std::vector<std::string> secrets(const Config& c) {
    std::vector<std::string> out;
    for (const auto* s : {&c.authorization, &c.access_key, &c.secret_key})
        if (!s->empty()) out.push_back(*s);
    return out;
}

inline std::string extension(const std::string& mime) {
    return mime == "image/png" ? ".png" : mime == "image/webp" ? ".webp" : mime == "image/gif" ? ".gif" : ".jpg";
}

// "<sha256>-<32 random hex digits>.jpg".
inline std::string object_name(const std::string& sha256, const std::string& mime) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::random_device random;
    std::string tail;
    for (int i = 0; i < 16; ++i) {
        const unsigned byte = random() & 0xFFU;
        tail += kHex[byte >> 4];
        tail += kHex[byte & 15U];
    }
    return sha256 + "-" + tail + extension(mime);
}

// The HTTP request that writes (PUT) or removes (DELETE) object `name`.
inline json request(const Config& c, const std::string& method, const std::string& name) {
    json r{{"method", method}, {"url", c.upload_url + name}, {"headers", json::object()}, {"timeout_ms", 60000},
           {"secrets", secrets(c)}};
    if (c.kind == "s3") {
        r["aws_sigv4"] = "aws:amz:" + c.region + ":s3";
        r["aws_credentials"] = c.access_key + ":" + c.secret_key;
    } else if (!c.authorization.empty()) {
        r["headers"]["Authorization"] = c.authorization;
    }
    return r;
}

// The images of one publish on the media host: each one put up by add(),
// all of them removed when this goes out of scope, whatever happened.
class Uploads {
public:
    Uploads(const Host& host, Config config) : m_host(host), m_config(std::move(config)) {}
    Uploads(const Uploads&) = delete;
    Uploads& operator=(const Uploads&) = delete;
    ~Uploads() { clear(); }

    // Puts `bytes` up; ok({"url": public address}). The media host's
    // refusal of the credentials is INVALID (a person fixes the settings);
    // anything else it answers is TRANSIENT.
    OpResult add(const std::string& bytes, const std::string& sha256, const std::string& mime, const std::string& which) {
        const std::string name = object_name(sha256, mime);
        json r = request(m_config, "PUT", name);
        r["headers"]["Content-Type"] = mime;
        r["body_base64"] = base64_encode(bytes);
        auto answer = m_host.http(r);
        if (answer.status != CLEARPOST_OK)
            return OpResult::error(CLEARPOST_ERR_TRANSIENT, "putting " + which + " on the media host: " + answer.error);
        if (answer.http_status == 401 || answer.http_status == 403) {
            return OpResult::error(CLEARPOST_ERR_INVALID, "the media host refused to store " + which + " (HTTP " +
                                                              std::to_string(answer.http_status) +
                                                              "); check the media host settings of the account");
        }
        if (answer.http_status < 200 || answer.http_status > 299)
            return OpResult::error(CLEARPOST_ERR_TRANSIENT, "putting " + which + " on the media host: HTTP " +
                                                                std::to_string(answer.http_status));
        m_names.push_back(name);
        return OpResult::ok({{"url", m_config.public_url + name}});
    }

    // Removes every object put up so far. A removal that fails is logged,
    // not an error: the post is what matters, and the name is unguessable.
    void clear() {
        for (const auto& name : m_names) {
            auto answer = m_host.http(request(m_config, "DELETE", name));
            if (answer.status != CLEARPOST_OK || (answer.http_status >= 300 && answer.http_status != 404))
                m_host.log(CLEARPOST_LOG_WARN, "could not remove " + name + " from the media host (" +
                                                   (answer.status != CLEARPOST_OK ? answer.error
                                                                                  : "HTTP " + std::to_string(answer.http_status)) +
                                                   "); remove it by hand");
        }
        m_names.clear();
    }

private:
    const Host& m_host;
    Config m_config;
    std::vector<std::string> m_names;
};

}  // namespace clearpost::sdk::media_host
