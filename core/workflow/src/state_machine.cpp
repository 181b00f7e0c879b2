#include "clearpost/workflow/state_machine.h"

#include <array>
#include <string>

namespace clearpost::workflow {
namespace {

using model::State;

struct Transition {
    State from;
    Action action;
    State to;
};

constexpr std::array kTransitions{
    Transition{State::Draft, Action::Edit, State::Draft},
    Transition{State::InReview, Action::Edit, State::Draft},
    Transition{State::ChangesRequested, Action::Edit, State::Draft},
    Transition{State::Approved, Action::Edit, State::Draft},
    Transition{State::Scheduled, Action::Edit, State::Draft},
    Transition{State::Paused, Action::Edit, State::Draft},

    Transition{State::Draft, Action::Submit, State::InReview},
    Transition{State::InReview, Action::ApproveStage, State::InReview},
    Transition{State::InReview, Action::ApproveFinal, State::Approved},
    Transition{State::InReview, Action::RequestChanges, State::ChangesRequested},
    Transition{State::Approved, Action::Schedule, State::Scheduled},

    Transition{State::Scheduled, Action::Pause, State::Paused},
    Transition{State::RetryWait, Action::Pause, State::Paused},
    Transition{State::Paused, Action::Resume, State::Scheduled},

    Transition{State::Scheduled, Action::Claim, State::Publishing},
    Transition{State::RetryWait, Action::Claim, State::Publishing},
    Transition{State::Publishing, Action::Claim, State::Publishing},  // an expired lease taken over
    Transition{State::Publishing, Action::Succeed, State::Published},
    Transition{State::Publishing, Action::RetryLater, State::RetryWait},
    Transition{State::Publishing, Action::Fail, State::Failed},
    Transition{State::Publishing, Action::NeedAttention, State::NeedsAttention},
    Transition{State::Failed, Action::Retry, State::Scheduled},
    Transition{State::NeedsAttention, Action::Retry, State::Scheduled},

    Transition{State::Draft, Action::Cancel, State::Cancelled},
    Transition{State::InReview, Action::Cancel, State::Cancelled},
    Transition{State::ChangesRequested, Action::Cancel, State::Cancelled},
    Transition{State::Approved, Action::Cancel, State::Cancelled},
    Transition{State::Scheduled, Action::Cancel, State::Cancelled},
    Transition{State::Paused, Action::Cancel, State::Cancelled},
    Transition{State::RetryWait, Action::Cancel, State::Cancelled},
    Transition{State::Failed, Action::Cancel, State::Cancelled},
    Transition{State::NeedsAttention, Action::Cancel, State::Cancelled},

    Transition{State::Published, Action::TakeDown, State::Removed},
};

}  // namespace

std::string_view to_string(Action action) noexcept {
    switch (action) {
    case Action::Edit: return "edit";
    case Action::Submit: return "submit";
    case Action::ApproveStage: return "approve (stage)";
    case Action::ApproveFinal: return "approve";
    case Action::RequestChanges: return "request changes";
    case Action::Schedule: return "schedule";
    case Action::Pause: return "pause";
    case Action::Resume: return "resume";
    case Action::Claim: return "claim";
    case Action::Succeed: return "mark published";
    case Action::RetryLater: return "retry later";
    case Action::Fail: return "mark failed";
    case Action::NeedAttention: return "mark needs attention";
    case Action::Retry: return "retry";
    case Action::Cancel: return "cancel";
    case Action::TakeDown: return "take down";
    }
    return "unknown";
}

Result<model::State> next_state(model::State from, Action action) {
    for (const auto& t : kTransitions)
        if (t.from == from && t.action == action) return t.to;
    return make_error(ErrorCode::Conflict, "cannot " + std::string(to_string(action)) +
                                               " in state " + std::string(model::to_string(from)));
}

}  // namespace clearpost::workflow
