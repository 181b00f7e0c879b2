// Facebook Pages publisher: posts on one Facebook Page through Meta's Graph
// API with a Page access token, made from the sign-in of a person who
// manages the Page with the organisation's own Meta app.
//
// Built only against the publisher SDK (no Clearpost core), as any
// third-party plugin would be. References (developers.facebook.com):
//   posts guide        /docs/pages-api/posts, /docs/pages/publishing
//   Page feed          /docs/graph-api/reference/page/feed
//   photos             /docs/graph-api/reference/photo, /docs/graph-api/reference/page/photos,
//                      /docs/graph-api/photo-uploads
//   published posts    /docs/graph-api/reference/page/published_posts
//   Page fields        /docs/graph-api/reference/page (followers_count, fan_count)
//   tokens             /docs/facebook-login/guides/access-tokens/get-long-lived,
//                      /docs/pages-api/getting-started
//   errors             /docs/graph-api/guides/error-handling
//   rate limits        /docs/graph-api/overview/rate-limiting
//   insights           /docs/graph-api/reference/insights,
//                      /documentation/pages-api/platforminsights/page/deprecated-metrics
//
// Credentials document (sealed by the host):
//   "page_id"            the Page's numeric id, looked up at sign-in
//   "page_access_token"  the Page token every post, lookup, deletion and
//                        metrics request uses; made from a long-lived user
//                        token, it has no expiry of its own
//   "user_access_token"  the long-lived (about 60 days) token of the person
//                        who signed in, kept only to make a new Page token
//   "client_id", "client_secret"  the organisation's Meta app
//   "api_url"            Graph API base with its version; absent: kApiUrl
// No "expires_at": the Page token does not run out on a clock, so the host
// has nothing to refresh ahead of.

#include <clearpost/publisher.hpp>

#include "graph.hpp"
#include "web.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using clearpost::sdk::Host;
using clearpost::sdk::json;
using clearpost::sdk::OpResult;
using clearpost::sdk::join;
using clearpost::sdk::with_commas;
using clearpost::sdk::web::Fields;
using clearpost::sdk::web::string_field;
namespace web = clearpost::sdk::web;
namespace graph = clearpost::sdk::graph;

// One Graph API version for every request, the dialog and the token URL.
// v26.0 is the newest (29 July 2026); Meta keeps a version at least two
// years after the next one appears (graph-api/changelog), so the newest
// lasts longest. Keep the capabilities' URLs below in step with it.
constexpr const char* kApiUrl = "https://graph.facebook.com/v26.0";

// text.limit: 63,206 characters comes from a third-party table only (Meta
// documents no limit for a Page post's message) ⚠; counted as code points.
// media: Meta takes JPEG, BMP, PNG, GIF and TIFF (photo-uploads) and "a
// photo must be less than 10MB" (photo reference). Clearpost's media library
// makes JPEG, PNG and WebP; WebP is not on Meta's list, so it is refused
// here rather than sent on a guess. max_images 10 is Clearpost's choice:
// Meta documents no count for attached_media ⚠. Alt text goes as
// alt_text_custom (photo reference), which has no documented length limit.
// No rate_limits: Meta publishes no post budget for Pages; requests with a
// Page token fall under the Business Use Case limit, which scales with the
// Page's engaged users, so throttling answers hold the account instead.
// oauth: the organisation's own Meta app with Facebook Login. Meta documents
// no loopback redirect for desktop apps ⚠: the organisation adds
// http://127.0.0.1/callback to the app's Valid OAuth Redirect URIs; Meta
// does not say whether it ignores the port of a loopback redirect as RFC
// 8252 section 7.3 asks, so if it refuses the run-time port, a fixed
// registered port is the way out.
constexpr const char* kCapabilities = R"({
  "network": "facebook", "display_name": "Facebook Pages",
  "text": {"limit": 63206, "counting": "code_points"},
  "media": {"max_images": 10, "max_bytes": 10000000, "alt_text": true,
            "types": ["image/jpeg", "image/png"]},
  "threads": false, "native_scheduling": false, "metrics": true, "account_metrics": true,
  "idempotency": "lookup",
  "oauth": {"authorize_url": "https://www.facebook.com/v26.0/dialog/oauth",
            "token_url": "https://graph.facebook.com/v26.0/oauth/access_token",
            "scopes": ["pages_manage_posts", "pages_read_engagement", "pages_show_list", "read_insights"],
            "client_auth": "post", "redirect_port": 0, "redirect_path": "/callback",
            "needs_client_secret": true, "extra_params": {}}
})";

