#pragma once
// The store: everything Clearpost keeps, behind one interface so that a
// PostgreSQL implementation can follow the SQLite one without touching the
// layers above. Implementations use prepared statements only.
//
// Threading: a Store is one connection; use it from one thread at a time.
// Open one Store per thread.

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
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
    std::optional<UnixSeconds> scheduled_at;
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

    // Posts and their immutable versions.
    virtual Result<Id> insert_post(Id created_by, UnixSeconds now) = 0;
    virtual Result<std::optional<model::Post>> find_post(Id id) = 0;
    virtual Result<void> update_post(Id id, model::State state, Id current_version_id,
                                     UnixSeconds now) = 0;
    virtual Result<std::vector<PostSummary>> list_posts(const PostFilter& filter) = 0;
    virtual Result<Id> insert_version(const NewVersion& version) = 0;
    virtual Result<model::PostVersion> version(Id id) = 0;
    virtual Result<std::vector<model::PostVersion>> versions_of(Id post_id) = 0;

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
    // Claims up to `limit` due targets (Scheduled or RetryWait with
    // scheduled_at <= now, or Publishing with an expired lease) for `owner`
    // until now + lease_seconds, in one transaction. Claimed targets are
    // Publishing. Never returns a target another owner holds a live lease on.
    virtual Result<std::vector<model::Target>> claim_due(const std::string& owner, UnixSeconds now,
                                                         int lease_seconds, int limit) = 0;
    // Targets scheduled in [from, to), ordered by time.
    virtual Result<std::vector<CalendarItem>> calendar(UnixSeconds from, UnixSeconds to) = 0;

    // Audit log (append-only; see security::AuditLog for the MAC chain).
    virtual Result<void> append_audit(const model::AuditEntry& entry) = 0;
    virtual Result<std::optional<model::AuditEntry>> last_audit() = 0;
    // Calls `visit` for every entry in storage order (by seq).
    virtual Result<void> each_audit(const std::function<bool(const model::AuditEntry&)>& visit) = 0;

    // Copies the whole database to `destination` while others keep writing.
    virtual Result<void> backup_to(const std::filesystem::path& destination) = 0;
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

// Opens (and with OpenMode::CreateIfMissing, creates) a SQLite database.
// A file that is not SQLite, is damaged, or carries a newer schema is refused
// with a clear error and left byte-for-byte untouched.
Result<std::unique_ptr<Store>> open_sqlite(const std::filesystem::path& path, OpenMode mode,
                                           MigrationPolicy policy);

}  // namespace clearpost::store
