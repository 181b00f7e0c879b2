#include "clearpost/schedule/time_zone.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "temp_dir.h"

using namespace clearpost;
using namespace clearpost::schedule;

namespace {

// The system database ($TZDIR or /usr/share/zoneinfo): the data under test.
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

LocalDateTime local(const char* text) {
    auto t = parse_local_datetime(text);
    REQUIRE(t.ok());
    return *t;
}

std::string iso(UnixSeconds t, const TimeZone& z) {
    auto zoned = utc_to_local(t, z);
    REQUIRE(zoned.ok());
    return format_iso8601(*zoned);
}

std::string error_of(const Result<UnixSeconds>& r) {
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::Invalid);
    return r.error().message;
}

}  // namespace

TEST_CASE("New York's spring-forward gap is refused by default and mapped only when asked") {
    const auto ny = zone("America/New_York");
    // 2026-03-08: clocks jump from 02:00 EST to 03:00 EDT at 07:00 UTC.
    const auto msg = error_of(local_to_utc(local("2026-03-08 02:30"), ny));
    CHECK_THAT(msg, Catch::StartsWith("2026-03-08 02:30 does not exist in America/New_York"));
    CHECK_THAT(msg, Catch::Contains("clocks jump from 02:00 to 03:00"));
    CHECK_THAT(msg, Catch::Contains("01:59 or 03:00"));
    CHECK(*local_to_utc(local("2026-03-08 02:30"), ny, DstChoice::Earlier) ==
          utc("2026-03-08T06:59:59Z"));
    CHECK(*local_to_utc(local("2026-03-08 02:30"), ny, DstChoice::Later) ==
          utc("2026-03-08T07:00:00Z"));
    // The edges of the gap exist.
    CHECK(*local_to_utc(local("2026-03-08 01:59:59"), ny) == utc("2026-03-08T06:59:59Z"));
    CHECK(*local_to_utc(local("2026-03-08 03:00"), ny) == utc("2026-03-08T07:00:00Z"));
    CHECK(error_of(local_to_utc(local("2026-03-08 02:00"), ny)).size() > 0);

    CHECK(iso(utc("2026-03-08T06:59:59Z"), ny) == "2026-03-08T01:59:59-05:00");
    CHECK(iso(utc("2026-03-08T07:00:00Z"), ny) == "2026-03-08T03:00:00-04:00");
    const auto edt = *utc_to_local(utc("2026-03-08T07:30:00Z"), ny);
    CHECK(edt.abbreviation == "EDT");
    CHECK(edt.is_dst);
    CHECK(edt.utc_offset == -4 * 3600);
}

TEST_CASE("New York's fall-back overlap is refused by default and either hour can be chosen") {
    const auto ny = zone("America/New_York");
    // 2026-11-01: clocks fall back from 02:00 EDT to 01:00 EST at 06:00 UTC.
    const auto msg = error_of(local_to_utc(local("2026-11-01 01:30"), ny));
    CHECK_THAT(msg, Catch::StartsWith("2026-11-01 01:30 happens twice in America/New_York"));
    CHECK_THAT(msg, Catch::Contains("-04:00 (EDT)"));
    CHECK_THAT(msg, Catch::Contains("-05:00 (EST)"));
    CHECK_THAT(msg, Catch::Contains("from 02:00 to 01:00"));
    const auto first = *local_to_utc(local("2026-11-01 01:30"), ny, DstChoice::Earlier);
    const auto second = *local_to_utc(local("2026-11-01 01:30"), ny, DstChoice::Later);
    CHECK(first == utc("2026-11-01T05:30:00Z"));
    CHECK(second == utc("2026-11-01T06:30:00Z"));
    CHECK(iso(first, ny) == "2026-11-01T01:30:00-04:00");
    CHECK(iso(second, ny) == "2026-11-01T01:30:00-05:00");
    // Outside the repeated hour a choice changes nothing.
    for (auto choice : {DstChoice::Reject, DstChoice::Earlier, DstChoice::Later}) {
        CHECK(*local_to_utc(local("2026-11-01 00:59:59"), ny, choice) ==
              utc("2026-11-01T04:59:59Z"));
        CHECK(*local_to_utc(local("2026-11-01 02:00"), ny, choice) ==
              utc("2026-11-01T07:00:00Z"));
    }
}

