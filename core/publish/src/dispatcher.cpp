#include "clearpost/publish/dispatcher.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <charconv>
#include <limits>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <random>
#include <tuple>

#include "clearpost/crypto/crypto.h"
#include "clearpost/media/library.h"
#include "clearpost/oauth/refresh.h"
#include "clearpost/publisher.h"
#include "clearpost/workflow/state_machine.h"

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
    std::optional<UnixSeconds> hold_until; // the whole account waits (rate limit)
    std::optional<UnixSeconds> metrics_at; // Published: first metrics snapshot

    Outcome& retry(UnixSeconds now, std::string why, UnixSeconds delay) {
        state = State::RetryWait;
        error = std::move(why);
        retry_at = now + delay;
        return *this;
    }
    Outcome& stop(State final_state, std::string why, std::string notice) {
        state = final_state;
        error = std::move(why);
        notice_kind = std::move(notice);
        return *this;
    }
};

// A target checked and ready to go: its request and how to send it.
struct Dispatcher::Prepared {
    model::Target target;
    model::Id account_id = 0;
    std::string label;  // "network:handle"
    const ClearpostPublisherV1* table = nullptr;
    ClearpostOperation publish_batch = nullptr;  // null: one post per call
    std::size_t batch_max = 1;
    std::string idempotency;
    bool has_metrics = false;
    bool in_doubt = false;  // an earlier attempt's fate is unknown
    nlohmann::json request;
    std::vector<std::string> secrets;
};

struct Dispatcher::Credentials {
    json doc;
    std::vector<std::string> secrets;  // redacted from everything logged or reported
};

DispatchStats& DispatchStats::operator+=(const DispatchStats& o) {
    claimed += o.claimed;
    published += o.published;
    retrying += o.retrying;
    failed += o.failed;
    needs_attention += o.needs_attention;
    metrics_snapshots += o.metrics_snapshots;
    account_snapshots += o.account_snapshots;
    return *this;
}

namespace {

// A time kept as a setting, for what must outlive one dispatcher (the studio
// and `run --once` make one per round); 0 when there is none.
Result<UnixSeconds> stored_time(store::Store& store, const std::string& key) {
    CLEARPOST_ASSIGN(auto text, store.setting(key));
    UnixSeconds value = 0;
    if (text) std::from_chars(text->data(), text->data() + text->size(), value);
    return value;
}

}  // namespace

std::optional<UnixSeconds> next_metrics_at(UnixSeconds published_at, int fetches) {
    static constexpr UnixSeconds kAfter[] = {3600, 6 * 3600, 24 * 3600, 3 * 86400, 7 * 86400, 30 * 86400};
    if (fetches < 0 || fetches >= static_cast<int>(std::size(kAfter))) return std::nullopt;
    return published_at + kAfter[fetches];
}

// Fields of stored credentials that identify rather than authenticate.
// Fields of a credentials document that name things rather than unlock
// them; every other string (nested ones too: a media host's key) is
// redacted from logs and messages.
static bool is_public_credential_field(const std::string& key) {
    static const std::set<std::string> kPublic{
        "service",  "identifier",   "handle",         "did",       "appview",     "username",   "user_id",
        "ig_user_id", "threads_user_id", "page_id",   "organization_urn", "api_url", "token_url", "revocation_url",
        "client_id", "client_auth", "scope",          "token_type", "kind",       "upload_url", "public_url",
        "endpoint", "region",       "pds",            "issuer",     "token_endpoint", "dpop_revocation_url"};
    return kPublic.count(key) > 0;
}

static void collect_secrets(const json& doc, std::vector<std::string>& out) {
    for (const auto& [k, v] : doc.items()) {
        if (is_public_credential_field(k)) continue;
        if (v.is_string()) out.push_back(v.get<std::string>());
        if (v.is_object()) collect_secrets(v, out);
    }
}

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
      m_options(std::move(options)) {
    // Plugins' durable notes (a container id made before publishing) go
    // to this dispatcher's database, so a worker that takes over a dead
    // one's post sees them.
    m_host.set_note_store({[&store](const std::string& key) { return store.setting(key); },
                           [&store](const std::string& key, const std::optional<std::string>& value) {
                               return value ? store.set_setting(key, *value) : store.delete_setting(key);
                           }});
}

Result<std::optional<Dispatcher::Credentials>> Dispatcher::credentials_of(const model::Account& account) {
    auto sealed = m_vault.get(account.id);
    if (!sealed) {
        if (sealed.error().code == ErrorCode::NotFound) return std::optional<Credentials>{};
        return std::move(sealed).error();
    }
    Credentials c;
    c.doc = json::parse(*sealed, nullptr, false);
    if (!c.doc.is_object()) {
        return make_error(ErrorCode::Corrupt, "the stored credentials of " + account.network + ":" + account.handle +
                                                  " are damaged; reconnect the account");
    }
    collect_secrets(c.doc, c.secrets);
    return std::optional<Credentials>{std::move(c)};
}

