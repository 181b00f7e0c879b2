#include "tz_rules.h"

#include <algorithm>
#include <chrono>
#include <limits>

#include "civil.h"

namespace clearpost::schedule::detail {
namespace {

// ---- POSIX TZ strings (RFC 8536 section 3.3, POSIX.1 TZ with the v3 extensions) ----

class PosixParser {
public:
    explicit PosixParser(std::string_view text) : m_text(text) {}

    Result<PosixTz> parse() {
        PosixTz tz;
        CLEARPOST_ASSIGN(tz.standard.abbreviation, name());
        CLEARPOST_ASSIGN(const std::int32_t std_west, hms(24));
        tz.standard.utc_offset = -std_west;
        if (at_end()) return tz;

        TimeType daylight;
        daylight.is_dst = true;
        CLEARPOST_ASSIGN(daylight.abbreviation, name());
        // POSIX: without an explicit offset, daylight time is one hour ahead.
        daylight.utc_offset = tz.standard.utc_offset + 3600;
        if (!at_end() && peek() != ',') {
            CLEARPOST_ASSIGN(const std::int32_t dst_west, hms(24));
            daylight.utc_offset = -dst_west;
        }
        // zic always writes the rule; POSIX leaves its absence to the
        // implementation, and guessing US rules would be a silent shift.
        if (at_end()) return fail("it has daylight time but no rule for when it starts");
        CLEARPOST_ASSIGN(tz.start, change());
        CLEARPOST_ASSIGN(tz.end, change());
        if (!at_end()) return fail("unexpected text after the rule");
        tz.daylight = std::move(daylight);
        return tz;
    }

private:
    bool at_end() const { return m_pos >= m_text.size(); }
    char peek() const { return at_end() ? '\0' : m_text[m_pos]; }
    static bool is_digit(char c) { return c >= '0' && c <= '9'; }
    static bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

    Error fail(const std::string& what) const {
        return make_error(ErrorCode::Corrupt,
                          "its TZ rule '" + std::string(m_text) + "' is malformed: " + what);
    }

    Result<std::string> name() {
        std::string out;
        if (peek() == '<') {
            ++m_pos;
            while (!at_end() && peek() != '>') {
                const char c = peek();
                if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-')
                    return fail("a quoted zone abbreviation holds an unexpected character");
                out.push_back(c);
                ++m_pos;
            }
            if (at_end()) return fail("a quoted zone abbreviation is not closed with '>'");
            ++m_pos;
        } else {
            while (is_alpha(peek())) out.push_back(m_text[m_pos++]);
        }
        if (out.size() < 3) return fail("a zone abbreviation is shorter than three characters");
        return out;
    }

    Result<int> number(int max_digits, int max_value) {
        if (!is_digit(peek())) return fail("a number was expected");
        int value = 0;
        int digits = 0;
        while (is_digit(peek())) {
            if (++digits > max_digits) return fail("a number has too many digits");
            value = value * 10 + (m_text[m_pos++] - '0');
        }
        if (value > max_value) return fail("a number is out of range");
        return value;
    }

    // [+|-]hh[:mm[:ss]] in seconds.
    Result<std::int32_t> hms(int max_hours) {
        int sign = 1;
        if (peek() == '+' || peek() == '-') {
            if (peek() == '-') sign = -1;
            ++m_pos;
        }
        CLEARPOST_ASSIGN(const int h, number(3, max_hours));
        int m = 0;
        int s = 0;
        if (peek() == ':') {
            ++m_pos;
            CLEARPOST_ASSIGN(m, number(2, 59));
            if (peek() == ':') {
                ++m_pos;
                CLEARPOST_ASSIGN(s, number(2, 59));
            }
        }
        return sign * (h * 3600 + m * 60 + s);
    }

    // ",date[/time]"
    Result<ChangeRule> change() {
        if (peek() != ',') return fail("',' was expected before a change rule");
        ++m_pos;
        ChangeRule rule;
        if (peek() == 'J') {
            ++m_pos;
            rule.kind = ChangeRule::Kind::JulianNoLeap;
            CLEARPOST_ASSIGN(rule.day, number(3, 365));
            if (rule.day < 1) return fail("a Jn day must be 1..365");
        } else if (peek() == 'M') {
            ++m_pos;
            rule.kind = ChangeRule::Kind::MonthWeekDay;
            CLEARPOST_ASSIGN(rule.month, number(2, 12));
            if (rule.month < 1) return fail("a month must be 1..12");
            if (peek() != '.') return fail("'.' was expected in Mm.w.d");
            ++m_pos;
            CLEARPOST_ASSIGN(rule.week, number(1, 5));
            if (rule.week < 1) return fail("a week must be 1..5");
            if (peek() != '.') return fail("'.' was expected in Mm.w.d");
            ++m_pos;
            CLEARPOST_ASSIGN(rule.day, number(1, 6));
        } else {
            rule.kind = ChangeRule::Kind::JulianZero;
            CLEARPOST_ASSIGN(rule.day, number(3, 365));
        }
        if (peek() == '/') {
            ++m_pos;
            CLEARPOST_ASSIGN(rule.time, hms(167));
        }
        return rule;
    }

