#pragma once
// The store: everything Clearpost keeps, behind one interface with two
// databases under it: a SQLite file (one desktop) and PostgreSQL (team
// mode), so the layers above never know which. Prepared statements only.
//
// Threading: a Store is one connection; use it from one thread at a time.
// Open one Store per thread.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clearpost/base/result.h"
#include "clearpost/model/model.h"

namespace clearpost::store {

using model::Id;

struct PostSummary {
    model::Post post;
    int version_number = 0;
    std::string author;
    std::string text;
    std::optional<UnixSeconds> scheduled_at;  // its queued targets' time once queued, else the version's
    std::string zone;
};

struct PostFilter {
    std::optional<model::State> state;
    std::size_t limit = 1000;
};

// One row of the month calendar: a target with what a calendar cell shows.
// The account (and so the network) is an id: a month holds tens of thousands
// of rows but an organisation a handful of accounts, which callers map once.
struct CalendarItem {
    Id target_id = 0;
    Id post_id = 0;
    Id account_id = 0;
    model::State state = model::State::Scheduled;
    UnixSeconds scheduled_at = 0;
};

// A change of state made on another connection, announced at its commit.
struct Change {
    std::string kind;  // "post" or "target"
    Id id = 0;
    std::string state;  // the new state, e.g. "InReview", "Published"
};

// A change to a claimed target after a publish attempt.
struct TargetOutcome {
    Id target_id = 0;
    model::State state = model::State::Published;
    std::string remote_id;
    std::string remote_url;
    std::string last_error;
    std::optional<UnixSeconds> retry_at;  // RetryWait: when it becomes due again
    std::optional<UnixSeconds> metrics_at;  // Published: the first metrics snapshot
};

struct Notice {
    Id id = 0;
    UnixSeconds created_at = 0;
    std::string kind;  // publish_failed, needs_attention, needs_reauthorization
    std::optional<Id> account_id;
    std::optional<Id> target_id;
    std::string message;
};

struct PauseState {
    UnixSeconds paused_at = 0;
    std::string paused_by;
    std::string reason;
};

// The newest audit entry a database vouches for (see Store::audit_anchor).
struct AuditAnchor {
    std::int64_t seq = 0;
    std::string mac;
};

// Which accounts a worker serves: those with account_id % count == index.
// One worker per shard keeps an account's posts in order and its rate budget
// in one place while different accounts publish in parallel.
struct ClaimShard {
    int index = 0;
    int count = 1;
};

// A published target whose metrics are due for another snapshot.
struct MetricsDue {
    Id target_id = 0;
    Id account_id = 0;
    std::string remote_id;
    UnixSeconds published_at = 0;
    int fetches = 0;  // snapshots taken so far
};

// Governance facts for the dashboard: each version as it was checked...
struct VersionCheck {
    Id post_id = 0;
    UnixSeconds created_at = 0;
    std::string verdict;        // pass, warn or block
    std::string findings_json;  // as stored with the version
};

// ...and each final approval with the submission it answered (the newest
// submit of the same post before it, from the audit log).
struct ApprovalTiming {
    Id post_id = 0;
    UnixSeconds submitted_at = 0;
    UnixSeconds approved_at = 0;
};

struct MetricSnapshot {
    Id target_id = 0;
    UnixSeconds fetched_at = 0;
    std::string metrics_json;  // only the metrics the network reports
};

// An account's own numbers at one moment (followers, following, posts).
struct AccountSnapshot {
    Id account_id = 0;
    UnixSeconds fetched_at = 0;
    std::string metrics_json;  // only what the network reports
};

// A target that went out, as reports show it: what was published where and
// when, and its newest metrics snapshot (none before the first fetch).
struct PublishedTarget {
    Id target_id = 0;
    Id post_id = 0;
    Id version_id = 0;
    std::string text;  // the published version's text for this account (its override, if any)
    std::string network;
    std::string handle;
    model::State state = model::State::Published;  // Removed when taken down since
    UnixSeconds scheduled_at = 0;  // the approved schedule (the version's), not a retry's
    UnixSeconds published_at = 0;
    std::string remote_url;
    std::optional<MetricSnapshot> latest;
};

// A tag of a post that has a target published in a period, with that
// target: what per-tag totals add up (see Store::tagged_published_between).
struct TaggedTarget {
    std::string tag;
    Id post_id = 0;
    Id target_id = 0;
};

struct NewVersion {
    Id post_id = 0;
    int number = 0;
    Id author_id = 0;
    model::VersionContent content;
    std::string content_hash;
    model::ComplianceResult compliance;
    UnixSeconds created_at = 0;
};

class Store {
public:
    virtual ~Store() = default;