TEST_CASE("London switches between GMT and BST at 01:00 UTC") {
    const auto london = zone("Europe/London");
    CHECK(iso(utc("2026-01-15T12:00:00Z"), london) == "2026-01-15T12:00:00+00:00");
    CHECK(utc_to_local(utc("2026-01-15T12:00:00Z"), london)->abbreviation == "GMT");
    CHECK(iso(utc("2026-07-15T12:00:00Z"), london) == "2026-07-15T13:00:00+01:00");
    CHECK_THAT(error_of(local_to_utc(local("2026-03-29 01:30"), london)),
               Catch::Contains("clocks jump from 01:00 to 02:00"));
    CHECK(*local_to_utc(local("2026-03-29 01:30"), london, DstChoice::Later) ==
          utc("2026-03-29T01:00:00Z"));
    CHECK_THAT(error_of(local_to_utc(local("2026-10-25 01:30"), london)),
               Catch::Contains("+01:00 (BST)"));
    CHECK(*local_to_utc(local("2026-10-25 01:30"), london, DstChoice::Earlier) ==
          utc("2026-10-25T00:30:00Z"));
    CHECK(*local_to_utc(local("2026-10-25 01:30"), london, DstChoice::Later) ==
          utc("2026-10-25T01:30:00Z"));
}

TEST_CASE("Lord Howe Island's half-hour daylight saving has half-hour gaps and overlaps") {
    const auto lh = zone("Australia/Lord_Howe");
    // 2026-10-04 02:00 +10:30 becomes 02:30 +11:00 (15:30 UTC the day before).
    CHECK_THAT(error_of(local_to_utc(local("2026-10-04 02:15"), lh)),
               Catch::Contains("clocks jump from 02:00 to 02:30"));
    CHECK(*local_to_utc(local("2026-10-04 02:15"), lh, DstChoice::Earlier) ==
          utc("2026-10-03T15:29:59Z"));
    CHECK(*local_to_utc(local("2026-10-04 02:15"), lh, DstChoice::Later) ==
          utc("2026-10-03T15:30:00Z"));
    CHECK(iso(utc("2026-10-03T15:30:00Z"), lh) == "2026-10-04T02:30:00+11:00");
    CHECK(utc_to_local(utc("2026-10-03T15:29:59Z"), lh)->abbreviation == "+1030");
    // 2026-04-05 02:00 +11:00 becomes 01:30 +10:30.
    const auto msg = error_of(local_to_utc(local("2026-04-05 01:45"), lh));
    CHECK_THAT(msg, Catch::Contains("+11:00 (+11)"));
    CHECK_THAT(msg, Catch::Contains("+10:30 (+1030)"));
    CHECK(*local_to_utc(local("2026-04-05 01:45"), lh, DstChoice::Earlier) ==
          utc("2026-04-04T14:45:00Z"));
    CHECK(*local_to_utc(local("2026-04-05 01:45"), lh, DstChoice::Later) ==
          utc("2026-04-04T15:15:00Z"));
}

TEST_CASE("Kolkata is five and a half hours ahead all year without DST") {
    const auto kolkata = zone("Asia/Kolkata");
    CHECK(iso(utc("2026-06-15T12:00:00Z"), kolkata) == "2026-06-15T17:30:00+05:30");
    CHECK(iso(utc("2026-12-15T12:00:00Z"), kolkata) == "2026-12-15T17:30:00+05:30");
    CHECK(utc_to_local(utc("2026-06-15T12:00:00Z"), kolkata)->abbreviation == "IST");
    for (auto choice : {DstChoice::Reject, DstChoice::Earlier, DstChoice::Later}) {
        CHECK(*local_to_utc(local("2026-03-08 02:30"), kolkata, choice) ==
              utc("2026-03-07T21:00:00Z"));
    }
}

