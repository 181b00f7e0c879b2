// Threads publisher: text, image and carousel posts through the Threads API
// (graph.threads.net). Texts over 500 characters (emoji counted as their
// UTF-8 bytes) or with more than 5 links become a reply chain, each part its
// own container. Images go to the account's media host first
// (media_host.hpp), since Threads takes them only by URL, and are removed
// once Threads has them. Every part is made through a container
// (meta_container.hpp) whose id is kept as a host note before the publish
// request, so a lost answer is settled without a second post.
//
// Credentials document: "access_token" (long-lived, 60 days), "expires_at",
// "issued_at" (unix seconds), "client_id", "client_secret" (the
// organisation's Meta app), "api_url" (absent: https://graph.threads.net),
// "threads_user_id" and "username" (looked up by authorize_complete),
// "media_host" (see media_host.hpp).
//
// Built only against the publisher SDK. API reference:
// developers.facebook.com/docs/threads (posts, posts/accessibility,
// posts/delete-posts, reply-management, insights (media and user
// insights), troubleshooting, overview, get-started/long-lived-tokens).

#include <clearpost/publisher.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "media_host.hpp"
#include "meta_container.hpp"

namespace {

using clearpost::sdk::Host;
using clearpost::sdk::json;
using clearpost::sdk::OpResult;
namespace graph = clearpost::sdk::graph;
namespace meta = clearpost::sdk::meta;
namespace media_host = clearpost::sdk::media_host;
namespace web = clearpost::sdk::web;

// rate_limits: 250 API-published posts per rolling 24 hours, a carousel
// counting once (overview); the plugin also reads threads_publishing_limit
// before publishing. oauth: the Threads Authorization Window matches the
// redirect URI exactly and documents no loopback ones (⚠), so a fixed port
// is declared for the organisation to register. Scopes beyond the three
// basic ones: threads_delete (delete-posts) and threads_read_replies (to
// find the reply chain a post made, for deleting it and for settling a
// lost answer on a reply).
constexpr const char* kCapabilities = R"({
  "network": "threads", "display_name": "Threads",
  "text": {"limit": 500, "counting": "threads", "max_links": 5},
  "media": {"max_images": 20, "max_bytes": 8388608, "alt_text": true, "max_alt_length": 1000,
            "types": ["image/jpeg", "image/png"], "needs_media_host": true},
  "threads": true, "native_scheduling": false, "metrics": true, "account_metrics": true,
  "idempotency": "lookup",
  "rate_limits": {"posts_per_day": 250},
  "oauth": {"authorize_url": "https://threads.net/oauth/authorize",
            "token_url": "https://graph.threads.net/oauth/access_token",
            "scopes": ["threads_basic", "threads_content_publish", "threads_manage_insights",
                       "threads_delete", "threads_read_replies"],
            "client_auth": "post", "redirect_port": 8454, "redirect_path": "/callback",
            "needs_client_secret": true, "extra_params": {"response_type": "code"}}
})";

constexpr const char* kDefaultRoot = "https://graph.threads.net";
constexpr const char* kVersion = "/v1.0";
constexpr std::size_t kPartLimit = 500;  // posts: "Text posts are limited to 500 characters"
constexpr std::size_t kMaxLinks = 5;     // text-attachments: at most 5 unique links per post since 22 Dec 2025
constexpr std::size_t kMaxImages = 20;   // carousel: up to 20 children
constexpr std::size_t kMaxImageBytes = 8 * 1024 * 1024;  // media specifications: 8 MB, JPEG and PNG
constexpr std::size_t kMaxAlt = 1000;    // ⚠ not documented by Meta; what third-party clients enforce
constexpr std::int64_t kClockSkewMs = 5 * 60 * 1000;

const clearpost::sdk::MediaLimits kMediaLimits{"Threads", kMaxImages, kMaxImageBytes, {"image/jpeg", "image/png"},
                                               "Threads takes JPEG and PNG images", kMaxAlt};