constexpr std::size_t kTextLimit = 63206;
constexpr std::size_t kMaxImages = 10;
constexpr std::size_t kMaxImageBytes = 10'000'000;
constexpr std::int64_t kClockSkewMs = 5 * 60 * 1000;  // lookup: the server's clock may differ this much
constexpr int kLookupPages = 5;                        // of 100 posts each
constexpr int kAccountPages = 10;                      // of 100 Pages each, at sign-in
constexpr const char* kNetwork = "Facebook";

const clearpost::sdk::MediaLimits kMediaLimits{kNetwork, kMaxImages, kMaxImageBytes, {"image/jpeg", "image/png"},
                                               "Clearpost sends Facebook JPEG and PNG images", 0};

std::size_t code_points(std::string_view s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U; }));
}

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

// The first http(s) address in the text, without trailing punctuation: it
// goes as the feed post's "link", which makes Facebook's link preview.
std::string first_url(const std::string& text) {
    for (std::size_t at = 0; at < text.size(); ++at) {
        if (at > 0 && !is_space(text[at - 1]) && text[at - 1] != '(') continue;
        if (text.compare(at, 8, "https://") != 0 && text.compare(at, 7, "http://") != 0) continue;
        std::size_t end = at;
        while (end < text.size() && !is_space(text[end])) ++end;
        while (end > at && std::string_view(".,;:!?)\"'").find(text[end - 1]) != std::string_view::npos) --end;
        return text.substr(at, end - at);
    }
    return {};
}

// What two texts are compared by in lookup: no white space, since Facebook
// may trim the message or change its line breaks.
std::string comparable(const std::string& text) {
    std::string out;
    for (char c : text)
        if (!is_space(c)) out += c;
    return out;
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Seconds since the epoch of a Graph API time ("2026-11-27T10:55:07+0000");
// -1 when it is not one.
std::int64_t parse_graph_time(const std::string& s) {
    std::tm tm{};
    int consumed = 0;
    if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                    &tm.tm_min, &tm.tm_sec, &consumed) != 6)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    const std::string zone = s.substr(static_cast<std::size_t>(consumed));
    std::int64_t offset_s = 0;
    if (!zone.empty() && (zone[0] == '+' || zone[0] == '-')) {
        int h = 0, m = 0;
        if (std::sscanf(zone.c_str() + 1, "%2d:%2d", &h, &m) != 2 && std::sscanf(zone.c_str() + 1, "%2d%2d", &h, &m) != 2)
            return -1;
        offset_s = (zone[0] == '+' ? 1 : -1) * (h * 3600 + m * 60);
    } else if (zone != "Z") {
        return -1;
    }
    const std::time_t t = timegm(&tm);
    return t == static_cast<std::time_t>(-1) ? -1 : static_cast<std::int64_t>(t) - offset_s;
}

std::string api(const json& creds) {
    std::string s = string_field(creds, "api_url");
    if (s.empty()) s = kApiUrl;
    while (!s.empty() && s.back() == '/') s.pop_back();
    return s;
}

// The Graph API takes the token as the access_token parameter (posts
// guide): in the query of a GET or DELETE, in the body of a POST. The host
// is told it is a secret, so it is redacted from every log line and error.
Host::Response graph_get(const Host& host, const json& creds, const std::string& path, Fields params,
                         const std::string& token) {
    params.emplace_back("access_token", token);
    return host.http({{"method", "GET"},
                      {"url", api(creds) + path + "?" + web::form(params)},
                      {"headers", {{"Accept", "application/json"}}},
                      {"timeout_ms", 15000},
                      {"secrets", {token}}});
}