    // Runs `body` in one write transaction: committed when it returns ok,
    // rolled back when it returns an error. Not reentrant.
    virtual Result<void> transaction(const std::function<Result<void>()>& body) = 0;
    // Inside transaction(): runs `body`; when it returns an error, what it
    // wrote is rolled back (the transaction goes on) and the error returned.
    // Bulk imports make each row atomic this way while committing many rows
    // at once. `body` must not call transaction().
    virtual Result<void> savepoint(const std::function<Result<void>()>& body) = 0;

    // A random id given to the database when it was created; names the
    // files kept outside it (audit key and chain anchor).
    virtual Result<std::string> database_id() = 0;
    virtual Result<int> schema_version() = 0;

    // Organisation.
    virtual Result<model::Organisation> organisation() = 0;
    virtual Result<void> set_organisation(const model::Organisation& org) = 0;
    virtual Result<std::vector<model::ApprovalStage>> approval_chain() = 0;
    virtual Result<void> set_approval_chain(const std::vector<model::ApprovalStage>& chain) = 0;

    // Users.
    virtual Result<Id> insert_user(const model::User& user) = 0;
    virtual Result<std::optional<model::User>> find_user(const std::string& name) = 0;
    virtual Result<std::optional<model::User>> find_user(Id id) = 0;
    virtual Result<std::vector<model::User>> list_users() = 0;

    // Social accounts.
    virtual Result<Id> insert_account(const model::Account& account) = 0;
    virtual Result<std::optional<model::Account>> find_account(const std::string& network,
                                                               const std::string& handle) = 0;
    virtual Result<std::vector<model::Account>> list_accounts() = 0;
    virtual Result<std::optional<model::Account>> find_account(Id id) = 0;
    virtual Result<void> set_account_status(Id id, const std::string& status) = 0;
    // Holds all of an account's targets until `until` (a network asked to
    // slow down); claim_due skips held accounts, in every process.
    virtual Result<void> hold_account(Id id, UnixSeconds until, const std::string& reason) = 0;
    // Attempts made for an account since `since`: how many, and the oldest's time.
    virtual Result<std::pair<int, UnixSeconds>> attempts_since(Id account_id, UnixSeconds since) = 0;
    // Credentials as sealed by security::Vault; the store never sees plaintext.
    virtual Result<std::optional<std::vector<std::uint8_t>>> sealed_credentials(Id account_id) = 0;
    virtual Result<void> set_sealed_credentials(Id account_id, const std::vector<std::uint8_t>& sealed,
                                                UnixSeconds now) = 0;
    // Forgets them (the account was disconnected); no error when there are none.
    virtual Result<void> delete_sealed_credentials(Id account_id) = 0;

    // Posts and their immutable versions.
    virtual Result<Id> insert_post(Id created_by, UnixSeconds now) = 0;
    virtual Result<std::optional<model::Post>> find_post(Id id) = 0;
    virtual Result<void> update_post(Id id, model::State state, Id current_version_id,
                                     UnixSeconds now) = 0;
    virtual Result<std::vector<PostSummary>> list_posts(const PostFilter& filter) = 0;
    virtual Result<Id> insert_version(const NewVersion& version) = 0;
    virtual Result<model::PostVersion> version(Id id) = 0;
    virtual Result<std::vector<model::PostVersion>> versions_of(Id post_id) = 0;

    // Tags of a post (campaigns, topics): the post's, not a version's, so
    // not approved content. set_post_tags replaces the whole set with
    // `tags`, which the caller has normalised (workflow::normalise_tags);
    // tags_of lists them sorted.
    virtual Result<void> set_post_tags(Id post_id, const std::vector<std::string>& tags) = 0;
    virtual Result<std::vector<std::string>> tags_of(Id post_id) = 0;

    // Approvals.
    virtual Result<Id> insert_approval(const model::Approval& approval) = 0;
    virtual Result<std::vector<model::Approval>> approvals_of_version(Id version_id) = 0;
    virtual Result<std::vector<model::Approval>> approvals_of_post(Id post_id) = 0;

    // Consent records and their links to posts.
    virtual Result<Id> insert_consent(const model::Consent& consent) = 0;
    virtual Result<void> link_consent(Id post_id, Id consent_id) = 0;
    virtual Result<std::vector<model::Consent>> consents_of_post(Id post_id) = 0;

