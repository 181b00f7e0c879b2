// Checks the TZif reader and the conversions against an independent
// implementation: Python's zoneinfo module (PEP 615), reading the same
// zoneinfo directory in a child process. Skipped, with a warning, where
// python3 or its zoneinfo module is missing.

#include "clearpost/schedule/time_zone.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "temp_dir.h"

using namespace clearpost;
using namespace clearpost::schedule;

namespace {

// Reads "U zone instant" and "L zone Y M D h m s" lines; answers each with the
// local time, offset and abbreviation, or with how the local time maps:
// "unique t", "gap t1 t2" or "overlap t1 t2" (both instants ascending). For a
// gap, Python's two folds give L minus the offset after and L minus the offset
// before the change.
constexpr const char* kOracle = R"PY(
import sys
import zoneinfo
from datetime import datetime, timedelta, timezone

root, source, target = sys.argv[1:4]
zoneinfo.reset_tzpath([root])
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
zones = {}

def zone(name):
    if name not in zones:
        zones[name] = zoneinfo.ZoneInfo(name)
    return zones[name]

def local_of(t, tz):
    return (EPOCH + timedelta(seconds=t)).astimezone(tz)

with open(source) as lines, open(target, "w") as out:
    for line in lines:
        parts = line.split()
        tz = zone(parts[1])
        if parts[0] == "U":
            d = local_of(int(parts[2]), tz)
            offset = d.utcoffset() // timedelta(seconds=1)
            fields = (d.year, d.month, d.day, d.hour, d.minute, d.second, offset, d.tzname())
            out.write(" ".join(map(str, fields)) + "\n")
            continue
        naive = datetime(*map(int, parts[2:8]))
        instants, round_trips = [], []
        for fold in (0, 1):
            t = (naive.replace(tzinfo=tz, fold=fold) - EPOCH) // timedelta(seconds=1)
            instants.append(t)
            round_trips.append(local_of(t, tz).replace(tzinfo=None) == naive)
        lo, hi = min(instants), max(instants)
        if lo == hi and round_trips[0]:
            out.write(f"unique {lo}\n")
        elif all(round_trips):
            out.write(f"overlap {lo} {hi}\n")
        elif not any(round_trips):
            out.write(f"gap {lo} {hi}\n")
        else:
            out.write("odd\n")
)PY";

constexpr const char* kZones[] = {
    "America/New_York", "Europe/London",   "Australia/Lord_Howe", "Asia/Kolkata",
    "America/Santiago", "America/Nuuk",    "Pacific/Chatham",     "Africa/Casablanca",
    "Europe/Dublin",    "Pacific/Apia",    "America/St_Johns",    "Asia/Tehran",
};
constexpr int kInstantsPerZone = 600;
constexpr int kLocalTimesPerZone = 400;

// Plain modulo keeps the sequence the same on every standard library (the
// std distributions are not specified bit for bit); the bias is irrelevant.
std::int64_t pick(std::mt19937_64& rng, std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(hi - lo + 1));
}

std::int64_t offset_at(std::int64_t t, const TimeZone& z) { return utc_to_local(t, z)->utc_offset; }

LocalDateTime civil(std::int64_t local_seconds) {
    return utc_to_local(local_seconds, TimeZone::utc())->local;
}

// A wall-clock time near a random offset change of `z`, so that gaps and
// overlaps are well represented; a uniformly random one when none is near.
LocalDateTime near_change(std::mt19937_64& rng, const TimeZone& z) {
    constexpr std::int64_t kFrom = -2208988800;  // 1900
    constexpr std::int64_t kTo = 5680281600;     // 2150
    std::int64_t lo = pick(rng, kFrom, kTo);
    std::int64_t hi = lo + 200 * 86400;
    if (offset_at(lo, z) == offset_at(hi, z)) return civil(pick(rng, kFrom, kTo));
    while (hi - lo > 1) {  // the first instant with a new offset
        const std::int64_t mid = lo + (hi - lo) / 2;
        (offset_at(mid, z) == offset_at(lo, z) ? lo : hi) = mid;
    }
    const std::int64_t before = offset_at(lo, z);
    const std::int64_t shift = std::abs(offset_at(hi, z) - before) + 3600;
    return civil(hi + before + pick(rng, -shift, shift) / 60 * 60);
}

}  // namespace

