#include "clearpost/schedule/recurrence.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <optional>
#include <stdexcept>

#include <boost/date_time/gregorian/gregorian_types.hpp>

#include "civil.h"
#include "tz_rules.h"

namespace clearpost::schedule {
namespace {

namespace bg = boost::gregorian;

constexpr std::size_t kMaxQueueSlots = 10000;
constexpr int kMaxEvery = 1000;

// Boost's Gregorian calendar covers 1400..9999 and throws std::out_of_range
// outside it; every Boost call below sits inside a try that turns that into this.
Error calendar_range_error() {
    return make_error(ErrorCode::Invalid,
                      "repeating posts are only supported between the years 1400 and 9999; "
                      "choose dates in that range");
}

bg::date to_boost(const LocalDate& d) {
    return bg::date(static_cast<unsigned short>(d.year), static_cast<unsigned short>(d.month),
                    static_cast<unsigned short>(d.day));
}

LocalDate from_boost(const bg::date& d) {
    const auto ymd = d.year_month_day();
    return LocalDate{static_cast<int>(ymd.year), static_cast<int>(ymd.month.as_number()),
                     static_cast<int>(ymd.day.as_number())};
}

Weekday weekday_of(const bg::date& d) {
    // Boost counts from Sunday = 0; Weekday from Monday = 0.
    return static_cast<Weekday>((d.day_of_week().as_number() + 6) % 7);
}

// The instant for one occurrence of a repeating time, or nothing when
// SlotDst::Skip drops it.
Result<std::optional<UnixSeconds>> resolve(const LocalDateTime& local, const TimeZone& zone,
                                           SlotDst in_dst_change) {
    auto mapping = detail::map_local(detail::rules_of(zone), detail::to_local_seconds(local));
    if (!mapping.ok()) {
        return make_error(mapping.error().code,
                          "time zone '" + zone.name() + "' cannot be used: " +
                              mapping.error().message +
                              "; reinstall the system's time zone database (the tzdata package)");
    }
    const detail::LocalMapping& m = *mapping;
    switch (m.kind) {
    case detail::LocalMapping::Kind::Unique:
        return std::optional<UnixSeconds>(m.earlier);
    case detail::LocalMapping::Kind::Gap:
        if (in_dst_change == SlotDst::Skip) return std::optional<UnixSeconds>();
        break;
    case detail::LocalMapping::Kind::Overlap:
        break;
    }
    return std::optional<UnixSeconds>(in_dst_change == SlotDst::Later ? m.later : m.earlier);
}

void sort_unique(std::vector<UnixSeconds>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
}

LocalDateTime at(const LocalDate& d, int hour, int minute, int second) {
    return LocalDateTime{d.year, d.month, d.day, hour, minute, second};
}

}  // namespace

Result<std::vector<UnixSeconds>> next_queue_slots(std::span<const WeeklySlot> slots,
                                                  const TimeZone& zone, UnixSeconds after,
                                                  std::size_t count, SlotDst in_dst_change) {
    if (slots.empty()) {
        return make_error(ErrorCode::Invalid,
                          "the queue has no slots; add at least one weekday and time");
    }
    for (const auto& slot : slots) {
        const auto weekday = static_cast<int>(slot.weekday);
        if (weekday < 0 || weekday > 6) {
            return make_error(ErrorCode::Invalid,
                              "a queue slot names weekday " + std::to_string(weekday) +
                                  ", which does not exist; use Monday to Sunday");
        }
        if (slot.hour < 0 || slot.hour > 23 || slot.minute < 0 || slot.minute > 59) {
            char clock[32];
            std::snprintf(clock, sizeof clock, "%02d:%02d", slot.hour, slot.minute);
            return make_error(ErrorCode::Invalid,
                              std::string("a queue slot at ") + clock +
                                  " is not a time of day; use hours 00 to 23 and minutes 00 to 59");
        }
    }
    if (count > kMaxQueueSlots) {
        return make_error(ErrorCode::Invalid, "asked for " + std::to_string(count) +
                                                  " queue slots at once; ask for at most " +
                                                  std::to_string(kMaxQueueSlots));
    }
    std::vector<UnixSeconds> found;
    if (count == 0) return found;
    CLEARPOST_ASSIGN(const ZonedTime start, utc_to_local(after, zone));

    try {
        // Start a day early: `after` may be late in the evening locally.
        bg::date day = to_boost(start.local.date()) - bg::days(1);
        const bg::date last_day(9999, 12, 31);
        // Once `count` instants are found, one more day is read: clocks that
        // fall back around midnight can put a slot of the next day before a
        // late slot of this one, but never by more than a day.
        bool margin_day = false;
        for (;;) {
            const Weekday weekday = weekday_of(day);
            const LocalDate date = from_boost(day);
            for (const auto& slot : slots) {
                if (slot.weekday != weekday) continue;
                CLEARPOST_ASSIGN(const auto instant,
                                 resolve(at(date, slot.hour, slot.minute, 0), zone, in_dst_change));
                if (instant && *instant > after) found.push_back(*instant);
            }
            if (margin_day || day >= last_day) break;
            if (found.size() >= count) {
                sort_unique(found);
                margin_day = found.size() >= count;
            }
            day = day + bg::days(1);
        }
    } catch (const std::out_of_range&) {
        return calendar_range_error();
    }
    sort_unique(found);
    if (found.size() > count) found.resize(count);
    return found;
}

Result<std::vector<UnixSeconds>> expand_recurrence(const Recurrence& rule, const TimeZone& zone,
                                                   SlotDst in_dst_change, std::size_t max_count) {
    if (auto valid = validate(rule.first); !valid.ok()) {
        return make_error(ErrorCode::Invalid,
                          "the first post's time is not valid: " + valid.error().message);
    }
    if (auto valid = validate(rule.until); !valid.ok()) {
        return make_error(ErrorCode::Invalid,
                          "the end date is not valid: " + valid.error().message);
    }
    if (rule.every < 1 || rule.every > kMaxEvery) {
        return make_error(ErrorCode::Invalid, "repeating every " + std::to_string(rule.every) +
                                                  " days or weeks is not possible; use 1 to " +
                                                  std::to_string(kMaxEvery));
    }
    if (rule.until < rule.first.date()) {
        return make_error(ErrorCode::Invalid,
                          "the repetition ends on " + detail::describe(rule.until) +
                              ", before its first post on " + detail::describe(rule.first.date()) +
                              "; choose an end date on or after the first post");
    }
    const int step_days = rule.unit == RepeatUnit::Weeks ? rule.every * 7 : rule.every;

    std::vector<UnixSeconds> out;
    try {
        bg::date day = to_boost(rule.first.date());
        const bg::date end = to_boost(rule.until);
        for (;;) {
            const LocalDateTime local =
                at(from_boost(day), rule.first.hour, rule.first.minute, rule.first.second);
            CLEARPOST_ASSIGN(const auto instant, resolve(local, zone, in_dst_change));
            if (instant) out.push_back(*instant);
            if (out.size() > max_count) {
                return make_error(ErrorCode::Invalid,
                                  "the repetition makes more than " + std::to_string(max_count) +
                                      " posts; choose an earlier end date or repeat less often");
            }
            // Compare before adding, so the last step never leaves Boost's range.
            if ((end - day).days() < step_days) break;
            day = day + bg::days(step_days);
        }
    } catch (const std::out_of_range&) {
        return calendar_range_error();
    }
    return out;
}

namespace {

constexpr std::array<std::string_view, 7> kWeekdayNames = {"monday", "tuesday", "wednesday", "thursday",
                                                           "friday", "saturday", "sunday"};

}  // namespace

Result<WeeklySlot> parse_weekly_slot(std::string_view text) {
    const auto bad = [&] {
        return make_error(ErrorCode::Invalid,
                          "a queue slot is a weekday and a time, e.g. \"Mon 09:00\", not '" + std::string(text) + "'");
    };
    const auto space = text.find(' ');
    if (space == std::string_view::npos) return bad();
    std::string day(text.substr(0, space));
    std::string_view clock = text.substr(space + 1);
    while (!clock.empty() && clock.front() == ' ') clock.remove_prefix(1);
    for (char& c : day) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::optional<Weekday> weekday;
    for (std::size_t i = 0; i < kWeekdayNames.size(); ++i)
        if (day == kWeekdayNames[i] || (day.size() == 3 && kWeekdayNames[i].substr(0, 3) == day))
            weekday = static_cast<Weekday>(i);
    int hour = -1, minute = -1;
    char extra = 0;
    const std::string clock_text(clock);
    if (!weekday || std::sscanf(clock_text.c_str(), "%d:%d%c", &hour, &minute, &extra) != 2 || hour < 0 ||
        hour > 23 || minute < 0 || minute > 59 || clock_text.size() < 4 || clock_text.size() > 5)
        return bad();
    return WeeklySlot{*weekday, hour, minute};
}

std::string format_weekly_slot(const WeeklySlot& slot) {
    std::string day(kWeekdayNames[static_cast<std::size_t>(slot.weekday) % 7].substr(0, 3));
    day[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(day[0])));
    char clock[8];
    std::snprintf(clock, sizeof clock, "%02d:%02d", slot.hour, slot.minute);
    return day + " " + clock;
}

}  // namespace clearpost::schedule
