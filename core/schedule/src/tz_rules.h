#pragma once
// Private to clearpost_schedule: the parsed contents of a TZif file (RFC 8536)
// and the lookups that answer "which offset applies at this instant" and
// "which instants show this wall-clock time".

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clearpost/base/result.h"

namespace clearpost::schedule::detail {

// A local time type: one offset with its abbreviation.
struct TimeType {
    std::int32_t utc_offset = 0;  // seconds east of UTC
    bool is_dst = false;
    std::string abbreviation;
};

// The date part of a POSIX TZ rule ("Jn", "n" or "Mm.w.d") and the time of
// day of the change, in the wall-clock time in effect before the change.
struct ChangeRule {
    enum class Kind { JulianNoLeap, JulianZero, MonthWeekDay };
    Kind kind = Kind::MonthWeekDay;
    // JulianNoLeap: 1..365, 29 February never counted; JulianZero: 0..365;
    // MonthWeekDay: the weekday, 0 (Sunday)..6.
    int day = 0;
    int month = 0;  // MonthWeekDay only: 1..12
    int week = 0;   // MonthWeekDay only: 1..5, 5 meaning "the last"
    std::int32_t time = 2 * 3600;  // seconds after midnight, -167h..167h (RFC 8536 extension)
};

// The TZ string of a TZif footer, e.g. "EST5EDT,M3.2.0,M11.1.0": the rule for
// instants after the last transition in the file.
struct PosixTz {
    TimeType standard;
    std::optional<TimeType> daylight;  // absent: standard time all year
    ChangeRule start;                  // standard -> daylight
    ChangeRule end;                    // daylight -> standard

    const TimeType& type_at(std::int64_t instant) const;
    // The first change strictly after `instant`, if daylight time exists.
    std::optional<std::int64_t> next_change(std::int64_t instant) const;
};

// Everything Clearpost needs from one TZif file.
struct ZoneRules {
    std::vector<std::int64_t> transitions;      // UTC instants, strictly ascending
    std::vector<std::uint8_t> transition_types; // index into `types`, one per transition
    // At least one; types[0] applies before the first transition (RFC 8536).
    std::vector<TimeType> types;
    // Applies after the last transition, or always when there are none.
    std::optional<PosixTz> footer;

    const TimeType& type_at(std::int64_t instant) const;
    // The first instant strictly after `instant` at which the type may change.
    std::optional<std::int64_t> next_transition(std::int64_t instant) const;
};

// Errors are Corrupt or Incompatible, with messages that do not name the zone
// (the caller knows it).
Result<PosixTz> parse_posix_tz(std::string_view text);
Result<ZoneRules> parse_tzif(std::string_view bytes);

// How one wall-clock time maps to instants.
struct LocalMapping {
    enum class Kind { Unique, Gap, Overlap };
    Kind kind = Kind::Unique;
    // Unique: both the instant. Gap: the last second before the jump and the
    // jump itself. Overlap: the first and the second occurrence.
    std::int64_t earlier = 0;
    std::int64_t later = 0;
    // Gap and Overlap: the instant of the change, and the types on each side.
    std::int64_t change = 0;
    const TimeType* before = nullptr;
    const TimeType* after = nullptr;
};

// `local_seconds` must lie within kMinLocalSeconds..kMaxLocalSeconds.
// Fails (Corrupt) only for zone data so odd that no change explains a time
// that maps to no instant.
Result<LocalMapping> map_local(const ZoneRules& rules, std::int64_t local_seconds);

}  // namespace clearpost::schedule::detail
