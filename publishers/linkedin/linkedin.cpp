// LinkedIn publisher: posts on an organisation's page through the versioned
// REST Posts API, with images through the Images API, a link as an article
// card, lookup of the page's own posts to settle a lost answer, and the
// page's share statistics as metrics.
//
// Built only against the publisher SDK (no Clearpost core), as any
// third-party plugin would be. API reference (Microsoft Learn, LinkedIn
// Marketing, Community Management):
//   posts:      learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api
//   images:     learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/images-api
//   multiImage: learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/multiimage-post-api
//   little:     learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/little-text-format
//   statistics: learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/share-statistics
//   followers:  learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/organization-lookup-api
//   roles:      learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/organization-access-control-by-role
//   OAuth:      learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow
//   limits:     learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/rate-limits
//
// Credentials document:
//   "access_token"      the member's token (60 days)
//   "refresh_token"     only for apps LinkedIn approved for programmatic
//                       refresh; absent for most organisations
//   "expires_at"        unix seconds, when known
//   "client_id", "client_secret"  the organisation's own LinkedIn app
//   "api_url"           absent: https://api.linkedin.com (tests: a stand-in,
//                       which then also answers the token endpoint)
//   "organization_urn"  urn:li:organization:ID, the page posts go to; set by
//                       authorize_complete from the account's handle

#include <clearpost/publisher.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "oauth_refresh.hpp"
#include "web.hpp"

namespace {

using clearpost::sdk::Host;
using clearpost::sdk::json;
using clearpost::sdk::OpResult;
using clearpost::sdk::join;
using clearpost::sdk::read_media_file;
using clearpost::sdk::with_commas;
using clearpost::sdk::web::form_encode;
using clearpost::sdk::web::string_field;
namespace web = clearpost::sdk::web;

// redirect_port 0 (any loopback port) works only when LinkedIn has enabled
// Native PKCE for the organisation's app (authorization-code-flow-native);
// without it LinkedIn takes only the absolute HTTPS redirect URLs registered
// on the app, so such an organisation must first ask its LinkedIn contact
// to enable Native PKCE (Clearpost has no hosted callback to offer instead).
// The standard flow needs the app's secret at the token endpoint
// ("client_auth": "post"). rw_organization_admin is for the statistics and
// for finding the page the member administers.
//
// text.limit: ⚠ 3,000 characters is known only from third parties (Ayrshare,
// composio#2710); LinkedIn's pages name no limit. Counted in code points of
// the text as written, before the little format's escapes.
// media: JPEG, PNG and GIF under 36,152,320 pixels (images-api). ⚠ The byte
// limit is third-party only (5 MB, Ayrshare and Blotato's LinkedIn pages);
// ⚠ altText up to 4,086 characters is from the Posts API's media schema as
// remembered, not re-read. 20 images is multiImage's documented maximum.
// rate_limits: LinkedIn publishes none (they are per app and member, daily,
// reset at midnight UTC, shown in the developer portal); ⚠ 150 posts a day
// per member is Ayrshare's figure, declared so a busy day waits instead of
// meeting a 429 that holds the account until midnight.
constexpr const char* kCapabilities = R"({
  "network": "linkedin", "display_name": "LinkedIn",
  "text": {"limit": 3000, "counting": "code_points"},
  "media": {"max_images": 20, "max_bytes": 5242880, "alt_text": true, "max_alt_length": 4086,
            "types": ["image/jpeg", "image/png", "image/gif"]},
  "link_cards": true,
  "threads": false, "native_scheduling": false, "metrics": true, "account_metrics": true,
  "idempotency": "lookup",
  "rate_limits": {"posts_per_day": 150},
  "oauth": {"authorize_url": "https://www.linkedin.com/oauth/v2/authorization",
            "token_url": "https://www.linkedin.com/oauth/v2/accessToken",
            "scopes": ["w_organization_social", "r_organization_social", "rw_organization_admin"],
            "client_auth": "post", "redirect_port": 0, "redirect_path": "/callback",
            "needs_client_secret": true, "extra_params": {}}
})";

