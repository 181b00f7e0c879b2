// The TZif reader against hand-built files (RFC 8536), so that every footer
// form and every kind of damage is covered whatever the system's tzdata holds.

#include "clearpost/schedule/time_zone.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

using namespace clearpost;
using namespace clearpost::schedule;

namespace {

struct Type {
    std::int32_t offset;
    bool dst;
    std::string abbreviation;
};

struct TzifSpec {
    char version = '2';  // '\0' for a version 1 file
    std::vector<std::pair<std::int64_t, std::uint8_t>> transitions;
    std::vector<Type> types{{0, false, "UTC"}};
    std::string footer;  // version 2+ only
    std::uint32_t leap_count = 0;
    std::optional<std::uint8_t> first_abbreviation_index;  // to damage the file
    bool terminate_abbreviations = true;
};

void put(std::string& out, std::uint64_t value, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>(value >> (8 * i) & 0xFF));
}

std::string block(const TzifSpec& s, char version, int time_size) {
    std::string chars;
    std::vector<std::uint8_t> index;
    for (const auto& t : s.types) {
        index.push_back(static_cast<std::uint8_t>(chars.size()));
        chars += t.abbreviation;
        if (s.terminate_abbreviations) chars.push_back('\0');
    }
    if (s.first_abbreviation_index && !index.empty()) index[0] = *s.first_abbreviation_index;
    std::string out = "TZif";
    out.push_back(version);
    out.append(15, '\0');
    put(out, 0, 4);  // isutcnt
    put(out, 0, 4);  // isstdcnt
    put(out, s.leap_count, 4);
    put(out, s.transitions.size(), 4);
    put(out, s.types.size(), 4);
    put(out, chars.size(), 4);
    for (const auto& tr : s.transitions) put(out, static_cast<std::uint64_t>(tr.first), time_size);
    for (const auto& tr : s.transitions) out.push_back(static_cast<char>(tr.second));
    for (std::size_t i = 0; i < s.types.size(); ++i) {
        put(out, static_cast<std::uint32_t>(s.types[i].offset), 4);
        out.push_back(s.types[i].dst ? 1 : 0);
        out.push_back(static_cast<char>(index[i]));
    }
    out += chars;
    out.append(s.leap_count * static_cast<std::size_t>(time_size + 4), '\0');
    return out;
}

std::string tzif(const TzifSpec& s) {
    if (s.version == '\0') return block(s, '\0', 4);
    // A minimal version 1 block whose one type differs, so a reader that used
    // it instead of the 64-bit data would be caught.
    TzifSpec v1;
    v1.types = {{-3600, false, "OLD"}};
    return block(v1, s.version, 4) + block(s, s.version, 8) + "\n" + s.footer + "\n";
}

TimeZone load(const TzifSpec& spec) {
    auto z = TimeZone::from_tzif("Test/Zone", tzif(spec));
    if (!z.ok()) FAIL(z.error().message);
    return *z;
}

ZonedTime at(const TimeZone& z, const char* utc_text) {
    auto t = parse_utc(utc_text);
    REQUIRE(t.ok());
    auto zoned = utc_to_local(*t, z);
    REQUIRE(zoned.ok());
    return *zoned;
}

std::string offset_at(const TimeZone& z, const char* utc_text) {
    const auto text = format_iso8601(at(z, utc_text));
    return text.substr(19);
}

TzifSpec footer_only(std::string footer) {
    TzifSpec s;
    s.types = {{0, false, "ZZZ"}};
    s.footer = std::move(footer);
    return s;
}

Error damage(const TzifSpec& spec) {
    auto z = TimeZone::from_tzif("Test/Zone", tzif(spec));
    REQUIRE_FALSE(z.ok());
    return z.error();
}

}  // namespace

TEST_CASE("a version 1 file is read from its 32-bit data, with type 0 before the first change") {
    TzifSpec s;
    s.version = '\0';
    s.types = {{3600, false, "AAA"}, {7200, true, "BBB"}};
    s.transitions = {{1000000, 1}, {2000000, 0}};
    const auto z = load(s);
    CHECK(at(z, "1970-01-01T00:00:00Z").abbreviation == "AAA");
    CHECK(at(z, "1970-01-12T13:46:40Z").abbreviation == "BBB");  // exactly 1000000
    CHECK(at(z, "1970-01-12T13:46:39Z").abbreviation == "AAA");
    CHECK(at(z, "2026-01-01T00:00:00Z").abbreviation == "AAA");  // last type stays
}