std::size_t utf8_length(char lead) {
    const auto c = static_cast<unsigned char>(lead);
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

char32_t decode(const std::string& s, std::size_t i, std::size_t n) {
    char32_t cp = n == 1 ? static_cast<unsigned char>(s[i]) : static_cast<unsigned char>(s[i]) & (0xFFU >> (n + 1));
    for (std::size_t k = 1; k < n && i + k < s.size(); ++k) cp = cp << 6 | (static_cast<unsigned char>(s[i + k]) & 0x3FU);
    return cp;
}

// Emoji, their joiners, variation selector 16, the keycap and tag
// characters (⚠ the blocks emoji live in, not Unicode's full emoji
// property: a few symbols in these blocks count more than Threads may).
bool is_emoji(char32_t cp) {
    return (cp >= 0x1F000 && cp <= 0x1FAFF) || (cp >= 0x2600 && cp <= 0x27BF) || (cp >= 0x2300 && cp <= 0x23FF) ||
           (cp >= 0x2B00 && cp <= 0x2BFF) || cp == 0x200D || cp == 0xFE0F || cp == 0x20E3 ||
           (cp >= 0xE0020 && cp <= 0xE007F);
}

// Threads' count: a character is 1, an emoji its UTF-8 bytes (posts: "Emojis
// are counted as the number of UTF-8 bytes"), so 🩺 counts 4.
std::size_t threads_length(const std::string& s) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t bytes = utf8_length(s[i]);
        n += is_emoji(decode(s, i, bytes)) ? bytes : 1;
        i += bytes;
    }
    return n;
}

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

// The link a word is, without trailing punctuation; "" when none.
std::string link_of(const std::string& word) {
    if (word.rfind("https://", 0) != 0 && word.rfind("http://", 0) != 0) return {};
    std::string link = word;
    while (!link.empty() && std::string(".,;:!?)\"'").find(link.back()) != std::string::npos) link.pop_back();
    return link;
}

