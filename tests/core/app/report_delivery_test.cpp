// Which period a scheduled report covers, in the organisation's own
// calendar, and what setting the schedule takes; the mail itself is tested
// end to end through a real SMTP relay (tests/cli/notice_mail_test.sh).

#include "clearpost/app/report_delivery.h"

#include <catch2/catch.hpp>

#include "../workflow/fixture.h"

using namespace clearpost;

namespace {

// 2026-11-25 12:00 UTC is a Wednesday.
constexpr UnixSeconds kWednesdayNoonUtc = 1795608000;

}  // namespace

TEST_CASE("a weekly report covers the Monday-to-Monday week before this one, in the organisation's zone") {
    auto week = app::last_whole_period("week", "UTC", kWednesdayNoonUtc);
    REQUIRE(week.ok());
    CHECK(week->from == "2026-11-16");
    CHECK(week->to == "2026-11-23");
    // On a Monday the week that just ended is the one before.
    week = app::last_whole_period("week", "UTC", kWednesdayNoonUtc - 2 * 86400);
    CHECK(week->from == "2026-11-16");
    CHECK(week->to == "2026-11-23");
    // Sunday 23:30 in New York is already Monday in UTC: New York's week has not ended.
    const UnixSeconds sunday_night_new_york = 1796013000;  // 2026-11-30 04:30 UTC
    CHECK(app::last_whole_period("week", "UTC", sunday_night_new_york)->to == "2026-11-30");
    CHECK(app::last_whole_period("week", "America/New_York", sunday_night_new_york)->to == "2026-11-23");
}

TEST_CASE("a monthly report covers the calendar month before this one, across the year's end") {
    auto month = app::last_whole_period("month", "UTC", kWednesdayNoonUtc);
    REQUIRE(month.ok());
    CHECK(month->from == "2026-10-01");
    CHECK(month->to == "2026-11-01");
    month = app::last_whole_period("month", "Europe/Berlin", 1799020800);  // 2027-01-04 00:00 UTC
    CHECK(month->from == "2026-12-01");
    CHECK(month->to == "2027-01-01");
    CHECK(app::last_whole_period("week", "Nowhere/Atlantis", kWednesdayNoonUtc).error().code == ErrorCode::NotFound);
}

TEST_CASE("only an admin schedules reports, with a known period, format and addresses") {
    testing::WorkflowFixture f;
    app::ReportSchedule plan;
    plan.to = {"director@harbor.example"};
    CHECK(app::set_report_schedule(*f.store, *f.audit, f.author, plan, f.now).error().code == ErrorCode::Forbidden);
    plan.every = "fortnight";
    CHECK(app::set_report_schedule(*f.store, *f.audit, f.admin, plan, f.now).error().code == ErrorCode::Invalid);
    plan.every = "week";
    plan.to = {"not an address"};
    CHECK(app::set_report_schedule(*f.store, *f.audit, f.admin, plan, f.now).error().code == ErrorCode::Invalid);
    plan.to = {"director@harbor.example"};
    REQUIRE(app::set_report_schedule(*f.store, *f.audit, f.admin, plan, f.now).ok());
    const auto stored = app::report_schedule(*f.store);
    REQUIRE(stored.ok());
    REQUIRE(stored->has_value());
    CHECK((*stored)->every == "week");
    CHECK((*stored)->format == "pdf");
    CHECK((*stored)->to == std::vector<std::string>{"director@harbor.example"});
    bool audited = false;
    REQUIRE(f.store->each_audit([&](const model::AuditEntry& e) {
        audited = audited || (e.action == "report.schedule" && e.detail == "every week, pdf, 1 recipient(s)");
        return true;
    }).ok());
    CHECK(audited);
    REQUIRE(app::set_report_schedule(*f.store, *f.audit, f.admin, std::nullopt, f.now).ok());
    CHECK_FALSE(app::report_schedule(*f.store)->has_value());
}