TEST_CASE("versions 2 to 4 are read from their 64-bit data, not the 32-bit block") {
    for (char version : {'2', '3', '4'}) {
        TzifSpec s = footer_only("");
        s.version = version;
        s.types = {{0, false, "AAA"}, {3600, false, "BBB"}};
        s.transitions = {{-5000000000, 1}};  // before 1812: needs 64 bits
        const auto z = load(s);
        CHECK(at(z, "1800-01-01T00:00:00Z").abbreviation == "AAA");
        CHECK(at(z, "2300-01-01T00:00:00Z").abbreviation == "BBB");
    }
}

TEST_CASE("a footer applies to every instant when the file has no transitions") {
    const auto z = load(footer_only("EST5EDT,M3.2.0,M11.1.0"));
    CHECK(offset_at(z, "2026-03-08T06:59:59Z") == "-05:00");
    CHECK(offset_at(z, "2026-03-08T07:00:00Z") == "-04:00");
    CHECK(at(z, "2026-03-08T07:00:00Z").abbreviation == "EDT");
    CHECK(at(z, "2026-03-08T07:00:00Z").is_dst);
    CHECK(offset_at(z, "2026-11-01T05:59:59Z") == "-04:00");
    CHECK(offset_at(z, "2026-11-01T06:00:00Z") == "-05:00");
    CHECK(offset_at(z, "1990-07-01T00:00:00Z") == "-04:00");
}

TEST_CASE("a footer takes over after the last transition in the table") {
    TzifSpec s = footer_only("CET-1CEST,M3.5.0,M10.5.0/3");
    s.types = {{3600, false, "CET"}, {7200, true, "CEST"}};
    s.transitions = {{1711846800, 1}};  // 2024-03-31T01:00Z
    const auto z = load(s);
    CHECK(offset_at(z, "2024-01-01T00:00:00Z") == "+01:00");  // type 0 before
    CHECK(offset_at(z, "2024-07-01T00:00:00Z") == "+02:00");  // the table
    CHECK(offset_at(z, "2024-12-01T00:00:00Z") == "+01:00");  // footer, same year
    CHECK(offset_at(z, "2026-10-25T00:59:59Z") == "+02:00");
    CHECK(offset_at(z, "2026-10-25T01:00:00Z") == "+01:00");
}

TEST_CASE("quoted names and a half-hour daylight shift are read from a footer") {
    const auto z = load(footer_only("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0"));
    CHECK(at(z, "2026-10-03T15:29:59Z").abbreviation == "+1030");
    CHECK(offset_at(z, "2026-10-03T15:29:59Z") == "+10:30");
    CHECK(at(z, "2026-10-03T15:30:00Z").abbreviation == "+11");
    CHECK(offset_at(z, "2026-04-04T14:59:59Z") == "+11:00");
    CHECK(offset_at(z, "2026-04-04T15:00:00Z") == "+10:30");
    // Southern hemisphere: daylight time spans the new year.
    CHECK(offset_at(z, "2027-01-01T00:00:00Z") == "+11:00");
}

TEST_CASE("a footer without daylight time gives one offset all year") {
    const auto z = load(footer_only("IST-5:30"));
    CHECK(offset_at(z, "2026-01-01T00:00:00Z") == "+05:30");
    CHECK(offset_at(z, "2026-07-01T00:00:00Z") == "+05:30");
    CHECK(at(z, "2026-07-01T00:00:00Z").abbreviation == "IST");
    CHECK(offset_at(load(footer_only("<-0330>3:30")), "2026-07-01T00:00:00Z") == "-03:30");
}

TEST_CASE("footer change times may be negative, as in Nuuk's rule") {
    const auto z = load(footer_only("<-02>2<-01>,M3.5.0/-1,M10.5.0/0"));
    CHECK(offset_at(z, "2026-03-29T00:59:59Z") == "-02:00");
    CHECK(offset_at(z, "2026-03-29T01:00:00Z") == "-01:00");
    CHECK(offset_at(z, "2026-10-25T00:59:59Z") == "-01:00");
    CHECK(offset_at(z, "2026-10-25T01:00:00Z") == "-02:00");
    // The gap is on the Saturday evening, 23:00 to 24:00.
    auto gap = local_to_utc(LocalDateTime{2026, 3, 28, 23, 30, 0}, z);
    REQUIRE_FALSE(gap.ok());
    CHECK_THAT(gap.error().message, Catch::Contains("clocks jump from 23:00 to 00:00"));
}

