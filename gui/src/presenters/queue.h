#pragma once
// The queue and its history without widgets: every target with its state,
// the reason in plain words and what the signed-in person may do with it,
// and the emergency pause. The rows are read on the worker; the panel only
// shows them. Core refuses what it does not allow; this decides what not to
// offer.

#include <optional>
#include <string>
#include <vector>

#include "clearpost/store/store.h"
#include "clearpost/schedule/time_zone.h"

namespace clearpost::gui {

enum class QueueView {
    Pending,    // everything not yet out, and what needs a person: oldest schedule first
    Published,  // what went out in the last 30 days: newest first
};

struct QueueRow {
    model::Id target_id = 0;
    model::Id post_id = 0;
    model::State state = model::State::Scheduled;
    std::string account;  // "bluesky:clinic.example"
    std::string when;     // local time in the organisation's zone, e.g. "2030-03-10 09:00 EDT"
    std::string reason;   // what is happening, in plain words
    std::string text;     // the first line of what is (or was) published
    std::string remote_url;
    bool can_retry = false;
    bool can_cancel = false;
};

struct QueuePage {
    std::vector<QueueRow> rows;
    bool truncated = false;  // more rows exist than are shown
    std::optional<store::PauseState> pause;
    std::string paused_since;  // the pause's time in the organisation's zone
    std::string zone;
};

// The rows above this many are not read (the oldest schedules come first).
inline constexpr std::size_t kQueueRowLimit = 2000;

// Reads one view of the queue for `user` (what they may do depends on the role).
Result<QueuePage> load_queue(store::Store& store, const model::User& user, QueueView view, UnixSeconds now);

// "2030-03-10 09:00 EDT" in `zone` (UTC when the zone cannot say).
std::string local_minutes(UnixSeconds at, const schedule::TimeZone* zone);

// What a target's state means for the person reading the queue, e.g.
// "Trying again at 09:05 EDT: the network was busy (HTTP 503)".
std::string plain_reason(const model::Target& target, bool paused, UnixSeconds now, const schedule::TimeZone* zone);

// Who may send a failed target again and who may cancel a post's pending
// targets, mirroring workflow::retry_target and workflow::cancel.
bool may_retry(const model::User& user, model::State state);
bool may_cancel(const model::User& user, model::State state, model::Id post_created_by);

}  // namespace clearpost::gui
