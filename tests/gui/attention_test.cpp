// What the studio announces: one notification per event, a summary at
// sign-in, and never a post's text.

#include <catch2/catch.hpp>

#include "presenters/attention.h"
#include "studio_fixture.h"

namespace clearpost::gui {
namespace {

InboxEntry waiting(model::Id post, int version, bool can_decide) {
    InboxEntry e;
    e.post_id = post;
    e.version = version;
    e.author = "alice";
    e.first_line = "Patient Maria Lopez in room 418";
    e.verdict = "block";
    e.offer.approve = can_decide;
    e.offer.request_changes = can_decide;
    return e;
}

store::Notice notice(model::Id id, std::string kind) {
    store::Notice n;
    n.id = id;
    n.kind = std::move(kind);
    n.message = "bluesky:clinic.example must be reconnected";
    return n;
}

}  // namespace

TEST_CASE("one summary at sign-in, then one notification per new event, each once") {
    AttentionTracker tracker;
    auto first = tracker.update(attention_of({waiting(1, 1, true), waiting(2, 1, true), waiting(3, 1, false)},
                                             {notice(7, "needs_reauthorization")}));
    REQUIRE(first.size() == 1);
    CHECK(first[0].body ==
          "2 posts wait for your review. 1 publishing problem needs a person (see the queue).");

    // Nothing new: nothing announced.
    CHECK(tracker.update(attention_of({waiting(1, 1, true), waiting(2, 1, true)}, {notice(7, "needs_reauthorization")}))
              .empty());
    // A new version of post 1 and a new notice: one each.
    auto next = tracker.update(attention_of({waiting(1, 2, true), waiting(2, 1, true)},
                                            {notice(7, "needs_reauthorization"), notice(8, "publish_failed")}));
    REQUIRE(next.size() == 2);
    CHECK(next[0].title == "Post 1 waits for your review");
    CHECK(next[0].body == "Version 2 by alice (compliance: block). Open the inbox to review it.");
    CHECK(next[1].title == "A post could not be published");
    for (const auto& e : next) {
        CHECK(e.title.find("Maria") == std::string::npos);
        CHECK(e.body.find("Maria") == std::string::npos);
    }

    // Another person signs in: summarised again.
    tracker.reset();
    auto other = tracker.update(attention_of({}, {notice(8, "publish_failed")}));
    REQUIRE(other.size() == 1);
    CHECK(other[0].body == "1 publishing problem needs a person (see the queue).");
    tracker.reset();
    CHECK(tracker.update(attention_of({}, {})).empty());
}

TEST_CASE("the approver's attention lists the post an author submitted, not the author's") {
    Studio s;
    Backend backend(s.paths(), s.gui.dispatcher());
    auto post = s.run<model::Id>(backend, [&](Services& sv) -> Result<model::Id> {
        model::VersionContent c;
        c.text = "Flu shots Saturday";
        c.targets = {{s.account.id, ""}};
        c.zone = "America/New_York";
        CLEARPOST_ASSIGN(auto id, sv.flow.create_post(s.alice, c));
        CLEARPOST_CHECK(sv.flow.submit(s.alice, id));
        return id;
    });
    REQUIRE(post.ok());
    auto bob = s.run<AttentionSnapshot>(backend, [&](Services& sv) { return load_attention(sv, s.bob); });
    REQUIRE(bob.ok());
    CHECK(bob->reviews == 1);
    REQUIRE(bob->events.size() == 1);
    CHECK(bob->events[0].key == "review:" + std::to_string(*post) + ":1");
    auto alice = s.run<AttentionSnapshot>(backend, [&](Services& sv) { return load_attention(sv, s.alice); });
    REQUIRE(alice.ok());
    CHECK(alice->reviews == 0);
}

}  // namespace clearpost::gui