    // Per-network targets: the queue.
    virtual Result<Id> insert_target(const model::Target& target) = 0;
    virtual Result<std::vector<model::Target>> targets_of(Id post_id) = 0;
    virtual Result<void> set_target_state(Id target_id, model::State state,
                                          const std::string& last_error, UnixSeconds now) = 0;
    // Moves a target that has not gone out to `at` (a person rescheduled it).
    virtual Result<void> set_target_schedule(Id target_id, UnixSeconds at, UnixSeconds now) = 0;
    // Claims up to `limit` due targets (Scheduled or RetryWait with
    // scheduled_at <= now, or Publishing with an expired lease) of the
    // shard's accounts that are not held, for `owner` until now +
    // lease_seconds, in one transaction. Claimed targets are Publishing.
    // Never returns a target another owner holds a live lease on, and
    // nothing while the emergency pause is set.
    virtual Result<std::vector<model::Target>> claim_due(const std::string& owner, UnixSeconds now,
                                                         int lease_seconds, int limit, ClaimShard shard = {}) = 0;
    // Accounts of the shard with a target due before `until` (to refresh
    // their credentials ahead of time).
    virtual Result<std::vector<Id>> accounts_due_before(UnixSeconds until, ClaimShard shard = {}) = 0;
    // Hands back `owner`'s claims it has not started on (it is stopping):
    // they are claimable again at once, with their schedule unchanged.
    virtual Result<void> release_claims(const std::string& owner) = 0;
    // When claim_due for the shard will next find something (it may be in
    // the past); nothing when the queue is empty or publishing is paused.
    virtual Result<std::optional<UnixSeconds>> next_due_at(ClaimShard shard = {}) = 0;
    // Records an attempt before its request is sent (outcome "in_doubt"
    // until finish_attempt) and counts it on the target.
    virtual Result<Id> begin_attempt(Id target_id, const std::string& idempotency_key, UnixSeconds now) = 0;
    virtual Result<void> finish_attempt(Id attempt_id, const std::string& outcome, const std::string& error,
                                        UnixSeconds now) = 0;
    // Attempts of this target whose outcome is still unknown (a crash).
    virtual Result<int> in_doubt_attempts(Id target_id) = 0;
    // Records how in-doubt attempts were settled (e.g. "found", "absent").
    virtual Result<void> resolve_in_doubt_attempts(Id target_id, const std::string& outcome, UnixSeconds now) = 0;
    // Applies an outcome to a target only while `owner` still holds its lease.
    // Ok(false) when the lease was lost (another worker took over). A
    // published target gets published_at = now.
    virtual Result<bool> finish_target(const TargetOutcome& outcome, const std::string& owner,
                                       UnixSeconds now) = 0;

    // Metrics: published targets whose next snapshot is due (oldest first);
    // snapshots are appended, never overwritten.
    virtual Result<std::vector<MetricsDue>> metrics_due(UnixSeconds now, std::size_t limit, ClaimShard shard = {}) = 0;
    virtual Result<void> add_metric_snapshot(const MetricSnapshot& snapshot) = 0;
    // Moves a target's schedule on: one more scheduled snapshot taken
    // (`counted`) or not (its fetch failed), the next one due at `next_due`;
    // nothing ends the schedule.
    virtual Result<void> advance_metrics(Id target_id, bool counted, std::optional<UnixSeconds> next_due) = 0;
    virtual Result<std::vector<MetricSnapshot>> metric_snapshots(Id target_id) = 0;
    // The organisation's retention: deletes post and account snapshots
    // fetched before `before`, except each target's and each account's
    // newest (their latest numbers stay). Returns how many went.
    virtual Result<std::size_t> prune_metric_snapshots(UnixSeconds before) = 0;
    // Account samples (the service takes one a day). Accounts of the shard
    // that are connected and have no sample taken at or after `since`.
    virtual Result<std::vector<Id>> accounts_to_sample(UnixSeconds since, ClaimShard shard = {}) = 0;
    // Appended, never overwritten.
    virtual Result<void> add_account_snapshot(const AccountSnapshot& snapshot) = 0;
    // Samples taken in [from, to), of one account or all, ordered by
    // account then time.
    virtual Result<std::vector<AccountSnapshot>> account_snapshots(UnixSeconds from, UnixSeconds to,
                                                                   std::optional<Id> account = std::nullopt) = 0;
    // The newest sample of each account taken before `before`, by account:
    // where a period's chart starts.
    virtual Result<std::vector<AccountSnapshot>> latest_account_snapshots(UnixSeconds before) = 0;
    // Reports: targets published in [from, to) (by published_at; later taken
    // down included), ordered by published_at then target id, each with its
    // newest snapshot.
    virtual Result<std::vector<PublishedTarget>> published_between(UnixSeconds from, UnixSeconds to) = 0;
    // Every snapshot of those same targets, ordered by target (as above),
    // then fetched_at.
    virtual Result<std::vector<MetricSnapshot>> snapshots_of_published_between(UnixSeconds from,
                                                                               UnixSeconds to) = 0;
    // Per-tag totals: each tag of each post with a target published in
    // [from, to), once per such target, ordered by tag, post and target.
    // Read from the post_tags_by_tag index; the targets' metrics come from
    // published_between over the same period.
    virtual Result<std::vector<TaggedTarget>> tagged_published_between(UnixSeconds from, UnixSeconds to) = 0;
    // Versions created in [from, to), oldest first.
    virtual Result<std::vector<VersionCheck>> versions_created_between(UnixSeconds from, UnixSeconds to) = 0;
    // Final approvals in [from, to) whose post was submitted before them,
    // oldest first.
    virtual Result<std::vector<ApprovalTiming>> approvals_between(UnixSeconds from, UnixSeconds to) = 0;
    virtual Result<std::optional<model::Target>> find_target(Id target_id) = 0;
    // Targets in any of `states`, oldest schedule first.
    virtual Result<std::vector<model::Target>> targets_in(const std::vector<model::State>& states,
                                                          std::size_t limit) = 0;