    std::string_view m_text;
    std::size_t m_pos = 0;
};

std::int64_t change_day(const ChangeRule& rule, int year) {
    using namespace std::chrono;
    const std::chrono::year y{year};
    switch (rule.kind) {
    case ChangeRule::Kind::JulianNoLeap: {
        const int leap_day = (y.is_leap() && rule.day >= 60) ? 1 : 0;
        return days_from_civil(year, 1, 1) + rule.day - 1 + leap_day;
    }
    case ChangeRule::Kind::JulianZero:
        return days_from_civil(year, 1, 1) + rule.day;
    case ChangeRule::Kind::MonthWeekDay: {
        const month m{static_cast<unsigned>(rule.month)};
        const weekday wd{static_cast<unsigned>(rule.day)};
        const sys_days d = rule.week == 5
                               ? sys_days{y / m / wd[last]}
                               : sys_days{y / m / wd[static_cast<unsigned>(rule.week)]};
        return d.time_since_epoch().count();
    }
    }
    return 0;
}

int utc_year(std::int64_t instant) {
    using namespace std::chrono;
    const year_month_day ymd{floor<days>(sys_seconds{seconds{instant}})};
    return int(ymd.year());
}

struct Change {
    std::int64_t at;
    bool to_daylight;
};

// The changes of years first..last in time order. Changes that coincide (a
// zone on permanent daylight time written as "0/0,J365/25") keep year order,
// so the later year's start wins.
std::vector<Change> changes_between(const PosixTz& tz, int first, int last) {
    std::vector<Change> out;
    for (int y = first; y <= last; ++y) {
        out.push_back({change_day(tz.start, y) * kSecondsPerDay + tz.start.time -
                           tz.standard.utc_offset,
                       true});
        out.push_back({change_day(tz.end, y) * kSecondsPerDay + tz.end.time -
                           tz.daylight->utc_offset,
                       false});
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const Change& a, const Change& b) { return a.at < b.at; });
    return out;
}

// ---- TZif (RFC 8536 section 3) ----

class ByteReader {
public:
    explicit ByteReader(std::string_view bytes) : m_bytes(bytes) {}

    bool has(std::uint64_t n) const { return n <= m_bytes.size() - m_pos; }
    std::size_t position() const { return m_pos; }
    void skip(std::size_t n) { m_pos += n; }
    std::string_view take(std::size_t n) {
        const auto out = m_bytes.substr(m_pos, n);
        m_pos += n;
        return out;
    }
    std::uint8_t u8() { return static_cast<std::uint8_t>(m_bytes[m_pos++]); }
    std::uint32_t u32() {
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) v = v << 8 | u8();
        return v;
    }
    std::uint64_t u64() {
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i) v = v << 8 | u8();
        return v;
    }
    // Two's complement reinterpretation; well defined since C++20.
    std::int32_t i32() { return static_cast<std::int32_t>(u32()); }
    std::int64_t i64() { return static_cast<std::int64_t>(u64()); }

private:
    std::string_view m_bytes;
    std::size_t m_pos = 0;
};

struct Header {
    char version = 0;
    std::uint32_t isutcnt = 0;
    std::uint32_t isstdcnt = 0;
    std::uint32_t leapcnt = 0;
    std::uint32_t timecnt = 0;
    std::uint32_t typecnt = 0;
    std::uint32_t charcnt = 0;

    std::uint64_t block_size(std::uint64_t time_size) const {
        return timecnt * time_size + timecnt + typecnt * std::uint64_t{6} + charcnt +
               leapcnt * (time_size + 4) + isstdcnt + isutcnt;
    }
};

Error corrupt(const std::string& what) { return make_error(ErrorCode::Corrupt, what); }

