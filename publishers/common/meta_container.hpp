// What Instagram and Threads share: a post is a container made first
// (POST /{user-id}/media or /threads), waited for until its status says it
// is ready, then published (POST /{user-id}/media_publish or
// /threads_publish). The container is the idempotency hook: its id is kept
// as a durable host note, keyed by the post's idempotency key, BEFORE the
// publish request, so a retry or lookup after a lost answer checks that
// container (GET /{container-id}?fields=status_code or status) instead of
// making another:
//   PUBLISHED            found: the media id is read from the account's recent media;
//   FINISHED/IN_PROGRESS publish that container, never a second one;
//   ERROR/EXPIRED/gone   make a new container.
// Instagram: developers.facebook.com/docs/instagram-platform/content-publishing
// and .../instagram-graph-api/reference/ig-container (status_code);
// Threads: developers.facebook.com/docs/threads/posts and
// developers.facebook.com/docs/threads/troubleshooting (status, error_message).
// Also the long-lived token exchange and refresh both networks share
// (developers.facebook.com/docs/instagram-platform/reference/access_token,
// .../refresh_access_token; developers.facebook.com/docs/threads/get-started/long-lived-tokens).
#pragma once

#include <chrono>
#include <functional>
#include <thread>

#include "graph.hpp"

namespace clearpost::sdk::meta {

// One network's Graph API for one account.
struct Api {
    const Host& host;
    std::string network;  // "Instagram", in messages
    std::string root;     // "https://graph.instagram.com", or the credentials' api_url
    std::string version;  // "/v23.0"
    std::string token;
    std::vector<std::string> secrets;  // the token and the media host's secrets

    // The access token travels as the documented access_token parameter
    // (query for GET and DELETE, form body for POST); the host redacts it.
    Host::Response call(const std::string& method, const std::string& path, web::Fields fields,
                        bool versioned = true) const {
        fields.emplace_back("access_token", token);
        const std::string url = root + (versioned ? version : "") + path;
        json r{{"method", method}, {"timeout_ms", 30000}, {"secrets", secrets}, {"headers", {{"Accept", "application/json"}}}};
        if (method == "POST") {
            r["url"] = url;
            r["headers"]["Content-Type"] = "application/x-www-form-urlencoded";
            r["body"] = web::form(fields);
        } else {
            r["url"] = url + "?" + web::form(fields);
        }
        return host.http(r);
    }
    Host::Response get(const std::string& path, web::Fields query = {}) const { return call("GET", path, std::move(query)); }
    Host::Response post(const std::string& path, web::Fields form) const { return call("POST", path, std::move(form)); }
};

inline json body_of(const Host::Response& r) { return json::parse(r.body, nullptr, false); }

inline bool answered(const Host::Response& r) { return r.status == CLEARPOST_OK && r.http_status == 200; }

// How one network names its container edges and fields.
struct Flow {
    std::string user;           // the account's id on the network
    const char* create_edge;    // "media" | "threads"
    const char* publish_edge;   // "media_publish" | "threads_publish"
    const char* status_field;   // "status_code" | "status"
    const char* detail_field;   // "status" (an error subcode) | "error_message"
    const char* quota_edge;     // "content_publishing_limit" | "threads_publishing_limit"
    const char* text_field;     // "caption" | "text"
    std::string list_edge;      // where the account's published posts are listed: "media" | "threads" | "replies"
};

// Graph times: "2026-08-01T13:53:15+0000" -> ms since the epoch; -1 when not one.
inline std::int64_t parse_time(const std::string& s) {
    std::tm tm{};
    int oh = 0, om = 0;
    char sign = '+';
    const int n = std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c%2d%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                              &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &sign, &oh, &om);
    if (n < 6) return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    const std::time_t t = timegm(&tm);
    if (t == static_cast<std::time_t>(-1)) return -1;
    const std::int64_t offset = n == 9 ? (sign == '-' ? -1 : 1) * (oh * 3600 + om * 60) : 0;
    return (static_cast<std::int64_t>(t) - offset) * 1000;
}

// The account's recent published posts, newest first (at most `limit`).
inline OpResult recent(const Api& api, const Flow& flow, int limit) {
    auto r = api.get("/" + flow.user + "/" + flow.list_edge,
                     {{"fields", std::string("id,") + flow.text_field + ",permalink,timestamp"}, {"limit", std::to_string(limit)}});
    if (!answered(r)) return graph::failure(r, "listing the account's recent posts", api.network);
    const json list = body_of(r).value("data", json::array());
    return OpResult::ok({{"data", list.is_array() ? list : json::array()}});
}

