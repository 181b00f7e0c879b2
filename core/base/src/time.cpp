#include "clearpost/base/time.h"

#include <chrono>
#include <cstdio>

namespace clearpost {

UnixSeconds system_now() {
    using namespace std::chrono;
    return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

std::string format_utc(UnixSeconds t) {
    using namespace std::chrono;
    const sys_seconds tp{seconds{t}};
    const auto day = floor<days>(tp);
    const year_month_day ymd{day};
    const hh_mm_ss hms{tp - day};
    char buf[64];  // room for any int64 the compiler can imagine
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ldZ", int(ymd.year()),
                  unsigned(ymd.month()), unsigned(ymd.day()),
                  static_cast<long>(hms.hours().count()),
                  static_cast<long>(hms.minutes().count()),
                  static_cast<long>(hms.seconds().count()));
    return buf;
}

Result<UnixSeconds> parse_utc(const std::string& text) {
    using namespace std::chrono;
    int y = 0;
    unsigned mo = 0, d = 0, h = 0, mi = 0, s = 0;
    char tail[8] = {};
    const int n = std::sscanf(text.c_str(), "%4d-%2u-%2uT%2u:%2u:%2u%7s", &y, &mo, &d, &h, &mi,
                              &s, tail);
    const std::string zone = tail;
    if (n != 7 || (zone != "Z" && zone != "+00:00") || text.size() > 25) {
        return make_error(ErrorCode::Invalid,
                          "'" + text + "' is not a UTC time; write it as 2026-03-08T14:30:00Z");
    }
    const year_month_day ymd{year{y}, month{mo}, day{d}};
    if (!ymd.ok() || h > 23 || mi > 59 || s > 59) {
        return make_error(ErrorCode::Invalid, "'" + text + "' is not a valid date and time");
    }
    const auto tp = sys_days{ymd} + hours{h} + minutes{mi} + seconds{s};
    return static_cast<UnixSeconds>(tp.time_since_epoch().count());
}

}  // namespace clearpost
