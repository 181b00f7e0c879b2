#include "clearpost/schedule/time_zone.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <system_error>

#include "civil.h"
#include "tz_rules.h"

namespace clearpost::schedule {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDefaultZoneinfo = "/usr/share/zoneinfo";
// The largest zone files are a few kilobytes; anything far bigger is not one.
constexpr std::uintmax_t kMaxZoneFileBytes = 1024 * 1024;

Error unknown_zone(std::string_view name) {
    return make_error(ErrorCode::NotFound, "unknown time zone '" + std::string(name) +
                                               "'; use an IANA name such as America/New_York");
}

// IANA names are '/'-separated parts of letters, digits and ". _ - +"
// ("America/Port-au-Prince", "Etc/GMT+5"). Refusing parts that start with
// '.' or '-' and empty parts rules out "..", absolute paths and options.
bool is_zone_name(std::string_view name) {
    if (name.empty() || name.size() > 128) return false;
    std::size_t part_length = 0;
    for (std::size_t i = 0; i <= name.size(); ++i) {
        if (i == name.size() || name[i] == '/') {
            if (part_length == 0) return false;
            part_length = 0;
            continue;
        }
        const char c = name[i];
        const bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        const bool digit = c >= '0' && c <= '9';
        if (!letter && !digit && c != '.' && c != '_' && c != '-' && c != '+') return false;
        if (part_length == 0 && (c == '.' || c == '-')) return false;
        ++part_length;
    }
    return true;
}

std::string format_offset(std::int32_t offset) {
    const char sign = offset < 0 ? '-' : '+';
    const std::int32_t magnitude = offset < 0 ? -offset : offset;
    char buf[32];
    if (magnitude % 60 != 0) {
        std::snprintf(buf, sizeof buf, "%c%02d:%02d:%02d", sign, magnitude / 3600,
                      magnitude / 60 % 60, magnitude % 60);
    } else {
        std::snprintf(buf, sizeof buf, "%c%02d:%02d", sign, magnitude / 3600, magnitude / 60 % 60);
    }
    return buf;
}

std::string describe_type(const detail::TimeType& type) {
    return format_offset(type.utc_offset) + " (" + type.abbreviation + ")";
}

std::string clock_at(std::int64_t local_seconds) {
    return detail::describe_clock(detail::from_local_seconds(local_seconds));
}

Error gap_error(const LocalDateTime& local, const TimeZone& zone,
                const detail::LocalMapping& gap) {
    const std::int64_t from = gap.change + gap.before->utc_offset;
    const std::int64_t to = gap.change + gap.after->utc_offset;
    return make_error(ErrorCode::Invalid,
                      detail::describe(local) + " does not exist in " + zone.name() +
                          ": clocks jump from " + clock_at(from) + " to " + clock_at(to) +
                          " that day (" + gap.before->abbreviation + " to " +
                          gap.after->abbreviation + "); choose a time before or after the jump, "
                          "such as " + clock_at(from - 60) + " or " + clock_at(to));
}

Error overlap_error(const LocalDateTime& local, const TimeZone& zone,
                    const detail::LocalMapping& overlap) {
    const std::int64_t from = overlap.change + overlap.before->utc_offset;
    const std::int64_t to = overlap.change + overlap.after->utc_offset;
    return make_error(ErrorCode::Invalid,
                      detail::describe(local) + " happens twice in " + zone.name() +
                          ": clocks fall back from " + clock_at(from) + " to " + clock_at(to) +
                          " that day, so it occurs first at " + describe_type(*overlap.before) +
                          " and again at " + describe_type(*overlap.after) +
                          "; choose the earlier or the later occurrence, or a time outside " +
                          clock_at(to) + " to " + clock_at(from));
}

}  // namespace

namespace detail {
const ZoneRules& rules_of(const TimeZone& zone) noexcept { return *zone.m_rules; }
}  // namespace detail

TimeZone::TimeZone(std::string name, std::shared_ptr<const detail::ZoneRules> rules)
    : m_name(std::move(name)), m_rules(std::move(rules)) {}

Result<TimeZone> TimeZone::from_tzif(std::string name, std::string_view bytes) {
    auto rules = detail::parse_tzif(bytes);
    if (!rules.ok()) {
        const Error& e = rules.error();
        const std::string advice =
            e.code == ErrorCode::Incompatible
                ? "use the zone without leap seconds (the plain name, not 'right/...')"
                : "reinstall the system's time zone database (the tzdata package)";
        return make_error(e.code, "time zone '" + name + "' cannot be used: " + e.message + "; " +
                                      advice);
    }
    return TimeZone(std::move(name),
                    std::make_shared<const detail::ZoneRules>(std::move(rules).value()));
}