// Before a publish: the account's publishing quota over its rolling window
// (GET /{user-id}/content_publishing_limit or threads_publishing_limit,
// fields quota_usage and config {quota_total, quota_duration}). Used up:
// RATE_LIMITED until the oldest of the last quota_total posts leaves the
// window, measured against the server's clock (one hour when that cannot
// be told: the listing also holds posts made in the app, so it is an
// estimate and the next try checks again without posting).
inline OpResult check_quota(const Api& api, const Flow& flow) {
    auto r = api.get("/" + flow.user + "/" + flow.quota_edge, {{"fields", "quota_usage,config"}});
    if (!answered(r)) return graph::failure(r, "reading the publishing quota", api.network);
    const json data = body_of(r).value("data", json::array());
    if (!data.is_array() || data.empty() || !data[0].is_object()) return OpResult::ok();
    const json& q = data[0];
    const json config = q.value("config", json::object());
    const std::int64_t used = q.value("quota_usage", std::int64_t{0});
    const std::int64_t total = config.is_object() ? config.value("quota_total", std::int64_t{0}) : 0;
    const std::int64_t window_ms = (config.is_object() ? config.value("quota_duration", std::int64_t{86400}) : 86400) * 1000;
    if (total <= 0 || used < total) return OpResult::ok();
    std::int64_t wait = 3600000;
    auto listed = recent(api, flow, static_cast<int>(total));
    if (listed.status == CLEARPOST_OK && listed.body["data"].size() >= static_cast<std::size_t>(total)) {
        const std::int64_t oldest = parse_time(web::string_field(listed.body["data"][total - 1], "timestamp"));
        if (oldest > 0) wait = std::max<std::int64_t>(oldest + window_ms - web::server_now_ms(r, api.host), 60000);
    }
    return OpResult::error(CLEARPOST_ERR_RATE_LIMITED,
                           api.network + " allows " + std::to_string(total) + " published posts per " +
                               std::to_string(window_ms / 3600000) + " hours and the account has used them all",
                           wait);
}

// A container's status: ok({"status", "detail"}); "GONE" when the network
// no longer knows it (Graph error 100: the object does not exist).
inline OpResult container_status(const Api& api, const Flow& flow, const std::string& container) {
    auto r = api.get("/" + container, {{"fields", std::string(flow.status_field) + "," + flow.detail_field}});
    if (r.status == CLEARPOST_OK && (r.http_status == 400 || r.http_status == 404) && graph::parse_error(r.body).code == 100)
        return OpResult::ok({{"status", "GONE"}, {"detail", ""}});
    if (!answered(r)) return graph::failure(r, "reading container " + container, api.network);
    const json b = body_of(r);
    return OpResult::ok({{"status", web::string_field(b, flow.status_field)}, {"detail", web::string_field(b, flow.detail_field)}});
}

// Waits (bounded) until the container is ready: ok({"status"}) with
// FINISHED or PUBLISHED; a container that failed or expired is TRANSIENT
// (the next try makes a new one), as is one still processing after the
// polls (Meta asks for patience: the next try checks it again).
inline OpResult wait_ready(const Api& api, const Flow& flow, const std::string& container, const std::string& what,
                           int polls = 12) {
    auto delay = std::chrono::milliseconds(250);
    for (int i = 0; i < polls; ++i) {
        auto s = container_status(api, flow, container);
        if (s.status != CLEARPOST_OK) return s;
        const std::string status = s.body["status"];
        if (status == "FINISHED" || status == "PUBLISHED") return s;
        if (status != "IN_PROGRESS") {
            const std::string detail = s.body["detail"];
            return OpResult::error(CLEARPOST_ERR_TRANSIENT, api.network + " could not prepare " + what + " (container " +
                                                                container + " is " + status +
                                                                (detail.empty() ? "" : ": " + detail) +
                                                                "); the next try makes it again");
        }
        std::this_thread::sleep_for(delay);
        delay = std::min(delay * 2, std::chrono::milliseconds(8000));
    }
    return OpResult::error(CLEARPOST_ERR_TRANSIENT, api.network + " was still preparing " + what + " after " +
                                                        std::to_string(polls) + " checks; the next try checks again");
}