Host::Response graph_post(const Host& host, const json& creds, const std::string& path, Fields fields,
                          const std::string& token) {
    fields.emplace_back("access_token", token);
    return host.http({{"method", "POST"},
                      {"url", api(creds) + path},
                      {"headers", {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}}},
                      {"body", web::form(fields)},
                      {"timeout_ms", 30000},
                      {"secrets", {token}}});
}

Host::Response graph_delete(const Host& host, const json& creds, const std::string& path, const std::string& token) {
    return host.http({{"method", "DELETE"},
                      {"url", api(creds) + path + "?" + web::form({{"access_token", token}})},
                      {"headers", {{"Accept", "application/json"}}},
                      {"timeout_ms", 15000},
                      {"secrets", {token}}});
}

bool ok(const Host::Response& r) { return r.status == CLEARPOST_OK && r.http_status == 200; }

OpResult failure(const Host::Response& r, const std::string& what, bool may_have_posted = false) {
    return graph::failure(r, what, kNetwork, may_have_posted);
}

// Error 100 with subcode 33 is the Graph API's answer for an object that
// "does not exist, cannot be loaded due to missing permissions, or does not
// support this operation", which is what a deleted post gives.
bool is_missing_object(const Host::Response& r) {
    if (r.status != CLEARPOST_OK) return false;
    const auto e = graph::parse_error(r.body);
    return e.code == 100 && e.subcode == 33;
}

bool is_post_id(const std::string& id) {
    return !id.empty() && std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isdigit(c) || c == '_'; });
}

OpResult check_credentials(const json& creds) {
    if (string_field(creds, "page_id").empty() || string_field(creds, "page_access_token").empty())
        return OpResult::error(CLEARPOST_ERR_AUTH, "no Facebook Page token is stored for this account; connect it again");
    return OpResult::ok();
}

class Facebook final : public clearpost::sdk::Publisher {
public:
    const char* capabilities() const override { return kCapabilities; }

    OpResult validate(const Host&, const json& request) override {
        json problems = json::array();
        for (auto& p : problems_of(request.value("post", json::object()))) problems.push_back(std::move(p));
        return OpResult::ok({{"problems", problems}});
    }

