#pragma once
// IANA time zones read from the system tz database (TZif files, RFC 8536),
// and conversion between UTC instants and wall-clock times.
//
// Clearpost stores every instant in UTC and keeps the zone name beside it;
// this header is where the two meet. Conversions never shift a time silently:
// a wall-clock time that does not exist (spring forward) or happens twice
// (fall back) is an error unless the caller says which instant it means.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "clearpost/base/result.h"
#include "clearpost/base/time.h"
#include "clearpost/schedule/local_datetime.h"

namespace clearpost::schedule {

class TimeZone;
namespace detail {
struct ZoneRules;
const ZoneRules& rules_of(const TimeZone& zone) noexcept;
}  // namespace detail

// One zone's complete history and future rule. Cheap to copy (the rules are
// shared and immutable), safe to use from several threads at once.
class TimeZone {
public:
    // Reads TZif bytes (versions 1 to 4; the 64-bit data and the POSIX TZ
    // footer of version 2+ when present). For tests and for zone files that
    // do not live in a TzDatabase. Errors: Corrupt for damaged data,
    // Incompatible for files that count leap seconds ("right/" zones).
    static Result<TimeZone> from_tzif(std::string name, std::string_view bytes);

    // UTC itself, without touching the file system.
    static TimeZone utc();

    // The IANA name this zone was loaded as ("America/New_York").
    const std::string& name() const noexcept { return m_name; }

private:
    TimeZone(std::string name, std::shared_ptr<const detail::ZoneRules> rules);
    friend const detail::ZoneRules& detail::rules_of(const TimeZone& zone) noexcept;

    std::string m_name;
    std::shared_ptr<const detail::ZoneRules> m_rules;
};

// The zones of one zoneinfo directory, each loaded on first use and then kept.
// Owned by whoever wires the application together; find() may be called from
// several threads at once.
class TzDatabase {
public:
    // An empty `root` means $TZDIR when that is set and not empty, otherwise
    // /usr/share/zoneinfo. The directory is not read until find() is called.
    explicit TzDatabase(std::filesystem::path root = {});
    TzDatabase(const TzDatabase&) = delete;
    TzDatabase& operator=(const TzDatabase&) = delete;

    // The zone called `name`, e.g. "Europe/London". Errors: Invalid when the
    // name is not shaped like an IANA name (this also refuses "..", absolute
    // paths and anything else that could leave the root), NotFound when no
    // such zone exists, Corrupt/Incompatible/Io when its file cannot be used.
    // Failures are not cached, so a zone installed later is found later.
    Result<TimeZone> find(std::string_view name);

    const std::filesystem::path& root() const noexcept { return m_root; }

private:
    std::filesystem::path m_root;
    std::mutex m_mutex;  // guards m_zones
    std::map<std::string, TimeZone, std::less<>> m_zones;
};

// What to do with a wall-clock time that a DST change makes ambiguous.
enum class DstChoice {
    // Refuse: the error says what happened and which times would work.
    Reject,
    // In a gap (clocks jump forward over the time): the last second before
    // the jump (01:59:59 when clocks jump from 02:00 to 03:00).
    // In an overlap (clocks fall back): the first occurrence.
    Earlier,
    // In a gap: the instant of the jump itself, the first second after it
    // (03:00:00 when clocks jump from 02:00 to 03:00).
    // In an overlap: the second occurrence.
    Later,
};

// An instant seen in a zone.
struct ZonedTime {
    UnixSeconds instant = 0;
    LocalDateTime local;
    std::int32_t utc_offset = 0;  // seconds east of UTC: -14400 for -04:00
    bool is_dst = false;          // as the tz database flags it
    std::string abbreviation;     // "EDT", "+0530"-style names for zones without one
};

// The wall-clock time in `zone` at `instant`. Always exactly one answer;
// Invalid only when the local time would fall outside years 1..9999.
Result<ZonedTime> utc_to_local(UnixSeconds instant, const TimeZone& zone);

// The instant at which clocks in `zone` show `local`. Invalid for a malformed
// LocalDateTime, and, with DstChoice::Reject, for a time in a DST gap or
// overlap (the message names the change and suggests a time that works).
// With Earlier or Later the result is as documented on DstChoice; for times
// that happen exactly once the choice makes no difference.
Result<UnixSeconds> local_to_utc(const LocalDateTime& local, const TimeZone& zone,
                                 DstChoice choice = DstChoice::Reject);

// The instant `day` ends in `zone`: the start of the next day there, or the
// instant of the change when DST skips that midnight. For things that hold
// "through" a day, such as a patient's consent. Invalid for an impossible
// date or one outside years 1..9998.
Result<UnixSeconds> end_of_day(const LocalDate& day, const TimeZone& zone);

// ISO 8601 with the offset: "2026-03-08T03:30:00-04:00", "+00:00" for UTC.
// Offsets that are not whole minutes (local mean time before 1900) are
// written with seconds, "-04:56:02", as ISO 8601 itself has no form for them.
std::string format_iso8601(const ZonedTime& time);

}  // namespace clearpost::schedule