// Creates a container from `fields`: ok({"id"}).
inline OpResult create_container(const Api& api, const Flow& flow, const web::Fields& fields, const std::string& what) {
    auto r = api.post("/" + flow.user + "/" + flow.create_edge, fields);
    if (!answered(r)) return graph::failure(r, "preparing " + what, api.network);
    const std::string id = web::string_field(body_of(r), "id");
    if (id.empty()) return OpResult::error(CLEARPOST_ERR_TRANSIENT, "preparing " + what + ": the answer has no container id");
    return OpResult::ok({{"id", id}});
}

// A post's permanent address; "" when it cannot be read (the post is live
// all the same, so that is only logged).
inline std::string permalink(const Api& api, const std::string& media_id) {
    auto r = api.get("/" + media_id, {{"fields", "permalink"}});
    if (answered(r)) return web::string_field(body_of(r), "permalink");
    api.host.log(CLEARPOST_LOG_WARN, "could not read the address of " + api.network + " post " + media_id);
    return {};
}

// An insight's number: values[0].value, or total_value.value (the form of
// totals such as a Threads user's followers_count); null when it has none.
inline json insight_value(const json& d) {
    if (!d.is_object()) return json();
    if (d.contains("values") && d["values"].is_array() && !d["values"].empty() && d["values"][0].is_object())
        return d["values"][0].value("value", json());
    const json total = d.value("total_value", json::object());
    return total.is_object() ? total.value("value", json()) : json();
}

// A post's counts from GET /{media-id}/insights?metric=`metrics`, each
// Graph metric renamed as `names` says; only what the network reports
// (insight_value), and a post the network no longer has (Graph error 100)
// gets no entry.
inline OpResult fetch_insights(const Api& api, const json& ids, const std::string& metrics,
                               const std::vector<std::pair<std::string, std::string>>& names) {
    json out = json::object();
    for (const auto& id : ids.is_array() ? ids : json::array()) {
        if (!id.is_string()) return OpResult::error(CLEARPOST_ERR_INVALID, "a post id is not a string");
        auto r = api.get("/" + id.get<std::string>() + "/insights", {{"metric", metrics}});
        if (r.status == CLEARPOST_OK && (r.http_status == 400 || r.http_status == 404) && graph::parse_error(r.body).code == 100)
            continue;
        if (!answered(r)) return graph::failure(r, "reading post insights", api.network);
        json counts = json::object();
        const json data = body_of(r).value("data", json::array());
        for (const auto& d : data.is_array() ? data : json::array()) {
            for (const auto& [name, as] : names) {
                if (web::string_field(d, "name") != name) continue;
                if (const json v = insight_value(d); v.is_number_integer()) counts[as] = v;
            }
        }
        out[id.get<std::string>()] = std::move(counts);
    }
    return OpResult::ok({{"metrics", out}});
}

// --- notes -----------------------------------------------------------------

// {"container": id} before the publish request, {"container", "media_id"} after.
inline json load_note(const Host& host, const std::string& key) {
    auto raw = host.note_get(key);
    if (!raw) return json::object();
    json note = json::parse(*raw, nullptr, false);
    return note.is_object() ? note : json::object();
}

inline OpResult save_note(const Host& host, const std::string& key, const json& note) {
    if (!host.keeps_notes()) return OpResult::ok();  // an older host: publishing works, lookup cannot settle
    if (host.note_put(key, note.dump()) != CLEARPOST_OK)
        return OpResult::error(CLEARPOST_ERR_TRANSIENT, "Clearpost could not record the container before publishing; "
                                                        "nothing was published");
    return OpResult::ok();
}

inline void forget_note(const Host& host, const std::string& key) {
    if (host.keeps_notes()) host.note_put(key, std::nullopt);
}

