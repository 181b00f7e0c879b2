#pragma once
// Private to clearpost_schedule: wall-clock times as plain second counts.
//
// "Local seconds" count seconds since 1970-01-01 00:00 on the wall clock of
// some zone, so that local time = UTC instant + UTC offset is plain addition.
// The calendar math is std::chrono's (C++20 calendar, which libstdc++ 12 has;
// only its time zone database is missing).

#include <chrono>
#include <cstdint>
#include <string>

#include "clearpost/schedule/local_datetime.h"

namespace clearpost::schedule::detail {

inline constexpr std::int64_t kSecondsPerDay = 86400;

// 0001-01-01T00:00:00 and 9999-12-31T23:59:59 as local seconds: the range
// every public function supports.
inline constexpr std::int64_t kMinLocalSeconds = -62135596800;
inline constexpr std::int64_t kMaxLocalSeconds = 253402300799;

inline std::int64_t days_from_civil(int year, int month, int day) {
    using namespace std::chrono;
    const sys_days d{std::chrono::year{year} / static_cast<unsigned>(month) /
                     static_cast<unsigned>(day)};
    return d.time_since_epoch().count();
}

// Expects a valid LocalDateTime.
inline std::int64_t to_local_seconds(const LocalDateTime& t) {
    return days_from_civil(t.year, t.month, t.day) * kSecondsPerDay + t.hour * 3600 +
           t.minute * 60 + t.second;
}

// Expects kMinLocalSeconds <= s <= kMaxLocalSeconds (wider values work too,
// as long as the year fits std::chrono::year).
inline LocalDateTime from_local_seconds(std::int64_t s) {
    using namespace std::chrono;
    const sys_seconds tp{seconds{s}};
    const auto day = floor<days>(tp);
    const year_month_day ymd{day};
    const auto rest = (tp - day).count();
    return LocalDateTime{int(ymd.year()),
                         static_cast<int>(unsigned(ymd.month())),
                         static_cast<int>(unsigned(ymd.day())),
                         static_cast<int>(rest / 3600),
                         static_cast<int>(rest / 60 % 60),
                         static_cast<int>(rest % 60)};
}

// "2026-03-08".
std::string describe(const LocalDate& d);
// "2026-03-08 02:30", or "2026-03-08 02:30:15" when the seconds matter: the
// form used in messages for people.
std::string describe(const LocalDateTime& t);
// "02:30" or "02:30:15".
std::string describe_clock(const LocalDateTime& t);

}  // namespace clearpost::schedule::detail