OpCall Dispatcher::refresh_locked(const model::Account& account, const json& used, UnixSeconds good_until,
                                  bool* refreshed) {
    if (refreshed) *refreshed = false;
    const std::string label = account.network + ":" + account.handle;
    auto failed = [](ClearpostStatus status, std::string message) {
        OpCall c;
        c.status = status;
        c.message = std::move(message);
        return c;
    };
    auto plugin = m_plugins.find(account.network);
    if (!plugin || !(*plugin)->table().refresh_credentials)
        return failed(CLEARPOST_ERR_UNSUPPORTED, "the " + account.network + " publisher cannot refresh credentials");
    auto lock = oauth::AccountLock::acquire(oauth::refresh_lock_dir(m_vault.key_dir(), m_vault.database_id()), account.id,
                                            std::chrono::seconds(60));
    if (!lock) return failed(CLEARPOST_ERR_TRANSIENT, "waiting to refresh " + label + ": " + lock.error().message);
    // Machines sharing a PostgreSQL database (team mode) see each other's
    // refresh through the database as well; released when this returns.
    if (auto shared = m_store.lock_account(account.id, std::chrono::seconds(60)); !shared)
        return failed(CLEARPOST_ERR_TRANSIENT, "waiting to refresh " + label + ": " + shared.error().message);
    struct SharedUnlock {
        store::Store& store;
        model::Id id;
        ~SharedUnlock() { (void)store.unlock_account(id); }
    } shared_unlock{m_store, account.id};
    auto current = credentials_of(account);
    if (!current) return failed(CLEARPOST_ERR_TRANSIENT, current.error().message);
    if (!*current) return failed(CLEARPOST_ERR_AUTH, label + " has no stored credentials");
    const json& doc = (*current)->doc;
    auto unchanged = [&](const char* field) { return doc.value(field, json()) == used.value(field, json()); };
    const bool replaced = !unchanged("access_token") || !unchanged("refresh_token");
    const bool lasts = doc.contains("expires_at") && doc["expires_at"].is_number_integer() &&
                       doc["expires_at"].get<UnixSeconds>() > good_until;
    if (replaced || lasts) {  // another thread or process refreshed while we waited
        OpCall c;
        c.status = CLEARPOST_OK;
        c.result_json = json{{"credentials", doc}}.dump();
        return c;
    }
    const auto& table = (*plugin)->table();
    auto call = m_host.call(table.refresh_credentials, table.free_string,
                            json{{"account", {{"network", account.network}, {"handle", account.handle}}},
                                 {"credentials", doc}}
                                .dump(),
                            (*current)->secrets);
    if (refreshed) *refreshed = true;
    if (call.status == CLEARPOST_OK) {
        const auto result = json::parse(call.result_json, nullptr, false);
        if (result.is_object() && result.contains("credentials") && result["credentials"].is_object()) {
            // Sealed before the lock goes: nobody may send a used-up refresh token.
            if (auto saved = m_vault.put(account.id, result["credentials"].dump(), m_clock()); !saved)
                return failed(CLEARPOST_ERR_TRANSIENT, "storing the refreshed credentials of " + label + ": " +
                                                           saved.error().message);
        }
    }
    return call;
}

Result<Dispatcher::Renewal> Dispatcher::refresh_if_ending(const model::Account& account, UnixSeconds until, bool with_sign_in,
                                           const char* why) {
    const UnixSeconds now = m_clock();
    if (account.status == "needs_reauthorization") return Renewal::NotDue;
    auto plugin = m_plugins.find(account.network);
    if (!plugin || !(*plugin)->table().refresh_credentials) return Renewal::NotDue;
    auto credentials = credentials_of(account);
    if (!credentials || !*credentials) return Renewal::NotDue;  // publishing says what to do
    const json& doc = (*credentials)->doc;
    if (doc.contains("expires_at") && doc["expires_at"].is_number_integer()) {
        if (doc["expires_at"].get<UnixSeconds>() > until) return Renewal::NotDue;
    } else {
        // Without an end, only credentials with no session yet (an app
        // password never used) are worth a request, at most once an hour: a
        // token that never expires (Mastodon's) has nothing to renew.
        if (!with_sign_in || doc.contains("access_token") || doc.contains("access_jwt")) return Renewal::NotDue;
        if (auto last = m_refreshed_at.find(account.id); last != m_refreshed_at.end() && last->second > now - 3600)
            return Renewal::NotDue;
    }
    const std::string label = account.network + ":" + account.handle;
    bool sent = false;
    auto call = refresh_locked(account, doc, until, &sent);
    if (call.status == CLEARPOST_OK) {
        m_refreshed_at[account.id] = now;
        return sent ? Renewal::Renewed : Renewal::NotDue;  // not sent: someone else renewed it
    }
    if (call.status == CLEARPOST_ERR_AUTH) {
        // Refused for good: ask a person now, while there is still time.
        CLEARPOST_CHECK(m_store.transaction([&]() -> Result<void> {
            CLEARPOST_CHECK(m_store.set_account_status(account.id, "needs_reauthorization"));
            store::Notice n;
            n.created_at = now;
            n.kind = "needs_reauthorization";
            n.account_id = account.id;
            n.message = label + " refused Clearpost's credentials (" + call.message +
                        "); reconnect the account (clearpostctl account connect) before its next post is due";
            CLEARPOST_CHECK(m_store.add_notice(n));
            return m_audit.append({"dispatcher", "account.needs_reauthorization", "account " + std::to_string(account.id),
                                   call.message},
                                  now);
        }));
        CLEARPOST_CHECK(m_audit.anchor());
        m_host.log(LogLevel::Warn, label + " must be reconnected: " + call.message);
    } else {
        m_host.log(LogLevel::Warn, "refreshing " + label + " " + why + " failed (" + call.message +
                                       "); it is tried again later");
    }
    return Renewal::Failed;
}

