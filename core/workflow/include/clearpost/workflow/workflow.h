#pragma once
// The post workflow's use cases: everything a person can do to a post, with
// roles, separation of duties and hash-bound approvals enforced here, so the
// studio, clearpostctl and the tests all obey the same rules. Every change
// and its audit entry are written in one transaction.

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "clearpost/base/result.h"
#include "clearpost/base/time.h"
#include "clearpost/model/model.h"
#include "clearpost/security/audit.h"
#include "clearpost/store/store.h"
#include "clearpost/workflow/state_machine.h"

namespace clearpost::workflow {

using model::Id;

// Runs the compliance engine over a version. Pure; may be empty (no engine),
// in which case every version passes.
using ComplianceCheck = std::function<model::ComplianceResult(
    const model::VersionContent&, const std::vector<model::Consent>&, UnixSeconds now)>;

struct PostDetail {
    model::Post post;
    std::vector<model::PostVersion> versions;  // oldest first; back() is current
    std::vector<model::Approval> approvals;    // all versions, oldest first
    std::vector<model::Target> targets;
    std::vector<model::Consent> consents;
    std::vector<model::ApprovalStage> chain;
    std::vector<std::string> tags;  // sorted; the post's, not a version's
};

// Tags (campaigns, topics) group posts for analytics. At most this many per
// post, each at most kMaxTagLength characters.
inline constexpr std::size_t kMaxTagsPerPost = 10;
inline constexpr std::size_t kMaxTagLength = 40;

// Tags as they are stored: trimmed, lower-cased, duplicates and empty ones
// dropped, sorted. Invalid, naming the tag and the rule, for one longer than
// kMaxTagLength, with a character other than a letter (a-z), a digit, '-'
// or '_', or for more than kMaxTagsPerPost tags.
Result<std::vector<std::string>> normalise_tags(const std::vector<std::string>& tags);

// Splits a field people type ("flu-season, vaccines" or "flu vaccines")
// into tags at commas and white space, for normalise_tags.
std::vector<std::string> split_tags(const std::string& text);

// What set_tags changed, each list sorted.
struct TagChange {
    std::vector<std::string> added;
    std::vector<std::string> removed;
};

struct ApprovalOutcome {
    int stage = 0;
    bool final = false;  // the post is now Approved
};

class Workflow {
public:
    Workflow(store::Store& store, security::AuditLog& audit, Clock clock, ComplianceCheck check);

    Result<Id> create_post(const model::User& actor, model::VersionContent content);
    // Creates posts as create_post does (Drafts, compliance checked, audited),
    // many per transaction: each in its own savepoint, so a refused post
    // leaves nothing behind and the others go on, with one commit (one disk
    // flush) per batch instead of per post. One result per content, in
    // order; an Error only when the transaction itself fails, and then none
    // of them was created.
    // `tags`, when not empty, holds each post's tags (normalise_tags'
    // output), written with the post and audited in its savepoint.
    Result<std::vector<Result<Id>>> create_posts(const model::User& actor,
                                                 std::vector<model::VersionContent> contents,
                                                 const std::vector<std::vector<std::string>>& tags = {});
    // A new version; the post returns to Draft and earlier approvals stop
    // applying. Pending targets are cancelled. Returns the version number.
    Result<int> edit_post(const model::User& actor, Id post_id, model::VersionContent content);
    Result<void> submit(const model::User& actor, Id post_id);
    // Signs the next stage of the organisation's chain. A version with a
    // compliance block needs a privacy officer and a written justification.
    Result<ApprovalOutcome> approve(const model::User& actor, Id post_id, const std::string& comment,
                                    const std::string& override_justification);
    Result<void> request_changes(const model::User& actor, Id post_id, const std::string& comment);
    // Queues one target per account of the approved version, at its time.
    Result<void> schedule(const model::User& actor, Id post_id);
    Result<void> pause(const model::User& actor, Id post_id);
    Result<void> resume(const model::User& actor, Id post_id);
    Result<void> cancel(const model::User& actor, Id post_id, const std::string& reason);
    // Links a patient's authorisation to the post. A draft (or a post sent
    // back for changes) gets a new version with the same content and author,
    // checked with the consent, so what is submitted shows it.
    Result<Id> link_consent(const model::User& actor, Id post_id, model::Consent consent);
    // A person sends a Failed or NeedsAttention target again: it is due at
    // once. For NeedsAttention the person has checked the account and found
    // the post missing, so earlier attempts whose fate was unknown are
    // settled as absent (the dispatcher would otherwise stop again). Authors
    // may not: what goes out again is an approver's decision.
    Result<void> retry_target(const model::User& actor, Id target_id);
    // Moves the post to `at`. A queued post whose organisation lets a move
    // keep its approval (reschedule_keeps_approval) keeps it: its targets
    // move, after a compliance check at the new time (a consent that
    // expires before then blocks the move). Otherwise the move is a new
    // version (edit_post): back to Draft, earlier approvals no longer apply.
    // Refused once any target has gone out or is going out.
    struct Rescheduled {
        bool kept_approval = false;
        int version = 0;  // the new version's number when one was made
    };
    Result<Rescheduled> reschedule(const model::User& actor, Id post_id, UnixSeconds at);

    // Replaces the post's tags with `tags` (normalised first). Tags are not
    // content: no new version, no new approval, in any state; anyone who may
    // edit the post may tag it. The change and its audit entry ("post.tags",
    // the tags added and removed) are one transaction; no change writes
    // nothing.
    Result<TagChange> set_tags(const model::User& actor, Id post_id, const std::vector<std::string>& tags);

    Result<PostDetail> detail(Id post_id);

private:
    Result<model::Post> load_post(Id post_id);
    Result<model::PostVersion> current_version(const model::Post& post);
    Result<void> validate_content(const model::VersionContent& content);
    // A new current version of `post` (edit_post's writes, in the caller's
    // transaction), checked with the post's consents. Returns its number.
    Result<int> add_version(const model::User& actor, const model::Post& post, model::VersionContent content,
                            Id author_id);
    // create_post's writes, in the caller's transaction.
    Result<Id> insert_new_post(const model::User& actor, model::VersionContent content);
    // Writes the post's new state and its audit entry in the caller's transaction.
    Result<void> move_post(const model::User& actor, const model::Post& post, Action action,
                           Id version_id, const std::string& detail);
    // Writes the post's tags and their audit entry in the caller's
    // transaction; what changed.
    Result<TagChange> write_tags(const model::User& actor, Id post_id, const std::vector<std::string>& wanted);
    // Runs `body` and its audit in one transaction, then anchors the chain.
    Result<void> in_transaction(const std::function<Result<void>()>& body);
    Result<void> cancel_pending_targets(Id post_id, const std::string& reason);

    store::Store& m_store;
    security::AuditLog& m_audit;
    Clock m_clock;
    ComplianceCheck m_check;
};

}  // namespace clearpost::workflow