// What the note `key` says about one post now:
//   ok({"media_id"})    published (recorded, or its container PUBLISHED and found);
//   ok({"container"})   a container to publish (ready or still processing);
//   ok({})              nothing usable: make a new container.
// `text` and `since_ms` find the post of a container that says PUBLISHED
// among the account's recent posts (a container does not name its post).
inline OpResult settle(const Api& api, const Flow& flow, const std::string& key, const std::string& text,
                       std::int64_t since_ms) {
    json note = load_note(api.host, key);
    if (!web::string_field(note, "media_id").empty()) return OpResult::ok({{"media_id", note["media_id"]}});
    const std::string container = web::string_field(note, "container");
    if (container.empty()) return OpResult::ok();
    auto s = container_status(api, flow, container);
    if (s.status != CLEARPOST_OK) return s;
    const std::string status = s.body["status"];
    if (status == "FINISHED" || status == "IN_PROGRESS") return OpResult::ok({{"container", container}});
    if (status != "PUBLISHED") {
        forget_note(api.host, key);
        return OpResult::ok();
    }
    auto listed = recent(api, flow, 50);
    if (listed.status != CLEARPOST_OK) return listed;
    // Newest first: the oldest match since the approved time is this post.
    std::string media_id;
    for (const auto& m : listed.body["data"]) {
        const std::int64_t at = parse_time(web::string_field(m, "timestamp"));
        if (at >= 0 && at < since_ms) break;
        if (web::string_field(m, flow.text_field) == text) media_id = web::string_field(m, "id");
    }
    if (media_id.empty()) {
        return OpResult::error(CLEARPOST_ERR_PERMANENT, api.network + " says container " + container +
                                                            " was published, but the post is not among the account's "
                                                            "recent posts; check the account before publishing again");
    }
    note["media_id"] = media_id;
    if (auto saved = save_note(api.host, key, note); saved.status != CLEARPOST_OK) return saved;
    return OpResult::ok({{"media_id", media_id}});
}

// Publishes one post through its container, settled through note `key`:
// an earlier container is used when there is one, else `make` creates one
// (ok({"id"})). ok({"media_id"}). Only the publish request can make the
// post live, so only its lost answer is IN_DOUBT; the note is kept then
// (and on any failure a retry can resolve), so the retry finds the container.
inline OpResult publish_once(const Api& api, const Flow& flow, const std::string& key, const std::string& text,
                             std::int64_t since_ms, const std::string& what, const std::function<OpResult()>& make) {
    auto known = settle(api, flow, key, text, since_ms);
    if (known.status != CLEARPOST_OK || known.body.contains("media_id")) return known;
    std::string container = web::string_field(known.body, "container");
    if (container.empty()) {
        auto made = make();
        if (made.status != CLEARPOST_OK) return made;
        container = made.body["id"];
        if (auto saved = save_note(api.host, key, {{"container", container}}); saved.status != CLEARPOST_OK) return saved;
    }
    auto ready = wait_ready(api, flow, container, what);
    if (ready.status != CLEARPOST_OK) return ready;
    if (ready.body["status"] == "PUBLISHED") return settle(api, flow, key, text, since_ms);
    auto r = api.post("/" + flow.user + "/" + flow.publish_edge, {{"creation_id", container}});
    if (!answered(r)) {
        auto failed = graph::failure(r, "publishing " + what, api.network, /*may_have_posted=*/true);
        if (failed.status == CLEARPOST_ERR_INVALID || failed.status == CLEARPOST_ERR_PERMANENT) forget_note(api.host, key);
        return failed;
    }
    const std::string media_id = web::string_field(body_of(r), "id");
    if (media_id.empty())
        return OpResult::error(CLEARPOST_ERR_IN_DOUBT, api.network + " accepted " + what + " but its answer has no post id");
    if (auto saved = save_note(api.host, key, {{"container", container}, {"media_id", media_id}}); saved.status != CLEARPOST_OK)
        api.host.log(CLEARPOST_LOG_WARN, "could not record that " + what + " was published as " + media_id);
    return OpResult::ok({{"media_id", media_id}});
}

// --- tokens ----------------------------------------------------------------

// The fields a token endpoint's answer sets: access_token, expires_at, and
// issued_at (a long-lived token can be refreshed only once it is 24 hours old).
inline OpResult take_token(const Host& host, const Host::Response& r, json creds, const std::string& what,
                           const std::string& network) {
    if (!answered(r)) {
        auto failed = graph::failure(r, what, network);
        // A refused token exchange or refresh is a dead or wrong token: a person reconnects.
        if (failed.status == CLEARPOST_ERR_PERMANENT || failed.status == CLEARPOST_ERR_INVALID) failed.status = CLEARPOST_ERR_AUTH;
        return failed;
    }
    const json b = body_of(r);
    const std::string token = web::string_field(b, "access_token");
    if (token.empty()) return OpResult::error(CLEARPOST_ERR_TRANSIENT, what + ": the answer has no access token");
    creds["access_token"] = token;
    creds["issued_at"] = host.now_ms() / 1000;
    if (b.contains("expires_in") && b["expires_in"].is_number_integer()) {
        creds["expires_at"] = host.now_ms() / 1000 + b["expires_in"].get<std::int64_t>();
    } else {
        creds.erase("expires_at");
    }
    return OpResult::ok({{"credentials", creds}});
}

