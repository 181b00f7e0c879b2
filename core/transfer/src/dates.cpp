#include "dates.h"

#include <charconv>
#include <vector>

#include "clearpost/schedule/local_datetime.h"

namespace clearpost::transfer::detail {
namespace {

bool to_int(std::string_view s, int& out) {
    if (s.empty() || s.size() > 4) return false;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && ptr == s.data() + s.size();
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        const auto pos = s.find(sep, start);
        parts.push_back(s.substr(start, pos - start));
        if (pos == std::string_view::npos) break;
        start = pos + 1;
    }
    return parts;
}

// The instant `local` names in `zone`; a time a DST change skips or repeats
// is refused with the schedule library's message (it names the change).
Result<UnixSeconds> in_zone(const schedule::LocalDateTime& local, const schedule::TimeZone& zone) {
    CLEARPOST_CHECK(schedule::validate(local));
    return schedule::local_to_utc(local, zone, schedule::DstChoice::Reject);
}

}  // namespace

Result<UnixSeconds> parse_iso_instant(std::string_view text, const schedule::TimeZone& zone) {
    text = trim(text);
    const auto bad = [&] {
        return make_error(ErrorCode::Invalid, "'" + std::string(text) +
                                                  "' is not a date and time; write it like 2026-03-08 09:30 "
                                                  "(the organisation's time zone) or 2026-03-08T09:30:00-05:00");
    };
    // The offset, if any: "Z" or "+HH:MM"/"-HH:MM" after the time (position 16 on).
    std::optional<int> offset_seconds;
    std::string_view local = text;
    if (!local.empty() && (local.back() == 'Z' || local.back() == 'z')) {
        offset_seconds = 0;
        local.remove_suffix(1);
    } else if (local.size() > 16) {
        const auto sign_at = local.find_last_of("+-");
        if (sign_at != std::string_view::npos && sign_at >= 16) {
            const auto off = local.substr(sign_at + 1);
            int hh = 0;
            int mm = 0;
            if (off.size() == 5 && off[2] == ':' && to_int(off.substr(0, 2), hh) && to_int(off.substr(3, 2), mm)) {
            } else if (off.size() == 4 && to_int(off.substr(0, 2), hh) && to_int(off.substr(2, 2), mm)) {
            } else {
                return bad();
            }
            if (hh > 14 || mm > 59) return bad();
            offset_seconds = (local[sign_at] == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
            local = local.substr(0, sign_at);
        }
    }
    auto parsed = schedule::parse_local_datetime(local);
    if (!parsed.ok()) return bad();
    if (!offset_seconds) return in_zone(*parsed, zone);
    CLEARPOST_ASSIGN(UnixSeconds as_utc, in_zone(*parsed, schedule::TimeZone::utc()));
    return as_utc - *offset_seconds;
}

Result<UnixSeconds> parse_slash_date_time(std::string_view date, std::string_view time, DateOrder order,
                                          const schedule::TimeZone& zone) {
    date = trim(date);
    time = trim(time);
    if (time.empty()) {
        const auto space = date.find(' ');
        if (space != std::string_view::npos) {
            time = trim(date.substr(space + 1));
            date = date.substr(0, space);
        }
    }
    const auto parts = split(date, '/');
    int a = 0;
    int b = 0;
    int year = 0;
    if (parts.size() != 3 || !to_int(parts[0], a) || !to_int(parts[1], b) || !to_int(parts[2], year) ||
        parts[2].size() != 4) {
        return make_error(ErrorCode::Invalid, "'" + std::string(date) +
                                                  "' is not a date; write it like 08/03/2026 (dd/mm/yyyy) or "
                                                  "03/08/2026 (mm/dd/yyyy)");
    }
    if (order == DateOrder::Unknown) {
        if (a > 12 && b <= 12) {
            order = DateOrder::DayFirst;
        } else if (b > 12 && a <= 12) {
            order = DateOrder::MonthFirst;
        } else if (a == b) {
            order = DateOrder::DayFirst;  // the same either way
        } else {
            return make_error(ErrorCode::Invalid, "'" + std::string(date) +
                                                      "' could be read day-first or month-first; say which with "
                                                      "--date-order dmy or --date-order mdy");
        }
    }
    const int day = order == DateOrder::DayFirst ? a : b;
    const int month = order == DateOrder::DayFirst ? b : a;
    const auto hm = split(time, ':');
    int hour = 0;
    int minute = 0;
    int second = 0;
    if ((hm.size() != 2 && hm.size() != 3) || !to_int(hm[0], hour) || !to_int(hm[1], minute) ||
        (hm.size() == 3 && !to_int(hm[2], second)) || hm[1].size() != 2) {
        return make_error(ErrorCode::Invalid, "'" + std::string(time) +
                                                  "' is not a 24-hour time; write it like 09:30 or 17:05");
    }
    const schedule::LocalDateTime local{year, month, day, hour, minute, second};
    if (auto valid = schedule::validate(local); !valid) {
        return make_error(ErrorCode::Invalid, "'" + std::string(date) + " " + std::string(time) +
                                                  "' is not a real date and time: " + valid.error().message);
    }
    return in_zone(local, zone);
}

}  // namespace clearpost::transfer::detail
