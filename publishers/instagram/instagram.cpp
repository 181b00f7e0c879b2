// Instagram publisher: image posts (one image, or a carousel of 2 to 10) on
// a professional account through the Instagram API with Instagram Login
// (graph.instagram.com). Instagram takes images only by URL, so they go to
// the account's media host first (media_host.hpp) and are removed once
// Instagram has them; posts are made through containers (meta_container.hpp),
// the container id kept as a host note before the publish request so a lost
// answer is settled without a second post.
//
// Credentials document: "access_token" (long-lived, 60 days), "expires_at",
// "issued_at" (unix seconds), "client_id", "client_secret" (the
// organisation's Meta app), "api_url" (absent: https://graph.instagram.com),
// "ig_user_id" and "username" (looked up by authorize_complete),
// "media_host" (see media_host.hpp).
//
// Built only against the publisher SDK. API reference:
// developers.facebook.com/docs/instagram-platform (content-publishing,
// instagram-graph-api/reference/ig-user/media, .../media_publish,
// .../content_publishing_limit, .../ig-container, .../ig-user (the
// account's counts), reference/access_token, reference/refresh_access_token,
// reference/instagram-media/insights).

#include <clearpost/publisher.hpp>

#include <algorithm>
#include <cctype>
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

// rate_limits: 100 API-published posts per rolling 24 hours is what current
// pages say (⚠ older official copies said 25, the reference page's example
// answer shows 50); the plugin reads the real figure before every publish
// from content_publishing_limit, so this budget only spares requests.
// oauth: Instagram matches redirect URIs exactly and does not document
// loopback ones (⚠), so a fixed port is declared for the organisation to
// register: http://127.0.0.1:8453/callback.
constexpr const char* kCapabilities = R"({
  "network": "instagram", "display_name": "Instagram",
  "text": {"limit": 2200, "counting": "code_points", "max_hashtags": 30, "needs_media": true},
  "media": {"min_images": 1, "max_images": 10, "max_bytes": 8388608, "alt_text": true,
            "types": ["image/jpeg"], "needs_media_host": true},
  "threads": false, "native_scheduling": false, "metrics": true, "account_metrics": true,
  "idempotency": "lookup",
  "rate_limits": {"posts_per_day": 100},
  "oauth": {"authorize_url": "https://www.instagram.com/oauth/authorize",
            "token_url": "https://api.instagram.com/oauth/access_token",
            "scopes": ["instagram_business_basic", "instagram_business_content_publish",
                       "instagram_business_manage_insights"],
            "client_auth": "post", "redirect_port": 8453, "redirect_path": "/callback",
            "needs_client_secret": true, "extra_params": {"response_type": "code"}}
})";

constexpr const char* kDefaultRoot = "https://graph.instagram.com";
constexpr const char* kVersion = "/v23.0";
constexpr std::size_t kCaptionLimit = 2200;  // Meta's media requirements
// ⚠ 30 per third-party pages (a 2026 one says 5); Instagram refuses the
// container when it disagrees, and that refusal reaches the person as is.
constexpr std::size_t kMaxHashtags = 30;
constexpr std::size_t kMaxImages = 10;                // carousel children
constexpr std::size_t kMaxImageBytes = 8 * 1024 * 1024;  // ⚠ 8 MB, JPEG only (older official copy)
constexpr std::int64_t kClockSkewMs = 5 * 60 * 1000;

const clearpost::sdk::MediaLimits kMediaLimits{"Instagram", kMaxImages, kMaxImageBytes, {"image/jpeg"},
                                               "Instagram takes JPEG images only; export the image as JPEG",
                                               0};  // no alt text limit is documented

std::size_t code_points(const std::string& s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U; }));
}

// #word at the start or after white space.
std::size_t hashtags(const std::string& s) {
    std::size_t n = 0;
    for (std::size_t i = 0; i + 1 < s.size(); ++i) {
        const unsigned char next = static_cast<unsigned char>(s[i + 1]);
        if (s[i] == '#' && (i == 0 || std::isspace(static_cast<unsigned char>(s[i - 1]))) &&
            (std::isalnum(next) || next == '_' || next >= 0x80))
            ++n;
    }
    return n;
}