constexpr const char* kProductionApi = "https://api.linkedin.com";
constexpr const char* kProductionTokenUrl = "https://www.linkedin.com/oauth/v2/accessToken";
// Every REST call names the API version it was written against (YYYYMM).
// LinkedIn keeps a version at least a year after its release; 202605 is the
// newest the reference pages (li-lms-2026-05) were read at. Move it forward,
// re-reading the migration notes, before it is sunset in mid-2027.
constexpr const char* kVersion = "202605";
constexpr std::size_t kTextLimit = 3000;
constexpr std::size_t kMaxImages = 20;
constexpr std::size_t kMaxImageBytes = 5 * 1024 * 1024;
constexpr std::int64_t kMaxPixels = 36'152'320;  // "less than" this many
constexpr std::size_t kMaxAltLength = 4086;
constexpr std::int64_t kClockSkewMs = 5 * 60 * 1000;  // lookup: LinkedIn's clock may differ this much
constexpr int kLookupPages = 5;
constexpr int kLookupPageSize = 50;

const clearpost::sdk::MediaLimits kMediaLimits{"LinkedIn", kMaxImages, kMaxImageBytes,
                                               {"image/jpeg", "image/png", "image/gif"},
                                               "LinkedIn takes JPEG, PNG and GIF images", kMaxAltLength};

std::size_t code_points(std::string_view s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U; }));
}

bool word_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) || u >= 0x80;
}

// The little text format reserves these; each must be backslash-escaped to
// be plain text (little-text-format). Left unescaped, LinkedIn accepts the
// post and publishes it cut off at the first one (⚠ crossposter v1.1.5,
// composio#2710). A '#' that starts a word stays: "#word" is little's
// hashtag element, so hashtags stay hashtags.
constexpr std::string_view kReserved = "|{}@[]()<>#\\*_~";

std::string to_little(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const bool hashtag = c == '#' && (i == 0 || !word_char(text[i - 1])) && i + 1 < text.size() && word_char(text[i + 1]);
        if (kReserved.find(c) != std::string_view::npos && !hashtag) out += '\\';
        out += c;
    }
    return out;
}

// The plain text of a commentary read back: escapes undone, and hashtags
// LinkedIn may return as the template {hashtag|\#|word} written as #word.
std::string from_little(const std::string& little) {
    static constexpr std::string_view kHashtag = "{hashtag|";
    std::string out;
    for (std::size_t i = 0; i < little.size();) {
        if (little[i] == '\\' && i + 1 < little.size()) {
            out += little[i + 1];
            i += 2;
            continue;
        }
        if (little.compare(i, kHashtag.size(), kHashtag) == 0) {
            const auto bar = little.find('|', i + kHashtag.size());
            const auto close = bar == std::string::npos ? bar : little.find('}', bar);
            if (close != std::string::npos) {
                out += "#" + little.substr(bar + 1, close - bar - 1);
                i = close + 1;
                continue;
            }
        }
        out += little[i++];
    }
    return out;
}

std::string trimmed(const std::string& s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

// The first http(s) link of a text, without trailing punctuation; "" if none.
std::string first_link(const std::string& text) {
    for (std::size_t at = text.find("http"); at != std::string::npos; at = text.find("http", at + 1)) {
        if (at > 0 && word_char(text[at - 1])) continue;
        if (text.compare(at, 8, "https://") != 0 && text.compare(at, 7, "http://") != 0) continue;
        std::size_t end = at;
        while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) ++end;
        while (end > at && std::string_view(".,;:!?)\"'").find(text[end - 1]) != std::string_view::npos) --end;
        return text.substr(at, end - at);
    }
    return {};
}

// An article needs a title; the post's text is the organisation's words
// about the link, so the title is the site's host name ("clinic.example"),
// which is true of any page without fetching it.
std::string link_title(const std::string& url) {
    std::string host = url.substr(url.find("://") + 3);
    host = host.substr(0, host.find_first_of("/?#:"));
    if (host.rfind("www.", 0) == 0) host = host.substr(4);
    return host;
}

bool is_post_urn(const std::string& id) {
    return id.rfind("urn:li:share:", 0) == 0 || id.rfind("urn:li:ugcPost:", 0) == 0;
}

// The post named by an answer's message ("Content is a duplicate of
// urn:li:share:7141138937766391808"); "" if none.
std::string named_post(const std::string& message) {
    for (const char* prefix : {"urn:li:share:", "urn:li:ugcPost:"}) {
        const auto at = message.find(prefix);
        if (at == std::string::npos) continue;
        std::size_t end = at + std::string_view(prefix).size();
        while (end < message.size() && std::isdigit(static_cast<unsigned char>(message[end]))) ++end;
        if (end > at + std::string_view(prefix).size()) return message.substr(at, end - at);
    }
    return {};
}

