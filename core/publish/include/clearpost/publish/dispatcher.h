#pragma once
// The dispatcher: publishes due targets exactly once, or says clearly why not.
//
// For each due target it takes a lease (store::claim_due), re-checks that the
// content is still the approved version, records the attempt *before* the
// request leaves, and publishes with the target's idempotency key. A crash at
// any point leaves either a live lease (taken over after it expires) or an
// in-doubt attempt, which the next run settles by looking the post up
// (plugins with a lookup) instead of sending it again.

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "clearpost/base/result.h"
#include "clearpost/base/time.h"
#include "clearpost/publish/host.h"
#include "clearpost/publish/plugins.h"
#include "clearpost/security/audit.h"
#include "clearpost/security/vault.h"
#include "clearpost/store/store.h"

namespace clearpost::publish {

struct DispatchOptions {
    std::string owner;       // unique per process: "host:pid:random"
    int lease_seconds = 120; // longer than the slowest publish
    int batch = 100;         // targets claimed at a time (one account's may go out in one call)
    int max_attempts = 8;    // then Failed, with a notice
    store::ClaimShard shard; // the accounts this dispatcher serves
};

struct DispatchStats {
    int claimed = 0;
    int published = 0;
    int retrying = 0;
    int failed = 0;
    int needs_attention = 0;
    int metrics_snapshots = 0;
    int account_snapshots = 0;  // accounts' own numbers (followers...)

    DispatchStats& operator+=(const DispatchStats& other);
};

// Delay before attempt number `attempts` + 1: exponential from 30 s, capped
// at one hour, with up to 20 % jitter so accounts do not retry in lockstep.
UnixSeconds backoff_seconds(int attempts, double jitter01);

class Dispatcher {
public:
    Dispatcher(store::Store& store, security::Vault& vault, security::AuditLog& audit, PluginRegistry& plugins,
               PluginHost& host, Clock clock, DispatchOptions options);

    // Claims and publishes until nothing is due, or until `stop` is set: then
    // the target in flight is finished and the other claims handed back.
    Result<DispatchStats> run_once(const std::atomic<bool>* stop = nullptr);

    // Takes one batch of due metrics snapshots (at most `limit` posts) and
    // stores them. Publishing comes first: call it when nothing is due.
    Result<DispatchStats> collect_metrics(std::size_t limit);

    // Snapshots of these published targets now, outside their schedule
    // (a person asked); an account whose metrics cannot be read is an error.
    Result<DispatchStats> snapshot_now(const std::vector<store::MetricsDue>& targets) {
        return take_snapshots(targets, false);
    }

    // Samples the numbers of this shard's accounts (followers, following,
    // posts) that have none yet this UTC day, at most `limit` of them: the
    // daily follower chart. Publishing comes first: call it when nothing is
    // due. An account whose numbers cannot be read is logged and tried
    // again an hour later (or when a rate limit ends), in any process; one
    // not connected yet is skipped without a word.
    Result<DispatchStats> sample_accounts(std::size_t limit);

    // One sample of `account`'s numbers now (a person asked, or
    // sample_accounts): an account whose publisher reads none
    // (Incompatible), that holds no credentials (NotFound) or whose network
    // refuses (Conflict; `not_before` set when it asked Clearpost to wait)
    // is an error.
    Result<store::AccountSnapshot> sample_account(model::Id account_id, UnixSeconds* not_before = nullptr);

    // Refreshes, ahead of time, the credentials of accounts with a post due
    // within `horizon` seconds whose token runs out before then (or that
    // have no live session yet), so the post does not wait for a sign-in. A
    // refusal marks the account for reauthorisation with one notice now,
    // before its post is due. Returns how many were refreshed.
    Result<int> refresh_ahead(UnixSeconds horizon);