TEST_CASE("conversions agree with Python's zoneinfo on thousands of random times") {
    if (std::system("python3 -c 'import zoneinfo' >/dev/null 2>&1") != 0) {
        WARN("SKIPPED: python3 with the zoneinfo module is not available, so the conversions "
             "were not compared with an independent implementation");
        SUCCEED("oracle comparison skipped");
        return;
    }
    TzDatabase db;
    clearpost::testing::TempDir dir;
    {
        std::ofstream(dir / "oracle.py") << kOracle;
    }

    std::mt19937_64 rng(20260308);
    struct Sample {
        TimeZone zone;
        bool is_instant;
        std::int64_t instant;
        LocalDateTime local;
    };
    std::vector<Sample> samples;
    std::ostringstream input;
    for (const char* name : kZones) {
        auto found = db.find(name);
        INFO(name);
        REQUIRE(found.ok());
        const TimeZone& z = *found;
        for (int i = 0; i < kInstantsPerZone; ++i) {
            // Mostly 1800..2200; one in six up to 2500, far past the tables' 2037.
            const std::int64_t t = i % 6 == 0 ? pick(rng, 7258118400, 16725225600)
                                              : pick(rng, -5364662400, 7258118400);
            samples.push_back({z, true, t, {}});
            input << "U " << name << ' ' << t << '\n';
        }
        for (int i = 0; i < kLocalTimesPerZone; ++i) {
            const LocalDateTime l = i % 2 == 0 ? near_change(rng, z)
                                               : civil(pick(rng, -5364662400, 7258118400));
            samples.push_back({z, false, 0, l});
            input << "L " << name << ' ' << l.year << ' ' << l.month << ' ' << l.day << ' '
                  << l.hour << ' ' << l.minute << ' ' << l.second << '\n';
        }
    }
    {
        std::ofstream(dir / "input.txt") << input.str();
    }
    const std::string command = "python3 '" + (dir / "oracle.py").string() + "' '" +
                                std::filesystem::absolute(db.root()).string() + "' '" +
                                (dir / "input.txt").string() + "' '" +
                                (dir / "output.txt").string() + "'";
    REQUIRE(std::system(command.c_str()) == 0);

    std::ifstream output(dir / "output.txt");
    std::vector<std::string> mismatches;
    int unique = 0, gaps = 0, overlaps = 0;
    const auto mismatch = [&](const Sample& s, const std::string& expected,
                              const std::string& got) {
        if (mismatches.size() < 20) {
            mismatches.push_back(s.zone.name() + " " +
                                 (s.is_instant ? std::to_string(s.instant)
                                               : format_local_datetime(s.local)) +
                                 ": python " + expected + ", clearpost " + got);
        } else {
            mismatches.push_back("...");
        }
    };
    for (const auto& s : samples) {
        std::string line;
        REQUIRE(std::getline(output, line));
        std::istringstream in(line);
        if (s.is_instant) {
            ZonedTime want;
            in >> want.local.year >> want.local.month >> want.local.day >> want.local.hour >>
                want.local.minute >> want.local.second >> want.utc_offset >> want.abbreviation;
            auto got = utc_to_local(s.instant, s.zone);
            if (!got.ok()) {
                mismatch(s, line, got.error().message);
            } else if (got->local != want.local || got->utc_offset != want.utc_offset ||
                       got->abbreviation != want.abbreviation) {
                mismatch(s, line, format_iso8601(*got) + " " + got->abbreviation);
            }
            continue;
        }
        std::string kind;
        std::int64_t a = 0, b = 0;
        in >> kind >> a >> b;
        const auto reject = local_to_utc(s.local, s.zone);
        const auto earlier = local_to_utc(s.local, s.zone, DstChoice::Earlier);
        const auto later = local_to_utc(s.local, s.zone, DstChoice::Later);
        if (!earlier.ok() || !later.ok()) {
            mismatch(s, line, "an error for Earlier or Later");
            continue;
        }
        const std::string got = (reject.ok() ? "ok " : "refused ") + std::to_string(*earlier) +
                                " " + std::to_string(*later);
        if (kind == "unique") {
            ++unique;
            // Round trip: local -> UTC -> the same local time.
            if (!reject.ok() || *reject != a || *earlier != a || *later != a ||
                utc_to_local(a, s.zone)->local != s.local)
                mismatch(s, line, got);
        } else if (kind == "overlap") {
            ++overlaps;
            if (reject.ok() || *earlier != a || *later != b ||
                reject.error().message.find("happens twice") == std::string::npos)
                mismatch(s, line, got);
        } else if (kind == "gap") {
            ++gaps;
            // Later is the change itself, which lies between Python's two
            // readings; Earlier is the second before it.
            if (reject.ok() || *later - *earlier != 1 || !(a < *later && *later <= b) ||
                !(utc_to_local(*earlier, s.zone)->local < s.local) ||
                !(s.local < utc_to_local(*later, s.zone)->local) ||
                reject.error().message.find("does not exist") == std::string::npos)
                mismatch(s, line, got);
        } else {
            mismatch(s, line, got);
        }
    }
    const std::size_t zone_count = std::size(kZones);
    INFO(std::to_string(zone_count * kInstantsPerZone) + " instants and " +
         std::to_string(zone_count * kLocalTimesPerZone) + " local times in " +
         std::to_string(zone_count) + " zones; local times: " + std::to_string(unique) +
         " unique, " + std::to_string(gaps) + " in gaps, " + std::to_string(overlaps) +
         " in overlaps");
    for (const auto& m : mismatches) UNSCOPED_INFO(m);
    CHECK(mismatches.empty());
    CHECK(gaps > 100);
    CHECK(overlaps > 100);
}
