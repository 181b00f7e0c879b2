#include "clearpost/workflow/workflow.h"

#include <algorithm>
#include <iterator>
#include <set>

#include "clearpost/base/utf8.h"
#include "clearpost/crypto/crypto.h"
#include "clearpost/workflow/admin.h"
#include "transact.h"

namespace clearpost::workflow {
namespace {

using model::Role;
using model::State;

std::string post_subject(Id id) { return "post " + std::to_string(id); }

Error forbidden(const std::string& message) { return make_error(ErrorCode::Forbidden, message); }

// A privacy officer may also sign stages meant for approvers.
bool may_sign(Role actor, Role stage_role) {
    return actor == stage_role || (actor == Role::PrivacyOfficer && stage_role == Role::Approver);
}

bool is_pending_target(State s) {
    return s == State::Scheduled || s == State::RetryWait || s == State::Paused ||
           s == State::Failed || s == State::NeedsAttention;
}

}  // namespace

Workflow::Workflow(store::Store& store, security::AuditLog& audit, Clock clock, ComplianceCheck check)
    : m_store(store), m_audit(audit), m_clock(std::move(clock)), m_check(std::move(check)) {}

Result<void> Workflow::in_transaction(const std::function<Result<void>()>& body) {
    return transact(m_store, m_audit, body);
}

Result<model::Post> Workflow::load_post(Id post_id) {
    CLEARPOST_ASSIGN(auto post, m_store.find_post(post_id));
    if (!post) {
        return make_error(ErrorCode::NotFound, "post " + std::to_string(post_id) +
                                                   " does not exist; list posts with: clearpostctl post list");
    }
    return std::move(*post);
}

Result<model::PostVersion> Workflow::current_version(const model::Post& post) {
    CLEARPOST_ASSIGN(auto version, m_store.version(post.current_version_id));
    // The hash is recomputed, so a version edited behind our back (directly
    // in the database) can never carry an approval forward.
    if (model::content_hash(version.content) != version.content_hash) {
        return make_error(ErrorCode::Tampered,
                          "version " + std::to_string(version.number) + " of post " +
                              std::to_string(post.id) +
                              " does not match its content hash; it was changed outside Clearpost. "
                              "Check the audit log (clearpostctl audit verify)");
    }
    return version;
}

Result<void> Workflow::validate_content(const model::VersionContent& content) {
    if (content.text.empty()) {
        return make_error(ErrorCode::Invalid, "the post has no text; write something first");
    }
    if (!is_valid_utf8(content.text)) {
        return make_error(ErrorCode::Invalid, "the post text is not valid UTF-8; save it as UTF-8 and retry");
    }
    if (content.scheduled_at && content.zone.empty()) {
        return make_error(ErrorCode::Invalid, "a scheduled time needs a time zone");
    }
    std::set<Id> seen;
    for (const auto& t : content.targets) {
        if (!seen.insert(t.account_id).second) {
            return make_error(ErrorCode::Invalid, "an account is listed twice as a target");
        }
    }
    return ok();
}

Result<void> Workflow::move_post(const model::User& actor, const model::Post& post, Action action,
                                 Id version_id, const std::string& detail) {
    CLEARPOST_ASSIGN(State to, next_state(post.state, action));
    const UnixSeconds now = m_clock();
    CLEARPOST_CHECK(m_store.update_post(post.id, to, version_id, now));
    std::string text = std::string(model::to_string(post.state)) + " -> " +
                       std::string(model::to_string(to));
    if (!detail.empty()) text += "; " + detail;
    return m_audit.append({actor.name, "post." + std::string(to_string(action)), post_subject(post.id), text},
                          now);
}

Result<Id> Workflow::insert_new_post(const model::User& actor, model::VersionContent content) {
    const UnixSeconds now = m_clock();
    CLEARPOST_ASSIGN(Id post_id, m_store.insert_post(actor.id, now));
    store::NewVersion v;
    v.post_id = post_id;
    v.number = 1;
    v.author_id = actor.id;
    v.content_hash = model::content_hash(content);
    if (m_check) v.compliance = m_check(content, {}, now);
    v.content = std::move(content);
    v.created_at = now;
    CLEARPOST_ASSIGN(Id version_id, m_store.insert_version(v));
    CLEARPOST_CHECK(m_store.update_post(post_id, State::Draft, version_id, now));
    CLEARPOST_CHECK(m_audit.append({actor.name, "post.create", post_subject(post_id),
                                    "version 1 hash " + v.content_hash + "; compliance " + v.compliance.verdict},
                                   now));
    return post_id;
}

Result<Id> Workflow::create_post(const model::User& actor, model::VersionContent content) {
    CLEARPOST_CHECK(validate_content(content));
    Id post_id = 0;
    CLEARPOST_CHECK(in_transaction([&]() -> Result<void> {
        CLEARPOST_ASSIGN(post_id, insert_new_post(actor, std::move(content)));
        return ok();
    }));
    return post_id;
}

Result<std::vector<Result<Id>>> Workflow::create_posts(const model::User& actor,
                                                       std::vector<model::VersionContent> contents,
                                                       const std::vector<std::vector<std::string>>& tags) {
    std::vector<Result<Id>> results;
    results.reserve(contents.size());
    CLEARPOST_CHECK(in_transaction([&]() -> Result<void> {
        results.clear();
        for (std::size_t i = 0; i < contents.size(); ++i) {
            auto& content = contents[i];
            if (auto valid = validate_content(content); !valid) {
                results.emplace_back(std::move(valid).error());
                continue;
            }
            Id post_id = 0;
            auto written = m_store.savepoint([&]() -> Result<void> {
                CLEARPOST_ASSIGN(post_id, insert_new_post(actor, std::move(content)));
                if (i < tags.size() && !tags[i].empty()) {
                    CLEARPOST_ASSIGN(auto wanted, normalise_tags(tags[i]));
                    CLEARPOST_CHECK(write_tags(actor, post_id, wanted));
                }
                return ok();
            });
            if (written.ok()) {
                results.emplace_back(post_id);
            } else {
                results.emplace_back(std::move(written).error());
            }
        }
        return ok();
    }));
    return results;
}

Result<void> Workflow::cancel_pending_targets(Id post_id, const std::string& reason) {
    CLEARPOST_ASSIGN(auto targets, m_store.targets_of(post_id));
    for (const auto& t : targets) {
        if (t.state == State::Publishing) {
            return make_error(ErrorCode::Conflict,
                              "post " + std::to_string(post_id) +
                                  " is being published right now; wait for it to finish and try again");
        }
        if (!is_pending_target(t.state)) continue;
        CLEARPOST_ASSIGN(State to, next_state(t.state, Action::Cancel));
        CLEARPOST_CHECK(m_store.set_target_state(t.id, to, reason, m_clock()));
    }
    return ok();
}

Result<int> Workflow::edit_post(const model::User& actor, Id post_id, model::VersionContent content) {
    CLEARPOST_CHECK(validate_content(content));
    int number = 0;
    CLEARPOST_CHECK(in_transaction([&]() -> Result<void> {
        CLEARPOST_ASSIGN(auto post, load_post(post_id));
        CLEARPOST_ASSIGN(number, add_version(actor, post, std::move(content), actor.id));
        return ok();
    }));
    return number;
}

Result<int> Workflow::add_version(const model::User& actor, const model::Post& post, model::VersionContent content,
                                  Id author_id) {
    CLEARPOST_CHECK(next_state(post.state, Action::Edit));
    CLEARPOST_ASSIGN(auto previous, m_store.version(post.current_version_id));
    CLEARPOST_ASSIGN(auto consents, m_store.consents_of_post(post.id));
    const UnixSeconds now = m_clock();
    store::NewVersion v;
    v.post_id = post.id;
    v.number = previous.number + 1;
    v.author_id = author_id;
    v.content_hash = model::content_hash(content);
    if (m_check) v.compliance = m_check(content, consents, now);
    v.content = std::move(content);
    v.created_at = now;
    CLEARPOST_ASSIGN(Id version_id, m_store.insert_version(v));
    CLEARPOST_CHECK(cancel_pending_targets(post.id, "replaced by version " + std::to_string(v.number)));
    CLEARPOST_CHECK(move_post(actor, post, Action::Edit, version_id,
                              "version " + std::to_string(v.number) + " hash " + v.content_hash + "; compliance " +
                                  v.compliance.verdict));
    return v.number;
}

Result<void> Workflow::submit(const model::User& actor, Id post_id) {
    return in_transaction([&]() -> Result<void> {
        CLEARPOST_ASSIGN(auto post, load_post(post_id));
        CLEARPOST_CHECK(next_state(post.state, Action::Submit));
        CLEARPOST_ASSIGN(auto version, current_version(post));
        if (version.content.targets.empty()) {
            return make_error(ErrorCode::Invalid, "post " + std::to_string(post_id) +
                                                      " has no target accounts; add one with "
                                                      "clearpostctl post edit --target NETWORK:HANDLE");
        }
        return move_post(actor, post, Action::Submit, version.id,
                         "version " + std::to_string(version.number));
    });
}

Result<ApprovalOutcome> Workflow::approve(const model::User& actor, Id post_id, const std::string& comment,
                                          const std::string& override_justification) {
    ApprovalOutcome outcome;
    CLEARPOST_CHECK(in_transaction([&]() -> Result<void> {
        CLEARPOST_ASSIGN(auto post, load_post(post_id));
        if (post.state != State::InReview) {
            return make_error(ErrorCode::Conflict, "cannot approve post " + std::to_string(post_id) +
                                                       " in state " +
                                                       std::string(model::to_string(post.state)) +
                                                       "; only posts in review can be approved");
        }
        CLEARPOST_ASSIGN(auto version, current_version(post));
        if (version.author_id == actor.id) {
            return forbidden("you wrote version " + std::to_string(version.number) + " of post " +
                             std::to_string(post_id) +
                             "; someone else must approve it (separation of duties)");
        }
        CLEARPOST_ASSIGN(auto chain, m_store.approval_chain());
        if (chain.empty()) chain.push_back({1, Role::Approver});
        CLEARPOST_ASSIGN(auto approvals, m_store.approvals_of_version(version.id));
        int signed_stages = 0;
        bool overridden = false;
        for (const auto& a : approvals) {
            if (a.decision != "approved" || a.version_hash != version.content_hash) continue;
            if (a.approver_id == actor.id) {
                return forbidden("you already signed stage " + std::to_string(a.stage) +
                                 " of this version; another person must sign the next stage");
            }
            signed_stages = std::max(signed_stages, a.stage);
            overridden = overridden || !a.override_justification.empty();
        }
        if (static_cast<std::size_t>(signed_stages) >= chain.size()) {
            return make_error(ErrorCode::Conflict, "every stage has already signed this version");
        }
        const auto& stage = chain[static_cast<std::size_t>(signed_stages)];
        const bool blocked = version.compliance.verdict == "block" && !overridden;
        if (blocked) {
            if (actor.role != Role::PrivacyOfficer) {
                return forbidden("version " + std::to_string(version.number) +
                                 " has compliance blocks; only a privacy officer can override them, "
                                 "with a written justification");
            }
            if (override_justification.size() < 10) {
                return make_error(ErrorCode::Invalid,
                                  "overriding a compliance block needs a written justification "
                                  "(at least 10 characters) saying why publishing is allowed");
            }
        } else if (!override_justification.empty()) {
            return make_error(ErrorCode::Invalid,
                              "this version has no unresolved compliance block; approve without a justification");
        }
        if (!may_sign(actor.role, stage.role)) {
            return forbidden("stage " + std::to_string(stage.stage) + " must be signed by a " +
                             std::string(model::to_string(stage.role)) + "; you are " +
                             std::string(model::to_string(actor.role)));
        }
        model::Approval a;
        a.post_id = post_id;
        a.version_id = version.id;
        a.stage = stage.stage;
        a.decision = "approved";
        a.comment = comment;
        a.approver_id = actor.id;
        a.version_hash = version.content_hash;
        a.override_justification = blocked ? override_justification : std::string();
        a.decided_at = m_clock();
        CLEARPOST_CHECK(m_store.insert_approval(a));
        outcome.stage = stage.stage;
        outcome.final = static_cast<std::size_t>(signed_stages + 1) == chain.size();
        if (blocked) {
            CLEARPOST_CHECK(m_audit.append({actor.name, "post.override_block", post_subject(post_id),
                                            "version " + std::to_string(version.number) +
                                                " hash " + version.content_hash},
                                           a.decided_at));
        }
        return move_post(actor, post, outcome.final ? Action::ApproveFinal : Action::ApproveStage,
                         version.id,
                         "stage " + std::to_string(stage.stage) + " of " + std::to_string(chain.size()) +
                             "; version " + std::to_string(version.number) + " hash " +
                             version.content_hash);
    }));
    return outcome;
}

Result<void> Workflow::request_changes(const model::User& actor, Id post_id, const std::string& comment) {
    if (comment.empty()) {
        return make_error(ErrorCode::Invalid, "say what should change: a comment is required");
    }
    return in_transaction([&]() -> Result<void> {
        CLEARPOST_ASSIGN(auto post, load_post(post_id));
        CLEARPOST_CHECK(next_state(post.state, Action::RequestChanges));
        CLEARPOST_ASSIGN(auto version, current_version(post));
        if (version.author_id == actor.id) {
            return forbidden("you wrote this version; edit it instead of reviewing it");
        }
        if (actor.role == Role::Author) {
            return forbidden("authors cannot review posts; ask an approver");
        }
        CLEARPOST_ASSIGN(auto approvals, m_store.approvals_of_version(version.id));
        int stage = 1;
        for (const auto& a : approvals)
            if (a.decision == "approved") stage = std::max(stage, a.stage + 1);
        model::Approval a;
        a.post_id = post_id;
        a.version_id = version.id;
        a.stage = stage;
        a.decision = "changes_requested";
        a.comment = comment;
        a.approver_id = actor.id;
        a.version_hash = version.content_hash;
        a.decided_at = m_clock();
        CLEARPOST_CHECK(m_store.insert_approval(a));
        return move_post(actor, post, Action::RequestChanges, version.id,
                         "version " + std::to_string(version.number));
    });
}

Result<void> Workflow::schedule(const model::User& actor, Id post_id) {
    return in_transaction([&]() -> Result<void> {
        CLEARPOST_ASSIGN(auto post, load_post(post_id));
        CLEARPOST_CHECK(next_state(post.state, Action::Schedule));
        CLEARPOST_ASSIGN(auto version, current_version(post));
        if (!version.content.scheduled_at) {
            return make_error(ErrorCode::Invalid,
                              "version " + std::to_string(version.number) +
                                  " has no publishing time; set one with clearpostctl post edit " +
                                  std::to_string(post_id) + " --at TIME --zone ZONE and submit again");
        }
        // The approvals must name exactly this content, stage by stage.
        CLEARPOST_ASSIGN(auto chain, m_store.approval_chain());
        if (chain.empty()) chain.push_back({1, Role::Approver});
        CLEARPOST_ASSIGN(auto approvals, m_store.approvals_of_version(version.id));
        for (const auto& stage : chain) {
            const bool signed_stage = std::any_of(approvals.begin(), approvals.end(), [&](const auto& a) {
                return a.stage == stage.stage && a.decision == "approved" &&
                       a.version_hash == version.content_hash;
            });
            if (!signed_stage) {
                return make_error(ErrorCode::Conflict,
                                  "stage " + std::to_string(stage.stage) +
                                      " has not approved this exact version; submit it for review");
            }
        }
        for (const auto& spec : version.content.targets) {
            model::Target t;
            t.post_id = post_id;
            t.version_id = version.id;
            t.account_id = spec.account_id;
            t.state = State::Scheduled;
            t.scheduled_at = *version.content.scheduled_at;
            t.idempotency_key = crypto::to_hex(crypto::random_bytes(16));
            CLEARPOST_CHECK(m_store.insert_target(t));
        }
        return move_post(actor, post, Action::Schedule, version.id,
                         "at " + format_utc(*version.content.scheduled_at) + " (" +
                             version.content.zone + "), " +
                             std::to_string(version.content.targets.size()) + " target(s)");
    });
}

Result<void> Workflow::pause(const model::User& actor, Id post_id) {
    return in_transaction([&]() -> Result<void> {
        CLEARPOST_ASSIGN(auto post, load_post(post_id));
        CLEARPOST_CHECK(next_state(post.state, Action::Pause));
        CLEARPOST_ASSIGN(auto targets, m_store.targets_of(post_id));
        for (const auto& t : targets) {
            if (t.state != State::Scheduled && t.state != State::RetryWait) continue;
            CLEARPOST_ASSIGN(State to, next_state(t.state, Action::Pause));
            CLEARPOST_CHECK(m_store.set_target_state(t.id, to, "paused by " + actor.name, m_clock()));
        }
        return move_post(actor, post, Action::Pause, post.current_version_id, {});
    });
}

Result<void> Workflow::resume(const model::User& actor, Id post_id) {
    return in_transaction([&]() -> Result<void> {
        CLEARPOST_ASSIGN(auto post, load_post(post_id));
        CLEARPOST_CHECK(next_state(post.state, Action::Resume));
        CLEARPOST_ASSIGN(auto targets, m_store.targets_of(post_id));
        for (const auto& t : targets) {
            if (t.state != State::Paused) continue;
            CLEARPOST_ASSIGN(State to, next_state(t.state, Action::Resume));
            CLEARPOST_CHECK(m_store.set_target_state(t.id, to, {}, m_clock()));
        }
        return move_post(actor, post, Action::Resume, post.current_version_id, {});
    });
}

Result<void> Workflow::cancel(const model::User& actor, Id post_id, const std::string& reason) {
    return in_transaction([&]() -> Result<void> {
        CLEARPOST_ASSIGN(auto post, load_post(post_id));
        if (actor.role == Role::Author && post.created_by != actor.id) {
            return forbidden("only the post's creator, an approver or an admin can cancel post " +
                             std::to_string(post_id));
        }
        CLEARPOST_CHECK(next_state(post.state, Action::Cancel));
        CLEARPOST_CHECK(cancel_pending_targets(post_id, "cancelled by " + actor.name));
        return move_post(actor, post, Action::Cancel, post.current_version_id,
                         reason.empty() ? std::string() : "reason: " + reason);
    });
}

Result<Workflow::Rescheduled> Workflow::reschedule(const model::User& actor, Id post_id, UnixSeconds at) {
    CLEARPOST_ASSIGN(auto post, load_post(post_id));
    CLEARPOST_ASSIGN(auto version, current_version(post));
    CLEARPOST_ASSIGN(auto targets, m_store.targets_of(post_id));
    for (const auto& t : targets) {
        if (t.state == State::Publishing || t.state == State::Published || t.state == State::Removed) {
            return make_error(ErrorCode::Conflict, "post " + std::to_string(post_id) +
                                                       " has already gone out (or is going out) on one network; "
                                                       "it cannot be moved");
        }
    }
    auto content = version.content;
    content.scheduled_at = at;
    CLEARPOST_ASSIGN(const bool keep, reschedule_keeps_approval(m_store));
    if (!keep || post.state != State::Scheduled) {
        CLEARPOST_ASSIGN(int number, edit_post(actor, post_id, std::move(content)));
        return Rescheduled{false, number};
    }
    if (actor.role == Role::Author && post.created_by != actor.id) {
        return forbidden("only the post's creator, an approver or an admin can move post " + std::to_string(post_id));
    }
    CLEARPOST_CHECK(in_transaction([&]() -> Result<void> {
        if (m_check) {
            CLEARPOST_ASSIGN(auto consents, m_store.consents_of_post(post_id));
            const auto checked = m_check(content, consents, m_clock());
            if (checked.verdict == "block" && version.compliance.verdict != "block") {
                return make_error(ErrorCode::Conflict,
                                  "at the new time post " + std::to_string(post_id) +
                                      " fails its compliance check (e.g. a consent expires before then); keep "
                                      "the old time or edit the post");
            }
        }
        const UnixSeconds now = m_clock();
        for (const auto& t : targets)
            if (is_pending_target(t.state)) CLEARPOST_CHECK(m_store.set_target_schedule(t.id, at, now));
        return m_audit.append({actor.name, "post.reschedule", post_subject(post_id),
                               "from " + (version.content.scheduled_at ? format_utc(*version.content.scheduled_at)
                                                                       : std::string("no time")) +
                                   " to " + format_utc(at) + "; approval kept (organisation policy)"},
                              now);
    }));
    return Rescheduled{true, 0};
}

Result<void> Workflow::retry_target(const model::User& actor, Id target_id) {
    if (actor.role == Role::Author) {
        return forbidden(actor.name + " is an author; an approver, privacy officer or admin sends a post again");
    }
    return in_transaction([&]() -> Result<void> {
        CLEARPOST_ASSIGN(auto target, m_store.find_target(target_id));
        if (!target) return make_error(ErrorCode::NotFound, "no target " + std::to_string(target_id));
        CLEARPOST_ASSIGN(State to, next_state(target->state, Action::Retry));
        const UnixSeconds now = m_clock();
        std::string detail = std::string(model::to_string(target->state)) + " -> " + std::string(model::to_string(to));
        if (target->state == State::NeedsAttention) {
            CLEARPOST_ASSIGN(const int unknown, m_store.in_doubt_attempts(target_id));
            if (unknown > 0) {
                CLEARPOST_CHECK(m_store.resolve_in_doubt_attempts(target_id, "absent (checked by " + actor.name + ")", now));
                detail += "; " + std::to_string(unknown) + " unconfirmed attempt(s) declared absent";
            }
        }
        CLEARPOST_CHECK(m_store.set_target_state(target_id, to, {}, now));
        return m_audit.append({actor.name, "target." + std::string(to_string(Action::Retry)),
                               post_subject(target->post_id) + " target " + std::to_string(target_id), detail},
                              now);
    });
}

Result<Id> Workflow::link_consent(const model::User& actor, Id post_id, model::Consent consent) {
    if (consent.subject.empty() || consent.scope.empty()) {
        return make_error(ErrorCode::Invalid, "a consent record needs the person's name and its scope");
    }
    if (consent.expires_at <= m_clock()) {
        return make_error(ErrorCode::Invalid, "this consent expired on " + format_utc(consent.expires_at) +
                                                  "; link one that still applies");
    }
    Id consent_id = 0;
    CLEARPOST_CHECK(in_transaction([&]() -> Result<void> {
        CLEARPOST_ASSIGN(auto post, load_post(post_id));
        consent.recorded_by = actor.id;
        consent.created_at = m_clock();
        CLEARPOST_ASSIGN(consent_id, m_store.insert_consent(consent));
        CLEARPOST_CHECK(m_store.link_consent(post.id, consent_id));
        CLEARPOST_CHECK(m_audit.append({actor.name, "post.link_consent", post_subject(post_id),
                                        "consent " + std::to_string(consent_id) + " expires " +
                                            format_utc(consent.expires_at)},
                                       consent.created_at));
        // Consent changes what compliance reports, not the content. Versions
        // never change, so a draft gets a new version with the same content,
        // checked with the consent, and its author stays who wrote it. A
        // version in review or approved keeps the findings it is signed
        // with; the next edit re-runs the check.
        if (m_check && (post.state == State::Draft || post.state == State::ChangesRequested)) {
            CLEARPOST_ASSIGN(auto version, current_version(post));
            CLEARPOST_CHECK(add_version(actor, post, version.content, version.author_id));
        }
        return ok();
    }));
    return consent_id;
}

std::vector<std::string> split_tags(const std::string& text) {
    std::vector<std::string> out;
    std::string tag;
    for (char c : text) {
        if (c == ',' || c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            if (!tag.empty()) out.push_back(std::move(tag));
            tag.clear();
        } else {
            tag += c;
        }
    }
    if (!tag.empty()) out.push_back(std::move(tag));
    return out;
}

Result<std::vector<std::string>> normalise_tags(const std::vector<std::string>& tags) {
    std::set<std::string> out;
    for (const auto& given : tags) {
        const auto first = given.find_first_not_of(" \t\r\n");
        if (first == std::string::npos) continue;  // "a,,b" or a blank field
        const auto last = given.find_last_not_of(" \t\r\n");
        std::string tag = given.substr(first, last - first + 1);
        for (char& c : tag) {
            const auto u = static_cast<unsigned char>(c);
            if (u >= 'A' && u <= 'Z') c = static_cast<char>(u - 'A' + 'a');
            const bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!allowed) {
                return make_error(ErrorCode::Invalid,
                                  "tag '" + tag + "' has a character other than a letter (a-z), a digit, '-' or "
                                                  "'_'; write it as one word, e.g. flu-season-2026");
            }
        }
        if (tag.size() > kMaxTagLength) {
            return make_error(ErrorCode::Invalid, "tag '" + tag + "' is " + std::to_string(tag.size()) +
                                                      " characters long; a tag has at most " +
                                                      std::to_string(kMaxTagLength));
        }
        out.insert(std::move(tag));
    }
    if (out.size() > kMaxTagsPerPost) {
        return make_error(ErrorCode::Invalid, std::to_string(out.size()) + " tags given; a post has at most " +
                                                  std::to_string(kMaxTagsPerPost) + ", remove some");
    }
    return std::vector<std::string>(out.begin(), out.end());
}

