#pragma once
// What needs the signed-in person: posts waiting for their review and
// publishing problems (open notices), as one event each, for the desktop
// notifications and the tab counts. Events never carry post text (a
// notification may show on a shared screen and stays in the desktop's
// history): ids, authors and the dispatcher's own words only.

#include <set>
#include <string>
#include <vector>

#include "backend.h"

namespace clearpost::gui {

struct AttentionEvent {
    std::string key;  // stable per event: "review:POST:VERSION", "notice:ID"
    std::string title;
    std::string body;
};

struct AttentionSnapshot {
    std::vector<AttentionEvent> events;
    std::size_t reviews = 0;   // posts the person can decide on now
    std::size_t problems = 0;  // open publishing notices
};

// Reads the inbox for `user` and the open notices.
Result<AttentionSnapshot> load_attention(Services& services, const model::User& user);
AttentionSnapshot attention_of(const std::vector<InboxEntry>& inbox, const std::vector<store::Notice>& notices);

// One notification per event. The first snapshot after sign-in gives one
// summary instead of one per item (nobody wants twenty pop-ups at start);
// after that, each event not seen before, once.
class AttentionTracker {
public:
    std::vector<AttentionEvent> update(const AttentionSnapshot& snapshot);
    // Someone else signed in: their first snapshot is summarised again.
    void reset();

private:
    bool m_first = true;
    std::set<std::string> m_seen;
};

}  // namespace clearpost::gui
