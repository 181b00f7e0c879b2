// The queue and the calendar as the studio reads them, over a real database:
// states in plain words, what each role is offered, the emergency pause,
// and posts placed on local days across a DST change.

#include <catch2/catch.hpp>

#include "presenters/calendar.h"
#include "presenters/queue.h"
#include "studio_fixture.h"

namespace clearpost::gui {
namespace {

using model::State;

// 2030-03-10 14:00 UTC: 10:00 EDT, the first day of daylight time in New York.
constexpr UnixSeconds kAt = 1899381600;

// Creates, approves and queues a post for `s.account` at `at`; its id.
model::Id queued_post(Studio& s, Backend& backend, const std::string& text, UnixSeconds at) {
    return *s.run<model::Id>(backend, [&](Services& sv) -> Result<model::Id> {
        model::VersionContent c;
        c.text = text;
        c.targets = {{s.account.id, ""}};
        c.scheduled_at = at;
        c.zone = "America/New_York";
        CLEARPOST_ASSIGN(auto id, sv.flow.create_post(s.alice, c));
        CLEARPOST_CHECK(sv.flow.submit(s.alice, id));
        CLEARPOST_CHECK(sv.flow.approve(s.bob, id, "", ""));
        CLEARPOST_CHECK(sv.flow.schedule(s.bob, id));
        return id;
    });
}

// What a dispatcher would do: claims the due target and records `outcome`.
void finish(Studio& s, Backend& backend, store::TargetOutcome outcome, UnixSeconds now) {
    auto done = s.run<bool>(backend, [&](Services& sv) -> Result<bool> {
        CLEARPOST_ASSIGN(auto claimed, sv.store.claim_due("test", now, 60, 10));
        if (claimed.size() != 1) return make_error(ErrorCode::Conflict, "expected one due target");
        outcome.target_id = claimed[0].id;
        return sv.store.finish_target(outcome, "test", now);
    });
    REQUIRE(done.ok());
    REQUIRE(*done);
}

}  // namespace

TEST_CASE("the queue says in plain words where each target is, and offers each role only what core allows") {
    Studio s;
    Backend backend(s.paths(), s.gui.dispatcher());
    const auto post = queued_post(s, backend, "Flu clinic Saturday\nsecond line", kAt);
    auto load = [&](const model::User& user, QueueView view, UnixSeconds now) {
        auto page = s.run<QueuePage>(backend, [&](Services& sv) { return load_queue(sv.store, user, view, now); });
        REQUIRE(page.ok());
        return *page;
    };

    auto page = load(s.alice, QueueView::Pending, kAt - 3600);
    CHECK(page.zone == "America/New_York");
    CHECK_FALSE(page.pause);
    REQUIRE(page.rows.size() == 1);
    CHECK(page.rows[0].post_id == post);
    CHECK(page.rows[0].account == "bluesky:clinic.example");
    CHECK(page.rows[0].when == "2030-03-10 10:00 EDT");
    CHECK(page.rows[0].reason == "Publishes at 2030-03-10 10:00 EDT");
    CHECK(page.rows[0].text == "Flu clinic Saturday");
    CHECK_FALSE(page.rows[0].can_retry);
    CHECK(page.rows[0].can_cancel);  // alice wrote it
    CHECK(load(s.alice, QueueView::Pending, kAt + 5).rows[0].reason ==
          "Due now; publishes when the dispatcher next runs");

    // The emergency pause holds it, and the queue says so.
    REQUIRE(s.run<bool>(backend, [&](Services& sv) -> Result<bool> {
        workflow::Admin admin(sv.store, sv.audit, system_now);
        CLEARPOST_CHECK(admin.pause_publishing(s.alice, "wrong clinic hours in today's posts"));
        return true;
    }).ok());
    page = load(s.bob, QueueView::Pending, kAt - 3600);
    REQUIRE(page.pause);
    CHECK(page.pause->paused_by == "alice");
    CHECK(page.pause->reason == "wrong clinic hours in today's posts");
    CHECK(page.rows[0].reason == "Held: all publishing is paused");
    REQUIRE(s.run<bool>(backend, [&](Services& sv) -> Result<bool> {
        workflow::Admin admin(sv.store, sv.audit, system_now);
        CLEARPOST_CHECK(admin.resume_publishing(s.bob));
        return true;
    }).ok());

    // A permanent failure: approvers may send it again, its author may not.
    store::TargetOutcome failed;
    failed.state = State::Failed;
    failed.last_error = "Bluesky refused the post (HTTP 400): text too long";
    finish(s, backend, failed, kAt + 10);
    page = load(s.bob, QueueView::Pending, kAt + 20);
    REQUIRE(page.rows.size() == 1);
    CHECK(page.rows[0].state == State::Failed);
    CHECK(page.rows[0].reason ==
          "Failed: Bluesky refused the post (HTTP 400): text too long. Fix the cause, then retry, or cancel the post");
    CHECK(page.rows[0].can_retry);
    CHECK(page.rows[0].can_cancel);
    CHECK_FALSE(load(s.alice, QueueView::Pending, kAt + 20).rows[0].can_retry);

    REQUIRE(s.run<bool>(backend, [&](Services& sv) -> Result<bool> {
        CLEARPOST_CHECK(sv.flow.retry_target(s.bob, page.rows[0].target_id));
        return true;
    }).ok());
    store::TargetOutcome published;
    published.state = State::Published;
    published.remote_url = "https://bsky.app/profile/clinic.example/post/3k";
    finish(s, backend, published, kAt + 30);
    CHECK(load(s.bob, QueueView::Pending, kAt + 40).rows.empty());
    page = load(s.bob, QueueView::Published, kAt + 40);
    REQUIRE(page.rows.size() == 1);
    CHECK(page.rows[0].state == State::Published);
    CHECK(page.rows[0].remote_url == "https://bsky.app/profile/clinic.example/post/3k");
    CHECK(page.rows[0].when == "2030-03-10 10:00 EDT");  // when it went out, to the minute
    CHECK_FALSE(page.rows[0].can_retry);
    CHECK_FALSE(page.rows[0].can_cancel);
    // Thirty days later it has left the history view.
    CHECK(load(s.bob, QueueView::Published, kAt + 31 * 86400).rows.empty());
}

TEST_CASE("the month grid starts on the Monday on or before the 1st and spans six weeks") {
    auto grid = month_grid(2026, 3);  // 1 March 2026 is a Sunday
    REQUIRE(grid.ok());
    CHECK(grid->front() == schedule::LocalDate{2026, 2, 23});
    CHECK((*grid)[6] == schedule::LocalDate{2026, 3, 1});
    CHECK(grid->back() == schedule::LocalDate{2026, 4, 5});
    grid = month_grid(2027, 2);  // 1 February 2027 is a Monday
    REQUIRE(grid.ok());
    CHECK(grid->front() == schedule::LocalDate{2027, 2, 1});
    CHECK(month_grid(2026, 13).error().code == ErrorCode::Invalid);
    CHECK(add_months(2030, 1, -1) == std::pair{2029, 12});
    CHECK(add_months(2030, 12, 1) == std::pair{2031, 1});
    CHECK(add_months(2030, 5, 1) == std::pair{2030, 6});
}

TEST_CASE("calendar entries fall on the organisation's local day, across the spring-forward night") {
    schedule::TzDatabase zones;
    auto zone = zones.find("America/New_York");
    REQUIRE(zone.ok());
    auto grid = *month_grid(2026, 3);
    const std::vector<model::Account> accounts{{1, "bluesky", "a", "connected"}, {2, "mastodon", "b", "connected"}};
    // In time order, as the store gives them.
    const std::vector<store::CalendarItem> items{
        {10, 1, 1, State::Published, 1771822740},  // 2026-02-23 04:59Z = 22 Feb 23:59 EST: before the grid
        {11, 2, 1, State::Published, 1771822800},  // 05:00Z = 23 Feb 00:00 EST: the first cell
        {12, 3, 1, State::Scheduled, 1772951400},  // 2026-03-08 06:30Z = 01:30 EST
        {13, 3, 2, State::Failed, 1772955000},     // 07:30Z = 03:30 EDT (02:00-03:00 does not exist)
        {14, 4, 2, State::Cancelled, 1773027000},  // 2026-03-09 03:30Z = 8 March 23:30 EDT
        {15, 5, 1, State::Scheduled, 1773028800},  // 04:00Z = 9 March 00:00 EDT
    };
    const auto m = arrange_month(2026, 3, grid, items, *zone, accounts);
    CHECK(m.zone == "America/New_York");
    CHECK_FALSE(m.days[0].in_month);
    CHECK(m.days[6].in_month);
    REQUIRE(m.entries.size() == 5);
    CHECK(m.days[0].count == 1);
    CHECK(m.entries[m.days[0].first].time == "00:00");
    const auto& sunday = m.days[13];  // 8 March
    CHECK(sunday.date == schedule::LocalDate{2026, 3, 8});
    REQUIRE(sunday.count == 3);
    CHECK(m.entries[sunday.first].time == "01:30");
    CHECK(m.entries[sunday.first + 1].time == "03:30");
    CHECK(m.entries[sunday.first + 1].network == "mastodon");
    CHECK(m.entries[sunday.first + 2].time == "23:30");
    CHECK(sunday.groups[static_cast<std::size_t>(CalendarGroup::Upcoming)] == 1);
    CHECK(sunday.groups[static_cast<std::size_t>(CalendarGroup::Problem)] == 1);
    CHECK(sunday.groups[static_cast<std::size_t>(CalendarGroup::Stopped)] == 1);
    CHECK(m.days[14].count == 1);
    CHECK(m.entries[m.days[14].first].time == "00:00");
}

TEST_CASE("a queued post shows on its local day of the month read through the worker") {
    Studio s;
    Backend backend(s.paths(), s.gui.dispatcher());
    const auto post = queued_post(s, backend, "Open house", kAt);
    // Year 0: the month of "now" in the organisation's zone.
    auto month = s.run<CalendarMonth>(backend, [](Services& sv) { return load_month(sv.store, 0, 0, kAt); });
    REQUIRE(month.ok());
    CHECK(month->year == 2030);
    CHECK(month->month == 3);
    CHECK(month->today == schedule::LocalDate{2030, 3, 10});
    REQUIRE(month->entries.size() == 1);
    const auto& day = month->days[static_cast<std::size_t>(
        std::find_if(month->days.begin(), month->days.end(), [](const CalendarDay& d) { return d.count > 0; }) -
        month->days.begin())];
    CHECK(day.date == schedule::LocalDate{2030, 3, 10});
    CHECK(month->entries[0].post_id == post);
    CHECK(month->entries[0].time == "10:00");
    CHECK(month->entries[0].network == "bluesky");
    auto may = s.run<CalendarMonth>(backend, [](Services& sv) { return load_month(sv.store, 2030, 5); });
    REQUIRE(may.ok());
    CHECK(may->entries.empty());
}

}  // namespace clearpost::gui

