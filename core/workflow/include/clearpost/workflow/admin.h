#pragma once
// Organisation administration: the first admin, users, accounts and the
// approval chain. Only admins may change them (checked here).

#include <optional>
#include <string>
#include <vector>

#include "clearpost/base/result.h"
#include "clearpost/base/time.h"
#include "clearpost/model/model.h"
#include "clearpost/schedule/recurrence.h"
#include "clearpost/security/audit.h"
#include "clearpost/store/store.h"

namespace clearpost::workflow {

class Admin {
public:
    Admin(store::Store& store, security::AuditLog& audit, Clock clock);

    // Sets up a new database: organisation, default approval chain (one
    // approver stage) and the first admin. Refused once any user exists.
    Result<model::User> initialise(const std::string& org_name, const std::string& zone,
                                   const std::string& admin_name, const std::string& password);
    Result<model::User> add_user(const model::User& actor, const std::string& name, model::Role role,
                                 const std::string& password);
    Result<model::Account> add_account(const model::User& actor, const std::string& network,
                                       const std::string& handle);
    Result<void> set_approval_chain(const model::User& actor,
                                    const std::vector<model::ApprovalStage>& chain);
    // Replaces the organisation's public profile (JSON the compliance engine
    // reads; the caller has validated its shape).
    Result<void> set_org_profile(const model::User& actor, const std::string& profile_json);
    // The organisation's policy for a queued post moved to another time:
    // keep its approval (the time is not what was reviewed), or send a new
    // version back for review (the default).
    Result<void> set_reschedule_keeps_approval(const model::User& actor, bool keep);
    // The organisation's weekly queue slots ("Mon 09:00"), wall-clock times
    // in its time zone where the composer offers the next free one. An
    // empty list removes them. Duplicates are dropped; the order is kept
    // by weekday and time.
    Result<void> set_queue_slots(const model::User& actor, std::vector<schedule::WeeklySlot> slots);
    // How long metrics snapshots are kept: none (the default) keeps every
    // one; otherwise 30 to 36,500 days, after which apply_metrics_retention
    // deletes them (never a post's newest), audited.
    Result<void> set_metrics_retention(const model::User& actor, std::optional<int> days);
    // The emergency pause: anyone signed in may stop all publishing at once
    // (a reason is required); approvers, privacy officers and admins resume.
    Result<void> pause_publishing(const model::User& actor, const std::string& reason);
    Result<void> resume_publishing(const model::User& actor);

private:
    Result<void> in_transaction(const std::function<Result<void>()>& body);

    store::Store& m_store;
    security::AuditLog& m_audit;
    Clock m_clock;
};

// Admin::set_reschedule_keeps_approval's setting (false until an admin sets it).
Result<bool> reschedule_keeps_approval(store::Store& store);

// Admin::set_metrics_retention's days (none: keep everything).
Result<std::optional<int>> metrics_retention(store::Store& store);

// Deletes the snapshots the organisation's retention no longer keeps (each
// target's newest stays) and audits how many went, as `actor_name` (the
// service, or the person who ran it). 0 when it keeps everything.
Result<std::size_t> apply_metrics_retention(store::Store& store, security::AuditLog& audit,
                                            const std::string& actor_name, UnixSeconds now);

// Admin::set_queue_slots's slots, by weekday and time (none until set).
Result<std::vector<schedule::WeeklySlot>> queue_slots(store::Store& store);

// The first queue slot after `after`, in `zone`, at which no post is
// planned: no target waiting, going out or gone out at that instant, and no
// draft, post in review or approved post set for it. Empty when the
// organisation has no slots, or none of the next 500 is free.
Result<std::optional<UnixSeconds>> next_free_slot(store::Store& store, const schedule::TimeZone& zone,
                                                  UnixSeconds after);

// The audit log as people read it: the newest `limit` entries (newest
// first) and the verification of the whole chain. Only admins and privacy
// officers may read it.
struct AuditTrail {
    security::AuditVerification verification;
    std::vector<model::AuditEntry> entries;
    std::int64_t total = 0;  // entries in the log; more than entries.size() when cut at the limit
};
Result<AuditTrail> audit_trail(const model::User& actor, store::Store& store, security::AuditLog& audit,
                               std::size_t limit);

// Ok when `actor` is an admin; otherwise Forbidden, saying that only an admin
// can `what` (e.g. "add users").
Result<void> require_admin(const model::User& actor, const std::string& what);

// Known network names, as targets and publishers name them.
bool is_known_network(const std::string& network);

}  // namespace clearpost::workflow