    // The core's sign-in gave a short-lived user token. It is exchanged for
    // a long-lived one (about 60 days; get-long-lived), whose Page tokens
    // have no expiry, then the person's Pages are listed (GET /me/accounts,
    // paged) and the one the account's handle names is kept: its numeric
    // id, its name or its username, case-insensitive.
    OpResult authorize_complete(const Host& host, const json& request) override {
        json creds = request.value("credentials", json::object());
        const std::string handle = string_field(request.value("account", json::object()), "handle");
        const std::string short_token = string_field(creds, "access_token");
        const std::string client_id = string_field(creds, "client_id");
        const std::string client_secret = string_field(creds, "client_secret");
        if (short_token.empty()) return OpResult::error(CLEARPOST_ERR_AUTH, "the Facebook sign-in gave no access token; sign in again");
        if (client_id.empty() || client_secret.empty())
            return OpResult::error(CLEARPOST_ERR_INVALID, "the organisation's Meta app id and app secret are needed to connect a Facebook Page");

        auto exchanged = host.http({{"method", "GET"},
                                    {"url", api(creds) + "/oauth/access_token?" +
                                                web::form({{"grant_type", "fb_exchange_token"},
                                                           {"client_id", client_id},
                                                           {"client_secret", client_secret},
                                                           {"fb_exchange_token", short_token}})},
                                    {"headers", {{"Accept", "application/json"}}},
                                    {"timeout_ms", 15000},
                                    {"secrets", {short_token, client_secret}}});
        if (!ok(exchanged)) {
            // A definite refusal here is the app's id or secret (Meta answers
            // a wrong secret with code 1, which elsewhere means a passing
            // fault), unless it names the token (190).
            auto refused = failure(exchanged, "exchanging the Facebook sign-in for a long-lived token");
            if (refused.status == CLEARPOST_ERR_TRANSIENT && exchanged.status == CLEARPOST_OK && exchanged.http_status < 500)
                return OpResult::error(CLEARPOST_ERR_INVALID, refused.body["error"]["message"].get<std::string>() +
                                                                  "; check the organisation's Meta app id and app secret");
            return refused;
        }
        const std::string user_token = string_field(json::parse(exchanged.body, nullptr, false), "access_token");
        if (user_token.empty())
            return OpResult::error(CLEARPOST_ERR_TRANSIENT, "exchanging the Facebook sign-in: the answer has no access token");

        std::vector<json> pages;
        std::string after;
        for (int round = 0; round < kAccountPages; ++round) {
            Fields params{{"fields", "id,name,username,access_token,tasks"}, {"limit", "100"}};
            if (!after.empty()) params.emplace_back("after", after);
            auto r = graph_get(host, creds, "/me/accounts", params, user_token);
            if (!ok(r)) return failure(r, "listing the Facebook Pages of the person who signed in");
            const auto list = json::parse(r.body, nullptr, false);
            if (!list.is_object() || !list.contains("data") || !list["data"].is_array())
                return OpResult::error(CLEARPOST_ERR_TRANSIENT, "listing the Facebook Pages: the answer has no list");
            for (const auto& p : list["data"])
                if (p.is_object()) pages.push_back(p);
            const json paging = list.value("paging", json::object());
            after = string_field(paging.value("cursors", json::object()), "after");
            if (!paging.contains("next") || after.empty()) break;
        }

        const std::string wanted = lower(handle.rfind('@', 0) == 0 ? handle.substr(1) : handle);
        const json* page = nullptr;
        std::vector<std::string> names;
        for (const auto& p : pages) {
            names.push_back("'" + string_field(p, "name") + "' (" + string_field(p, "id") + ")");
            if (!page && (string_field(p, "id") == wanted || lower(string_field(p, "name")) == wanted ||
                          (!string_field(p, "username").empty() && lower(string_field(p, "username")) == wanted)))
                page = &p;
        }
        if (!page) {
            return OpResult::error(CLEARPOST_ERR_AUTH,
                                   "the person who signed in to Facebook does not manage the Page '" + handle + "'" +
                                       (names.empty() ? std::string("; they manage no Page")
                                                      : "; they manage " + join(names, ", ")) +
                                       "; sign in as someone who manages it, or correct the account's handle");
        }
        const std::string page_token = string_field(*page, "access_token");
        if (page_token.empty())
            return OpResult::error(CLEARPOST_ERR_AUTH, "Facebook gave no Page token for '" + string_field(*page, "name") +
                                                           "'; grant Clearpost's app the Page permissions when signing in");
        // Publishing needs the CREATE_CONTENT task on the Page (posts guide).
        if (page->contains("tasks") && (*page)["tasks"].is_array()) {
            const json& tasks = (*page)["tasks"];
            if (std::find(tasks.begin(), tasks.end(), json("CREATE_CONTENT")) == tasks.end())
                return OpResult::error(CLEARPOST_ERR_AUTH, "the person who signed in may not create content on the Page '" +
                                                               string_field(*page, "name") +
                                                               "'; a Page admin must give them that task first");
        }
        // The short-lived token and its details from the sign-in are not kept.
        for (const char* gone : {"access_token", "token_type", "scope", "refresh_token", "expires_at"}) creds.erase(gone);
        creds["page_id"] = string_field(*page, "id");
        creds["page_access_token"] = page_token;
        creds["user_access_token"] = user_token;
        return OpResult::ok({{"credentials", creds}, {"account", {{"display", string_field(*page, "name") + " (Facebook Page)"}}}});
    }