// An answer's JSON object, or an empty one when it is not one.
json object_of(const std::string& body) {
    auto j = json::parse(body, nullptr, false);
    return j.is_object() ? j : json::object();
}

std::string post_url(const std::string& urn) { return "https://www.linkedin.com/feed/update/" + urn + "/"; }

// LinkedIn's error body: {"status", "serviceErrorCode", "code", "message",
// "errorDetails": {"inputErrors": [{"code", "description"}]}}.
struct ApiError {
    std::string message;  // for people: "HTTP 401: Invalid access token (65600 INVALID_ACCESS_TOKEN)"
    std::vector<std::string> input_codes;
    std::string text;  // LinkedIn's own message alone
};

ApiError api_error(const Host::Response& r) {
    ApiError e;
    const auto body = json::parse(r.body, nullptr, false);
    e.text = string_field(body, "message");
    e.message = "HTTP " + std::to_string(r.http_status) + (e.text.empty() ? "" : ": " + e.text);
    const std::string service = string_field(body, "serviceErrorCode"), code = string_field(body, "code");
    if (!service.empty() || !code.empty()) e.message += " (" + trimmed(service + " " + code) + ")";
    if (body.is_object() && body.contains("errorDetails") && body["errorDetails"].is_object()) {
        const json inputs = body["errorDetails"].value("inputErrors", json::array());
        for (const auto& in : inputs)
            if (const auto c = string_field(in, "code"); !c.empty()) e.input_codes.push_back(c);
    }
    return e;
}

bool is_duplicate(const ApiError& e) {
    return std::find(e.input_codes.begin(), e.input_codes.end(), "DUPLICATE_POST") != e.input_codes.end();
}

// How long a 429 asks to wait. LinkedIn's limits are daily and reset at
// midnight UTC, and its 429 carries no rate-limit headers (rate-limits), so
// the wait runs to the next midnight by the answer's own Date; a
// Retry-After, should one come, is taken as said.
std::int64_t throttle_wait_ms(const Host::Response& r, const Host& host) {
    if (const std::int64_t said = web::retry_after_header_ms(r, host); said > 0) return said;
    constexpr std::int64_t kDay = 86'400'000;
    const std::int64_t now = web::server_now_ms(r, host);
    return std::max<std::int64_t>((now / kDay + 1) * kDay - now, 1000);
}

// Maps an answer that is not a success. `may_have_posted` is true only for
// the request that creates the post: a lost answer there may be a live post.
OpResult failure(const Host::Response& r, const Host& host, const std::string& what, bool may_have_posted = false) {
    if (r.status != CLEARPOST_OK) {
        const bool in_doubt = may_have_posted && r.status == CLEARPOST_ERR_IN_DOUBT;
        return OpResult::error(in_doubt ? CLEARPOST_ERR_IN_DOUBT : CLEARPOST_ERR_TRANSIENT, what + ": " + r.error);
    }
    const ApiError e = api_error(r);
    const std::string message = what + ": " + e.message;
    const int code = r.http_status;
    if (code == 429) return OpResult::error(CLEARPOST_ERR_RATE_LIMITED, message, throttle_wait_ms(r, host));
    if (code >= 500 || code == 408) return OpResult::error(CLEARPOST_ERR_TRANSIENT, message);
    // 401: the token is invalid (65600), revoked (65601) or expired.
    if (code == 401) return OpResult::error(CLEARPOST_ERR_AUTH, message + "; reconnect the account");
    // 403: the member lacks a page role or the app a scope (posts-api permissions).
    if (code == 403) {
        return OpResult::error(CLEARPOST_ERR_AUTH,
                               message + "; the member who connected the account needs the ADMINISTRATOR or "
                                         "CONTENT_ADMIN role on the page, and the app the w_organization_social, "
                                         "r_organization_social and rw_organization_admin scopes; fix that, then "
                                         "reconnect the account");
    }
    if (code == 422 && is_duplicate(e)) {
        const std::string existing = named_post(e.text);
        return OpResult::error(CLEARPOST_ERR_PERMANENT,
                               message + "; LinkedIn already has this text on the page" +
                                   (existing.empty() ? "" : " as " + post_url(existing)) + ", so it was not posted again");
    }
    if (code == 400 || code == 422) return OpResult::error(CLEARPOST_ERR_INVALID, message);
    return OpResult::error(CLEARPOST_ERR_PERMANENT, message);
}