Result<TagChange> Workflow::set_tags(const model::User& actor, Id post_id, const std::vector<std::string>& tags) {
    if (!actor.active) return forbidden("user " + actor.name + " is disabled");
    CLEARPOST_ASSIGN(auto wanted, normalise_tags(tags));
    TagChange change;
    CLEARPOST_CHECK(in_transaction([&]() -> Result<void> {
        CLEARPOST_ASSIGN(auto post, load_post(post_id));
        CLEARPOST_ASSIGN(change, write_tags(actor, post.id, wanted));
        return ok();
    }));
    return change;
}

Result<TagChange> Workflow::write_tags(const model::User& actor, Id post_id, const std::vector<std::string>& wanted) {
    TagChange change;
    CLEARPOST_ASSIGN(auto current, m_store.tags_of(post_id));
    std::set_difference(wanted.begin(), wanted.end(), current.begin(), current.end(),
                        std::back_inserter(change.added));
    std::set_difference(current.begin(), current.end(), wanted.begin(), wanted.end(),
                        std::back_inserter(change.removed));
    if (change.added.empty() && change.removed.empty()) return change;
    CLEARPOST_CHECK(m_store.set_post_tags(post_id, wanted));
    // Tags never hold patient data (one word each, checked by
    // normalise_tags), so the audit entry may name them.
    const auto join = [](const std::vector<std::string>& list) {
        std::string text;
        for (const auto& t : list) text += (text.empty() ? "" : ", ") + t;
        return text;
    };
    std::string detail;
    if (!change.added.empty()) detail = "added " + join(change.added);
    if (!change.removed.empty()) detail += (detail.empty() ? "" : "; ") + ("removed " + join(change.removed));
    CLEARPOST_CHECK(m_audit.append({actor.name, "post.tags", post_subject(post_id), detail}, m_clock()));
    return change;
}

Result<PostDetail> Workflow::detail(Id post_id) {
    PostDetail d;
    CLEARPOST_ASSIGN(d.post, load_post(post_id));
    CLEARPOST_ASSIGN(d.versions, m_store.versions_of(post_id));
    CLEARPOST_ASSIGN(d.approvals, m_store.approvals_of_post(post_id));
    CLEARPOST_ASSIGN(d.targets, m_store.targets_of(post_id));
    CLEARPOST_ASSIGN(d.consents, m_store.consents_of_post(post_id));
    CLEARPOST_ASSIGN(d.chain, m_store.approval_chain());
    CLEARPOST_ASSIGN(d.tags, m_store.tags_of(post_id));
    return d;
}

}  // namespace clearpost::workflow
