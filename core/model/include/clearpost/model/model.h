#pragma once
// The nouns of Clearpost, in the users' words. Plain data: no I/O, no rules.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clearpost/base/result.h"
#include "clearpost/base/time.h"

namespace clearpost::model {

using Id = std::int64_t;

enum class Role { Author, Approver, PrivacyOfficer, Admin };
std::string_view to_string(Role role) noexcept;
// Accepts "author", "approver", "privacy_officer", "admin".
Result<Role> parse_role(std::string_view text);

// One state set for posts and their per-network targets (ARCHITECTURE.md).
// A post moves Draft .. Scheduled (and Paused, Cancelled); each target then
// moves Scheduled .. Published on its own.
enum class State {
    Draft,
    InReview,
    ChangesRequested,
    Approved,
    Scheduled,
    Paused,
    Publishing,
    RetryWait,
    Published,
    Failed,
    NeedsAttention,
    Cancelled,
    Removed,  // published, then taken down from the network by a person
};
std::string_view to_string(State state) noexcept;
Result<State> parse_state(std::string_view text);

struct User {
    Id id = 0;
    std::string name;
    Role role = Role::Author;
    bool active = true;
    std::string password_hash;  // scrypt, see crypto::hash_password
    UnixSeconds created_at = 0;
};

struct Organisation {
    std::string name;
    std::string default_zone = "UTC";
    std::string profile_json = "{}";  // public details for the compliance engine
};

// One stage of the organisation's approval chain: who must sign, in order.
struct ApprovalStage {
    int stage = 1;
    Role role = Role::Approver;
};

struct Account {
    Id id = 0;
    std::string network;  // "bluesky", "mastodon", "x", ...
    std::string handle;
    std::string status = "connected";
};

struct TargetSpec {
    Id account_id = 0;
    std::string text_override;  // empty: the post's text
};

struct MediaRef {
    std::string sha256;
    std::string path;
    std::string alt_text;
};

// What a version says and when. The content hash covers all of it, so an
// approval names exactly what was approved.
struct VersionContent {
    std::string text;
    std::vector<TargetSpec> targets;
    std::vector<MediaRef> media;
    std::optional<UnixSeconds> scheduled_at;  // UTC
    std::string zone;                         // IANA zone the author chose
};

// SHA-256 over a canonical serialisation of the content: targets sorted by
// account, media in order (order is shown to readers), schedule included.
std::string content_hash(const VersionContent& content);

struct ComplianceResult {
    std::string verdict = "pass";   // pass | warn | block
    std::string findings_json = "[]";
};

struct PostVersion {
    Id id = 0;
    Id post_id = 0;
    int number = 0;
    Id author_id = 0;
    VersionContent content;
    std::string content_hash;
    ComplianceResult compliance;
    UnixSeconds created_at = 0;
};

struct Post {
    Id id = 0;
    State state = State::Draft;
    Id created_by = 0;
    Id current_version_id = 0;
    UnixSeconds created_at = 0;
    UnixSeconds updated_at = 0;
};

struct Approval {
    Id id = 0;
    Id post_id = 0;
    Id version_id = 0;
    int stage = 1;
    std::string decision;  // approved | changes_requested
    std::string comment;
    Id approver_id = 0;
    std::string version_hash;
    std::string override_justification;  // non-empty when a block was overridden
    UnixSeconds decided_at = 0;
};

struct Target {
    Id id = 0;
    Id post_id = 0;
    Id version_id = 0;
    Id account_id = 0;
    State state = State::Scheduled;
    UnixSeconds scheduled_at = 0;
    std::string lease_owner;
    UnixSeconds lease_expires_at = 0;
    int attempts = 0;
    std::string idempotency_key;
    std::string last_error;
    std::string remote_id;
    std::string remote_url;
};

struct Consent {
    Id id = 0;
    std::string subject;  // the patient (or relative) who authorised
    std::string scope;    // what may be published
    UnixSeconds expires_at = 0;
    std::string document_ref;
    Id recorded_by = 0;
    UnixSeconds created_at = 0;
};

// One row of the append-only audit log.
struct AuditEntry {
    std::int64_t seq = 0;
    UnixSeconds at = 0;
    std::string actor;
    std::string action;
    std::string subject;
    std::string detail;
    std::string prev_mac;
    std::string mac;
};

}  // namespace clearpost::model
