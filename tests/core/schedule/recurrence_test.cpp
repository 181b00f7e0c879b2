#include "clearpost/schedule/recurrence.h"

#include <catch2/catch.hpp>

#include <vector>

using namespace clearpost;
using namespace clearpost::schedule;

namespace {

TimeZone zone(const char* name) {
    TzDatabase db;
    auto z = db.find(name);
    INFO(name);
    REQUIRE(z.ok());
    return *z;
}

UnixSeconds utc(const char* text) {
    auto t = parse_utc(text);
    REQUIRE(t.ok());
    return *t;
}

std::vector<std::string> as_local(const std::vector<UnixSeconds>& instants, const TimeZone& z) {
    std::vector<std::string> out;
    for (auto t : instants) out.push_back(format_iso8601(*utc_to_local(t, z)));
    return out;
}

const std::vector<WeeklySlot> kMonWedFri = {
    {Weekday::Monday, 9, 0},    {Weekday::Monday, 15, 30}, {Weekday::Wednesday, 9, 0},
    {Weekday::Wednesday, 15, 30}, {Weekday::Friday, 15, 30}, {Weekday::Friday, 9, 0},
};

}  // namespace

TEST_CASE("weekly queue slots come in time order, strictly after the given instant") {
    const auto ny = zone("America/New_York");
    // Monday 2026-02-23 09:00 EST exactly: that slot is not "next".
    auto slots = next_queue_slots(kMonWedFri, ny, utc("2026-02-23T14:00:00Z"), 6);
    REQUIRE(slots.ok());
    CHECK(as_local(*slots, ny) == std::vector<std::string>{
                                      "2026-02-23T15:30:00-05:00", "2026-02-25T09:00:00-05:00",
                                      "2026-02-25T15:30:00-05:00", "2026-02-27T09:00:00-05:00",
                                      "2026-02-27T15:30:00-05:00", "2026-03-02T09:00:00-05:00"});
    // Late on Sunday evening in New York is already Monday in UTC.
    auto monday = next_queue_slots(kMonWedFri, ny, utc("2026-03-02T03:00:00Z"), 1);
    REQUIRE(monday.ok());
    CHECK(as_local(*monday, ny) == std::vector<std::string>{"2026-03-02T09:00:00-05:00"});
}

TEST_CASE("queue slots keep their wall-clock time when the offset changes") {
    const auto ny = zone("America/New_York");
    auto slots = next_queue_slots(kMonWedFri, ny, utc("2026-03-06T21:00:00Z"), 2);
    REQUIRE(slots.ok());
    CHECK(as_local(*slots, ny) == std::vector<std::string>{"2026-03-09T09:00:00-04:00",
                                                           "2026-03-09T15:30:00-04:00"});
    CHECK(slots->front() == utc("2026-03-09T13:00:00Z"));
}

TEST_CASE("a slot inside a spring-forward gap is skipped by default or moved when asked") {
    const auto ny = zone("America/New_York");
    const std::vector<WeeklySlot> sunday = {{Weekday::Sunday, 2, 30}};
    const auto after = utc("2026-03-02T00:00:00Z");
    auto skipped = next_queue_slots(sunday, ny, after, 2);
    REQUIRE(skipped.ok());
    CHECK(as_local(*skipped, ny) == std::vector<std::string>{"2026-03-15T02:30:00-04:00",
                                                             "2026-03-22T02:30:00-04:00"});
    auto earlier = next_queue_slots(sunday, ny, after, 1, SlotDst::Earlier);
    REQUIRE(earlier.ok());
    CHECK(earlier->front() == utc("2026-03-08T06:59:59Z"));
    auto later = next_queue_slots(sunday, ny, after, 1, SlotDst::Later);
    REQUIRE(later.ok());
    CHECK(as_local(*later, ny) == std::vector<std::string>{"2026-03-08T03:00:00-04:00"});
}