TEST_CASE("footer dates in Julian forms count or skip 29 February as POSIX says") {
    // J60 is 1 March in every year; zero-based day 300 is 27 October in a
    // leap year and 28 October otherwise.
    const auto z = load(footer_only("AAA3BBB,J60/2,300/2"));
    CHECK(offset_at(z, "2024-03-01T04:59:59Z") == "-03:00");
    CHECK(offset_at(z, "2024-03-01T05:00:00Z") == "-02:00");
    CHECK(offset_at(z, "2024-10-27T03:59:59Z") == "-02:00");
    CHECK(offset_at(z, "2024-10-27T04:00:00Z") == "-03:00");
    CHECK(offset_at(z, "2026-03-01T05:00:00Z") == "-02:00");
    CHECK(offset_at(z, "2026-10-28T03:59:59Z") == "-02:00");
    CHECK(offset_at(z, "2026-10-28T04:00:00Z") == "-03:00");
}

TEST_CASE("a footer for permanent daylight time never switches back") {
    const auto z = load(footer_only("EST5EDT4,0/0,J365/25"));
    for (const char* t : {"2026-01-01T04:30:00Z", "2026-01-01T05:30:00Z", "2026-06-01T00:00:00Z",
                          "2026-12-31T23:59:59Z", "2027-01-01T04:00:00Z"}) {
        INFO(t);
        CHECK(offset_at(z, t) == "-04:00");
        CHECK(at(z, t).abbreviation == "EDT");
    }
}

TEST_CASE("malformed footers make the zone unusable with a clear reason") {
    for (const char* footer :
         {"EST5EDT", "EST", "E5", "<+05", "<+0 5>-5", "EST25", "EST5EDT,M13.1.0,M11.1.0",
          "EST5EDT,M3.6.0,M11.1.0", "EST5EDT,M3.2.7,M11.1.0", "EST5EDT,M3.2.0",
          "EST5EDT,M3.2.0,M11.1.0,", "EST5EDT,M3.2.0/168,M11.1.0", "EST5EDT,J0,J365",
          "EST5:60"}) {
        INFO(footer);
        const auto e = damage(footer_only(footer));
        CHECK(e.code == ErrorCode::Corrupt);
        CHECK_THAT(e.message, Catch::StartsWith("time zone 'Test/Zone' cannot be used"));
        CHECK_THAT(e.message, Catch::Contains("malformed"));
    }
}

TEST_CASE("damaged TZif data is refused as corrupt, never half-read") {
    const TzifSpec good = footer_only("UTC0");
    REQUIRE(TimeZone::from_tzif("Test/Zone", tzif(good)).ok());
    const std::string bytes = tzif(good);

    CHECK(TimeZone::from_tzif("Test/Zone", "").error().code == ErrorCode::Corrupt);
    CHECK(TimeZone::from_tzif("Test/Zone", "TZif2").error().code == ErrorCode::Corrupt);
    CHECK_THAT(TimeZone::from_tzif("Test/Zone", "XXif" + bytes.substr(4)).error().message,
               Catch::Contains("not TZif data"));
    for (std::size_t cut : {std::size_t{10}, std::size_t{50}, bytes.size() - 8, bytes.size() - 1}) {
        INFO(cut);
        CHECK(TimeZone::from_tzif("Test/Zone", bytes.substr(0, cut)).error().code ==
              ErrorCode::Corrupt);
    }
    CHECK_THAT(TimeZone::from_tzif("Test/Zone", bytes.substr(0, bytes.size() - 6)).error().message,
               Catch::Contains("footer"));

    TzifSpec s = good;
    s.types = {};
    CHECK(damage(s).code == ErrorCode::Corrupt);

    s = good;
    s.types = {{0, false, "AAA"}, {3600, true, "BBB"}};
    s.transitions = {{200, 1}, {100, 0}};
    CHECK_THAT(damage(s).message, Catch::Contains("ascending"));
    s.transitions = {{100, 1}, {100, 0}};
    CHECK_THAT(damage(s).message, Catch::Contains("ascending"));
    s.transitions = {{100, 2}};
    CHECK_THAT(damage(s).message, Catch::Contains("time type that does not exist"));

    s = good;
    s.types = {{100000, false, "FAR"}};
    CHECK_THAT(damage(s).message, Catch::Contains("offset is out of range"));

    s = good;
    s.first_abbreviation_index = 200;
    CHECK_THAT(damage(s).message, Catch::Contains("abbreviation index"));

    s = good;
    s.terminate_abbreviations = false;
    CHECK_THAT(damage(s).message, Catch::Contains("not terminated"));
}

TEST_CASE("zone files that count leap seconds are refused as incompatible") {
    TzifSpec s = footer_only("UTC0");
    s.leap_count = 1;
    const auto e = damage(s);
    CHECK(e.code == ErrorCode::Incompatible);
    CHECK_THAT(e.message, Catch::Contains("leap seconds"));
    CHECK_THAT(e.message, Catch::Contains("right/"));
}
