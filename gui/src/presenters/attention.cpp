#include "attention.h"

namespace clearpost::gui {

AttentionSnapshot attention_of(const std::vector<InboxEntry>& inbox, const std::vector<store::Notice>& notices) {
    AttentionSnapshot s;
    for (const auto& e : inbox) {
        if (!e.offer.approve && !e.offer.request_changes) continue;  // e.g. their own version
        ++s.reviews;
        s.events.push_back({"review:" + std::to_string(e.post_id) + ":" + std::to_string(e.version),
                            "Post " + std::to_string(e.post_id) + " waits for your review",
                            "Version " + std::to_string(e.version) + " by " + e.author + " (compliance: " + e.verdict +
                                "). Open the inbox to review it."});
    }
    for (const auto& n : notices) {
        ++s.problems;
        s.events.push_back({"notice:" + std::to_string(n.id),
                            n.kind == "needs_reauthorization" ? "An account must be reconnected"
                            : n.kind == "needs_attention"     ? "A post needs a person"
                                                              : "A post could not be published",
                            n.message});
    }
    return s;
}

Result<AttentionSnapshot> load_attention(Services& services, const model::User& user) {
    CLEARPOST_ASSIGN(auto inbox, load_inbox(services, user));
    CLEARPOST_ASSIGN(auto notices, services.store.open_notices());
    return attention_of(inbox.entries, notices);
}

std::vector<AttentionEvent> AttentionTracker::update(const AttentionSnapshot& snapshot) {
    std::vector<AttentionEvent> out;
    if (m_first) {
        m_first = false;
        for (const auto& e : snapshot.events) m_seen.insert(e.key);
        if (snapshot.reviews + snapshot.problems == 0) return out;
        std::string body;
        if (snapshot.reviews > 0)
            body += std::to_string(snapshot.reviews) + (snapshot.reviews == 1 ? " post waits" : " posts wait") +
                    " for your review. ";
        if (snapshot.problems > 0)
            body += std::to_string(snapshot.problems) +
                    (snapshot.problems == 1 ? " publishing problem needs" : " publishing problems need") +
                    " a person (see the queue).";
        if (body.back() == ' ') body.pop_back();
        out.push_back({"summary", "Clearpost: waiting for you", body});
        return out;
    }
    for (const auto& e : snapshot.events)
        if (m_seen.insert(e.key).second) out.push_back(e);
    return out;
}

void AttentionTracker::reset() {
    m_first = true;
    m_seen.clear();
}

}  // namespace clearpost::gui
