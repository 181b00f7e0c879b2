#pragma once
// The approval inbox without widgets: which posts wait for the signed-in
// person, in which order, and which decisions the panel offers them. Core
// refuses every decision it does not allow; this decides what not to offer,
// so an author never sees an approve button on their own version.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clearpost/compliance/finding.h"
#include "clearpost/model/model.h"
#include "clearpost/workflow/workflow.h"

namespace clearpost::gui {

// Why the panel offers less than approve and request changes.
enum class ReviewNote {
    None,
    OwnVersion,           // you wrote this version: someone else must review it
    AlreadySigned,        // you signed an earlier stage of this version
    NotYourStage,         // the next stage is for another role
    BlockNeedsPrivacyOfficer,  // compliance blocks: only a privacy officer may override
    NotInReview,          // the post is not waiting for review
    AuthorsDoNotReview,   // the author role reviews nothing
};

struct ReviewOffer {
    bool approve = false;
    bool request_changes = false;
    bool justification_required = false;  // approve overrides a compliance block
    ReviewNote note = ReviewNote::None;
    int stage = 0;                         // the stage a decision would sign (1-based)
    model::Role stage_role = model::Role::Approver;
};

// What `user` may be offered on the current version of `post`.
ReviewOffer review_offer(const model::User& user, const workflow::PostDetail& post);

// True when the post is in review and its next stage is one `user`'s role
// signs (a privacy officer also signs approver stages).
bool waits_for(const model::User& user, const workflow::PostDetail& post);

struct InboxEntry {
    model::Id post_id = 0;
    int version = 0;
    std::string author;
    UnixSeconds waiting_since = 0;  // when the post last changed state
    std::string first_line;
    std::string verdict;            // pass | warn | block
    ReviewOffer offer;
};

// The posts among `posts` that wait for `user`, oldest first (ties by id).
// `author_name` maps a user id to a name.
std::vector<InboxEntry> inbox_entries(const model::User& user, const std::vector<workflow::PostDetail>& posts,
                                      const std::vector<model::User>& users);

// Findings as stored with a version (app::findings_json); unreadable JSON
// gives one blocking finding saying so, never a silent pass.
std::vector<compliance::Finding> parse_findings(std::string_view json);

}  // namespace clearpost::gui