    // A Page token made from a long-lived user token does not expire; it
    // dies when the person changes their password, loses their role on the
    // Page or removes the app. So a refresh asks for the Page token again
    // with the stored user token (GET /{page-id}?fields=access_token). When
    // the user token itself is refused (it lasts about 60 days), the stored
    // Page token may still work, and is kept if it does; only when both are
    // refused must a person sign in again.
    OpResult refresh_credentials(const Host& host, const json& request) override {
        json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        const std::string page_id = string_field(creds, "page_id");
        const std::string user_token = string_field(creds, "user_access_token");
        if (!user_token.empty()) {
            auto r = graph_get(host, creds, "/" + page_id, {{"fields", "access_token"}}, user_token);
            if (ok(r)) {
                const std::string page_token = string_field(json::parse(r.body, nullptr, false), "access_token");
                if (page_token.empty())
                    return OpResult::error(CLEARPOST_ERR_AUTH, "the person who connected the Facebook Page no longer manages it; "
                                                               "connect the account again as someone who does");
                creds["page_access_token"] = page_token;
                return OpResult::ok({{"credentials", creds}});
            }
            auto refused = failure(r, "making a new Facebook Page token");
            if (refused.status != CLEARPOST_ERR_AUTH) return refused;
        }
        auto check = graph_get(host, creds, "/" + page_id, {{"fields", "id"}}, string_field(creds, "page_access_token"));
        if (ok(check)) {
            host.log(CLEARPOST_LOG_INFO, "the Facebook user token is no longer accepted, but the Page token still works; keeping it");
            return OpResult::ok({{"credentials", creds}});
        }
        auto page_refused = failure(check, "checking the Facebook Page token");
        if (page_refused.status != CLEARPOST_ERR_AUTH) return page_refused;
        return OpResult::error(CLEARPOST_ERR_AUTH, "Facebook refused both the stored Page token and the user token (" +
                                                       page_refused.body["error"]["message"].get<std::string>() +
                                                       "); connect the account again");
    }

    // Text and link posts go to /{page-id}/feed with the first address in
    // the text as "link". One image goes to /{page-id}/photos with the text
    // as caption, which makes the post. Several images are each uploaded
    // unpublished (published=false; they appear nowhere), then attached to
    // one feed post with attached_media[i]={"media_fbid": ...}. Only the
    // request that makes the post live can leave it in doubt.
    OpResult publish(const Host& host, const json& request) override {
        const json post = request.value("post", json::object());
        if (const auto problems = problems_of(post); !problems.empty())
            return OpResult::error(CLEARPOST_ERR_INVALID, join(problems, "; "));
        const json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        const std::string page_id = string_field(creds, "page_id");
        const std::string token = string_field(creds, "page_access_token");
        const std::string text = string_field(post, "text");
        const json media = post.value("media", json::array());

        // Every file is read before anything is sent, so an unreadable one
        // leaves nothing behind on the Page.
        std::vector<std::string> files(media.size());
        for (std::size_t i = 0; i < media.size(); ++i) {
            std::string why;
            if (!clearpost::sdk::read_media_file(media[i].value("path", std::string()), kMaxImageBytes, kNetwork, files[i], why))
                return OpResult::error(CLEARPOST_ERR_INVALID, "image " + std::to_string(i + 1) + ": " + why);
        }

        std::string post_id;
        if (media.size() == 1) {
            Fields fields;
            if (!text.empty()) fields.emplace_back("caption", text);
            auto r = upload_photo(host, creds, media[0], files[0], 0, fields);
            if (!ok(r)) return failure(r, "publishing the photo post", /*may_have_posted=*/true);
            post_id = string_field(json::parse(r.body, nullptr, false), "post_id");
        } else {
            Fields fields;
            if (!text.empty()) fields.emplace_back("message", text);
            for (std::size_t i = 0; i < media.size(); ++i) {
                auto r = upload_photo(host, creds, media[i], files[i], i, {{"published", "false"}});
                if (!ok(r)) return failure(r, "uploading image " + std::to_string(i + 1));
                const std::string photo_id = string_field(json::parse(r.body, nullptr, false), "id");
                if (photo_id.empty())
                    return OpResult::error(CLEARPOST_ERR_TRANSIENT, "uploading image " + std::to_string(i + 1) + ": the answer has no photo id");
                fields.emplace_back("attached_media[" + std::to_string(i) + "]", json{{"media_fbid", photo_id}}.dump());
            }
            if (media.empty())
                if (const std::string link = first_url(text); !link.empty()) fields.emplace_back("link", link);
            auto r = graph_post(host, creds, "/" + page_id + "/feed", fields, token);
            if (!ok(r)) return failure(r, "publishing", /*may_have_posted=*/true);
            post_id = string_field(json::parse(r.body, nullptr, false), "id");
        }
        if (post_id.empty())
            return OpResult::error(CLEARPOST_ERR_IN_DOUBT, "Facebook accepted the post but its answer has no post id");
        return OpResult::ok({{"remote_id", post_id}, {"remote_url", permalink(host, creds, post_id)}});
    }

