#include "clearpost/publish/dispatcher.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>

#include "clearpost/crypto/crypto.h"
#include "clearpost/publisher.h"

namespace clearpost::publish {

using model::State;
using nlohmann::json;

struct Dispatcher::Outcome {
    State state = State::Published;
    std::string remote_id;
    std::string remote_url;
    std::string error;                    // for people: what happened and what to do
    std::optional<UnixSeconds> retry_at;  // with RetryWait
    std::string notice_kind;              // empty: no notice
    std::string account_status;           // empty: unchanged
};

UnixSeconds backoff_seconds(int attempts, double jitter01) {
    const double base = 30.0 * std::pow(2.0, std::max(0, attempts - 1));
    const double capped = std::min(base, 3600.0);
    return static_cast<UnixSeconds>(capped * (1.0 + 0.2 * std::clamp(jitter01, 0.0, 1.0)));
}

std::string make_owner_id() {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    return std::string(host) + ":" + std::to_string(::getpid()) + ":" + crypto::to_hex(crypto::random_bytes(4));
}

Dispatcher::Dispatcher(store::Store& store, security::Vault& vault, security::AuditLog& audit,
                       PluginRegistry& plugins, PluginHost& host, Clock clock, DispatchOptions options)
    : m_store(store),
      m_vault(vault),
      m_audit(audit),
      m_plugins(plugins),
      m_host(host),
      m_clock(std::move(clock)),
      m_options(std::move(options)) {}

Result<DispatchStats> Dispatcher::run_once() {
    DispatchStats stats;
    while (true) {
        CLEARPOST_ASSIGN(auto claimed, m_store.claim_due(m_options.owner, m_clock(), m_options.lease_seconds,
                                                         m_options.batch));
        if (claimed.empty()) break;
        stats.claimed += static_cast<int>(claimed.size());
        for (const auto& target : claimed) {
            auto outcome = publish_target(target);
            if (!outcome) {
                // The store itself failed: leave the lease to expire so the
                // target is retried, and stop this round.
                m_host.log(LogLevel::Error, "target " + std::to_string(target.id) + ": " + outcome.error().message);
                return std::move(outcome).error();
            }
            CLEARPOST_CHECK(apply(target, *outcome, stats));
        }
    }
    return stats;
}

Result<Dispatcher::Outcome> Dispatcher::publish_target(const model::Target& target) {
    const UnixSeconds now = m_clock();
    Outcome out;
    auto retry = [&](std::string why, UnixSeconds delay) {
        out.state = State::RetryWait;
        out.error = std::move(why);
        out.retry_at = now + delay;
        return out;
    };
    auto stop = [&](State state, std::string why, std::string notice) {
        out.state = state;
        out.error = std::move(why);
        out.notice_kind = std::move(notice);
        return out;
    };
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    const double jitter = std::uniform_real_distribution<double>(0.0, 1.0)(rng);

    CLEARPOST_ASSIGN(auto account, m_store.find_account(target.account_id));
    if (!account) return stop(State::Failed, "the target's account no longer exists", "publish_failed");
    const std::string label = account->network + ":" + account->handle;

    // Only the approved, unchanged version is ever published.
    CLEARPOST_ASSIGN(auto post, m_store.find_post(target.post_id));
    CLEARPOST_ASSIGN(auto version, m_store.version(target.version_id));
    if (!post || post->state != State::Scheduled || post->current_version_id != target.version_id ||
        model::content_hash(version.content) != version.content_hash) {
        return stop(State::Failed,
                    "post " + std::to_string(target.post_id) +
                        " changed after it was approved, so it was not published; review and schedule it again",
                    "publish_failed");
    }

    // Refused once is enough: the account's other posts wait for the reconnect
    // (which sets the status back) instead of each trying the refused secret.
    if (account->status == "needs_reauthorization") {
        out.account_status = account->status;
        return stop(State::NeedsAttention,
                    label + " must be reconnected: its credentials were refused; reconnect it "
                            "(clearpostctl account connect), then retry the post",
                    "needs_reauthorization");
    }

    auto plugin = m_plugins.find(account->network);
    if (!plugin) return retry(plugin.error().message, 300);
    const auto& table = (*plugin)->table();
    const auto caps = json::parse((*plugin)->capabilities(), nullptr, false);
    const std::string idempotency = caps.is_object() ? caps.value("idempotency", std::string("none")) : "none";

    auto credentials = m_vault.get(account->id);
    if (!credentials) {
        if (credentials.error().code != ErrorCode::NotFound) return std::move(credentials).error();
        out.account_status = "needs_reauthorization";
        return stop(State::NeedsAttention,
                    label + " is not connected; connect it (clearpostctl account connect) and retry the post",
                    "needs_reauthorization");
    }
    auto creds = json::parse(*credentials, nullptr, false);
    if (!creds.is_object()) return stop(State::NeedsAttention, "the stored credentials of " + label + " are damaged; reconnect it", "needs_reauthorization");
    std::vector<std::string> secrets;
    for (const auto& [k, v] : creds.items())
        if (v.is_string() && k != "service" && k != "identifier" && k != "did") secrets.push_back(v.get<std::string>());

    // The approved time, not the target's (which moves on retries): plugins
    // may derive record keys from it, so it must be the same on every try.
    const std::int64_t stable_ms = version.content.scheduled_at.value_or(target.scheduled_at) * 1000;
    std::string text = version.content.text;
    for (const auto& spec : version.content.targets)
        if (spec.account_id == account->id && !spec.text_override.empty()) text = spec.text_override;
    json request{{"account", {{"network", account->network}, {"handle", account->handle}}},
                 {"credentials", creds},
                 {"post", {{"text", text}, {"media", json::array()}}},
                 {"idempotency_key", target.idempotency_key},
                 {"scheduled_at_ms", stable_ms}};
    auto save_credentials = [&](const OpCall& call) -> Result<void> {
        const auto doc = json::parse(call.result_json, nullptr, false);
        if (doc.is_object() && doc.contains("credentials") && doc["credentials"].is_object()) {
            CLEARPOST_CHECK(m_vault.put(account->id, doc["credentials"].dump(), m_clock()));
            request["credentials"] = doc["credentials"];
            for (const auto& [k, v] : doc["credentials"].items())
                if (v.is_string()) secrets.push_back(v.get<std::string>());
        }
        return ok();
    };
    auto found = [&](const OpCall& call) {
        const auto doc = json::parse(call.result_json, nullptr, false);
        out.state = State::Published;
        out.remote_id = doc.value("remote_id", std::string());
        out.remote_url = doc.value("remote_url", std::string());
        return out;
    };

    // A crash left an attempt whose fate is unknown: settle it first.
    CLEARPOST_ASSIGN(int in_doubt, m_store.in_doubt_attempts(target.id));
    if (in_doubt > 0) {
        if (idempotency == "none" && !table.lookup) {
            return stop(State::NeedsAttention,
                        "an earlier attempt to publish to " + label +
                            " may have gone through; check the account, then retry or cancel the post",
                        "needs_attention");
        }
        auto looked = m_host.call(table.lookup, table.free_string,
                                  json{{"account", request["account"]}, {"credentials", request["credentials"]},
                                       {"post", request["post"]},  // a thread is found only when whole
                                       {"idempotency_key", target.idempotency_key},
                                       {"scheduled_at_ms", stable_ms}}
                                      .dump(),
                                  secrets);
        if (looked.status == CLEARPOST_OK) {
            CLEARPOST_CHECK(save_credentials(looked));
            const auto doc = json::parse(looked.result_json, nullptr, false);
            const bool was_published = doc.is_object() && doc.value("found", false);
            CLEARPOST_CHECK(m_store.resolve_in_doubt_attempts(target.id, was_published ? "found" : "absent", now));
            if (was_published) return found(looked);
        } else if (looked.status == CLEARPOST_ERR_UNSUPPORTED && idempotency != "none") {
            // The network recognises the key itself: sending again is safe.
        } else if (looked.status == CLEARPOST_ERR_TRANSIENT || looked.status == CLEARPOST_ERR_RATE_LIMITED ||
                   looked.status == CLEARPOST_ERR_IN_DOUBT) {
            return retry("checking an earlier attempt on " + label + " failed: " + looked.message,
                         backoff_seconds(target.attempts, jitter));
        } else {
            return stop(State::NeedsAttention,
                        "an earlier attempt to publish to " + label + " may have gone through (" + looked.message +
                            "); check the account, then retry or cancel the post",
                        "needs_attention");
        }
    }

    for (int round = 0; round < 2; ++round) {
        // Recorded and committed before anything leaves this process.
        CLEARPOST_ASSIGN(model::Id attempt, m_store.begin_attempt(target.id, target.idempotency_key, m_clock()));
        auto call = m_host.call(table.publish, table.free_string, request.dump(), secrets);
        const int attempts = target.attempts + round + 1;
        switch (call.status) {
        case CLEARPOST_OK:
            CLEARPOST_CHECK(save_credentials(call));
            CLEARPOST_CHECK(m_store.finish_attempt(attempt, "published", "", m_clock()));
            return found(call);
        case CLEARPOST_ERR_AUTH: {
            CLEARPOST_CHECK(m_store.finish_attempt(attempt, "auth_refused", call.message, m_clock()));
            if (round == 0 && table.refresh_credentials) {
                auto refreshed = m_host.call(table.refresh_credentials, table.free_string,
                                             json{{"account", request["account"]}, {"credentials", request["credentials"]}}.dump(),
                                             secrets);
                if (refreshed.status == CLEARPOST_OK) {
                    CLEARPOST_CHECK(save_credentials(refreshed));
                    continue;  // one more try with fresh credentials
                }
                if (refreshed.status == CLEARPOST_ERR_TRANSIENT || refreshed.status == CLEARPOST_ERR_RATE_LIMITED) {
                    // A passing failure never marks an account dead.
                    return retry("refreshing the credentials of " + label + " failed: " + refreshed.message,
                                 backoff_seconds(attempts, jitter));
                }
            }
            out.account_status = "needs_reauthorization";
            return stop(State::NeedsAttention,
                        label + " refused Clearpost's credentials (" + call.message +
                            "); reconnect the account (clearpostctl account connect), then retry the post",
                        "needs_reauthorization");
        }
        case CLEARPOST_ERR_RATE_LIMITED: {
            CLEARPOST_CHECK(m_store.finish_attempt(attempt, "rate_limited", call.message, m_clock()));
            const UnixSeconds wait = std::max<UnixSeconds>((call.retry_after_ms + 999) / 1000, 1);
            return retry(label + " asked Clearpost to slow down: " + call.message,
                         std::max(wait, backoff_seconds(attempts, jitter) / 4));
        }
        case CLEARPOST_ERR_TRANSIENT:
            CLEARPOST_CHECK(m_store.finish_attempt(attempt, "not_sent", call.message, m_clock()));
            if (attempts >= m_options.max_attempts) {
                return stop(State::Failed,
                            "publishing to " + label + " failed " + std::to_string(attempts) +
                                " times: " + call.message + "; check the network, then retry the post",
                            "publish_failed");
            }
            return retry(call.message, backoff_seconds(attempts, jitter));
        case CLEARPOST_ERR_IN_DOUBT:
            // The attempt stays in doubt; the next round settles it.
            if (idempotency == "none" && !table.lookup) {
                return stop(State::NeedsAttention,
                            "the answer from " + label + " was lost (" + call.message +
                                "); the post may be live: check the account, then retry or cancel",
                            "needs_attention");
            }
            return retry("the answer from " + label + " was lost: " + call.message, 5);
        default:
            CLEARPOST_CHECK(m_store.finish_attempt(attempt, "refused", call.message, m_clock()));
            return stop(State::Failed, label + " refused the post: " + call.message, "publish_failed");
        }
    }
    return stop(State::Failed, "publishing to " + label + " failed", "publish_failed");
}

Result<void> Dispatcher::apply(const model::Target& target, const Outcome& o, DispatchStats& stats) {
    const UnixSeconds now = m_clock();
    bool kept = true;
    CLEARPOST_CHECK(m_store.transaction([&]() -> Result<void> {
        store::TargetOutcome t;
        t.target_id = target.id;
        t.state = o.state;
        t.remote_id = o.remote_id;
        t.remote_url = o.remote_url;
        t.last_error = o.error;
        t.retry_at = o.retry_at;
        CLEARPOST_ASSIGN(kept, m_store.finish_target(t, m_options.owner, now));
        if (!kept) return ok();  // another worker took the lease over
        if (!o.account_status.empty()) CLEARPOST_CHECK(m_store.set_account_status(target.account_id, o.account_status));
        if (!o.notice_kind.empty()) {
            store::Notice n;
            n.created_at = now;
            n.kind = o.notice_kind;
            n.account_id = target.account_id;
            // Reauthorisation is about the account: one notice for all its posts.
            if (o.notice_kind != "needs_reauthorization") n.target_id = target.id;
            n.message = "Post " + std::to_string(target.post_id) + ": " + o.error;
            CLEARPOST_CHECK(m_store.add_notice(n));
        }
        std::string detail = std::string(model::to_string(o.state));
        if (!o.remote_url.empty()) detail += " " + o.remote_url;
        return m_audit.append({"dispatcher", "target." + std::string(model::to_string(o.state)),
                               "post " + std::to_string(target.post_id) + " target " + std::to_string(target.id),
                               detail},
                              now);
    }));
    if (!kept) {
        m_host.log(LogLevel::Warn, "target " + std::to_string(target.id) + ": lease lost, outcome left to its new owner");
        return ok();
    }
    CLEARPOST_CHECK(m_audit.anchor());
    switch (o.state) {
    case State::Published: ++stats.published; break;
    case State::RetryWait: ++stats.retrying; break;
    case State::Failed: ++stats.failed; break;
    default: ++stats.needs_attention; break;
    }
    m_host.log(o.state == State::Published ? LogLevel::Info : LogLevel::Warn,
               "post " + std::to_string(target.post_id) + " target " + std::to_string(target.id) + " -> " +
                   std::string(model::to_string(o.state)) + (o.error.empty() ? "" : ": " + o.error));
    return ok();
}

}  // namespace clearpost::publish