TEST_CASE("dates after 2037 follow the zone's rule string beyond its transition table") {
    const auto ny = zone("America/New_York");
    CHECK(iso(utc("2040-07-04T16:00:00Z"), ny) == "2040-07-04T12:00:00-04:00");
    CHECK(iso(utc("2040-12-25T17:00:00Z"), ny) == "2040-12-25T12:00:00-05:00");
    CHECK_THAT(error_of(local_to_utc(local("2040-03-11 02:30"), ny)),
               Catch::Contains("clocks jump from 02:00 to 03:00"));
    CHECK(*local_to_utc(local("2040-03-11 02:30"), ny, DstChoice::Later) ==
          utc("2040-03-11T07:00:00Z"));
    const auto lh = zone("Australia/Lord_Howe");
    CHECK(*local_to_utc(local("2050-04-03 01:45"), lh, DstChoice::Earlier) == 2532523500);
    CHECK(*local_to_utc(local("2050-04-03 01:45"), lh, DstChoice::Later) == 2532525300);
    const auto london = zone("Europe/London");
    CHECK(*local_to_utc(local("2099-10-25 01:30"), london, DstChoice::Later) == 4096575000);
    CHECK(iso(utc("2400-07-01T00:00:00Z"), london) == "2400-07-01T01:00:00+01:00");
}

TEST_CASE("zone names that are not IANA-shaped are refused before touching the disk") {
    TzDatabase db;
    for (const char* bad :
         {"", "..", "../etc/passwd", "/etc/passwd", "America/../../etc/passwd", "America//New_York",
          "America/New_York/", "./America/New_York", ".hidden", "-rf", "America/New York",
          "America\\New_York", "America/New_York\n", "Europe/Lon%don"}) {
        INFO(bad);
        auto z = db.find(bad);
        REQUIRE_FALSE(z.ok());
        CHECK(z.error().code == ErrorCode::Invalid);
        CHECK_THAT(z.error().message,
                   Catch::Contains("use an IANA name such as America/New_York"));
    }
    auto nul = db.find(std::string_view("Europe/London\0x", 15));
    CHECK_FALSE(nul.ok());
}

TEST_CASE("an unknown zone is reported by name with an example of a real one") {
    TzDatabase db;
    auto z = db.find("Mars/Olympus_Mons");
    REQUIRE_FALSE(z.ok());
    CHECK(z.error().code == ErrorCode::NotFound);
    CHECK(z.error().message ==
          "unknown time zone 'Mars/Olympus_Mons'; use an IANA name such as America/New_York");
    // A directory and a non-zone table in the zoneinfo tree are not zones either.
    CHECK(db.find("America").error().code == ErrorCode::NotFound);
    CHECK(db.find("america/new_york").error().code == ErrorCode::NotFound);
}

TEST_CASE("the zoneinfo directory can be chosen by argument or by TZDIR") {
    clearpost::testing::TempDir dir;
    TzDatabase system;
    std::filesystem::create_directories(dir / "Test");
    std::filesystem::copy_file(system.root() / "Asia/Kolkata", dir / "Test/Kolkata");
    std::filesystem::copy_file(system.root() / "Asia/Kolkata", dir / "Test/Kolkata2");
    {
        std::ofstream(dir / "Test/Broken", std::ios::binary) << "TZif2 but nothing else";
    }

    TzDatabase custom(dir.path());
    CHECK(custom.root() == dir.path());
    auto z = custom.find("Test/Kolkata");
    REQUIRE(z.ok());
    CHECK(z->name() == "Test/Kolkata");
    CHECK(iso(utc("2026-06-15T12:00:00Z"), *z) == "2026-06-15T17:30:00+05:30");
    // Loaded once: later lookups are served from memory, even if the file goes.
    std::filesystem::remove(dir / "Test/Kolkata");
    CHECK(custom.find("Test/Kolkata").ok());
    CHECK(custom.find("America/New_York").error().code == ErrorCode::NotFound);
    auto broken = custom.find("Test/Broken");
    REQUIRE_FALSE(broken.ok());
    CHECK(broken.error().code == ErrorCode::Corrupt);
    CHECK_THAT(broken.error().message, Catch::Contains("reinstall"));

    // Catch runs each test case in its own process under CTest, but restore
    // TZDIR anyway for runs of the whole binary.
    const char* old = std::getenv("TZDIR");
    const std::string saved = old != nullptr ? old : "";
    ::setenv("TZDIR", dir.path().c_str(), 1);
    TzDatabase from_env;
    if (old != nullptr) ::setenv("TZDIR", saved.c_str(), 1); else ::unsetenv("TZDIR");
    CHECK(from_env.root() == dir.path());
    CHECK(from_env.find("Test/Kolkata2").ok());
}

