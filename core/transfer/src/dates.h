#pragma once
// Dates as spreadsheets write them, turned into UTC instants.

#include <optional>
#include <string>
#include <string_view>

#include "clearpost/base/result.h"
#include "clearpost/base/time.h"
#include "clearpost/schedule/time_zone.h"
#include "clearpost/transfer/transfer.h"

namespace clearpost::transfer::detail {

// "2026-03-08T09:30", "2026-03-08 09:30:00" (wall clock in `zone`) or the
// same with "Z" or "+01:00" (then the offset wins over the zone).
Result<UnixSeconds> parse_iso_instant(std::string_view text, const schedule::TimeZone& zone);

// "08/03/2026" or "3/8/2026" (with `order`; Unknown guesses only when the
// day is above 12) and a 24-hour "09:30" or "9:30:00", in `zone`. `time`
// may be part of `date` after a space (Hootsuite's one column).
Result<UnixSeconds> parse_slash_date_time(std::string_view date, std::string_view time, DateOrder order,
                                          const schedule::TimeZone& zone);

}  // namespace clearpost::transfer::detail