class Instagram final : public clearpost::sdk::Publisher {
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
        return meta::complete_sign_in(api_of(host, request.value("credentials", json::object())), request, "user_id",
                                      "ig_exchange_token", "ig_user_id");
    }

    // GET /refresh_access_token?grant_type=ig_refresh_token once the token
    // is 24 hours old (developers.facebook.com/docs/instagram-platform/reference/refresh_access_token).
    OpResult refresh_credentials(const Host& host, const json& request) override {
        json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        return meta::refresh(api_of(host, creds), creds, "ig_refresh_token", "/me");
    }

    OpResult publish(const Host& host, const json& request) override {
        const json post = request.value("post", json::object());
        const json creds = request.value("credentials", json::object());
        if (const auto problems = problems_of(post, creds); !problems.empty())
            return OpResult::error(CLEARPOST_ERR_INVALID, clearpost::sdk::join(problems, "; "));
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        const std::string key = request.value("idempotency_key", std::string());
        if (key.empty()) return OpResult::error(CLEARPOST_ERR_INVALID, "the host sent no idempotency key");
        std::string problem;
        const auto host_config = media_host::from_credentials(creds, problem);
        auto api = api_of(host, creds);
        for (auto& s : media_host::secrets(*host_config)) api.secrets.push_back(s);
        const auto flow = flow_of(creds);
        if (auto quota = meta::check_quota(api, flow); quota.status != CLEARPOST_OK) return quota;

        const std::string caption = web::string_field(post, "text");
        const json media = post["media"];
        media_host::Uploads uploads(host, *host_config);  // removed when this publish ends, whatever happened
        auto make = [&]() -> OpResult {
            std::vector<std::string> children;
            for (std::size_t i = 0; i < media.size(); ++i) {
                const std::string which = "image " + std::to_string(i + 1);
                std::string bytes, why;
                if (!clearpost::sdk::read_media_file(media[i].value("path", std::string()), kMaxImageBytes, "Instagram",
                                                     bytes, why))
                    return OpResult::error(CLEARPOST_ERR_INVALID, which + ": " + why);
                auto put = uploads.add(bytes, media[i].value("sha256", std::string()), "image/jpeg", which);
                if (put.status != CLEARPOST_OK) return put;
                web::Fields fields{{"image_url", put.body["url"]}};
                const std::string alt = web::string_field(media[i], "alt");
                // alt_text: image posts since 24 Mar 2025 (ig-user/media); ⚠
                // carousel children are image containers, so they carry theirs.
                if (!alt.empty()) fields.emplace_back("alt_text", alt);
                if (media.size() == 1) {
                    fields.emplace_back("caption", caption);
                    return meta::create_container(api, flow, fields, "the post");
                }
                fields.emplace_back("is_carousel_item", "true");
                auto child = meta::create_container(api, flow, fields, which);
                if (child.status != CLEARPOST_OK) return child;
                auto ready = meta::wait_ready(api, flow, child.body["id"], which);
                if (ready.status != CLEARPOST_OK) return ready;
                children.push_back(child.body["id"]);
            }
            return meta::create_container(
                api, flow, {{"media_type", "CAROUSEL"}, {"children", clearpost::sdk::join(children, ",")}, {"caption", caption}},
                "the carousel");
        };
        const std::string note = note_key(key);
        auto done = meta::publish_once(api, flow, note, caption, since_ms(request), "the post", make);
        if (done.status != CLEARPOST_OK) return done;
        meta::forget_note(host, note);
        const std::string id = done.body["media_id"];
        return OpResult::ok({{"remote_id", id}, {"remote_url", meta::permalink(api, id)}});
    }

    // Settles an in-doubt attempt from the container noted before the
    // publish request; without notes (an older host) nothing can tell, and
    // a person checks the account (Instagram has no idempotency key and no
    // duplicate refusal, so sending again could post twice).
    OpResult lookup(const Host& host, const json& request) override {
        const json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        if (!host.keeps_notes())
            return OpResult::error(CLEARPOST_ERR_PERMANENT, "this Clearpost keeps no container notes, so it cannot tell "
                                                            "whether the post went out; check the Instagram account");
        const auto api = api_of(host, creds);
        const std::string note = note_key(request.value("idempotency_key", std::string()));
        auto s = meta::settle(api, flow_of(creds), note, request.value("/post/text"_json_pointer, std::string()),
                              since_ms(request));
        if (s.status != CLEARPOST_OK) return s;
        if (!s.body.contains("media_id")) return OpResult::ok({{"found", false}});
        meta::forget_note(host, note);
        const std::string id = s.body["media_id"];
        return OpResult::ok({{"found", true}, {"remote_id", id}, {"remote_url", meta::permalink(api, id)}});
    }

    // The Instagram API with Instagram Login has no way to delete a post
    // (IG Media: "Deleting: this operation is not supported"; ⚠ deletion
    // exists only for accounts connected through Facebook Login).
    OpResult remove(const Host&, const json& request) override {
        return OpResult::error(CLEARPOST_ERR_UNSUPPORTED,
                               "Instagram's API cannot delete posts; delete post " +
                                   request.value("remote_id", std::string()) +
                                   " in the Instagram app (open the post, ..., Delete)");
    }

    // GET /{media-id}/insights (reference/instagram-media/insights): likes,
    // comments (as replies), saved (saves), shares (reposts), reach, views;
    // total_interactions is their sum and is not kept.
    OpResult fetch_metrics(const Host& host, const json& request) override {
        const json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        return meta::fetch_insights(api_of(host, creds), request.value("remote_ids", json::array()),
                                    "likes,comments,saved,shares,reach,views,total_interactions",
                                    {{"likes", "likes"}, {"comments", "replies"}, {"saved", "saves"},
                                     {"shares", "reposts"}, {"reach", "reach"}, {"views", "views"}});
    }

    // GET /{ig-user-id}?fields=followers_count,follows_count,media_count
    // (instagram-graph-api/reference/ig-user) as followers, following and
    // posts; a field Instagram leaves out stays out.
    OpResult fetch_account_metrics(const Host& host, const json& request) override {
        const json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        static constexpr std::pair<const char*, const char*> kCounts[] = {
            {"followers_count", "followers"}, {"follows_count", "following"}, {"media_count", "posts"}};
        const auto api = api_of(host, creds);
        auto r = api.get("/" + web::string_field(creds, "ig_user_id"), {{"fields", "followers_count,follows_count,media_count"}});
        if (!meta::answered(r)) return graph::failure(r, "reading the account's counts", api.network);
        return OpResult::ok({{"metrics", web::counts(meta::body_of(r), kCounts)}});
    }