// The long-lived token refreshed (GET /refresh_access_token?grant_type=...),
// once it is at least 24 hours old; a younger one needs no refresh while it
// works, so it is checked with `me_path` instead: refused means dead (AUTH).
inline OpResult refresh(const Api& api, json creds, const std::string& grant_type, const std::string& me_path) {
    const std::int64_t now_s = api.host.now_ms() / 1000;
    const std::int64_t issued = creds.value("issued_at", std::int64_t{0});
    if (issued > 0 && now_s - issued < 24 * 3600) {
        auto me = api.get(me_path, {{"fields", "id"}});
        if (answered(me)) return OpResult::ok({{"credentials", creds}});
        return graph::failure(me, "checking the " + api.network + " token", api.network);
    }
    auto r = api.call("GET", "/refresh_access_token", {{"grant_type", grant_type}}, /*versioned=*/false);
    return take_token(api.host, r, std::move(creds), "refreshing the " + api.network + " token", api.network);
}

// "@Clinic" and "clinic" name the same account.
inline std::string plain_handle(std::string h) {
    if (!h.empty() && h[0] == '@') h.erase(0, 1);
    for (auto& c : h) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return h;
}

// The account's API: its credentials' api_url (else `default_root`) and token.
inline Api api_for(const Host& host, const json& creds, const std::string& network, const std::string& default_root,
                   const std::string& version) {
    std::string root = web::string_field(creds, "api_url");
    if (root.empty()) root = default_root;
    while (!root.empty() && root.back() == '/') root.pop_back();
    const std::string token = web::string_field(creds, "access_token");
    std::vector<std::string> secrets{token};
    if (const auto secret = web::string_field(creds, "client_secret"); !secret.empty()) secrets.push_back(secret);
    return Api{host, network, root, version, token, secrets};
}

// authorize_complete for both networks: who signed in (GET /me?fields=
// `id_field`,username) must be the account's handle; only then is the
// short-lived token exchanged for a long-lived one (GET /access_token?
// grant_type=`exchange_grant`, with the app secret). The user's id is kept
// as `id_key`; neither network issues a refresh token (the long-lived token
// renews itself).
inline OpResult complete_sign_in(const Api& api, const json& request, const std::string& id_field,
                                 const std::string& exchange_grant, const std::string& id_key) {
    json creds = request.value("credentials", json::object());
    const std::string secret = web::string_field(creds, "client_secret");
    if (secret.empty())
        return OpResult::error(CLEARPOST_ERR_AUTH, "the " + api.network + " token exchange needs the app's client "
                                                   "secret; enter it and connect again");
    auto me = api.get("/me", {{"fields", id_field + ",username"}});
    if (!answered(me)) return graph::failure(me, "reading who signed in to " + api.network, api.network);
    const json who = body_of(me);
    const std::string username = web::string_field(who, "username");
    const std::string handle = request.value("/account/handle"_json_pointer, std::string());
    if (plain_handle(username) != plain_handle(handle)) {
        return OpResult::error(CLEARPOST_ERR_AUTH, api.network + " signed in @" + username + ", not @" +
                                                       plain_handle(handle) + "; sign in to " + api.network +
                                                       " as that account and connect again");
    }
    auto r = api.call("GET", "/access_token", {{"grant_type", exchange_grant}, {"client_secret", secret}},
                      /*versioned=*/false);
    auto exchanged = take_token(api.host, r, creds, "exchanging the " + api.network + " token for a long-lived one",
                                api.network);
    if (exchanged.status != CLEARPOST_OK) return exchanged;
    creds = exchanged.body["credentials"];
    creds[id_key] = web::string_field(who, id_field.c_str());
    creds["username"] = username;
    creds.erase("refresh_token");
    return OpResult::ok({{"credentials", creds}, {"account", {{"display", "@" + username}}}});
}

}  // namespace clearpost::sdk::meta
