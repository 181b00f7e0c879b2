#pragma once
// The audit log: an append-only chain where each entry carries
// HMAC-SHA256(key, previous MAC + its own content). The key lives outside the
// database (a 0600 file in the user's config folder), and so does an anchor
// with the newest entry's sequence number and MAC, so that deleting the
// newest entries is caught as surely as editing old ones. A team database
// (PostgreSQL) keeps the anchor itself, in a table desk roles cannot write
// (Store::keeps_audit_anchor); every machine that writes to it needs the
// same key file.

#include <filesystem>
#include <optional>
#include <string>

#include "clearpost/base/result.h"
#include "clearpost/base/time.h"
#include "clearpost/crypto/crypto.h"
#include "clearpost/store/store.h"

namespace clearpost::security {

struct AuditEvent {
    std::string actor;    // user name, or "system"
    std::string action;   // "post.submit", "user.add", ...
    std::string subject;  // "post 12", "user anna"
    std::string detail;   // never post text or PHI: ids, hashes, states
};

struct AuditVerification {
    bool intact = true;
    std::int64_t entries = 0;
    std::int64_t first_bad_seq = 0;  // 0 when intact
    std::string problem;             // what is wrong and where, for people
};

class AuditLog {
public:
    // Loads the key and anchor for `store`'s database from `key_dir`. The
    // key is created (0600) only for a database whose log is still empty; a
    // missing key for a non-empty log is an error naming the file to restore.
    static Result<AuditLog> open(store::Store& store, const std::filesystem::path& key_dir);

    // Appends one entry. Call inside the store transaction that makes the
    // change it records, then call anchor() after that transaction commits.
    Result<void> append(const AuditEvent& event, UnixSeconds now);

    // Moves the anchor to the newest committed entry. Never moves it back, so
    // concurrent writers in other processes cannot shorten it. Nothing to do
    // where the database keeps the anchor.
    Result<void> anchor();

    // Walks the whole chain and the anchor.
    Result<AuditVerification> verify();

    const std::filesystem::path& key_path() const { return m_key_path; }
    const std::filesystem::path& anchor_path() const { return m_anchor_path; }

private:
    AuditLog(store::Store& store, crypto::Bytes key, std::filesystem::path key_path,
             std::filesystem::path anchor_path);

    std::string mac_of(const model::AuditEntry& entry) const;

    store::Store* m_store;
    crypto::Bytes m_key;
    std::filesystem::path m_key_path;
    std::filesystem::path m_anchor_path;
};

// Where Clearpost keeps per-user configuration: $XDG_CONFIG_HOME/clearpost,
// else ~/.config/clearpost.
std::filesystem::path default_config_dir();
// Where the embedded database lives: $XDG_DATA_HOME/clearpost/clearpost.db,
// else ~/.local/share/clearpost/clearpost.db.
std::filesystem::path default_database_path();

}  // namespace clearpost::security