TEST_CASE("slots that a gap moves onto the same instant count once") {
    const auto ny = zone("America/New_York");
    const std::vector<WeeklySlot> slots = {
        {Weekday::Sunday, 2, 15}, {Weekday::Sunday, 2, 45}, {Weekday::Sunday, 3, 0}};
    auto later = next_queue_slots(slots, ny, utc("2026-03-08T00:00:00Z"), 3, SlotDst::Later);
    REQUIRE(later.ok());
    CHECK(as_local(*later, ny) == std::vector<std::string>{"2026-03-08T03:00:00-04:00",
                                                           "2026-03-15T02:15:00-04:00",
                                                           "2026-03-15T02:45:00-04:00"});
}

TEST_CASE("a slot inside a fall-back overlap happens once, at the first occurrence by default") {
    const auto ny = zone("America/New_York");
    const std::vector<WeeklySlot> sunday = {{Weekday::Sunday, 1, 30}};
    const auto after = utc("2026-10-31T12:00:00Z");
    auto first = next_queue_slots(sunday, ny, after, 2);
    REQUIRE(first.ok());
    CHECK(as_local(*first, ny) == std::vector<std::string>{"2026-11-01T01:30:00-04:00",
                                                           "2026-11-08T01:30:00-05:00"});
    auto second = next_queue_slots(sunday, ny, after, 2, SlotDst::Later);
    REQUIRE(second.ok());
    CHECK(as_local(*second, ny) == std::vector<std::string>{"2026-11-01T01:30:00-05:00",
                                                            "2026-11-08T01:30:00-05:00"});
    // Starting between the two occurrences, only the second one is still ahead.
    auto between = next_queue_slots(sunday, ny, utc("2026-11-01T06:00:00Z"), 1, SlotDst::Later);
    REQUIRE(between.ok());
    CHECK(between->front() == utc("2026-11-01T06:30:00Z"));
}

TEST_CASE("queue requests that cannot be met are refused with a reason") {
    const auto london = zone("Europe/London");
    const auto now = utc("2026-03-02T00:00:00Z");
    auto empty = next_queue_slots({}, london, now, 3);
    REQUIRE_FALSE(empty.ok());
    CHECK_THAT(empty.error().message, Catch::Contains("add at least one weekday and time"));
    const std::vector<WeeklySlot> bad = {{Weekday::Monday, 24, 0}};
    CHECK(next_queue_slots(bad, london, now, 3).error().code == ErrorCode::Invalid);
    CHECK(next_queue_slots(kMonWedFri, london, now, 10001).error().code == ErrorCode::Invalid);
    CHECK(next_queue_slots(kMonWedFri, london, now, 0)->empty());
    CHECK_THAT(next_queue_slots(kMonWedFri, london, utc("1300-01-01T00:00:00Z"), 1).error().message,
               Catch::Contains("between the years 1400 and 9999"));
    auto last = next_queue_slots(kMonWedFri, london, utc("9999-12-30T00:00:00Z"), 10);
    REQUIRE(last.ok());
    CHECK(last->size() == 2);  // Friday 9999-12-31, then the calendar ends
}

TEST_CASE("many queue slots come back sorted and distinct") {
    const auto lh = zone("Australia/Lord_Howe");
    auto slots = next_queue_slots(kMonWedFri, lh, utc("2026-01-01T00:00:00Z"), 1000);
    REQUIRE(slots.ok());
    REQUIRE(slots->size() == 1000);
    for (std::size_t i = 1; i < slots->size(); ++i) CHECK((*slots)[i - 1] < (*slots)[i]);
}

