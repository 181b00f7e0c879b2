#include "clearpost/base/result.h"

#include <catch2/catch.hpp>

using namespace clearpost;

namespace {
Result<int> parse_positive(int v) {
    if (v <= 0) return make_error(ErrorCode::Invalid, "must be positive");
    return v;
}
Result<int> doubled(int v) {
    CLEARPOST_ASSIGN(int x, parse_positive(v));
    return x * 2;
}
Result<void> check_positive(int v) {
    CLEARPOST_CHECK(parse_positive(v));
    return ok();
}
}  // namespace

TEST_CASE("a result carries either a value or an error") {
    auto good = doubled(21);
    REQUIRE(good.ok());
    CHECK(*good == 42);
    auto bad = doubled(-1);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == ErrorCode::Invalid);
    CHECK(bad.error().message == "must be positive");
    CHECK(check_positive(3).ok());
    CHECK(check_positive(0).error().code == ErrorCode::Invalid);
}