Result<int> Dispatcher::refresh_ahead(UnixSeconds horizon) {
    CLEARPOST_ASSIGN(auto due, m_store.accounts_due_before(m_clock() + horizon, m_options.shard));
    int refreshed = 0;
    for (const model::Id id : due) {
        CLEARPOST_ASSIGN(auto account, m_store.find_account(id));
        if (!account) continue;
        CLEARPOST_ASSIGN(const Renewal done, refresh_if_ending(*account, m_clock() + horizon, true, "ahead of its posts"));
        refreshed += done == Renewal::Renewed ? 1 : 0;
    }
    return refreshed;
}

Result<int> Dispatcher::renew_ending_tokens(UnixSeconds within) {
    const UnixSeconds now = m_clock();
    CLEARPOST_ASSIGN(auto accounts, m_store.list_accounts());
    int renewed = 0;
    for (const auto& account : accounts) {
        if (account.id % m_options.shard.count != m_options.shard.index) continue;
        const std::string tried = "publishing.renewed_at." + std::to_string(account.id);
        CLEARPOST_ASSIGN(const UnixSeconds last, stored_time(m_store, tried));
        if (last > now - 86400) continue;
        CLEARPOST_ASSIGN(const Renewal done, refresh_if_ending(account, now + within, false, "before its token ends"));
        if (done != Renewal::NotDue) CLEARPOST_CHECK(m_store.set_setting(tried, std::to_string(now)));  // not again today
        renewed += done == Renewal::Renewed ? 1 : 0;
    }
    return renewed;
}

Result<void> Dispatcher::take_down(const model::User& actor, model::Id target_id, const std::string& reason) {
    if (actor.role == model::Role::Author) {
        return make_error(ErrorCode::Forbidden, actor.name + " is an author; an approver, privacy officer or admin "
                                                             "takes posts down");
    }
    if (reason.empty()) return make_error(ErrorCode::Invalid, "say why the post is taken down (--reason)");
    CLEARPOST_ASSIGN(auto target, m_store.find_target(target_id));
    if (!target) return make_error(ErrorCode::NotFound, "no target " + std::to_string(target_id));
    CLEARPOST_ASSIGN(const State next, workflow::next_state(target->state, workflow::Action::TakeDown));
    CLEARPOST_ASSIGN(auto account, m_store.find_account(target->account_id));
    if (!account) return make_error(ErrorCode::NotFound, "the target's account no longer exists");
    const std::string label = account->network + ":" + account->handle;
    CLEARPOST_ASSIGN(auto plugin, m_plugins.find(account->network));
    const auto& table = plugin->table();
    if (!table.remove) return make_error(ErrorCode::Conflict, "the " + account->network + " publisher cannot delete posts; delete it on the network by hand");
    CLEARPOST_ASSIGN(auto credentials, credentials_of(*account));
    if (!credentials) {
        return make_error(ErrorCode::Unauthenticated, label + " is not connected; connect it (clearpostctl account connect), then try again");
    }
    auto call = m_host.call(table.remove, table.free_string,
                            json{{"account", {{"network", account->network}, {"handle", account->handle}}},
                                 {"credentials", credentials->doc},
                                 {"remote_id", target->remote_id}}
                                .dump(),
                            credentials->secrets);
    const UnixSeconds now = m_clock();
    const auto doc = json::parse(call.result_json, nullptr, false);
    if (doc.is_object() && doc.contains("credentials") && doc["credentials"].is_object())
        CLEARPOST_CHECK(m_vault.put(account->id, doc["credentials"].dump(), now));
    switch (call.status) {
    case CLEARPOST_OK: break;
    case CLEARPOST_ERR_TRANSIENT:
    case CLEARPOST_ERR_RATE_LIMITED:
    case CLEARPOST_ERR_IN_DOUBT:
        return make_error(ErrorCode::Io, label + " did not confirm the deletion (" + call.message + "); try again");
    case CLEARPOST_ERR_AUTH:
        return make_error(ErrorCode::Unauthenticated, label + " refused Clearpost's credentials (" + call.message +
                                                          "); reconnect the account, then try again");
    default:
        return make_error(ErrorCode::Conflict, label + " refused the deletion: " + call.message);
    }
    CLEARPOST_CHECK(m_store.transaction([&]() -> Result<void> {
        CLEARPOST_CHECK(m_store.set_target_state(target->id, next, "taken down by " + actor.name + ": " + reason, now));
        return m_audit.append({actor.name, "target.take_down",
                               "post " + std::to_string(target->post_id) + " target " + std::to_string(target->id),
                               reason + " (" + target->remote_url + ")"},
                              now);
    }));
    return m_audit.anchor();
}

