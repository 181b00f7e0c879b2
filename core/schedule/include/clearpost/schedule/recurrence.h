#pragma once
// Repeating posting times: weekly queue slots and "every N days/weeks".
//
// Slots are wall-clock times in a zone ("Mondays at 09:00 in Europe/London"),
// so their UTC instants move when the zone changes its offset. On the two
// days a year when a slot's time does not exist or happens twice, SlotDst
// decides; the result never contains the same instant twice.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "clearpost/base/result.h"
#include "clearpost/base/time.h"
#include "clearpost/schedule/local_datetime.h"
#include "clearpost/schedule/time_zone.h"

namespace clearpost::schedule {

enum class Weekday { Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday };

// One slot of a weekly queue: a weekday and a wall-clock time (hour 0..23,
// minute 0..59).
struct WeeklySlot {
    Weekday weekday = Weekday::Monday;
    int hour = 0;
    int minute = 0;
};

// "Mon 09:00" and back. Parsing accepts English weekday names or their
// first three letters in any case ("monday 9:30", "TUE 14:00"); anything
// else is Invalid with an example.
Result<WeeklySlot> parse_weekly_slot(std::string_view text);
std::string format_weekly_slot(const WeeklySlot& slot);

// What a repeating time does when a DST change makes its wall-clock time odd.
enum class SlotDst {
    // Gap: no post that day. Overlap: post once, at the first occurrence.
    Skip,
    // Gap: the last second before the jump. Overlap: the first occurrence.
    // (As DstChoice::Earlier.)
    Earlier,
    // Gap: the instant of the jump. Overlap: the second occurrence.
    // (As DstChoice::Later.)
    Later,
};

// The first `count` instants strictly after `after` at which one of `slots`
// falls in `zone`, ascending and without duplicates (two slots mapped to one
// instant by a DST gap count once). Errors: Invalid for an empty slot list, a
// slot with an impossible weekday or time, or count above 10000; Invalid when the
// dates involve years outside 1400..9999. Fewer than `count` instants come
// back only when the calendar ends (9999-12-31) first.
Result<std::vector<UnixSeconds>> next_queue_slots(std::span<const WeeklySlot> slots,
                                                  const TimeZone& zone, UnixSeconds after,
                                                  std::size_t count,
                                                  SlotDst in_dst_change = SlotDst::Skip);

enum class RepeatUnit { Days, Weeks };

// "Starting at `first`, every `every` days or weeks, through `until`."
// The wall-clock time stays the same across DST changes.
struct Recurrence {
    LocalDateTime first;             // the first occurrence, in the zone's wall-clock time
    int every = 1;                   // 1..1000
    RepeatUnit unit = RepeatUnit::Weeks;
    LocalDate until;                 // the last day that may have an occurrence (inclusive)
};

// Every occurrence of `rule` in `zone`, ascending. Errors: Invalid for a
// malformed rule, an `until` before the first occurrence, or more than
// `max_count` occurrences (the message says how to narrow the rule).
Result<std::vector<UnixSeconds>> expand_recurrence(const Recurrence& rule, const TimeZone& zone,
                                                   SlotDst in_dst_change = SlotDst::Skip,
                                                   std::size_t max_count = 1000);

}  // namespace clearpost::schedule