Result<Header> read_header(ByteReader& in) {
    if (!in.has(44)) return corrupt("its TZif header is truncated");
    if (in.take(4) != "TZif") return corrupt("it is not TZif data");
    Header h;
    h.version = static_cast<char>(in.u8());
    in.skip(15);
    h.isutcnt = in.u32();
    h.isstdcnt = in.u32();
    h.leapcnt = in.u32();
    h.timecnt = in.u32();
    h.typecnt = in.u32();
    h.charcnt = in.u32();
    if (h.typecnt == 0 || h.typecnt > 256)
        return corrupt("its count of time types is out of range");
    if (h.charcnt == 0) return corrupt("it has no abbreviation characters");
    if ((h.isutcnt != 0 && h.isutcnt != h.typecnt) || (h.isstdcnt != 0 && h.isstdcnt != h.typecnt))
        return corrupt("its UT/standard indicator counts do not match its time types");
    return h;
}

Result<ZoneRules> read_block(ByteReader& in, const Header& h, int time_size) {
    if (!in.has(h.block_size(static_cast<std::uint64_t>(time_size))))
        return corrupt("its TZif data is truncated");
    if (h.leapcnt != 0) {
        return make_error(ErrorCode::Incompatible,
                          "it counts leap seconds, which Clearpost does not support");
    }
    ZoneRules rules;
    rules.transitions.reserve(h.timecnt);
    for (std::uint32_t i = 0; i < h.timecnt; ++i) {
        const std::int64_t t = time_size == 8 ? in.i64() : std::int64_t{in.i32()};
        if (!rules.transitions.empty() && t <= rules.transitions.back())
            return corrupt("its transition times are not in ascending order");
        rules.transitions.push_back(t);
    }
    rules.transition_types.reserve(h.timecnt);
    for (std::uint32_t i = 0; i < h.timecnt; ++i) {
        const std::uint8_t type = in.u8();
        if (type >= h.typecnt) return corrupt("a transition names a time type that does not exist");
        rules.transition_types.push_back(type);
    }
    struct RawType {
        std::int32_t utc_offset;
        std::uint8_t is_dst;
        std::uint8_t abbreviation_index;
    };
    std::vector<RawType> raw(h.typecnt);
    for (auto& r : raw) {
        r.utc_offset = in.i32();
        r.is_dst = in.u8();
        r.abbreviation_index = in.u8();
    }
    const std::string_view chars = in.take(h.charcnt);
    for (const auto& r : raw) {
        // RFC 8536 3.2: utoff must not be -2^31 and should lie in -89999..93599.
        if (r.utc_offset < -89999 || r.utc_offset > 93599)
            return corrupt("a UTC offset is out of range");
        if (r.is_dst > 1) return corrupt("a DST flag is neither 0 nor 1");
        if (r.abbreviation_index >= chars.size())
            return corrupt("an abbreviation index is out of range");
        const auto end = chars.find('\0', r.abbreviation_index);
        if (end == std::string_view::npos) return corrupt("an abbreviation is not terminated");
        rules.types.push_back(TimeType{
            r.utc_offset, r.is_dst == 1,
            std::string(chars.substr(r.abbreviation_index, end - r.abbreviation_index))});
    }
    // Leap records are refused above; the UT/standard indicators only matter
    // for POSIX-style TZ strings without rules, which zic never writes.
    in.skip(h.isstdcnt + std::size_t{h.isutcnt});
    return rules;
}

}  // namespace

const TimeType& PosixTz::type_at(std::int64_t instant) const {
    if (!daylight) return standard;
    const int y = utc_year(instant);
    const auto changes = changes_between(*this, y - 1, y + 1);
    // The state after the last change at or before `instant`; before the
    // first one, the opposite of what that first change switches to.
    bool in_daylight = !changes.front().to_daylight;
    for (const auto& c : changes) {
        if (c.at > instant) break;
        in_daylight = c.to_daylight;
    }
    return in_daylight ? *daylight : standard;
}

std::optional<std::int64_t> PosixTz::next_change(std::int64_t instant) const {
    if (!daylight) return std::nullopt;
    const int y = utc_year(instant);
    for (const auto& c : changes_between(*this, y - 1, y + 2)) {
        if (c.at > instant) return c.at;
    }
    return std::nullopt;
}

const TimeType& ZoneRules::type_at(std::int64_t instant) const {
    if (transitions.empty()) return footer ? footer->type_at(instant) : types.front();
    // RFC 8536: time type 0 applies before the first transition.
    if (instant < transitions.front()) return types.front();
    if (footer && instant > transitions.back()) return footer->type_at(instant);
    const auto it = std::upper_bound(transitions.begin(), transitions.end(), instant);
    const auto index = static_cast<std::size_t>(it - transitions.begin()) - 1;
    return types[transition_types[index]];
}