Result<std::optional<UnixSeconds>> Dispatcher::next_due_at() { return m_store.next_due_at(m_options.shard); }

Result<DispatchStats> Dispatcher::run_once(const std::atomic<bool>* stop) {
    DispatchStats stats;
    auto stopping = [stop] { return stop && stop->load(); };
    while (!stopping()) {
        CLEARPOST_ASSIGN(auto claimed, m_store.claim_due(m_options.owner, m_clock(), m_options.lease_seconds,
                                                         m_options.batch, m_options.shard));
        if (claimed.empty()) break;
        stats.claimed += static_cast<int>(claimed.size());
        // One account at a time, in the order its first target was due, so
        // a publisher that takes many posts at once gets them together.
        std::vector<std::vector<const model::Target*>> accounts;
        std::map<model::Id, std::size_t> account_index;
        for (const auto& target : claimed) {
            const auto [it, added] = account_index.emplace(target.account_id, accounts.size());
            if (added) accounts.emplace_back();
            accounts[it->second].push_back(&target);
        }
        for (const auto& targets : accounts) {
            if (stopping()) break;
            CLEARPOST_CHECK(publish_account(targets, stopping, stats));
        }
        if (stopping()) {
            // Claims not yet sent go back to the queue untouched.
            CLEARPOST_CHECK(m_store.release_claims(m_options.owner));
            break;
        }
    }
    return stats;
}

Result<void> Dispatcher::publish_account(const std::vector<const model::Target*>& targets,
                                         const std::function<bool()>& stopping, DispatchStats& stats) {
    // The network asked this account to wait: its other targets go back to
    // the queue until then.
    std::optional<std::pair<UnixSeconds, std::string>> held;
    auto finish = [&](const model::Target& target, Result<Outcome> outcome) -> Result<void> {
        if (!outcome) {
            // The store itself failed: leave the lease to expire so the
            // target is retried, and stop this round.
            m_host.log(LogLevel::Error, "target " + std::to_string(target.id) + ": " + outcome.error().message);
            return std::move(outcome).error();
        }
        CLEARPOST_CHECK(apply(target, *outcome, stats));
        if (outcome->hold_until) held = {*outcome->hold_until, outcome->error};
        return ok();
    };
    std::vector<Prepared> ready;  // sent together when the publisher takes many posts at once
    for (const model::Target* target : targets) {
        if (stopping()) return ok();
        if (held) {
            Outcome wait;
            wait.state = State::RetryWait;
            wait.retry_at = held->first;
            wait.error = held->second;
            CLEARPOST_CHECK(finish(*target, wait));
            continue;
        }
        auto prepared = prepare(*target, ready.size());
        if (!prepared) return finish(*target, std::move(prepared).error());
        if (auto* decided = std::get_if<Outcome>(&*prepared)) {
            CLEARPOST_CHECK(finish(*target, std::move(*decided)));
            continue;
        }
        auto& p = std::get<Prepared>(*prepared);
        if (!p.publish_batch || p.in_doubt) {
            CLEARPOST_CHECK(finish(*target, send(p, std::nullopt)));
            continue;
        }
        ready.push_back(std::move(p));
        if (ready.size() >= ready.front().batch_max) {
            CLEARPOST_CHECK(send_batch(ready, finish));
            ready.clear();
        }
    }
    if (!ready.empty() && !stopping()) CLEARPOST_CHECK(send_batch(ready, finish));
    return ok();
}