    // Notices for people (failures, reauthorisation). add_notice is a no-op
    // returning false when an unacknowledged notice of the same kind for the
    // same account and target exists: one notice per failure, not per retry.
    virtual Result<bool> add_notice(const Notice& notice) = 0;
    virtual Result<std::vector<Notice>> open_notices() = 0;
    // Open notices not yet sent by e-mail, and marking one sent.
    virtual Result<std::vector<Notice>> notices_to_email() = 0;
    virtual Result<void> mark_notice_emailed(Id notice_id, UnixSeconds now) = 0;

    // Small settings of the installation (e.g. the mail relay); secrets only
    // as sealed by security::Vault.
    virtual Result<std::optional<std::string>> setting(const std::string& key) = 0;
    virtual Result<void> set_setting(const std::string& key, const std::string& value) = 0;
    // Nothing when there is no such setting.
    virtual Result<void> delete_setting(const std::string& key) = 0;

    // The refresh lock of an account across machines (team mode): on
    // PostgreSQL a session advisory lock held by this connection until
    // unlock_account or until the connection ends (a dead process drops
    // it), waited for up to `wait` (Conflict after that). SQLite serves one
    // machine, where the OAuth refresh lock (a flock) already does this:
    // both succeed at once.
    virtual Result<void> lock_account(Id account, std::chrono::milliseconds wait) = 0;
    virtual Result<void> unlock_account(Id account) = 0;
    // Every setting whose key starts with `prefix`, ordered by key (the
    // vault's named secrets, to re-encrypt them all on key rotation).
    virtual Result<std::vector<std::pair<std::string, std::string>>> settings_with_prefix(
        const std::string& prefix) = 0;

    // The emergency pause: while set, claim_due claims nothing.
    virtual Result<std::optional<PauseState>> pause_state() = 0;
    virtual Result<void> set_pause(const std::optional<PauseState>& pause) = 0;

    // Targets scheduled in [from, to), ordered by time.
    virtual Result<std::vector<CalendarItem>> calendar(UnixSeconds from, UnixSeconds to) = 0;

    // Audit log (append-only; see security::AuditLog for the MAC chain).
    virtual Result<void> append_audit(const model::AuditEntry& entry) = 0;
    virtual Result<std::optional<model::AuditEntry>> last_audit() = 0;
    // Calls `visit` for every entry in storage order (by seq).
    virtual Result<void> each_audit(const std::function<bool(const model::AuditEntry&)>& visit) = 0;
    // Where the chain's head is vouched for. PostgreSQL keeps it in the
    // audit_anchor table, which the database moves itself as each entry is
    // appended (refusing one that does not extend the chain) and which only
    // the service role may write. A SQLite file does not (false): its anchor
    // is a file beside the audit key.
    virtual bool keeps_audit_anchor() const = 0;
    // The head kept in the database (nullopt while the log is empty); only
    // when keeps_audit_anchor().
    virtual Result<std::optional<AuditAnchor>> audit_anchor() = 0;