TEST_CASE("zones can be looked up from several threads at once") {
    TzDatabase db;
    const char* names[] = {"America/New_York", "Europe/London", "Australia/Lord_Howe",
                           "Asia/Kolkata"};
    std::vector<int> failures(8, 0);
    {
        std::vector<std::jthread> threads;
        for (std::size_t i = 0; i < failures.size(); ++i) {
            threads.emplace_back([&db, &names, &failures, i] {
                for (int round = 0; round < 50; ++round) {
                    for (const char* name : names) {
                        auto z = db.find(name);
                        if (!z.ok() || z->name() != name) ++failures[i];
                        else if (!utc_to_local(1772980200, *z).ok()) ++failures[i];
                    }
                }
            });
        }
    }
    for (int f : failures) CHECK(f == 0);
}

TEST_CASE("UTC is available without a zoneinfo directory") {
    const auto z = TimeZone::utc();
    CHECK(z.name() == "UTC");
    CHECK(iso(utc("2026-03-08T14:30:00Z"), z) == "2026-03-08T14:30:00+00:00");
    CHECK(*local_to_utc(local("2026-03-08 14:30"), z) == utc("2026-03-08T14:30:00Z"));
}

TEST_CASE("conversions refuse impossible local times and instants beyond year 9999") {
    const auto ny = zone("America/New_York");
    auto bad = local_to_utc(LocalDateTime{2026, 2, 30, 10, 0, 0}, ny);
    REQUIRE_FALSE(bad.ok());
    CHECK_THAT(bad.error().message, Catch::Contains("February 2026, which has 28 days"));
    CHECK_FALSE(local_to_utc(LocalDateTime{2026, 1, 1, 24, 0, 0}, ny).ok());
    CHECK_FALSE(utc_to_local(INT64_MAX, ny).ok());
    CHECK_FALSE(utc_to_local(INT64_MIN, ny).ok());
    CHECK_FALSE(utc_to_local(253402300800, TimeZone::utc()).ok());  // 10000-01-01
    CHECK(utc_to_local(253402300799, TimeZone::utc()).ok());
    CHECK(iso(-62135596800, TimeZone::utc()) == "0001-01-01T00:00:00+00:00");
}

TEST_CASE("offsets of local mean time are written with seconds") {
    const auto ny = zone("America/New_York");
    // Before 1883 New York kept local mean time, -4:56:02.
    CHECK(iso(utc("1850-01-01T12:00:00Z"), ny) == "1850-01-01T07:03:58-04:56:02");
}

TEST_CASE("a day ends at the next local midnight, across months, years, leap days and DST") {
    const auto utc = TimeZone::utc();
    CHECK(format_utc(*end_of_day({2028, 2, 28}, utc)) == "2028-02-29T00:00:00Z");
    CHECK(format_utc(*end_of_day({2027, 2, 28}, utc)) == "2027-03-01T00:00:00Z");
    CHECK(format_utc(*end_of_day({2026, 12, 31}, utc)) == "2027-01-01T00:00:00Z");
    // New York in summer: midnight is 04:00 UTC.
    CHECK(format_utc(*end_of_day({2026, 7, 3}, zone("America/New_York"))) == "2026-07-04T04:00:00Z");
    // Havana springs forward at midnight: 2023-03-12 00:00 never happens
    // there, so March 11th ends at the jump (05:00 UTC).
    CHECK(format_utc(*end_of_day({2023, 3, 11}, zone("America/Havana"))) == "2023-03-12T05:00:00Z");
    CHECK(end_of_day({2026, 2, 30}, utc).error().code == ErrorCode::Invalid);
    CHECK(end_of_day({9999, 12, 31}, utc).error().code == ErrorCode::Invalid);
}
