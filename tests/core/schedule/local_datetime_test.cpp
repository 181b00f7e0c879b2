#include "clearpost/schedule/local_datetime.h"

#include <catch2/catch.hpp>

using namespace clearpost;
using namespace clearpost::schedule;

TEST_CASE("local dates and times parse with a space or a T, with or without seconds") {
    const LocalDateTime expected{2026, 3, 8, 2, 30, 0};
    CHECK(*parse_local_datetime("2026-03-08 02:30") == expected);
    CHECK(*parse_local_datetime("2026-03-08T02:30") == expected);
    CHECK(*parse_local_datetime("2026-03-08 02:30:00") == expected);
    CHECK(*parse_local_datetime("2026-03-08T02:30:45") == LocalDateTime{2026, 3, 8, 2, 30, 45});
    CHECK(*parse_local_datetime("2024-02-29 23:59:59") == LocalDateTime{2024, 2, 29, 23, 59, 59});
}

TEST_CASE("malformed local times are refused with an example of the expected form") {
    for (const char* bad :
         {"", "yesterday", "2026-03-08", "2026-3-8 02:30", "2026/03/08 02:30", "2026-03-08 2:30",
          "2026-03-08 02:30Z", "2026-03-08T02:30:00+01:00", " 2026-03-08 02:30",
          "2026-03-08 02:30 ", "2026-03-08x02:30", "2026-03-08 02:30:5", "2026-03-08 02-30",
          "+026-03-08 02:30", "2026-03-08 02:3a"}) {
        INFO(bad);
        auto t = parse_local_datetime(bad);
        REQUIRE_FALSE(t.ok());
        CHECK(t.error().code == ErrorCode::Invalid);
        CHECK_THAT(t.error().message, Catch::Contains("write it as 2026-03-08 14:30"));
    }
}

TEST_CASE("impossible dates and times are refused naming the field that is wrong") {
    const auto message = [](const char* text) {
        auto t = parse_local_datetime(text);
        REQUIRE_FALSE(t.ok());
        CHECK(t.error().code == ErrorCode::Invalid);
        return t.error().message;
    };
    CHECK_THAT(message("2026-02-29 10:00"), Catch::Contains("February 2026, which has 28 days"));
    CHECK_THAT(message("2026-04-31 10:00"), Catch::Contains("April 2026, which has 30 days"));
    CHECK_THAT(message("2026-13-01 10:00"), Catch::Contains("month 13 is out of range"));
    CHECK_THAT(message("2026-00-01 10:00"), Catch::Contains("month 0 is out of range"));
    CHECK_THAT(message("0000-01-01 10:00"), Catch::Contains("year 0 is out of range"));
    CHECK_THAT(message("2026-03-08 24:00"), Catch::Contains("hour 24 is out of range"));
    CHECK_THAT(message("2026-03-08 10:60"), Catch::Contains("minute 60 is out of range"));
    CHECK_THAT(message("2026-03-08 10:00:60"), Catch::Contains("second 60 is out of range"));
}

TEST_CASE("local times are written in ISO form and read back unchanged") {
    const LocalDateTime t{987, 12, 31, 23, 5, 9};
    CHECK(format_local_datetime(t) == "0987-12-31T23:05:09");
    CHECK(*parse_local_datetime(format_local_datetime(t)) == t);
}

TEST_CASE("validation of dates and times can be used on its own") {
    CHECK(validate(LocalDate{2024, 2, 29}).ok());
    CHECK_FALSE(validate(LocalDate{2100, 2, 29}).ok());
    CHECK_FALSE(validate(LocalDateTime{2026, 1, 1, -1, 0, 0}).ok());
    CHECK(LocalDateTime{2026, 1, 1, 10, 0, 0} < LocalDateTime{2026, 1, 1, 10, 0, 1});
}