std::string api(const json& creds) {
    std::string s = string_field(creds, "api_url");
    if (s.empty()) s = kProductionApi;
    while (!s.empty() && s.back() == '/') s.pop_back();
    return s;
}

// The token endpoint is on www.linkedin.com in production; a stand-in named
// by api_url answers it itself.
std::string token_url(const json& creds) {
    return string_field(creds, "api_url").empty() ? kProductionTokenUrl : api(creds) + "/oauth/v2/accessToken";
}

OpResult check_credentials(const json& creds, bool need_page = true) {
    if (string_field(creds, "access_token").empty())
        return OpResult::error(CLEARPOST_ERR_AUTH, "no LinkedIn access token is stored for this account; reconnect it");
    if (need_page && string_field(creds, "organization_urn").rfind("urn:li:organization:", 0) != 0)
        return OpResult::error(CLEARPOST_ERR_AUTH, "no LinkedIn page is stored for this account; reconnect it");
    return OpResult::ok();
}

// One REST call with the headers every versioned API call needs
// (LinkedIn-Version, Rest.li protocol 2.0.0). `restli_method` names a
// FINDER or DELETE as the documented examples do.
Host::Response rest(const Host& host, const json& creds, const std::string& method, const std::string& path,
                    const json& body = nullptr, const char* restli_method = nullptr) {
    const std::string token = string_field(creds, "access_token");
    json headers{{"Authorization", "Bearer " + token},
                 {"LinkedIn-Version", kVersion},
                 {"X-Restli-Protocol-Version", "2.0.0"},
                 {"Accept", "application/json"}};
    if (restli_method) headers["X-RestLi-Method"] = restli_method;
    json request{{"method", method}, {"url", api(creds) + path}, {"headers", headers}, {"timeout_ms", 30000},
                 {"secrets", json::array({token})}};
    if (!body.is_null()) {
        request["headers"]["Content-Type"] = "application/json";
        request["body"] = body.dump();
    }
    return host.http(request);
}

// Why the post cannot go to LinkedIn, in words for people; empty if it can.
std::vector<std::string> problems_of(const json& post) {
    std::vector<std::string> out;
    const std::string text = string_field(post, "text");
    if (const std::size_t n = code_points(text); n > kTextLimit)
        out.push_back("the text is " + with_commas(n) + " characters and LinkedIn takes at most " + with_commas(kTextLimit) +
                      "; shorten it by " + with_commas(n - kTextLimit));
    for (auto& p : clearpost::sdk::media_problems(post, kMediaLimits)) out.push_back(std::move(p));
    const json media = post.is_object() ? post.value("media", json::array()) : json::array();
    for (std::size_t i = 0; media.is_array() && i < media.size(); ++i) {
        const std::int64_t w = media[i].is_object() ? media[i].value("width", std::int64_t{0}) : 0;
        const std::int64_t h = media[i].is_object() ? media[i].value("height", std::int64_t{0}) : 0;
        if (w * h >= kMaxPixels)
            out.push_back("image " + std::to_string(i + 1) + " has " + with_commas(static_cast<std::size_t>(w * h)) +
                          " pixels and LinkedIn takes fewer than " + with_commas(kMaxPixels) + "; export it smaller");
    }
    if (trimmed(text).empty() && (!media.is_array() || media.empty())) out.push_back("the post has neither text nor images");
    return out;
}

// How many images a post read back carries (content.media or multiImage).
std::size_t images_of(const json& post) {
    const json content = post.value("content", json::object());
    if (!content.is_object()) return 0;
    if (content.contains("multiImage") && content["multiImage"].is_object())
        return content["multiImage"].value("images", json::array()).size();
    if (content.contains("media") && content["media"].is_object())
        return string_field(content["media"], "id").rfind("urn:li:image:", 0) == 0 ? 1 : 0;
    return 0;
}

// The host's note that a post's create request left this process: a
// DUPLICATE_POST on a later try of the same key then names our own post.
std::string sent_note(const std::string& key) { return "linkedin-sent-" + key; }

class LinkedIn final : public clearpost::sdk::Publisher {
public:
    const char* capabilities() const override { return kCapabilities; }

