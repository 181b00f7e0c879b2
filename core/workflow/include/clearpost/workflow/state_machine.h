#pragma once
// The one state machine every post and target transition goes through.

#include <string_view>

#include "clearpost/base/result.h"
#include "clearpost/model/model.h"

namespace clearpost::workflow {

enum class Action {
    Edit,            // a new version; returns the post to Draft
    Submit,          // Draft -> InReview
    ApproveStage,    // an approval that leaves further stages to sign
    ApproveFinal,    // the last stage signs: InReview -> Approved
    RequestChanges,  // InReview -> ChangesRequested
    Schedule,        // Approved -> Scheduled (targets enter the queue)
    Pause,           // Scheduled/RetryWait -> Paused
    Resume,          // Paused -> Scheduled
    Claim,           // a dispatcher takes a due target: -> Publishing
    Succeed,         // Publishing -> Published
    RetryLater,      // Publishing -> RetryWait (transient failure)
    Fail,            // Publishing -> Failed (permanent failure)
    NeedAttention,   // Publishing -> NeedsAttention (in doubt; never resent blindly)
    Retry,           // Failed/NeedsAttention -> Scheduled, by a person
    Cancel,          // any state not in flight or done -> Cancelled
    TakeDown,        // Published -> Removed: deleted from the network by a person
};

std::string_view to_string(Action action) noexcept;

// The state after `action` in `from`, or a Conflict error naming both.
Result<model::State> next_state(model::State from, Action action);

}  // namespace clearpost::workflow
