#include "clearpost/workflow/state_machine.h"

#include <catch2/catch.hpp>
#include <map>
#include <utility>

using namespace clearpost;
using model::State;
using workflow::Action;
using workflow::next_state;

namespace {

const std::map<std::pair<State, Action>, State>& allowed() {
    static const std::map<std::pair<State, Action>, State> table{
        {{State::Draft, Action::Edit}, State::Draft},
        {{State::InReview, Action::Edit}, State::Draft},
        {{State::ChangesRequested, Action::Edit}, State::Draft},
        {{State::Approved, Action::Edit}, State::Draft},
        {{State::Scheduled, Action::Edit}, State::Draft},
        {{State::Paused, Action::Edit}, State::Draft},
        {{State::Draft, Action::Submit}, State::InReview},
        {{State::InReview, Action::ApproveStage}, State::InReview},
        {{State::InReview, Action::ApproveFinal}, State::Approved},
        {{State::InReview, Action::RequestChanges}, State::ChangesRequested},
        {{State::Approved, Action::Schedule}, State::Scheduled},
        {{State::Scheduled, Action::Pause}, State::Paused},
        {{State::RetryWait, Action::Pause}, State::Paused},
        {{State::Paused, Action::Resume}, State::Scheduled},
        {{State::Scheduled, Action::Claim}, State::Publishing},
        {{State::RetryWait, Action::Claim}, State::Publishing},
        {{State::Publishing, Action::Claim}, State::Publishing},
        {{State::Publishing, Action::Succeed}, State::Published},
        {{State::Publishing, Action::RetryLater}, State::RetryWait},
        {{State::Publishing, Action::Fail}, State::Failed},
        {{State::Publishing, Action::NeedAttention}, State::NeedsAttention},
        {{State::Failed, Action::Retry}, State::Scheduled},
        {{State::NeedsAttention, Action::Retry}, State::Scheduled},
        {{State::Draft, Action::Cancel}, State::Cancelled},
        {{State::InReview, Action::Cancel}, State::Cancelled},
        {{State::ChangesRequested, Action::Cancel}, State::Cancelled},
        {{State::Approved, Action::Cancel}, State::Cancelled},
        {{State::Scheduled, Action::Cancel}, State::Cancelled},
        {{State::Paused, Action::Cancel}, State::Cancelled},
        {{State::RetryWait, Action::Cancel}, State::Cancelled},
        {{State::Failed, Action::Cancel}, State::Cancelled},
        {{State::NeedsAttention, Action::Cancel}, State::Cancelled},
    };
    return table;
}

constexpr State kStates[] = {State::Draft,     State::InReview,   State::ChangesRequested,
                             State::Approved,  State::Scheduled,  State::Paused,
                             State::Publishing, State::RetryWait, State::Published,
                             State::Failed,    State::NeedsAttention, State::Cancelled};
constexpr Action kActions[] = {Action::Edit,       Action::Submit,        Action::ApproveStage,
                               Action::ApproveFinal, Action::RequestChanges, Action::Schedule,
                               Action::Pause,      Action::Resume,        Action::Claim,
                               Action::Succeed,    Action::RetryLater,    Action::Fail,
                               Action::NeedAttention, Action::Retry,      Action::Cancel};

}  // namespace

TEST_CASE("every allowed transition leads to the documented state") {
    for (const auto& [key, to] : allowed()) {
        auto result = next_state(key.first, key.second);
        INFO(model::to_string(key.first) << " + " << workflow::to_string(key.second));
        REQUIRE(result.ok());
        CHECK(*result == to);
    }
}

TEST_CASE("every other state and action pair is refused with a message naming both") {
    int refused = 0;
    for (State s : kStates) {
        for (Action a : kActions) {
            if (allowed().count({s, a})) continue;
            auto result = next_state(s, a);
            INFO(model::to_string(s) << " + " << workflow::to_string(a));
            REQUIRE_FALSE(result.ok());
            CHECK(result.error().code == ErrorCode::Conflict);
            CHECK_THAT(result.error().message, Catch::Contains(std::string(model::to_string(s))));
            CHECK_THAT(result.error().message, Catch::Contains(std::string(workflow::to_string(a))));
            ++refused;
        }
    }
    CHECK(refused == 12 * 15 - static_cast<int>(allowed().size()));
}

TEST_CASE("published and cancelled are final") {
    for (Action a : kActions) {
        CHECK_FALSE(next_state(State::Published, a).ok());
        CHECK_FALSE(next_state(State::Cancelled, a).ok());
    }
}
