// Meta's Graph API as Facebook Pages, Instagram and Threads answer it: one
// error shape for all three, mapped to the host's statuses, and the usage
// headers that say how long a throttled app or account must wait.
// Error codes: developers.facebook.com/docs/graph-api/guides/error-handling;
// usage headers: developers.facebook.com/docs/graph-api/overview/rate-limiting.
#pragma once

#include "web.hpp"

namespace clearpost::sdk::graph {

// {"error": {"message", "type", "code", "error_subcode", "error_user_msg", "fbtrace_id"}}
struct GraphError {
    int code = 0;
    int subcode = 0;
    bool is_transient = false;
    std::string message;  // error_user_msg when given, else message
};

inline GraphError parse_error(const std::string& body) {
    GraphError e;
    const auto j = json::parse(body, nullptr, false);
    if (!j.is_object() || !j.contains("error") || !j["error"].is_object()) return e;
    const json& err = j["error"];
    e.code = err.value("code", 0);
    e.subcode = err.value("error_subcode", 0);
    e.is_transient = err.value("is_transient", false);
    e.message = web::string_field(err, "error_user_msg");
    if (e.message.empty()) e.message = web::string_field(err, "message");
    return e;
}

// How long Meta asks a throttled caller to wait: the largest
// estimated_time_to_regain_access (minutes) in X-Business-Use-Case-Usage,
// else one hour for app-level throttling (X-App-Usage has no time; its
// window is a rolling hour).
inline std::int64_t throttle_wait_ms(const Host::Response& r) {
    std::int64_t minutes = 0;
    if (auto it = r.headers.find("x-business-use-case-usage"); it != r.headers.end()) {
        const auto usage = json::parse(it->second, nullptr, false);
        if (usage.is_object())
            for (const auto& [id, entries] : usage.items())
                if (entries.is_array())
                    for (const auto& e : entries)
                        if (e.is_object() && e.contains("estimated_time_to_regain_access") &&
                            e["estimated_time_to_regain_access"].is_number_integer())
                            minutes = std::max(minutes, e["estimated_time_to_regain_access"].get<std::int64_t>());
    }
    return minutes > 0 ? minutes * 60000 : 3600000;
}

inline bool is_throttling(int code, int subcode = 0) {
    // 4 app, 17 user, 32 page, 341 app limit, 613 calls within a period,
    // 80001-80014 business use case limits; 9/2207042: Instagram's
    // publishing limit reached (content_publishing_limit).
    return code == 4 || code == 17 || code == 32 || code == 341 || code == 613 || (code >= 80001 && code <= 80014) ||
           (code == 9 && subcode == 2207042);
}

// Maps an answer that is not a success. `may_have_posted` is true only for
// the request that makes a post live: a lost answer there is in doubt.
inline OpResult failure(const Host::Response& r, const std::string& what, const std::string& network,
                        bool may_have_posted = false) {
    if (r.status != CLEARPOST_OK) {
        const bool in_doubt = may_have_posted && r.status == CLEARPOST_ERR_IN_DOUBT;
        return OpResult::error(in_doubt ? CLEARPOST_ERR_IN_DOUBT : CLEARPOST_ERR_TRANSIENT, what + ": " + r.error);
    }
    const GraphError e = parse_error(r.body);
    std::string message = what + ": HTTP " + std::to_string(r.http_status);
    if (e.code != 0) message += ", " + network + " error " + std::to_string(e.code);
    if (e.subcode != 0) message += "/" + std::to_string(e.subcode);
    if (!e.message.empty()) message += ": " + e.message;
    if (is_throttling(e.code, e.subcode) || r.http_status == 429)
        return OpResult::error(CLEARPOST_ERR_RATE_LIMITED, message, throttle_wait_ms(r));
    if (e.code == 190 || e.code == 102) {
        // 190: the token expired (subcode 463), was invalidated by a password
        // change (460) or the app was removed (458).
        return OpResult::error(CLEARPOST_ERR_AUTH, message + "; reconnect the account");
    }
    if (e.code == 10 || (e.code >= 200 && e.code <= 299))
        return OpResult::error(CLEARPOST_ERR_AUTH, message + "; reconnect the account and grant the permission asked for");
    if (e.code == 506) return OpResult::error(CLEARPOST_ERR_PERMANENT, message + " (the same text was just posted)");
    if (e.is_transient || e.code == 1 || e.code == 2 || r.http_status >= 500)
        return OpResult::error(CLEARPOST_ERR_TRANSIENT, message);
    if (e.code == 100) return OpResult::error(CLEARPOST_ERR_INVALID, message);
    return OpResult::error(CLEARPOST_ERR_PERMANENT, message);
}

}  // namespace clearpost::sdk::graph