Result<void> Dispatcher::send_batch(std::vector<Prepared>& ready,
                                    const std::function<Result<void>(const model::Target&, Result<Outcome>)>& finish) {
    if (ready.size() == 1) return finish(ready.front().target, send(ready.front(), std::nullopt));
    const Prepared& lead = ready.front();
    json posts = json::array();
    for (const Prepared& p : ready) {
        posts.push_back({{"post", p.request["post"]},
                         {"idempotency_key", p.request["idempotency_key"]},
                         {"scheduled_at_ms", p.request["scheduled_at_ms"]}});
    }
    // Every attempt is recorded and committed before anything leaves this
    // process, exactly as for one post.
    std::vector<model::Id> attempts;
    CLEARPOST_CHECK(m_store.transaction([&]() -> Result<void> {
        for (const Prepared& p : ready) {
            CLEARPOST_ASSIGN(model::Id attempt, m_store.begin_attempt(p.target.id, p.target.idempotency_key, m_clock()));
            attempts.push_back(attempt);
        }
        return ok();
    }));
    const auto call = m_host.call(lead.publish_batch, lead.table->free_string,
                                  json{{"account", lead.request["account"]},
                                       {"credentials", lead.request["credentials"]},
                                       {"posts", posts}}
                                      .dump(),
                                  lead.secrets);
    // New credentials come once for the whole batch.
    const auto doc = json::parse(call.result_json, nullptr, false);
    if (call.status == CLEARPOST_OK && doc.is_object() && doc.contains("credentials") && doc["credentials"].is_object()) {
        CLEARPOST_CHECK(m_vault.put(lead.account_id, doc["credentials"].dump(), m_clock()));
        for (Prepared& p : ready) {
            p.request["credentials"] = doc["credentials"];
            collect_secrets(doc["credentials"], p.secrets);
        }
    }
    auto calls = split_batch(call, ready.size(), lead.secrets);
    for (std::size_t k = 0; k < ready.size(); ++k)
        CLEARPOST_CHECK(finish(ready[k].target, send(ready[k], std::make_pair(attempts[k], std::move(calls[k])))));
    return ok();
}

Result<std::variant<Dispatcher::Outcome, Dispatcher::Prepared>> Dispatcher::prepare(const model::Target& target,
                                                                                     std::size_t pending) {
    using Decided = std::variant<Outcome, Prepared>;  // decided now, or ready to send
    const UnixSeconds now = m_clock();
    Outcome out;
    auto retry = [&](std::string why, UnixSeconds delay) -> Result<Decided> {
        return Decided{out.retry(now, std::move(why), delay)};
    };
    auto stop = [&](State state, std::string why, std::string notice) -> Result<Decided> {
        return Decided{out.stop(state, std::move(why), std::move(notice))};
    };

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
    const bool has_metrics = caps.is_object() && caps.value("metrics", false) && table.fetch_metrics;

    auto credentials = credentials_of(*account);
    if (!credentials || !*credentials) {
        if (!credentials && credentials.error().code != ErrorCode::Corrupt) return std::move(credentials).error();
        out.account_status = "needs_reauthorization";
        return stop(State::NeedsAttention,
                    credentials ? label + " is not connected; connect it (clearpostctl account connect) and retry the post"
                                : credentials.error().message + ", then retry the post",
                    "needs_reauthorization");
    }
    Prepared p;
    p.target = target;
    p.account_id = account->id;
    p.label = label;
    p.table = &table;
    p.publish_batch = (*plugin)->publish_batch();
    p.batch_max = caps.is_object() ? std::max(caps.value("publish_batch_max", 1), 1) : 1;
    p.idempotency = idempotency;
    p.has_metrics = has_metrics;
    p.secrets = std::move((*credentials)->secrets);

    // The network's published budget (e.g. posts per hour), counted over
    // every process's attempts: when it is spent, the account waits.
    const auto budget = caps.is_object() ? caps.value("rate_limits", json::object()) : json::object();
    struct Budget {
        const char* field;
        UnixSeconds window;
        const char* words;
    };
    for (const Budget& b : {Budget{"posts_per_hour", 3600, "posts per hour"}, Budget{"posts_per_day", 86400, "posts per day"}}) {
        const int limit = budget.is_object() ? budget.value(b.field, 0) : 0;
        if (limit <= 0) continue;
        CLEARPOST_ASSIGN(auto recent, m_store.attempts_since(account->id, now - b.window + 1));
        if (recent.first + static_cast<int>(pending) >= limit) {
            // Until the oldest attempt leaves the window (with none yet, the
            // targets ahead of this one in its batch spend it now).
            out.hold_until = (recent.first > 0 ? recent.second : now) + b.window;
            return retry(label + " has used its budget of " + std::to_string(limit) + " " + b.words +
                             "; the post waits until the budget allows it",
                         *out.hold_until - now);
        }
    }

    // The approved time, not the target's (which moves on retries): plugins
    // may derive record keys from it, so it must be the same on every try.
    const std::int64_t stable_ms = version.content.scheduled_at.value_or(target.scheduled_at) * 1000;
    std::string text = version.content.text;
    for (const auto& spec : version.content.targets)
        if (spec.account_id == account->id && !spec.text_override.empty()) text = spec.text_override;
    // The approved images, each still the file whose hash the approval covers.
    json media_list = json::array();
    for (std::size_t i = 0; i < version.content.media.size(); ++i) {
        const auto& m = version.content.media[i];
        auto image = media::load_stored(m.path, m.sha256);
        if (!image) {
            return stop(State::Failed,
                        "image " + std::to_string(i + 1) + " of post " + std::to_string(target.post_id) +
                            " is not the approved image any more (" + image.error().message +
                            "), so nothing was published; attach it again (clearpostctl post edit --image), "
                            "then review and schedule the post again",
                        "publish_failed");
        }
        media_list.push_back({{"path", image->path.string()},
                              {"sha256", image->sha256},
                              {"mime", std::string(media::mime_type(image->info.type))},
                              {"width", image->info.width},
                              {"height", image->info.height},
                              {"bytes", image->bytes},
                              {"alt", m.alt_text}});
    }
    p.request = {{"account", {{"network", account->network}, {"handle", account->handle}}},
                 {"credentials", std::move((*credentials)->doc)},
                 {"post", {{"text", text}, {"media", media_list}}},
                 {"idempotency_key", target.idempotency_key},
                 {"scheduled_at_ms", stable_ms}};
    // A crash left an attempt whose fate is unknown: send settles it first.
    CLEARPOST_ASSIGN(const int in_doubt, m_store.in_doubt_attempts(target.id));
    p.in_doubt = in_doubt > 0;
    return Decided{std::move(p)};
}