    OpResult validate(const Host&, const json& request) override {
        json problems = json::array();
        for (auto& p : problems_of(request.value("post", json::object()))) problems.push_back(std::move(p));
        return OpResult::ok({{"problems", problems}});
    }

    // Finds the page the account's handle names (its numeric id,
    // urn:li:organization:ID or vanity name, as in linkedin.com/company/NAME)
    // among those the member who signed in may post for, and stores it.
    OpResult authorize_complete(const Host& host, const json& request) override {
        json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds, false); missing.status != CLEARPOST_OK) return missing;
        std::string handle = trimmed(string_field(request.value("account", json::object()), "handle"));
        std::transform(handle.begin(), handle.end(), handle.begin(), [](unsigned char c) { return std::tolower(c); });
        for (const char* prefix : {"https://www.linkedin.com/company/", "urn:li:organization:"})
            if (handle.rfind(prefix, 0) == 0) handle = handle.substr(std::string_view(prefix).size());
        while (!handle.empty() && handle.back() == '/') handle.pop_back();

        // The member's approved roles (organization-access-control-by-role).
        // ⚠ Content admins are CONTENT_ADMIN on the permission pages and
        // CONTENT_ADMINISTRATOR in the role table: both are taken.
        auto acls = rest(host, creds, "GET", "/rest/organizationAcls?q=roleAssignee&state=APPROVED&count=100", nullptr, "FINDER");
        if (acls.status != CLEARPOST_OK || acls.http_status != 200) return failure(acls, host, "finding the pages you administer");
        static constexpr std::string_view kPosting[] = {"ADMINISTRATOR", "CONTENT_ADMIN", "CONTENT_ADMINISTRATOR",
                                                        "DIRECT_SPONSORED_CONTENT_POSTER"};
        std::vector<std::string> pages;
        for (const auto& acl : object_of(acls.body).value("elements", json::array())) {
            const std::string role = string_field(acl, "role"), page = string_field(acl, "organization");
            if (std::find(std::begin(kPosting), std::end(kPosting), role) == std::end(kPosting)) continue;
            if (page.rfind("urn:li:organization:", 0) == 0 && std::find(pages.begin(), pages.end(), page) == pages.end())
                pages.push_back(page);
        }
        std::vector<std::string> seen;
        for (const auto& page : pages) {
            const std::string id = page.substr(std::string_view("urn:li:organization:").size());
            auto org = rest(host, creds, "GET", "/rest/organizations/" + id);
            // A page whose details the member may not read is still matched by id.
            if (org.status != CLEARPOST_OK || (org.http_status != 200 && org.http_status != 403 && org.http_status != 404))
                return failure(org, host, "reading page " + id);
            const auto details = org.http_status == 200 ? object_of(org.body) : json::object();
            std::string vanity = string_field(details, "vanityName");
            const std::string name = string_field(details, "localizedName");
            const std::string display = (name.empty() ? page : name) + (vanity.empty() ? "" : " (" + vanity + ")");
            std::transform(vanity.begin(), vanity.end(), vanity.begin(), [](unsigned char c) { return std::tolower(c); });
            if (handle == id || (!vanity.empty() && handle == vanity)) {
                creds["organization_urn"] = page;
                return OpResult::ok({{"credentials", creds}, {"account", {{"display", display}}}});
            }
            seen.push_back(display + " " + page);
        }
        const std::string wanted = string_field(request.value("account", json::object()), "handle");
        return OpResult::error(CLEARPOST_ERR_AUTH,
                               seen.empty() ? "the LinkedIn member who signed in may post for no page, so not for '" +
                                                  wanted + "'; sign in as an administrator or content admin of that page"
                                            : "the LinkedIn member who signed in may post for " + join(seen, ", ") +
                                                  ", not for '" + wanted +
                                                  "'; sign in as an administrator of that page or correct the account's handle");
    }

    // Only apps LinkedIn approved for programmatic refresh get refresh
    // tokens (365 days, not rotated; programmatic-refresh-tokens); any other
    // access token simply ends after 60 days.
    OpResult refresh_credentials(const Host& host, const json& request) override {
        const json creds = request.value("credentials", json::object());
        if (string_field(creds, "refresh_token").empty()) {
            return OpResult::error(CLEARPOST_ERR_AUTH,
                                   "LinkedIn access tokens last 60 days and LinkedIn gave this app no refresh token; "
                                   "reconnect the account");
        }
        return clearpost::sdk::oauth_refresh::refresh(
            host, creds, {token_url(creds), string_field(creds, "client_id"), string_field(creds, "client_secret"), false},
            "LinkedIn");
    }

    OpResult publish(const Host& host, const json& request) override {
        const json post = request.value("post", json::object());
        if (const auto problems = problems_of(post); !problems.empty())
            return OpResult::error(CLEARPOST_ERR_INVALID, join(problems, "; "));
        const json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        const std::string key = request.value("idempotency_key", std::string());
        if (key.empty()) return OpResult::error(CLEARPOST_ERR_INVALID, "the host sent no idempotency key");
        const std::string page = string_field(creds, "organization_urn");
        const std::string text = string_field(post, "text");

        // Images first: nothing is live yet, so a failure here is safe to
        // retry (an image no post uses is never shown).
        json images = json::array();
        const json media = post.value("media", json::array());
        for (std::size_t i = 0; i < media.size(); ++i) {
            auto uploaded = upload_image(host, creds, media[i], i);
            if (uploaded.status != CLEARPOST_OK) return uploaded;
            json image{{"id", uploaded.body["image"]}};
            if (const auto alt = string_field(media[i], "alt"); !alt.empty()) image["altText"] = alt;
            images.push_back(std::move(image));
        }
        json body{{"author", page},
                  {"commentary", to_little(text)},
                  {"visibility", "PUBLIC"},
                  {"distribution", {{"feedDistribution", "MAIN_FEED"}, {"targetEntities", json::array()},
                                    {"thirdPartyDistributionChannels", json::array()}}},
                  {"lifecycleState", "PUBLISHED"},
                  {"isReshareDisabledByAuthor", false}};
        if (images.size() == 1) {
            body["content"] = {{"media", images[0]}};
        } else if (images.size() > 1) {
            body["content"] = {{"multiImage", {{"images", images}}}};
        } else if (const std::string link = first_link(text); !link.empty()) {
            body["content"] = {{"article", {{"source", link}, {"title", link_title(link)}}}};
        }

        // LinkedIn honours no idempotency key. A note made before the
        // request says a later try of this key may meet its own post.
        const bool sent_before = host.note_get(sent_note(key)).has_value();
        if (const auto kept = host.note_put(sent_note(key), "sent"); kept != CLEARPOST_OK && kept != CLEARPOST_ERR_UNSUPPORTED)
            return OpResult::error(CLEARPOST_ERR_TRANSIENT, "the host could not keep a note about the post; nothing was sent");
        auto r = rest(host, creds, "POST", "/rest/posts", body);
        if (r.status == CLEARPOST_OK && r.http_status == 201) {
            const auto id = r.headers.find("x-restli-id");
            if (id == r.headers.end() || !is_post_urn(id->second))
                return OpResult::error(CLEARPOST_ERR_IN_DOUBT, "LinkedIn accepted the post but named no post id");
            host.note_put(sent_note(key), std::nullopt);
            return OpResult::ok({{"remote_id", id->second}, {"remote_url", post_url(id->second)}});
        }
        const bool refused = r.status == CLEARPOST_OK && r.http_status < 500 && r.http_status != 408;
        // DUPLICATE_POST after an earlier try of this key whose answer was
        // lost or failed: the post LinkedIn names is the one that try made.
        if (refused && r.http_status == 422 && sent_before) {
            const ApiError e = api_error(r);
            if (const std::string existing = named_post(e.text); is_duplicate(e) && !existing.empty()) {
                host.log(CLEARPOST_LOG_INFO, "LinkedIn named " + existing + " as this post's duplicate: an earlier try made it");
                host.note_put(sent_note(key), std::nullopt);
                return OpResult::ok({{"remote_id", existing}, {"remote_url", post_url(existing)}});
            }
        }
        // A first try refused outright made nothing; after an earlier try
        // the note stays, since that try may still be the live post.
        if (refused && !sent_before) host.note_put(sent_note(key), std::nullopt);
        return failure(r, host, "publishing", /*may_have_posted=*/true);
    }

    // Settles an in-doubt attempt: the page's posts, most recently changed
    // first (posts-api, find posts by author), are searched back to the
    // approved time for one with this text and as many images. Found: it is
    // this post. Not found: sending again is safe, and should LinkedIn have
    // it after all, its DUPLICATE_POST names it (see publish).
    OpResult lookup(const Host& host, const json& request) override {
        const json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        const json post = request.value("post", json::object());
        const std::string text = trimmed(string_field(post, "text"));
        const std::size_t images = post.value("media", json::array()).size();
        const std::int64_t since = request.value("scheduled_at_ms", std::int64_t{0}) - kClockSkewMs;
        const std::string author = form_encode(string_field(creds, "organization_urn"));
        for (int page = 0; page < kLookupPages; ++page) {
            auto r = rest(host, creds, "GET",
                          "/rest/posts?author=" + author + "&q=author&count=" + std::to_string(kLookupPageSize) +
                              "&start=" + std::to_string(page * kLookupPageSize) + "&sortBy=LAST_MODIFIED",
                          nullptr, "FINDER");
            if (r.status != CLEARPOST_OK || r.http_status != 200) return failure(r, host, "searching the page's posts");
            const json elements = object_of(r.body).value("elements", json::array());
            for (const auto& p : elements) {
                if (!p.is_object()) continue;
                // Sorted by last change, and a post changes no earlier than it
                // is made: past the approved time, nothing older can match.
                if (p.value("lastModifiedAt", p.value("createdAt", std::int64_t{0})) < since)
                    return OpResult::ok({{"found", false}});
                if (p.value("createdAt", std::int64_t{0}) < since || string_field(p, "lifecycleState") != "PUBLISHED") continue;
                if (trimmed(from_little(string_field(p, "commentary"))) != text || images_of(p) != images) continue;
                const std::string id = string_field(p, "id");
                if (!is_post_urn(id)) continue;
                host.note_put(sent_note(request.value("idempotency_key", std::string())), std::nullopt);
                return OpResult::ok({{"found", true}, {"remote_id", id}, {"remote_url", post_url(id)}});
            }
            if (static_cast<int>(elements.size()) < kLookupPageSize) return OpResult::ok({{"found", false}});
        }
        return OpResult::error(CLEARPOST_ERR_PERMANENT,
                               "the page changed more than " + std::to_string(kLookupPages * kLookupPageSize) +
                                   " posts since this post's time, so Clearpost cannot tell whether it went out; "
                                   "check the page");
    }

    // DELETE /rest/posts/{urn}; a post already gone (404) counts as deleted.
    OpResult remove(const Host& host, const json& request) override {
        const json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        const std::string id = request.value("remote_id", std::string());
        if (!is_post_urn(id)) return OpResult::error(CLEARPOST_ERR_INVALID, "'" + id + "' is not a LinkedIn post URN");
        auto r = rest(host, creds, "DELETE", "/rest/posts/" + form_encode(id), nullptr, "DELETE");
        if (r.status == CLEARPOST_OK && (r.http_status == 204 || r.http_status == 200 || r.http_status == 404)) return OpResult::ok();
        return failure(r, host, "deleting " + id);
    }

    // The page's lifetime statistics of each post (share-statistics:
    // organic only, the last 12 months), named as on the other networks:
    // likes, replies (comments), reposts (shares), clicks, impressions,
    // unique_impressions, and LinkedIn's own engagement_rate (a ratio, so
    // not one of the counts). Only what LinkedIn returns; a post it does not
    // return gets no entry.
    OpResult fetch_metrics(const Host& host, const json& request) override {
        const json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        std::vector<std::string> shares, ugc_posts, wanted;
        for (const auto& id : request.value("remote_ids", json::array())) {
            if (!id.is_string() || !is_post_urn(id.get<std::string>()))
                return OpResult::error(CLEARPOST_ERR_INVALID, "a post id is not a LinkedIn post URN");
            wanted.push_back(id.get<std::string>());
            (wanted.back().rfind("urn:li:share:", 0) == 0 ? shares : ugc_posts).push_back(form_encode(wanted.back()));
        }
        json metrics = json::object();
        if (wanted.empty()) return OpResult::ok({{"metrics", metrics}});
        std::string path = "/rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=" +
                           form_encode(string_field(creds, "organization_urn"));
        if (!shares.empty()) path += "&shares=List(" + join(shares, ",") + ")";
        if (!ugc_posts.empty()) path += "&ugcPosts=List(" + join(ugc_posts, ",") + ")";
        auto r = rest(host, creds, "GET", path, nullptr, "FINDER");
        if (r.status != CLEARPOST_OK || r.http_status != 200) return failure(r, host, "reading post statistics");
        static constexpr std::pair<const char*, const char*> kCounts[] = {
            {"impressionCount", "impressions"}, {"uniqueImpressionsCount", "unique_impressions"},
            {"clickCount", "clicks"},           {"likeCount", "likes"},
            {"commentCount", "replies"},        {"shareCount", "reposts"}};
        for (const auto& e : object_of(r.body).value("elements", json::array())) {
            if (!e.is_object()) continue;
            std::string id = string_field(e, "share");
            if (id.empty()) id = string_field(e, "ugcPost");
            const json stats = e.value("totalShareStatistics", json::object());
            if (std::find(wanted.begin(), wanted.end(), id) == wanted.end() || !stats.is_object()) continue;
            json counts = web::counts(stats, kCounts);
            if (stats.contains("engagement") && stats["engagement"].is_number()) counts["engagement_rate"] = stats["engagement"];
            metrics[id] = std::move(counts);
        }
        return OpResult::ok({{"metrics", metrics}});
    }

    // The page's followers: GET /rest/networkSizes/{organization URN}
    // ?edgeType=COMPANY_FOLLOWED_BY_MEMBER -> {"firstDegreeSize"}
    // (organization-lookup-api, "Retrieve Organization Follower Count"; the
    // versioned API spells the edge type so, the old CompanyFollowedByMember
    // is refused). The URN goes percent-encoded, as Rest.li 2.0 wants a key
    // in a path. A page has no following or posts count, so only followers.
    OpResult fetch_account_metrics(const Host& host, const json& request) override {
        const json creds = request.value("credentials", json::object());
        if (auto missing = check_credentials(creds); missing.status != CLEARPOST_OK) return missing;
        static constexpr std::pair<const char*, const char*> kCounts[] = {{"firstDegreeSize", "followers"}};
        auto r = rest(host, creds, "GET",
                      "/rest/networkSizes/" + form_encode(string_field(creds, "organization_urn")) +
                          "?edgeType=COMPANY_FOLLOWED_BY_MEMBER");
        if (r.status != CLEARPOST_OK || r.http_status != 200) return failure(r, host, "reading the page's follower count");
        return OpResult::ok({{"metrics", web::counts(object_of(r.body), kCounts)}});
    }