    // Settles an in-doubt attempt. The Graph API has no idempotency key, so
    // the Page's own published posts since the approved time (less a clock
    // margin) are searched for one with the same text (published_posts,
    // newest first). A post without text cannot be told from another image
    // post, so a person checks it.
    OpResult lookup(const Host& host, const json& request) override {
        const json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        const std::string text = comparable(string_field(request.value("post", json::object()), "text"));
        if (text.empty()) {
            return OpResult::error(CLEARPOST_ERR_PERMANENT, "the post has no text, so Clearpost cannot tell whether Facebook "
                                                            "made it; check the Page, then retry or cancel the post");
        }
        const std::int64_t since_s = (request.value("scheduled_at_ms", std::int64_t{0}) - kClockSkewMs) / 1000;
        const json* match = nullptr;
        std::vector<json> recent;
        std::string after;
        bool reached_start = false;
        for (int round = 0; round < kLookupPages && !reached_start; ++round) {
            Fields params{{"fields", "id,message,created_time,permalink_url"},
                          {"since", std::to_string(since_s)},
                          {"limit", "100"}};
            if (!after.empty()) params.emplace_back("after", after);
            auto r = graph_get(host, creds, "/" + string_field(creds, "page_id") + "/published_posts", params,
                               string_field(creds, "page_access_token"));
            if (!ok(r)) return failure(r, "searching the Page's published posts");
            const auto list = json::parse(r.body, nullptr, false);
            if (!list.is_object() || !list.contains("data") || !list["data"].is_array())
                return OpResult::error(CLEARPOST_ERR_TRANSIENT, "searching the Page's published posts: the answer has no list");
            for (const auto& p : list["data"])
                if (p.is_object()) {
                    const std::int64_t created = parse_graph_time(string_field(p, "created_time"));
                    if (created < 0 || created >= since_s) recent.push_back(p);
                }
            const json paging = list.value("paging", json::object());
            after = string_field(paging.value("cursors", json::object()), "after");
            reached_start = !paging.contains("next") || after.empty();
        }
        // Oldest first, so a repeated text matches its first use since then.
        for (auto it = recent.rbegin(); it != recent.rend() && !match; ++it)
            if (comparable(string_field(*it, "message")) == text) match = &*it;
        if (match) {
            std::string url = string_field(*match, "permalink_url");
            if (url.empty()) url = "https://www.facebook.com/" + string_field(*match, "id");
            return OpResult::ok({{"found", true}, {"remote_id", string_field(*match, "id")}, {"remote_url", url}});
        }
        if (!reached_start) {
            return OpResult::error(CLEARPOST_ERR_PERMANENT,
                                   "the Page published more than " + std::to_string(kLookupPages * 100) +
                                       " posts since this post's time, so Clearpost cannot tell whether it went out; check the Page");
        }
        return OpResult::ok({{"found", false}});
    }