TEST_CASE("a recurrence every two weeks keeps its local time across a DST change") {
    const auto london = zone("Europe/London");
    Recurrence rule;
    rule.first = LocalDateTime{2026, 3, 2, 9, 0, 0};
    rule.every = 2;
    rule.unit = RepeatUnit::Weeks;
    rule.until = LocalDate{2026, 4, 13};
    auto posts = expand_recurrence(rule, london);
    REQUIRE(posts.ok());
    CHECK(as_local(*posts, london) ==
          std::vector<std::string>{"2026-03-02T09:00:00+00:00", "2026-03-16T09:00:00+00:00",
                                   "2026-03-30T09:00:00+01:00", "2026-04-13T09:00:00+01:00"});
}

TEST_CASE("a daily recurrence through a gap skips or moves that day's post as asked") {
    const auto ny = zone("America/New_York");
    Recurrence rule;
    rule.first = LocalDateTime{2026, 3, 7, 2, 30, 0};
    rule.every = 1;
    rule.unit = RepeatUnit::Days;
    rule.until = LocalDate{2026, 3, 9};
    auto skipped = expand_recurrence(rule, ny);
    REQUIRE(skipped.ok());
    CHECK(as_local(*skipped, ny) == std::vector<std::string>{"2026-03-07T02:30:00-05:00",
                                                             "2026-03-09T02:30:00-04:00"});
    auto later = expand_recurrence(rule, ny, SlotDst::Later);
    REQUIRE(later.ok());
    CHECK(as_local(*later, ny) == std::vector<std::string>{"2026-03-07T02:30:00-05:00",
                                                           "2026-03-08T03:00:00-04:00",
                                                           "2026-03-09T02:30:00-04:00"});
}

TEST_CASE("recurrences that make no sense or too many posts are refused with a reason") {
    const auto ny = zone("America/New_York");
    Recurrence rule;
    rule.first = LocalDateTime{2026, 3, 2, 9, 0, 0};
    rule.unit = RepeatUnit::Days;
    rule.until = LocalDate{2026, 3, 1};
    CHECK_THAT(expand_recurrence(rule, ny).error().message,
               Catch::Contains("choose an end date on or after the first post"));
    rule.until = LocalDate{2027, 3, 1};
    rule.every = 0;
    CHECK(expand_recurrence(rule, ny).error().code == ErrorCode::Invalid);
    rule.every = 1;
    CHECK_THAT(expand_recurrence(rule, ny, SlotDst::Skip, 5).error().message,
               Catch::Contains("more than 5 posts"));
    CHECK(expand_recurrence(rule, ny)->size() == 365);
    rule.until = LocalDate{2027, 2, 29};
    CHECK_THAT(expand_recurrence(rule, ny).error().message, Catch::Contains("end date"));
    rule.first.year = 1300;
    CHECK(expand_recurrence(rule, ny).error().code == ErrorCode::Invalid);
    // A single occurrence when first and until are the same day.
    rule.first = LocalDateTime{9999, 12, 31, 23, 0, 0};
    rule.until = LocalDate{9999, 12, 31};
    CHECK(expand_recurrence(rule, ny)->size() == 1);
}

TEST_CASE("queue slots are read as people write them and written back one way") {
    auto mon = parse_weekly_slot("Mon 09:00");
    REQUIRE(mon.ok());
    CHECK(mon->weekday == Weekday::Monday);
    CHECK(mon->hour == 9);
    CHECK(mon->minute == 0);
    auto fri = parse_weekly_slot("friday 9:30");
    REQUIRE(fri.ok());
    CHECK(format_weekly_slot(*fri) == "Fri 09:30");
    CHECK(format_weekly_slot(*parse_weekly_slot("SUN 23:59")) == "Sun 23:59");
    for (const char* bad : {"", "Mon", "Mo 09:00", "Mon 24:00", "Mon 09:60", "Mon 9", "Mon 09:00pm", "Funday 09:00",
                            "Mon 0900", "Mon -1:00"}) {
        INFO(bad);
        const auto r = parse_weekly_slot(bad);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == ErrorCode::Invalid);
        CHECK(r.error().message.find("Mon 09:00") != std::string::npos);
    }
}