private:
    // POST /rest/images?action=initializeUpload names an upload URL and the
    // image's URN; the bytes then go to that URL with a PUT (images-api).
    static OpResult upload_image(const Host& host, const json& creds, const json& m, std::size_t index) {
        const std::string which = "image " + std::to_string(index + 1);
        std::string bytes, why;
        if (!read_media_file(m.value("path", std::string()), kMaxImageBytes, "LinkedIn", bytes, why))
            return OpResult::error(CLEARPOST_ERR_INVALID, which + ": " + why);
        auto init = rest(host, creds, "POST", "/rest/images?action=initializeUpload",
                         {{"initializeUploadRequest", {{"owner", string_field(creds, "organization_urn")}}}});
        if (init.status != CLEARPOST_OK || init.http_status != 200) return failure(init, host, "preparing the upload of " + which);
        const json value = object_of(init.body).value("value", json::object());
        const std::string url = string_field(value, "uploadUrl"), image = string_field(value, "image");
        if (url.rfind("http", 0) != 0 || image.rfind("urn:li:image:", 0) != 0)
            return OpResult::error(CLEARPOST_ERR_TRANSIENT, "preparing the upload of " + which + ": LinkedIn named no upload URL");
        const std::string token = string_field(creds, "access_token");
        auto put = host.http({{"method", "PUT"},
                              {"url", url},
                              {"headers", {{"Authorization", "Bearer " + token}, {"Content-Type", m.value("mime", std::string())}}},
                              {"body_base64", clearpost::sdk::base64_encode(bytes)},
                              {"timeout_ms", 120000},
                              {"secrets", json::array({token})}});
        if (put.status != CLEARPOST_OK || (put.http_status != 200 && put.http_status != 201))
            return failure(put, host, "uploading " + which);
        return OpResult::ok({{"image", image}});
    }
};

}  // namespace

CLEARPOST_PUBLISHER(LinkedIn)