    // DELETE /{post-id} answers {"success": true}. A post that is already
    // gone answers error 100/33, which also covers a post the token may not
    // see; so the post is read back, and only when it cannot be read either
    // does it count as deleted.
    OpResult remove(const Host& host, const json& request) override {
        const json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        const std::string id = request.value("remote_id", std::string());
        if (!is_post_id(id)) return OpResult::error(CLEARPOST_ERR_INVALID, "'" + id + "' is not a Facebook post id");
        const std::string token = string_field(creds, "page_access_token");
        auto r = graph_delete(host, creds, "/" + id, token);
        if (ok(r)) {
            if (!json::parse(r.body, nullptr, false).value("success", false))
                return OpResult::error(CLEARPOST_ERR_TRANSIENT, "deleting the post: Facebook did not confirm it");
            return OpResult::ok();
        }
        if (!is_missing_object(r)) return failure(r, "deleting the post");
        auto still = graph_get(host, creds, "/" + id, {{"fields", "id"}}, token);
        if (is_missing_object(still)) return OpResult::ok();
        if (ok(still))
            return OpResult::error(CLEARPOST_ERR_PERMANENT, "Facebook refuses to delete post " + id +
                                                                " although it is still there; delete it on the Page by hand");
        return failure(still, "checking the post after Facebook refused to delete it");
    }

    // Counts from GET /{post-id} (reactions and comments with their
    // total_count summaries, shares) as likes, replies and reposts, and
    // views from the post's insights: post_media_view (which replaced
    // post_impressions) as views and post_total_media_view_unique (which
    // replaced post_impressions_unique) as reach. Only what Facebook returns:
    // it leaves "shares" out when nobody shared, and insights exist only for
    // Pages with 100 likes or more and need the ANALYZE task, so a refused
    // insights request leaves views out and keeps the counts.
    OpResult fetch_metrics(const Host& host, const json& request) override {
        const json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        const std::string token = string_field(creds, "page_access_token");
        json metrics = json::object();
        for (const auto& id_json : request.value("remote_ids", json::array())) {
            if (!id_json.is_string() || !is_post_id(id_json.get<std::string>()))
                return OpResult::error(CLEARPOST_ERR_INVALID, "'" + id_json.dump() + "' is not a Facebook post id");
            const std::string id = id_json.get<std::string>();
            auto r = graph_get(host, creds, "/" + id,
                               {{"fields", "reactions.limit(0).summary(total_count),comments.limit(0).summary(total_count),shares"}},
                               token);
            if (is_missing_object(r)) continue;  // deleted: no entry
            if (!ok(r)) return failure(r, "reading post counts");
            const auto counts = json::parse(r.body, nullptr, false);
            json m = json::object();
            auto total = [&](const char* edge) -> json {
                const json e = counts.is_object() ? counts.value(edge, json::object()) : json::object();
                const json s = e.is_object() ? e.value("summary", json::object()) : json::object();
                return s.is_object() && s.contains("total_count") && s["total_count"].is_number_integer() ? s["total_count"] : json();
            };
            if (const json likes = total("reactions"); !likes.is_null()) m["likes"] = likes;
            if (const json replies = total("comments"); !replies.is_null()) m["replies"] = replies;
            if (counts.contains("shares") && counts["shares"].is_object() && counts["shares"].contains("count") &&
                counts["shares"]["count"].is_number_integer())
                m["reposts"] = counts["shares"]["count"];

            auto in = graph_get(host, creds, "/" + id + "/insights", {{"metric", "post_media_view,post_total_media_view_unique"}}, token);
            if (ok(in)) {
                const auto data = json::parse(in.body, nullptr, false).value("data", json::array());
                for (const auto& d : data.is_array() ? data : json::array()) {
                    const std::string name = string_field(d, "name");
                    const json values = d.is_object() ? d.value("values", json::array()) : json::array();
                    if (!values.is_array() || values.empty() || !values.back().is_object() ||
                        !values.back().contains("value") || !values.back()["value"].is_number_integer())
                        continue;
                    if (name == "post_media_view") m["views"] = values.back()["value"];
                    if (name == "post_total_media_view_unique") m["reach"] = values.back()["value"];
                }
            } else {
                auto refused = failure(in, "reading post views");
                if (refused.status == CLEARPOST_ERR_TRANSIENT || refused.status == CLEARPOST_ERR_RATE_LIMITED ||
                    graph::parse_error(in.body).code == 190)
                    return refused;
                host.log(CLEARPOST_LOG_WARN, refused.body["error"]["message"].get<std::string>() + "; the counts are kept without views");
            }
            metrics[id] = std::move(m);
        }
        return OpResult::ok({{"metrics", metrics}});
    }