TimeZone TimeZone::utc() {
    detail::ZoneRules rules;
    rules.types.push_back(detail::TimeType{0, false, "UTC"});
    return TimeZone("UTC", std::make_shared<const detail::ZoneRules>(std::move(rules)));
}

TzDatabase::TzDatabase(std::filesystem::path root) : m_root(std::move(root)) {
    if (m_root.empty()) {
        const char* env = std::getenv("TZDIR");
        m_root = (env != nullptr && *env != '\0') ? fs::path(env) : fs::path(kDefaultZoneinfo);
    }
}

Result<TimeZone> TzDatabase::find(std::string_view name) {
    {
        const std::lock_guard lock(m_mutex);
        if (const auto it = m_zones.find(name); it != m_zones.end()) return it->second;
    }
    if (!is_zone_name(name)) {
        return make_error(ErrorCode::Invalid, "'" + std::string(name) +
                                                  "' is not a time zone name; use an IANA name "
                                                  "such as America/New_York");
    }
    // Read outside the lock: other threads keep finding cached zones meanwhile.
    const fs::path path = m_root / fs::path(std::string(name));
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return unknown_zone(name);
    const auto size = fs::file_size(path, ec);
    if (ec || size > kMaxZoneFileBytes) return unknown_zone(name);

    std::ifstream in(path, std::ios::binary);
    const auto unreadable = [&] {
        return make_error(ErrorCode::Io, "could not read time zone file '" + path.string() +
                                             "'; check that it exists and is readable");
    };
    if (!in.is_open()) return unreadable();
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return unreadable();
    // zoneinfo also holds tables such as zone.tab: not a zone, so "unknown".
    if (bytes.compare(0, 4, "TZif") != 0) return unknown_zone(name);

    CLEARPOST_ASSIGN(TimeZone zone, TimeZone::from_tzif(std::string(name), bytes));
    const std::lock_guard lock(m_mutex);
    // Another thread may have loaded the same zone meanwhile; keep one copy.
    return m_zones.try_emplace(std::string(name), std::move(zone)).first->second;
}

Result<ZonedTime> utc_to_local(UnixSeconds instant, const TimeZone& zone) {
    const auto out_of_range = [&] {
        return make_error(ErrorCode::Invalid,
                          "instant " + std::to_string(instant) + " is not between the years 1 "
                          "and 9999 in " + zone.name() + "; use a time within that range");
    };
    // Offsets are below a day, so this keeps the arithmetic below in range.
    constexpr std::int64_t kSlack = 2 * detail::kSecondsPerDay;
    if (instant < detail::kMinLocalSeconds - kSlack || instant > detail::kMaxLocalSeconds + kSlack)
        return out_of_range();
    const detail::TimeType& type = detail::rules_of(zone).type_at(instant);
    const std::int64_t local = instant + type.utc_offset;
    if (local < detail::kMinLocalSeconds || local > detail::kMaxLocalSeconds)
        return out_of_range();
    return ZonedTime{instant, detail::from_local_seconds(local), type.utc_offset, type.is_dst,
                     type.abbreviation};
}

Result<UnixSeconds> local_to_utc(const LocalDateTime& local, const TimeZone& zone,
                                 DstChoice choice) {
    if (auto valid = validate(local); !valid.ok()) {
        return make_error(ErrorCode::Invalid,
                          "the local time is not valid: " + valid.error().message);
    }
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
        return m.earlier;
    case detail::LocalMapping::Kind::Gap:
    case detail::LocalMapping::Kind::Overlap:
        switch (choice) {
        case DstChoice::Earlier: return m.earlier;
        case DstChoice::Later: return m.later;
        case DstChoice::Reject: break;
        }
        return m.kind == detail::LocalMapping::Kind::Gap ? gap_error(local, zone, m)
                                                         : overlap_error(local, zone, m);
    }
    return m.earlier;
}

Result<UnixSeconds> end_of_day(const LocalDate& day, const TimeZone& zone) {
    CLEARPOST_CHECK(validate(day));
    if (day.year > 9998) return make_error(ErrorCode::Invalid, "the last supported day is 9998-12-31");
    const auto next = detail::from_local_seconds(
        (detail::days_from_civil(day.year, day.month, day.day) + 1) * detail::kSecondsPerDay);
    return local_to_utc(next, zone, DstChoice::Later);
}

std::string format_iso8601(const ZonedTime& time) {
    return format_local_datetime(time.local) + format_offset(time.utc_offset);
}

}  // namespace clearpost::schedule
