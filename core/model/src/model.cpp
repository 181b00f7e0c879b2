#include "clearpost/model/model.h"

#include <algorithm>
#include <array>
#include <utility>

#include "clearpost/crypto/crypto.h"

namespace clearpost::model {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 4> kRoles{{
    {Role::Author, "author"},
    {Role::Approver, "approver"},
    {Role::PrivacyOfficer, "privacy_officer"},
    {Role::Admin, "admin"},
}};

constexpr std::array<std::pair<State, std::string_view>, 13> kStates{{
    {State::Draft, "Draft"},
    {State::InReview, "InReview"},
    {State::ChangesRequested, "ChangesRequested"},
    {State::Approved, "Approved"},
    {State::Scheduled, "Scheduled"},
    {State::Paused, "Paused"},
    {State::Publishing, "Publishing"},
    {State::RetryWait, "RetryWait"},
    {State::Published, "Published"},
    {State::Failed, "Failed"},
    {State::NeedsAttention, "NeedsAttention"},
    {State::Cancelled, "Cancelled"},
    {State::Removed, "Removed"},
}};

}  // namespace

std::string_view to_string(Role role) noexcept {
    for (const auto& [r, name] : kRoles)
        if (r == role) return name;
    return "unknown";
}

Result<Role> parse_role(std::string_view text) {
    for (const auto& [r, name] : kRoles)
        if (name == text) return r;
    return make_error(ErrorCode::Invalid, "unknown role '" + std::string(text) +
                                              "'; use author, approver, privacy_officer or admin");
}

std::string_view to_string(State state) noexcept {
    for (const auto& [s, name] : kStates)
        if (s == state) return name;
    return "unknown";
}

Result<State> parse_state(std::string_view text) {
    for (const auto& [s, name] : kStates)
        if (name == text) return s;
    return make_error(ErrorCode::Invalid, "unknown state '" + std::string(text) + "'");
}

std::string content_hash(const VersionContent& content) {
    // Length-prefixed fields: byte-exact (invalid UTF-8 included) and free of
    // any escaping ambiguity, so two different contents never serialise alike.
    std::string canonical = "clearpost-content-v1\n";
    auto field = [&canonical](std::string_view bytes) {
        canonical += std::to_string(bytes.size());
        canonical += ':';
        canonical += bytes;
        canonical += '\n';
    };
    field(content.text);
    auto targets = content.targets;
    std::sort(targets.begin(), targets.end(),
              [](const TargetSpec& a, const TargetSpec& b) { return a.account_id < b.account_id; });
    field("targets " + std::to_string(targets.size()));
    for (const auto& t : targets) {
        field(std::to_string(t.account_id));
        field(t.text_override);
    }
    field("media " + std::to_string(content.media.size()));
    for (const auto& m : content.media) {
        field(m.sha256);
        field(m.alt_text);
    }
    field(content.scheduled_at ? std::to_string(*content.scheduled_at) : std::string("none"));
    field(content.zone);
    return crypto::sha256_hex(canonical);
}

}  // namespace clearpost::model
