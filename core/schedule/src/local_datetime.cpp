#include "clearpost/schedule/local_datetime.h"

#include <chrono>
#include <cstdio>

#include "civil.h"

namespace clearpost::schedule {
namespace {

constexpr const char* kMonthNames[] = {"January", "February", "March",     "April",
                                       "May",     "June",     "July",      "August",
                                       "September", "October", "November", "December"};

std::string two_digits(int v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02d", v);
    return buf;
}

Result<void> out_of_range(const char* field, int value, const char* allowed) {
    return make_error(ErrorCode::Invalid, std::string(field) + " " + std::to_string(value) +
                                              " is out of range; use " + allowed);
}

// Exactly `count` ASCII digits at text[pos...]; -1 otherwise.
int digits_at(std::string_view text, std::size_t pos, std::size_t count) {
    int value = 0;
    for (std::size_t i = pos; i < pos + count; ++i) {
        const char c = text[i];
        if (c < '0' || c > '9') return -1;
        value = value * 10 + (c - '0');
    }
    return value;
}

}  // namespace

Result<void> validate(const LocalDate& date) {
    using namespace std::chrono;
    if (date.year < 1 || date.year > 9999) return out_of_range("year", date.year, "1 to 9999");
    if (date.month < 1 || date.month > 12) return out_of_range("month", date.month, "1 to 12");
    const year_month_day_last last{year{date.year} / month{static_cast<unsigned>(date.month)} /
                                   std::chrono::last};
    const int days_in_month = static_cast<int>(unsigned(last.day()));
    if (date.day < 1 || date.day > days_in_month) {
        return make_error(ErrorCode::Invalid,
                          "day " + std::to_string(date.day) + " does not exist in " +
                              kMonthNames[date.month - 1] + " " + std::to_string(date.year) +
                              ", which has " + std::to_string(days_in_month) + " days");
    }
    return ok();
}

Result<void> validate(const LocalDateTime& time) {
    CLEARPOST_CHECK(validate(time.date()));
    if (time.hour < 0 || time.hour > 23) return out_of_range("hour", time.hour, "00 to 23");
    if (time.minute < 0 || time.minute > 59)
        return out_of_range("minute", time.minute, "00 to 59");
    if (time.second < 0 || time.second > 59)
        return out_of_range("second", time.second, "00 to 59");
    return ok();
}

Result<LocalDateTime> parse_local_datetime(std::string_view text) {
    const auto malformed = [&] {
        return make_error(ErrorCode::Invalid,
                          "'" + std::string(text) +
                              "' is not a date and time; write it as 2026-03-08 14:30 "
                              "(or 2026-03-08T14:30, seconds optional: 2026-03-08 14:30:00)");
    };
    if (text.size() != 16 && text.size() != 19) return malformed();
    if (text[4] != '-' || text[7] != '-' || (text[10] != ' ' && text[10] != 'T') ||
        text[13] != ':' || (text.size() == 19 && text[16] != ':')) {
        return malformed();
    }
    LocalDateTime t;
    t.year = digits_at(text, 0, 4);
    t.month = digits_at(text, 5, 2);
    t.day = digits_at(text, 8, 2);
    t.hour = digits_at(text, 11, 2);
    t.minute = digits_at(text, 14, 2);
    t.second = text.size() == 19 ? digits_at(text, 17, 2) : 0;
    if (t.year < 0 || t.month < 0 || t.day < 0 || t.hour < 0 || t.minute < 0 || t.second < 0)
        return malformed();
    if (auto valid = validate(t); !valid.ok()) {
        return make_error(ErrorCode::Invalid,
                          "'" + std::string(text) + "' is not a valid date and time: " +
                              valid.error().message);
    }
    return t;
}

std::string format_local_datetime(const LocalDateTime& time) {
    char buf[80];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", time.year, time.month,
                  time.day, time.hour, time.minute, time.second);
    return buf;
}

namespace detail {

std::string describe_clock(const LocalDateTime& t) {
    std::string out = two_digits(t.hour) + ":" + two_digits(t.minute);
    if (t.second != 0) out += ":" + two_digits(t.second);
    return out;
}

std::string describe(const LocalDate& d) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
    return buf;
}

std::string describe(const LocalDateTime& t) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d ", t.year, t.month, t.day);
    return buf + describe_clock(t);
}

}  // namespace detail
}  // namespace clearpost::schedule