// Splits a text into parts Threads takes: at most 500 by its count and 5
// unique links each, broken at white space (dropped there); a word longer
// than a part is cut between characters.
std::vector<std::string> split_thread(const std::string& text) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start < text.size() && is_space(text[start])) ++start;
    while (start < text.size()) {
        std::size_t i = start, weight = 0, end = start;
        std::set<std::string> links;
        while (i < text.size()) {
            std::size_t word_end = i;
            while (word_end < text.size() && !is_space(text[word_end])) ++word_end;
            const std::string word = text.substr(i, word_end - i);
            std::set<std::string> with = links;
            if (const auto link = link_of(word); !link.empty()) with.insert(link);
            if (weight + threads_length(word) > kPartLimit || with.size() > kMaxLinks) break;
            weight += threads_length(word);
            links = std::move(with);
            end = i = word_end;
            while (i < text.size() && is_space(text[i])) {
                ++weight;
                ++i;
            }
        }
        if (end == start) {  // one word longer than a part
            for (std::size_t w = 0; end < text.size() && !is_space(text[end]);) {
                const std::size_t bytes = utf8_length(text[end]);
                const std::size_t cost = is_emoji(decode(text, end, bytes)) ? bytes : 1;
                if (w + cost > kPartLimit) break;
                w += cost;
                end += bytes;
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

class Threads final : public clearpost::sdk::Publisher {
public:
    const char* capabilities() const override { return kCapabilities; }

    OpResult validate(const Host&, const json& request) override {
        json problems = json::array();
        for (auto& p : problems_of(request.value("post", json::object()), request.value("credentials", json::object())))
            problems.push_back(std::move(p));
        return OpResult::ok({{"problems", problems}});
    }

    // Who signed in must be the account's handle before the token is
    // exchanged for a long-lived one (meta::complete_sign_in).
    OpResult authorize_complete(const Host& host, const json& request) override {
        return meta::complete_sign_in(api_of(host, request.value("credentials", json::object())), request, "id",
                                      "th_exchange_token", "threads_user_id");
    }

    // GET /refresh_access_token?grant_type=th_refresh_token once the token
    // is 24 hours old (get-started/long-lived-tokens).
    OpResult refresh_credentials(const Host& host, const json& request) override {
        json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        return meta::refresh(api_of(host, creds), creds, "th_refresh_token", "/me");
    }

    OpResult publish(const Host& host, const json& request) override {
        const json post = request.value("post", json::object());
        const json creds = request.value("credentials", json::object());
        if (const auto problems = problems_of(post, creds); !problems.empty())
            return OpResult::error(CLEARPOST_ERR_INVALID, clearpost::sdk::join(problems, "; "));
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        const std::string key = request.value("idempotency_key", std::string());
        if (key.empty()) return OpResult::error(CLEARPOST_ERR_INVALID, "the host sent no idempotency key");
        auto api = api_of(host, creds);
        const json media = post.value("media", json::array());
        std::string problem;
        const auto host_config = media_host::from_credentials(creds, problem);
        if (host_config)
            for (auto& s : media_host::secrets(*host_config)) api.secrets.push_back(s);
        if (auto quota = meta::check_quota(api, flow_of(creds, 0)); quota.status != CLEARPOST_OK) return quota;

        const auto parts = split_thread(web::string_field(post, "text"));
        std::optional<media_host::Uploads> uploads;  // removed when this publish ends, whatever happened
        if (host_config) uploads.emplace(host, *host_config);
        std::vector<std::string> ids;
        for (std::size_t i = 0; i < parts.size(); ++i) {
            const auto flow = flow_of(creds, i);
            const std::string what = parts.size() > 1 ? "part " + std::to_string(i + 1) + " of " + std::to_string(parts.size())
                                                      : std::string("the post");
            auto make = [&]() -> OpResult {
                if (i > 0) {
                    return meta::create_container(
                        api, flow, {{"media_type", "TEXT"}, {"text", parts[i]}, {"reply_to_id", ids.back()}}, what);
                }
                if (media.empty()) return meta::create_container(api, flow, {{"media_type", "TEXT"}, {"text", parts[0]}}, what);
                std::vector<std::string> children;
                for (std::size_t m = 0; m < media.size(); ++m) {
                    const std::string which = "image " + std::to_string(m + 1);
                    std::string bytes, why;
                    if (!clearpost::sdk::read_media_file(media[m].value("path", std::string()), kMaxImageBytes, "Threads",
                                                         bytes, why))
                        return OpResult::error(CLEARPOST_ERR_INVALID, which + ": " + why);
                    auto put = uploads->add(bytes, media[m].value("sha256", std::string()),
                                            media[m].value("mime", std::string("image/jpeg")), which);
                    if (put.status != CLEARPOST_OK) return put;
                    web::Fields fields{{"media_type", "IMAGE"}, {"image_url", put.body["url"]}};
                    // accessibility: alt_text on image containers, carousel items included.
                    if (const auto alt = web::string_field(media[m], "alt"); !alt.empty()) fields.emplace_back("alt_text", alt);
                    if (media.size() == 1) {
                        fields.emplace_back("text", parts[0]);
                        return meta::create_container(api, flow, fields, what);
                    }
                    fields.emplace_back("is_carousel_item", "true");
                    auto child = meta::create_container(api, flow, fields, which);
                    if (child.status != CLEARPOST_OK) return child;
                    auto ready = meta::wait_ready(api, flow, child.body["id"], which);
                    if (ready.status != CLEARPOST_OK) return ready;
                    children.push_back(child.body["id"]);
                }
                return meta::create_container(api, flow,
                                              {{"media_type", "CAROUSEL"}, {"children", clearpost::sdk::join(children, ",")},
                                               {"text", parts[0]}},
                                              what);
            };
            auto done = meta::publish_once(api, flow, note_key(key, i), parts[i], since_ms(request), what, make);
            if (done.status != CLEARPOST_OK) {
                // A part after the first leaves the thread visible but short:
                // the notes let a retry with the same key complete it.
                if (i > 0 && (done.status == CLEARPOST_ERR_PERMANENT || done.status == CLEARPOST_ERR_INVALID))
                    done.body["error"]["message"] = done.body["error"]["message"].get<std::string>() + "; the first " +
                                                    std::to_string(i) + " part(s) are live";
                return done;
            }
            ids.push_back(done.body["media_id"]);
        }
        for (std::size_t i = 0; i < parts.size(); ++i) meta::forget_note(host, note_key(key, i));
        return OpResult::ok({{"remote_id", ids[0]}, {"remote_url", meta::permalink(api, ids[0])}, {"parts", parts.size()}});
    }

    // Found when every part of the post is published, by the container
    // noted for it; a chain found in part is {"found": false}, and the
    // host's next publish with the same key completes it from the notes.
    OpResult lookup(const Host& host, const json& request) override {
        const json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        if (!host.keeps_notes())
            return OpResult::error(CLEARPOST_ERR_PERMANENT, "this Clearpost keeps no container notes, so it cannot tell "
                                                            "whether the post went out; check the Threads account");
        const auto api = api_of(host, creds);
        const std::string key = request.value("idempotency_key", std::string());
        const auto parts = split_thread(request.value("/post/text"_json_pointer, std::string()));
        std::vector<std::string> ids;
        for (std::size_t i = 0; i < parts.size(); ++i) {
            auto s = meta::settle(api, flow_of(creds, i), note_key(key, i), parts[i], since_ms(request));
            if (s.status != CLEARPOST_OK) return s;
            if (!s.body.contains("media_id")) return OpResult::ok({{"found", false}});
            ids.push_back(s.body["media_id"]);
        }
        for (std::size_t i = 0; i < parts.size(); ++i) meta::forget_note(host, note_key(key, i));
        return OpResult::ok({{"found", true}, {"remote_id", ids[0]}, {"remote_url", meta::permalink(api, ids[0])}});
    }

    // DELETE /{threads-media-id} (posts/delete-posts) for the post and the
    // replies of the same account that continue its chain (the parts
    // Clearpost made, found with GET /{id}/replies), last part first. A post
    // already gone (Graph error 100) counts as deleted.
    OpResult remove(const Host& host, const json& request) override {
        const json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        const auto api = api_of(host, creds);
        const std::string username = web::string_field(creds, "username");
        std::vector<std::string> chain{request.value("remote_id", std::string())};
        if (chain[0].empty()) return OpResult::error(CLEARPOST_ERR_INVALID, "no Threads post id to delete");
        for (bool grew = true; grew;) {
            grew = false;
            auto r = api.get("/" + chain.back() + "/replies", {{"fields", "id,username,timestamp"}});
            if (r.status == CLEARPOST_OK && r.http_status == 400 && graph::parse_error(r.body).code == 100) break;
            if (!meta::answered(r)) return graph::failure(r, "reading the post's replies", "Threads");
            const json replies = meta::body_of(r).value("data", json::array());
            for (const auto& reply : replies.is_array() ? replies : json::array()) {
                if (web::string_field(reply, "username") != username) continue;
                chain.push_back(web::string_field(reply, "id"));
                grew = true;
                break;
            }
        }
        for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
            auto r = api.call("DELETE", "/" + *it, {});
            if (r.status == CLEARPOST_OK && r.http_status == 400 && graph::parse_error(r.body).code == 100) continue;
            if (!meta::answered(r)) return graph::failure(r, "deleting Threads post " + *it, "Threads");
        }
        return OpResult::ok();
    }

    // GET /{media-id}/insights (insights): views, likes, replies, reposts,
    // quotes, shares, as Threads names them.
    OpResult fetch_metrics(const Host& host, const json& request) override {
        const json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        return meta::fetch_insights(api_of(host, creds), request.value("remote_ids", json::array()),
                                    "views,likes,replies,reposts,quotes,shares",
                                    {{"views", "views"}, {"likes", "likes"}, {"replies", "replies"},
                                     {"reposts", "reposts"}, {"quotes", "quotes"}, {"shares", "shares"}});
    }

    // The account's followers from its user insights: GET
    // /{threads-user-id}/threads_insights?metric=followers_count (insights,
    // User Insights) -> data[] with the total in total_value.value. Only
    // followers: Threads reports no following or posts count there.
    OpResult fetch_account_metrics(const Host& host, const json& request) override {
        const json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        const auto api = api_of(host, creds);
        auto r = api.get("/" + web::string_field(creds, "threads_user_id") + "/threads_insights",
                         {{"metric", "followers_count"}});
        if (!meta::answered(r)) return graph::failure(r, "reading the account's follower count", api.network);
        json metrics = json::object();
        const json data = meta::body_of(r).value("data", json::array());
        for (const auto& d : data.is_array() ? data : json::array())
            if (web::string_field(d, "name") == "followers_count")
                if (const json v = meta::insight_value(d); v.is_number_integer()) metrics["followers"] = v;
        return OpResult::ok({{"metrics", metrics}});
    }

private:
    static std::string note_key(const std::string& idempotency_key, std::size_t part) {
        return "threads-container-" + idempotency_key + "-part-" + std::to_string(part + 1);
    }

    static std::int64_t since_ms(const json& request) {
        return request.value("scheduled_at_ms", std::int64_t{0}) - kClockSkewMs;
    }

    static std::vector<std::string> problems_of(const json& post, const json& creds) {
        std::vector<std::string> out = clearpost::sdk::media_problems(post, kMediaLimits);
        const json media = post.is_object() ? post.value("media", json::array()) : json::array();
        if (media.is_array() && !media.empty()) {
            std::string problem;
            if (!media_host::from_credentials(creds, problem))
                out.push_back(problem.empty() ? media_host::how_to_configure("Threads") : problem);
        } else if (web::string_field(post, "text").find_first_not_of(" \n\t\r") == std::string::npos) {
            out.emplace_back("the post has neither text nor images");
        }
        return out;
    }

    static OpResult check_credentials(const json& creds) {
        if (web::string_field(creds, "access_token").empty() || web::string_field(creds, "threads_user_id").empty())
            return OpResult::error(CLEARPOST_ERR_AUTH, "no Threads token or account id is stored for this account; reconnect it");
        return OpResult::ok();
    }

    static meta::Api api_of(const Host& host, const json& creds) {
        return meta::api_for(host, creds, "Threads", kDefaultRoot, kVersion);
    }

    // The container status is "status" with "error_message" (troubleshooting);
    // a published first part is listed under /threads, a reply under /replies.
    static meta::Flow flow_of(const json& creds, std::size_t part) {
        return meta::Flow{web::string_field(creds, "threads_user_id"), "threads", "threads_publish", "status", "error_message",
                          "threads_publishing_limit", "text", part == 0 ? "threads" : "replies"};
    }
};

}  // namespace

CLEARPOST_PUBLISHER(Threads)
