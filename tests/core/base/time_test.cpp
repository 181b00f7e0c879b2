#include "clearpost/base/time.h"

#include <catch2/catch.hpp>

using namespace clearpost;

TEST_CASE("UTC instants round-trip through their text form") {
    CHECK(format_utc(0) == "1970-01-01T00:00:00Z");
    CHECK(format_utc(1772980200) == "2026-03-08T14:30:00Z");
    auto t = parse_utc("2026-03-08T14:30:00Z");
    REQUIRE(t.ok());
    CHECK(*t == 1772980200);
    CHECK(*parse_utc("2026-03-08T14:30:00+00:00") == 1772980200);
}

TEST_CASE("malformed UTC times are refused with a hint") {
    for (const char* bad : {"2026-03-08 14:30", "2026-02-30T10:00:00Z", "2026-03-08T25:00:00Z",
                            "yesterday", "2026-03-08T14:30:00+01:00", ""}) {
        auto t = parse_utc(bad);
        INFO(bad);
        REQUIRE_FALSE(t.ok());
        CHECK(t.error().code == ErrorCode::Invalid);
    }
}
