#include "review.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace clearpost::gui {
namespace {

using model::Role;

// Mirrors core's rule (workflow::approve): a privacy officer may also sign
// stages meant for approvers. Core stays the authority; this only decides
// what to show.
bool may_sign(Role actor, Role stage_role) {
    return actor == stage_role || (actor == Role::PrivacyOfficer && stage_role == Role::Approver);
}

struct StageState {
    int signed_stages = 0;
    bool overridden = false;
    bool signed_by_user = false;
};

StageState stages_of(const workflow::PostDetail& post, model::Id user_id) {
    StageState s;
    if (post.versions.empty()) return s;
    const auto& v = post.versions.back();
    for (const auto& a : post.approvals) {
        if (a.version_id != v.id || a.decision != "approved" || a.version_hash != v.content_hash) continue;
        s.signed_stages = std::max(s.signed_stages, a.stage);
        s.overridden = s.overridden || !a.override_justification.empty();
        s.signed_by_user = s.signed_by_user || a.approver_id == user_id;
    }
    return s;
}

std::vector<model::ApprovalStage> chain_of(const workflow::PostDetail& post) {
    if (post.chain.empty()) return {{1, Role::Approver}};
    return post.chain;
}

}  // namespace

ReviewOffer review_offer(const model::User& user, const workflow::PostDetail& post) {
    ReviewOffer offer;
    if (post.post.state != model::State::InReview || post.versions.empty()) {
        offer.note = ReviewNote::NotInReview;
        return offer;
    }
    const auto& version = post.versions.back();
    const auto chain = chain_of(post);
    const auto stages = stages_of(post, user.id);
    const auto next = static_cast<std::size_t>(std::min<int>(stages.signed_stages, static_cast<int>(chain.size()) - 1));
    offer.stage = chain[next].stage;
    offer.stage_role = chain[next].role;
    if (version.author_id == user.id) {
        offer.note = ReviewNote::OwnVersion;
        return offer;
    }
    if (user.role == Role::Author) {
        offer.note = ReviewNote::AuthorsDoNotReview;
        return offer;
    }
    offer.request_changes = true;
    if (stages.signed_by_user) {
        offer.note = ReviewNote::AlreadySigned;
        return offer;
    }
    if (!may_sign(user.role, offer.stage_role) ||
        static_cast<std::size_t>(stages.signed_stages) >= chain.size()) {
        offer.note = ReviewNote::NotYourStage;
        return offer;
    }
    const bool blocked = version.compliance.verdict == "block" && !stages.overridden;
    if (blocked && user.role != Role::PrivacyOfficer) {
        offer.note = ReviewNote::BlockNeedsPrivacyOfficer;
        return offer;
    }
    offer.approve = true;
    offer.justification_required = blocked;
    return offer;
}

bool waits_for(const model::User& user, const workflow::PostDetail& post) {
    if (post.post.state != model::State::InReview || post.versions.empty()) return false;
    const auto chain = chain_of(post);
    const auto stages = stages_of(post, user.id);
    if (static_cast<std::size_t>(stages.signed_stages) >= chain.size()) return false;
    const Role role = chain[static_cast<std::size_t>(stages.signed_stages)].role;
    // A block waits for a privacy officer whatever the stage says.
    const bool blocked = post.versions.back().compliance.verdict == "block" && !stages.overridden;
    if (blocked) return user.role == Role::PrivacyOfficer;
    return may_sign(user.role, role);
}

std::vector<InboxEntry> inbox_entries(const model::User& user, const std::vector<workflow::PostDetail>& posts,
                                      const std::vector<model::User>& users) {
    std::vector<InboxEntry> out;
    for (const auto& p : posts) {
        if (!waits_for(user, p)) continue;
        const auto& v = p.versions.back();
        InboxEntry e;
        e.post_id = p.post.id;
        e.version = v.number;
        e.author = "user " + std::to_string(v.author_id);
        for (const auto& u : users)
            if (u.id == v.author_id) e.author = u.name;
        e.waiting_since = p.post.updated_at;
        e.first_line = v.content.text.substr(0, v.content.text.find('\n'));
        e.verdict = v.compliance.verdict;
        e.offer = review_offer(user, p);
        out.push_back(std::move(e));
    }
    std::sort(out.begin(), out.end(), [](const InboxEntry& a, const InboxEntry& b) {
        return a.waiting_since != b.waiting_since ? a.waiting_since < b.waiting_since : a.post_id < b.post_id;
    });
    return out;
}

std::vector<compliance::Finding> parse_findings(std::string_view json) {
    const auto doc = nlohmann::json::parse(json, nullptr, false);
    std::vector<compliance::Finding> out;
    auto unreadable = [] {
        compliance::Finding f;
        f.rule = "studio.unreadable-findings";
        f.kind = "studio";
        f.severity = compliance::Severity::Block;
        f.message = "The stored compliance findings of this version cannot be read.";
        f.suggestion = "Ask the author to save the post again so that it is checked again.";
        return std::vector<compliance::Finding>{f};
    };
    if (doc.is_discarded() || !doc.is_array()) return unreadable();
    for (const auto& j : doc) {
        if (!j.is_object()) return unreadable();
        compliance::Finding f;
        f.rule = j.value("rule", "");
        f.kind = j.value("kind", "");
        auto severity = compliance::parse_severity(j.value("severity", ""));
        if (!severity) return unreadable();
        f.severity = *severity;
        f.start = j.value("start", std::size_t{0});
        f.end = j.value("end", std::size_t{0});
        f.cp_start = j.value("cp_start", std::size_t{0});
        f.cp_end = j.value("cp_end", std::size_t{0});
        f.message = j.value("message", "");
        f.suggestion = j.value("suggestion", "");
        f.consent_id = j.value("consent", "");
        out.push_back(std::move(f));
    }
    return out;
}

}  // namespace clearpost::gui