Result<Dispatcher::Outcome> Dispatcher::send(Prepared& p, std::optional<std::pair<model::Id, OpCall>> sent) {
    const UnixSeconds now = m_clock();
    Outcome out;
    auto retry = [&](std::string why, UnixSeconds delay) { return out.retry(now, std::move(why), delay); };
    auto stop = [&](State state, std::string why, std::string notice) {
        return out.stop(state, std::move(why), std::move(notice));
    };
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    const double jitter = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    const bool batched = sent.has_value();
    const model::Target& target = p.target;
    const std::string& label = p.label;
    const ClearpostPublisherV1& table = *p.table;
    const std::string& idempotency = p.idempotency;
    json& request = p.request;
    std::vector<std::string>& secrets = p.secrets;

    auto save_credentials = [&](const OpCall& call) -> Result<void> {
        const auto doc = json::parse(call.result_json, nullptr, false);
        if (doc.is_object() && doc.contains("credentials") && doc["credentials"].is_object()) {
            CLEARPOST_CHECK(m_vault.put(p.account_id, doc["credentials"].dump(), m_clock()));
            request["credentials"] = doc["credentials"];
            collect_secrets(doc["credentials"], secrets);
        }
        return ok();
    };
    auto found = [&](const OpCall& call) {
        const auto doc = json::parse(call.result_json, nullptr, false);
        out.state = State::Published;
        out.remote_id = doc.value("remote_id", std::string());
        out.remote_url = doc.value("remote_url", std::string());
        if (p.has_metrics) out.metrics_at = next_metrics_at(m_clock(), 0);
        return out;
    };

    // A crash left an attempt whose fate is unknown: settle it first.
    if (p.in_doubt && !sent) {
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
                                       {"scheduled_at_ms", request["scheduled_at_ms"]}}
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
        model::Id attempt = 0;
        OpCall call;
        if (round == 0 && sent) {
            // Already sent with other posts (send_batch); this is its answer.
            std::tie(attempt, call) = std::move(*sent);
        } else {
            // Recorded and committed before anything leaves this process.
            CLEARPOST_ASSIGN(attempt, m_store.begin_attempt(target.id, target.idempotency_key, m_clock()));
            call = m_host.call(table.publish, table.free_string, request.dump(), secrets);
        }
        const int attempts = target.attempts + round + 1;
        switch (call.status) {
        case CLEARPOST_OK:
            CLEARPOST_CHECK(save_credentials(call));
            CLEARPOST_CHECK(m_store.finish_attempt(attempt, "published", "", m_clock()));
            return found(call);
        case CLEARPOST_ERR_AUTH: {
            CLEARPOST_CHECK(m_store.finish_attempt(attempt, "auth_refused", call.message, m_clock()));
            // In a batch, the first post refused already tried to refresh;
            // the others do not try the refused secret again.
            bool refused_before = false;
            if (batched) {
                CLEARPOST_ASSIGN(auto account, m_store.find_account(p.account_id));
                refused_before = account && account->status == "needs_reauthorization";
            }
            if (round == 0 && table.refresh_credentials && !refused_before) {
                CLEARPOST_ASSIGN(auto account, m_store.find_account(p.account_id));
                if (!account) return make_error(ErrorCode::NotFound, "the target's account no longer exists");
                // Refused: only credentials other than these count, however long they seem to last.
                auto refreshed = refresh_locked(*account, request["credentials"], std::numeric_limits<UnixSeconds>::max());
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
            // The limit is the account's: all its posts wait, in every process.
            const UnixSeconds wait = std::max<UnixSeconds>((call.retry_after_ms + 999) / 1000, 1);
            out.hold_until = now + wait;
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

Result<DispatchStats> Dispatcher::collect_metrics(std::size_t limit) {
    CLEARPOST_ASSIGN(auto due, m_store.metrics_due(m_clock(), limit, m_options.shard));
    return take_snapshots(due, true);
}

Result<DispatchStats> Dispatcher::take_snapshots(const std::vector<store::MetricsDue>& due, bool scheduled) {
    DispatchStats stats;
    const UnixSeconds now = m_clock();
    // One request per account: networks answer for many posts at once.
    std::map<model::Id, std::vector<store::MetricsDue>> by_account;
    for (const auto& d : due) by_account[d.account_id].push_back(d);

    for (const auto& [account_id, items] : by_account) {
        const std::string what = "metrics of account " + std::to_string(account_id);
        auto postpone = [&](UnixSeconds delay, const std::string& why) -> Result<void> {
            m_host.log(LogLevel::Warn, what + " not fetched: " + why);
            if (!scheduled) return make_error(ErrorCode::Conflict, what + " not fetched: " + why);
            for (const auto& item : items) CLEARPOST_CHECK(m_store.advance_metrics(item.target_id, false, now + delay));
            return ok();
        };
        CLEARPOST_ASSIGN(auto account, m_store.find_account(account_id));
        if (!account || account->status == "needs_reauthorization") {
            CLEARPOST_CHECK(postpone(6 * 3600, "the account must be reconnected"));  // a person acts first
            continue;
        }
        auto plugin = m_plugins.find(account->network);
        if (!plugin || !(*plugin)->table().fetch_metrics) {
            CLEARPOST_CHECK(postpone(6 * 3600, plugin ? "its publisher reports no metrics" : plugin.error().message));
            continue;
        }
        const auto& table = (*plugin)->table();
        auto credentials = credentials_of(*account);
        if (!credentials || !*credentials) {
            CLEARPOST_CHECK(postpone(6 * 3600, credentials ? "the account is not connected" : credentials.error().message));
            continue;
        }
        json ids = json::array();
        for (const auto& item : items) ids.push_back(item.remote_id);
        const json request{{"account", {{"network", account->network}, {"handle", account->handle}}},
                           {"remote_ids", ids}};
        auto call = read_with_refresh(*account, table.fetch_metrics, request, **credentials);
        if (call.status != CLEARPOST_OK) {
            const UnixSeconds wait = call.status == CLEARPOST_ERR_RATE_LIMITED
                                         ? std::max<UnixSeconds>((call.retry_after_ms + 999) / 1000, 60)
                                         : 1800;
            CLEARPOST_CHECK(postpone(wait, call.message));
            continue;
        }
        const auto doc = json::parse(call.result_json, nullptr, false);
        if (doc.is_object() && doc.contains("credentials") && doc["credentials"].is_object())
            CLEARPOST_CHECK(m_vault.put(account->id, doc["credentials"].dump(), now));
        const json metrics = doc.is_object() ? doc.value("metrics", json::object()) : json::object();
        CLEARPOST_CHECK(m_store.transaction([&]() -> Result<void> {
            for (const auto& item : items) {
                const bool reported = metrics.is_object() && metrics.contains(item.remote_id) &&
                                      metrics[item.remote_id].is_object();
                if (reported) {
                    CLEARPOST_CHECK(m_store.add_metric_snapshot({item.target_id, now, metrics[item.remote_id].dump()}));
                    ++stats.metrics_snapshots;
                }
                if (!scheduled) continue;
                // Not reported (deleted on the network?): no snapshot. Slots
                // missed while the service was down are skipped, not caught up.
                int fetches = item.fetches + 1;
                auto next = next_metrics_at(item.published_at, fetches);
                while (next && *next <= now) next = next_metrics_at(item.published_at, ++fetches);
                CLEARPOST_CHECK(m_store.advance_metrics(item.target_id, true, next));
            }
            return ok();
        }));
    }
    return stats;
}

Result<store::AccountSnapshot> Dispatcher::sample_account(model::Id account_id, UnixSeconds* not_before) {
    CLEARPOST_ASSIGN(auto account, m_store.find_account(account_id));
    if (!account) return make_error(ErrorCode::NotFound, "no account " + std::to_string(account_id));
    const std::string label = account->network + ":" + account->handle;
    if (account->status != "connected")
        return make_error(ErrorCode::Conflict, label + " is " + account->status + "; connect it first");
    auto plugin = m_plugins.find(account->network);
    if (!plugin) return std::move(plugin).error();
    const ClearpostOperation op = (*plugin)->fetch_account_metrics();
    if (!op) return make_error(ErrorCode::Incompatible, "the " + account->network + " publisher reads no account numbers");
    CLEARPOST_ASSIGN(auto credentials, credentials_of(*account));
    if (!credentials) return make_error(ErrorCode::NotFound, label + " is not connected; connect it first");
    const auto call = read_with_refresh(
        *account, op, json{{"account", {{"network", account->network}, {"handle", account->handle}}}}, *credentials);
    const UnixSeconds now = m_clock();
    if (call.status == CLEARPOST_ERR_RATE_LIMITED && not_before) *not_before = now + (call.retry_after_ms + 999) / 1000;
    if (call.status != CLEARPOST_OK)
        return make_error(ErrorCode::Conflict, "reading the numbers of " + label + ": " + call.message);
    const auto doc = json::parse(call.result_json, nullptr, false);
    if (doc.is_object() && doc.contains("credentials") && doc["credentials"].is_object())
        CLEARPOST_CHECK(m_vault.put(account->id, doc["credentials"].dump(), now));
    // Counts only: whatever else a plugin sends is not kept.
    json counts = json::object();
    if (doc.is_object() && doc.contains("metrics") && doc["metrics"].is_object())
        for (const auto& [name, value] : doc["metrics"].items())
            if (value.is_number_integer() && value.get<std::int64_t>() >= 0) counts[name] = value;
    if (counts.empty())
        return make_error(ErrorCode::Conflict, "reading the numbers of " + label + ": the publisher returned none");
    store::AccountSnapshot snapshot{account->id, now, counts.dump()};
    CLEARPOST_CHECK(m_store.add_account_snapshot(snapshot));
    return snapshot;
}

OpCall Dispatcher::read_with_refresh(const model::Account& account, ClearpostOperation op, json request,
                                     const Credentials& credentials) {
    const auto plugin = m_plugins.find(account.network);
    if (!plugin) {
        OpCall c;
        c.status = CLEARPOST_ERR_UNSUPPORTED;
        c.message = plugin.error().message;
        return c;
    }
    const auto& table = (*plugin)->table();
    request["credentials"] = credentials.doc;
    auto call = m_host.call(op, table.free_string, request.dump(), credentials.secrets);
    if (call.status != CLEARPOST_ERR_AUTH || !table.refresh_credentials) return call;
    // Refused: only credentials other than these count, however long they seem to last.
    const auto refreshed = refresh_locked(account, credentials.doc, std::numeric_limits<UnixSeconds>::max());
    if (refreshed.status != CLEARPOST_OK) return call;
    auto renewed = credentials_of(account);
    if (!renewed || !*renewed) return call;
    request["credentials"] = (*renewed)->doc;
    return m_host.call(op, table.free_string, request.dump(), (*renewed)->secrets);
}

Result<DispatchStats> Dispatcher::sample_accounts(std::size_t limit) {
    DispatchStats stats;
    const UnixSeconds now = m_clock();
    CLEARPOST_ASSIGN(auto due, m_store.accounts_to_sample(now - now % 86400, m_options.shard));
    std::size_t tried = 0;
    for (const model::Id id : due) {
        if (tried == limit) break;
        const std::string retry_key = "publishing.sample_retry_at." + std::to_string(id);
        CLEARPOST_ASSIGN(const UnixSeconds retry_at, stored_time(m_store, retry_key));
        if (now < retry_at) continue;
        ++tried;
        UnixSeconds not_before = 0;
        auto sample = sample_account(id, &not_before);
        UnixSeconds next = 0;
        if (sample) {
            ++stats.account_snapshots;
        } else if (sample.error().code == ErrorCode::Incompatible) {
            next = now + 86400;  // its publisher reads none
        } else if (sample.error().code == ErrorCode::NotFound) {
            // Not connected (yet): nothing to say, and sampled once it is.
        } else {
            next = std::max(now + 3600, not_before);
            m_host.log(LogLevel::Warn, "account " + std::to_string(id) + " not sampled: " + sample.error().message);
        }
        if (next) CLEARPOST_CHECK(m_store.set_setting(retry_key, std::to_string(next)));
        else if (retry_at) CLEARPOST_CHECK(m_store.delete_setting(retry_key));
    }
    return stats;
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
        t.metrics_at = o.metrics_at;
        CLEARPOST_ASSIGN(kept, m_store.finish_target(t, m_options.owner, now));
        if (!kept) return ok();  // another worker took the lease over
        if (!o.account_status.empty()) CLEARPOST_CHECK(m_store.set_account_status(target.account_id, o.account_status));
        if (o.hold_until) CLEARPOST_CHECK(m_store.hold_account(target.account_id, *o.hold_until, o.error));
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