    // The Page's audience from GET /{page-id}?fields=followers_count,fan_count
    // with the Page token (graph-api/reference/page): followers_count (the
    // people following the Page) as followers, and fan_count (the people
    // who like it, a separate and older measure) as page_likes. A Page has
    // no following or posts count; a field Graph leaves out stays out.
    OpResult fetch_account_metrics(const Host& host, const json& request) override {
        const json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        static constexpr std::pair<const char*, const char*> kCounts[] = {{"followers_count", "followers"},
                                                                         {"fan_count", "page_likes"}};
        auto r = graph_get(host, creds, "/" + string_field(creds, "page_id"), {{"fields", "followers_count,fan_count"}},
                           string_field(creds, "page_access_token"));
        if (!ok(r)) return failure(r, "reading the Page's follower count");
        return OpResult::ok({{"metrics", web::counts(json::parse(r.body, nullptr, false), kCounts)}});
    }

private:
    static std::vector<std::string> problems_of(const json& post) {
        auto problems = clearpost::sdk::media_problems(post, kMediaLimits);
        const std::string text = string_field(post, "text");
        if (const std::size_t n = code_points(text); n > kTextLimit)
            problems.push_back("the text is " + with_commas(n) + " characters and a Facebook post takes at most " +
                               with_commas(kTextLimit) + "; shorten it");
        const json media = post.is_object() ? post.value("media", json::array()) : json::array();
        if (comparable(text).empty() && (!media.is_array() || media.empty()))
            problems.push_back("the post has neither text nor an image; Facebook needs one of them");
        return problems;
    }

    // POST /{page-id}/photos, multipart: the file as "source", the alt text
    // as alt_text_custom (photo reference: "accessible alternative
    // description for an image"), plus `fields`.
    static Host::Response upload_photo(const Host& host, const json& creds, const json& m, const std::string& bytes,
                                       std::size_t index, Fields fields) {
        const std::string mime = m.value("mime", std::string("image/jpeg"));
        if (const std::string alt = string_field(m, "alt"); !alt.empty()) fields.emplace_back("alt_text_custom", alt);
        const std::string token = string_field(creds, "page_access_token");
        fields.emplace_back("access_token", token);
        const auto body = web::multipart(fields, "source", "image-" + std::to_string(index + 1) + (mime == "image/png" ? ".png" : ".jpg"),
                                         mime, bytes);
        return host.http({{"method", "POST"},
                          {"url", api(creds) + "/" + string_field(creds, "page_id") + "/photos"},
                          {"headers", {{"Content-Type", body.content_type()}, {"Accept", "application/json"}}},
                          {"body_base64", clearpost::sdk::base64_encode(body.body)},
                          {"timeout_ms", 120000},
                          {"secrets", {token}}});
    }

    // The post's web address (its permalink_url field). The post is live
    // already, so a failure here is only logged and the address is made
    // from the post id, which facebook.com resolves.
    static std::string permalink(const Host& host, const json& creds, const std::string& post_id) {
        auto r = graph_get(host, creds, "/" + post_id, {{"fields", "permalink_url"}}, string_field(creds, "page_access_token"));
        const std::string url = ok(r) ? string_field(json::parse(r.body, nullptr, false), "permalink_url") : std::string();
        if (!url.empty()) return url;
        host.log(CLEARPOST_LOG_WARN, "post " + post_id + " is live but Facebook did not give its address; using the post id");
        return "https://www.facebook.com/" + post_id;
    }
};

}  // namespace

CLEARPOST_PUBLISHER(Facebook)