std::optional<std::int64_t> ZoneRules::next_transition(std::int64_t instant) const {
    const auto it = std::upper_bound(transitions.begin(), transitions.end(), instant);
    if (it != transitions.end()) return *it;
    if (!footer) return std::nullopt;
    const std::int64_t from = transitions.empty() ? instant : std::max(instant, transitions.back());
    return footer->next_change(from);
}

Result<PosixTz> parse_posix_tz(std::string_view text) { return PosixParser(text).parse(); }

Result<ZoneRules> parse_tzif(std::string_view bytes) {
    ByteReader in(bytes);
    CLEARPOST_ASSIGN(const Header v1, read_header(in));
    if (v1.version == '\0') return read_block(in, v1, 4);

    // Version 2 and later repeat the data with 64-bit times after the 32-bit
    // block, then add the footer. Later versions only extend what version 2
    // allows, so any version from '2' on reads the same way.
    if (!in.has(v1.block_size(4))) return corrupt("its TZif data is truncated");
    in.skip(static_cast<std::size_t>(v1.block_size(4)));
    CLEARPOST_ASSIGN(const Header v2, read_header(in));
    CLEARPOST_ASSIGN(ZoneRules rules, read_block(in, v2, 8));

    if (!in.has(1) || in.u8() != '\n') return corrupt("its TZ rule footer is missing");
    const auto rest = bytes.substr(in.position());
    const auto newline = rest.find('\n');
    if (newline == std::string_view::npos) return corrupt("its TZ rule footer is not terminated");
    if (newline > 0) {
        CLEARPOST_ASSIGN(rules.footer, parse_posix_tz(rest.substr(0, newline)));
    }
    return rules;
}

Result<LocalMapping> map_local(const ZoneRules& rules, std::int64_t local_seconds) {
    // Offsets stay within +-26 hours, so every instant that can show this
    // wall-clock time, and every change that matters, lies in this window.
    constexpr std::int64_t kWindow = 2 * kSecondsPerDay;
    struct Shift {
        std::int64_t at;
        const TimeType* before;
        const TimeType* after;
    };
    std::vector<std::int32_t> offsets{rules.type_at(local_seconds - kWindow).utc_offset};
    std::vector<Shift> shifts;
    std::int64_t cursor = local_seconds - kWindow;
    // The bound only guards against absurd data; real zones change a few
    // times a year.
    for (int i = 0; i < 256; ++i) {
        const auto next = rules.next_transition(cursor);
        if (!next || *next > local_seconds + kWindow) break;
        const TimeType& before = rules.type_at(*next - 1);
        const TimeType& after = rules.type_at(*next);
        if (before.utc_offset != after.utc_offset) {
            shifts.push_back({*next, &before, &after});
            offsets.push_back(after.utc_offset);
        }
        cursor = *next;
    }

    std::vector<std::int64_t> hits;
    for (const auto offset : offsets) {
        const std::int64_t candidate = local_seconds - offset;
        if (rules.type_at(candidate).utc_offset == offset) hits.push_back(candidate);
    }
    std::sort(hits.begin(), hits.end());
    hits.erase(std::unique(hits.begin(), hits.end()), hits.end());

    LocalMapping out;
    if (hits.size() == 1) {
        out.kind = LocalMapping::Kind::Unique;
        out.earlier = out.later = hits.front();
        return out;
    }
    if (hits.empty()) {
        for (const auto& s : shifts) {
            if (s.at + s.before->utc_offset <= local_seconds &&
                local_seconds < s.at + s.after->utc_offset) {
                out.kind = LocalMapping::Kind::Gap;
                out.earlier = s.at - 1;
                out.later = s.at;
                out.change = s.at;
                out.before = s.before;
                out.after = s.after;
                return out;
            }
        }
        return make_error(ErrorCode::Corrupt,
                          "its data maps a wall-clock time to no instant without a clock change");
    }
    out.kind = LocalMapping::Kind::Overlap;
    out.earlier = hits.front();
    out.later = hits.back();
    out.change = out.later;
    out.before = &rules.type_at(out.earlier);
    out.after = &rules.type_at(out.later);
    for (const auto& s : shifts) {
        if (s.at > out.earlier && s.at <= out.later) {
            out.change = s.at;
            out.before = s.before;
            out.after = s.after;
            break;
        }
    }
    return out;
}

}  // namespace clearpost::schedule::detail