private:
    static std::string note_key(const std::string& idempotency_key) { return "instagram-container-" + idempotency_key; }

    static std::int64_t since_ms(const json& request) {
        return request.value("scheduled_at_ms", std::int64_t{0}) - kClockSkewMs;
    }

    static std::vector<std::string> problems_of(const json& post, const json& creds) {
        std::vector<std::string> out;
        const json media = post.is_object() ? post.value("media", json::array()) : json::array();
        if (!media.is_array() || media.empty())
            out.emplace_back("Instagram takes no text-only posts; attach 1 to 10 JPEG images");
        for (auto& p : clearpost::sdk::media_problems(post, kMediaLimits)) out.push_back(std::move(p));
        if (media.is_array() && !media.empty()) {
            std::string problem;
            if (!media_host::from_credentials(creds, problem))
                out.push_back(problem.empty() ? media_host::how_to_configure("Instagram") : problem);
        }
        const std::string caption = web::string_field(post, "text");
        if (const auto n = code_points(caption); n > kCaptionLimit)
            out.push_back("the caption is " + clearpost::sdk::with_commas(n) + " characters and Instagram takes at most " +
                          clearpost::sdk::with_commas(kCaptionLimit) + "; shorten it");
        if (const auto n = hashtags(caption); n > kMaxHashtags)
            out.push_back("the caption has " + std::to_string(n) + " hashtags and Instagram takes at most " +
                          std::to_string(kMaxHashtags) + "; remove " + std::to_string(n - kMaxHashtags));
        return out;
    }

    static OpResult check_credentials(const json& creds) {
        if (web::string_field(creds, "access_token").empty() || web::string_field(creds, "ig_user_id").empty())
            return OpResult::error(CLEARPOST_ERR_AUTH, "no Instagram token or account id is stored for this account; reconnect it");
        return OpResult::ok();
    }

    static meta::Api api_of(const Host& host, const json& creds) {
        return meta::api_for(host, creds, "Instagram", kDefaultRoot, kVersion);
    }

    static meta::Flow flow_of(const json& creds) {
        return meta::Flow{web::string_field(creds, "ig_user_id"), "media", "media_publish", "status_code", "status",
                          "content_publishing_limit", "caption", "media"};
    }
};

}  // namespace

CLEARPOST_PUBLISHER(Instagram)