    // Team mode: lets the PostgreSQL role `role` work at a desk (read and
    // write posts, append to the audit log, read the anchor) without the
    // service role's rights. Run as the owner; Invalid on SQLite.
    virtual Result<void> grant_desk_role(const std::string& role) = 0;

    // Live updates (team mode). On PostgreSQL every change of a post's or a
    // target's state is announced, at the commit that makes it, to every
    // connection that listens (LISTEN/NOTIFY), so open studios refresh
    // without polling. A SQLite file has one desktop and no such channel:
    // listen() succeeds and wait_for_changes() only waits, so callers poll.
    virtual Result<void> listen() = 0;
    // Waits up to `timeout_ms` for announcements; gives those that came (maybe none).
    virtual Result<std::vector<Change>> wait_for_changes(int timeout_ms) = 0;

    // Checkpoints: by default a commit that grows the log past ~4 MB also
    // copies it into the database file, which makes that commit slow. The
    // dispatcher defers that work and calls checkpoint() between rounds, so
    // its claims never pay for it.
    virtual Result<void> defer_checkpoints() = 0;
    virtual Result<void> checkpoint() = 0;

    // Copies the whole database to `destination` while others keep writing.
    virtual Result<void> backup_to(const std::filesystem::path& destination) = 0;

    // Restoring an export (transfer::restore_json) into a database without
    // posts: rows written with the ids, states and times they had, so the
    // references between them and the versions' content hashes still hold.
    // Call inside transaction(); a taken id is a Storage error.
    virtual Result<void> restore_account(const model::Account& account) = 0;
    virtual Result<void> restore_consent(const model::Consent& consent) = 0;
    virtual Result<void> restore_post(const model::Post& post) = 0;
    virtual Result<void> restore_version(const model::PostVersion& version) = 0;
    virtual Result<void> restore_approval(const model::Approval& approval) = 0;
    virtual Result<void> restore_target(const model::Target& target, std::optional<UnixSeconds> published_at) = 0;
};

enum class OpenMode {
    CreateIfMissing,  // create and migrate a new database (init, the studio's first start)
    MustExist,        // refuse a missing file
};

enum class MigrationPolicy {
    Migrate,         // bring an older schema up to date
    RequireCurrent,  // refuse an older schema, naming `clearpostctl db migrate`
};

// The schema version this program writes.
int latest_schema_version() noexcept;

// For migration tests: creates a database with only migrations 1..version.
Result<void> create_sqlite_at_version(const std::filesystem::path& path, int version);

// Opens (and with OpenMode::CreateIfMissing, creates) a SQLite database.
// A file that is not SQLite, is damaged, or carries a newer schema is refused
// with a clear error and left byte-for-byte untouched.
Result<std::unique_ptr<Store>> open_sqlite(const std::filesystem::path& path, OpenMode mode,
                                           MigrationPolicy policy);

// Team mode: opens (and with OpenMode::CreateIfMissing, sets up) the
// Clearpost schema in a PostgreSQL database named by a postgresql:// URI
// (libpq's URI form). TLS is sslmode=verify-full unless the URI says
// otherwise. A database with a newer schema or with other tables is refused
// and left untouched; errors name the URI without its password.
Result<std::unique_ptr<Store>> open_postgres(const std::string& uri, OpenMode mode, MigrationPolicy policy);

struct TableCopy {
    std::string table;
    std::int64_t rows = 0;
};

// Copies every row of the Clearpost database at `from` into the one at `to`
// (each a file or a postgresql:// URI), which must hold no Clearpost data
// yet; it is created and set up when missing. The source is read in one
// snapshot, the copy is one transaction, and afterwards every table's rows
// are counted on both sides: any difference undoes the copy. Ids and the
// database id are kept, so references, version hashes and the audit chain
// (whose key and anchor are named by the database id) carry over.
Result<std::vector<TableCopy>> copy_database(const std::string& from, const std::string& to);

// `location` is a postgresql:// (or postgres://) URI, or else a file path.
Result<std::unique_ptr<Store>> open_store(const std::string& location, OpenMode mode, MigrationPolicy policy);
bool is_postgres_uri(std::string_view location);
// The URI with any password replaced by ***, for messages and logs.
std::string redact_uri(std::string_view uri);
// The URI with its password taken out (user:password@ becomes user@, a
// password=… parameter goes); other parameters stay as they are.
std::string uri_without_password(std::string_view uri);

}  // namespace clearpost::store