namespace clearpost::gui {

TEST_CASE("moving a queued post on the calendar sends the new version for review, and refuses a time DST skips") {
    Studio s;
    Backend backend(s.paths(), s.gui.dispatcher());
    const auto post = queued_post(s, backend, "Open house", kAt);
    auto move = [&](schedule::LocalDateTime local) {
        return s.run<MoveOutcome>(backend, [&](Services& sv) { return move_post(sv, s.bob, post, local); });
    };
    // 2030-03-10 02:30 does not exist in New York: clocks jump from 02:00 to 03:00.
    const auto gap = move({2030, 3, 10, 2, 30, 0});
    REQUIRE_FALSE(gap.ok());
    CHECK(gap.error().code == ErrorCode::Invalid);
    // The organisation's default: a move needs a new approval.
    const auto moved = move({2030, 3, 12, 9, 15, 0});
    REQUIRE(moved.ok());
    CHECK_FALSE(moved->kept_approval);
    CHECK(moved->version == 2);
    CHECK(moved->resubmitted);
    CHECK(moved->when == "2030-03-12 09:15 EDT");
    auto detail = s.run<workflow::PostDetail>(backend, [&](Services& sv) { return sv.flow.detail(post); });
    REQUIRE(detail.ok());
    CHECK(detail->post.state == model::State::InReview);
    CHECK(detail->versions.back().author_id == s.bob.id);  // so bob cannot approve his own move
    auto month = s.run<CalendarMonth>(backend, [](Services& sv) { return load_month(sv.store, 2030, 3, kAt); });
    REQUIRE(month.ok());
    CHECK_FALSE(month->moves_keep_approval);
}

TEST_CASE("a post in review shows once at its planned time, before it has targets") {
    Studio s;
    Backend backend(s.paths(), s.gui.dispatcher());
    const auto queued = queued_post(s, backend, "Open house", kAt);
    auto planned = s.run<model::Id>(backend, [&](Services& sv) -> Result<model::Id> {
        model::VersionContent c;
        c.text = "Flu shots";
        c.targets = {{s.account.id, ""}};
        c.scheduled_at = kAt - 3600;  // 09:00 EDT the same day
        c.zone = "America/New_York";
        CLEARPOST_ASSIGN(auto id, sv.flow.create_post(s.alice, c));
        CLEARPOST_CHECK(sv.flow.submit(s.alice, id));
        return id;
    });
    REQUIRE(planned.ok());
    // A draft with a time is not shown: nobody has asked for it to go out.
    REQUIRE(s.run<model::Id>(backend, [&](Services& sv) {
                 model::VersionContent c;
                 c.text = "Idea";
                 c.scheduled_at = kAt + 3600;
                 c.zone = "America/New_York";
                 return sv.flow.create_post(s.alice, c);
             }).ok());
    auto month = s.run<CalendarMonth>(backend, [](Services& sv) { return load_month(sv.store, 2030, 3, kAt); });
    REQUIRE(month.ok());
    REQUIRE(month->entries.size() == 2);
    // In time order: the planned post at 09:00, then the queued target at 10:00.
    CHECK(month->entries[0].post_id == *planned);
    CHECK(month->entries[0].target_id == 0);
    CHECK(month->entries[0].time == "09:00");
    CHECK(month->entries[0].network == "planned");
    CHECK(calendar_group(month->entries[0].state) == CalendarGroup::Planned);
    CHECK(month->entries[1].post_id == queued);
    const auto tenth = std::find_if(month->days.begin(), month->days.end(), [](const CalendarDay& d) {
        return d.date == schedule::LocalDate{2030, 3, 10};
    });
    REQUIRE(tenth != month->days.end());
    CHECK(tenth->count == 2);
    CHECK(tenth->groups[static_cast<std::size_t>(CalendarGroup::Planned)] == 1);
    CHECK(tenth->groups[static_cast<std::size_t>(CalendarGroup::Upcoming)] == 1);
}

TEST_CASE("days move across months and years") {
    CHECK(add_days({2030, 3, 31}, 7) == schedule::LocalDate{2030, 4, 7});
    CHECK(add_days({2030, 1, 3}, -7) == schedule::LocalDate{2029, 12, 27});
    CHECK(add_days({2028, 2, 28}, 1) == schedule::LocalDate{2028, 2, 29});
}

}  // namespace clearpost::gui