    // Renews, at most once a day per account (in any process: the studio and
    // `run --once` make a dispatcher per round), the tokens of this shard's
    // accounts that end within `within` seconds whether or not a post is
    // due: a 60-day Meta token left alone would end, and Meta renews only
    // unexpired ones. A refusal asks a person to reconnect (one notice).
    // Returns how many were renewed.
    Result<int> renew_ending_tokens(UnixSeconds within);

    // Deletes a published target from its network (e.g. it turned out to
    // name a patient) and marks it Removed, audited with the reason. Admins,
    // privacy officers and approvers may; authors may not.
    Result<void> take_down(const model::User& actor, model::Id target_id, const std::string& reason);

    // When run_once will next find work (nothing: queue empty or paused).
    Result<std::optional<UnixSeconds>> next_due_at();

private:
    struct Outcome;
    struct Credentials;
    Result<std::optional<Credentials>> credentials_of(const model::Account& account);
    // The plugin's refresh_credentials for `account`, one at a time per
    // account across threads and processes (the OAuth refresh lock), with
    // the credentials read again under the lock: when someone else already
    // replaced `used` (the document that was refused or is about to run
    // out), or they now last past `good_until`, those are the answer and
    // nothing is sent. New credentials are sealed before the lock is
    // released, so a single-use refresh token is never sent twice.
    // `refreshed` says whether a request went to the network.
    OpCall refresh_locked(const model::Account& account, const nlohmann::json& used, UnixSeconds good_until,
                          bool* refreshed = nullptr);
    // refresh_locked for an account whose credentials end before `until`
    // (or, `with_sign_in`, that hold no session yet: at most hourly); a
    // refusal marks it for reconnection with one notice.
    enum class Renewal { NotDue, Renewed, Failed };
    Result<Renewal> refresh_if_ending(const model::Account& account, UnixSeconds until, bool with_sign_in,
                                      const char* why);
    Result<DispatchStats> take_snapshots(const std::vector<store::MetricsDue>& due, bool scheduled);
    // A read (metrics) of `account` with `credentials` added to `request`;
    // refused credentials are refreshed once under the refresh lock and the
    // read sent again. A refresh that fails changes nothing: the refusal is
    // the answer, and publishing decides about the account.
    OpCall read_with_refresh(const model::Account& account, ClearpostOperation op, nlohmann::json request,
                             const Credentials& credentials);
    struct Prepared;
    // Publishes one account's claimed targets, several per call when its
    // publisher takes them (publish_batch), until `stopping`.
    Result<void> publish_account(const std::vector<const model::Target*>& targets,
                                 const std::function<bool()>& stopping, DispatchStats& stats);
    // Checks a target and builds its request, or decides its outcome without
    // sending (changed post, account to reconnect, budget spent...).
    // `pending`: targets of the account already prepared for the same call.
    Result<std::variant<Outcome, Prepared>> prepare(const model::Target& target, std::size_t pending);
    // Sends (or, with `sent`, reads the answer of a batch that carried it)
    // and turns the answer into an outcome; settles an in-doubt attempt first.
    Result<Outcome> send(Prepared& p, std::optional<std::pair<model::Id, OpCall>> sent);
    Result<void> send_batch(std::vector<Prepared>& ready,
                            const std::function<Result<void>(const model::Target&, Result<Outcome>)>& finish);
    Result<void> apply(const model::Target& target, const Outcome& outcome, DispatchStats& stats);

    store::Store& m_store;
    security::Vault& m_vault;
    security::AuditLog& m_audit;
    PluginRegistry& m_plugins;
    PluginHost& m_host;
    Clock m_clock;
    DispatchOptions m_options;
    std::map<model::Id, UnixSeconds> m_refreshed_at;
    DispatchStats m_round;  // outcomes applied in the current claim round
};

// When the snapshot after `fetches` snapshots is due for a post published at
// `published_at`: 1 h, 6 h, 24 h, 3 d, 7 d and 30 d after publishing, then
// never again.
std::optional<UnixSeconds> next_metrics_at(UnixSeconds published_at, int fetches);

// A process-unique lease owner id.
std::string make_owner_id();

}  // namespace clearpost::publish
