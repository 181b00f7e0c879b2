#pragma once
// Wall-clock dates and times as people type them, with no zone attached.
//
// A LocalDateTime means nothing until it is paired with a time zone (see
// time_zone.h); only then does it name an instant, or two, or none.

#include <compare>
#include <string>
#include <string_view>

#include "clearpost/base/result.h"

namespace clearpost::schedule {

// A calendar day. Valid values: year 1..9999, month 1..12, day within the month.
struct LocalDate {
    int year = 1970;
    int month = 1;
    int day = 1;

    friend auto operator<=>(const LocalDate&, const LocalDate&) = default;
};

// A wall-clock time on a calendar day. Valid values: a valid LocalDate part,
// hour 0..23, minute 0..59, second 0..59 (leap seconds are not represented).
struct LocalDateTime {
    int year = 1970;
    int month = 1;
    int day = 1;
    int hour = 0;
    int minute = 0;
    int second = 0;

    LocalDate date() const { return LocalDate{year, month, day}; }
    friend auto operator<=>(const LocalDateTime&, const LocalDateTime&) = default;
};

// Ok when every field is in range and the day exists (no 30 February);
// otherwise Invalid, with a message naming the bad field.
Result<void> validate(const LocalDate& date);
Result<void> validate(const LocalDateTime& time);

// Accepts exactly "YYYY-MM-DD HH:MM", "YYYY-MM-DDTHH:MM" and both forms with
// ":SS". No surrounding spaces, no zone suffix: a zone is given separately.
// Malformed text or an impossible date is Invalid, with an example of the
// expected form.
Result<LocalDateTime> parse_local_datetime(std::string_view text);

// "2026-03-08T02:30:00": always this shape, which parse_local_datetime reads back.
std::string format_local_datetime(const LocalDateTime& time);

}  // namespace clearpost::schedule
