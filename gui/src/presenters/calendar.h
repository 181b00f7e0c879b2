#pragma once
// The month calendar without widgets: six weeks of days (Monday first, ISO
// 8601) around a month, each with its targets in the organisation's time
// zone, counted by what they need from people. Built on the worker from one
// indexed query; the panel only paints it, so a month with 10,000 posts
// stays smooth (a day cell shows counts and the first few rows).

#include <array>
#include <string>
#include <vector>

#include "clearpost/model/model.h"
#include "clearpost/store/store.h"
#include "clearpost/schedule/local_datetime.h"
#include "clearpost/schedule/time_zone.h"

namespace clearpost::gui {

// How a calendar colours a target. A post still on its way through review
// (a draft, in review, sent back or approved but not yet queued) shows at
// its planned time as Planned, once, without targets.
enum class CalendarGroup { Planned, Upcoming, Published, Problem, Stopped };
inline constexpr std::size_t kCalendarGroups = 5;
CalendarGroup calendar_group(model::State state);

struct CalendarEntry {
    model::Id target_id = 0;  // 0 for a planned post: it has no targets yet
    model::Id post_id = 0;
    model::State state = model::State::Scheduled;
    std::string network;
    std::string time;  // local "09:00"
};

struct CalendarDay {
    schedule::LocalDate date;
    bool in_month = false;
    std::size_t first = 0;  // this day's entries: entries[first, first + count)
    std::size_t count = 0;
    std::array<int, kCalendarGroups> groups{};  // count per CalendarGroup
};

struct CalendarMonth {
    int year = 1970;
    int month = 1;
    std::string zone;
    schedule::LocalDate today;  // in the organisation's zone, when the month was read
    bool moves_keep_approval = false;  // the organisation's policy for moving a queued post
    std::array<CalendarDay, 42> days;
    std::vector<CalendarEntry> entries;  // in time order
};

// The 42 days shown for `year`/`month`: from the Monday on or before the
// 1st. Invalid for a month outside 1..12 or a year outside 2..9998.
Result<std::array<schedule::LocalDate, 42>> month_grid(int year, int month);

// Places `items` (as Store::calendar gives them, in time order; account 0
// for a planned post) on the grid in `zone`; `accounts` give the networks.
CalendarMonth arrange_month(int year, int month, const std::array<schedule::LocalDate, 42>& grid,
                            const std::vector<store::CalendarItem>& items, const schedule::TimeZone& zone,
                            const std::vector<model::Account>& accounts);

// Reads the month in the organisation's time zone, queued and past targets
// and posts in review or approved at their planned time; year 0 means the
// month that holds `now` there.
Result<CalendarMonth> load_month(store::Store& store, int year, int month, UnixSeconds now = system_now());

// Moves post `post_id` to `local` in the organisation's zone for `user`
// (workflow::reschedule). A time that does not exist or happens twice there
// (DST) is refused with core's explanation. When the move made a new
// version of a post that was in review, approved or queued, that version is
// sent for review at once, so the post is not silently left as a draft.
struct MoveOutcome {
    bool kept_approval = false;
    int version = 0;         // the new version, when one was made
    bool resubmitted = false;
    std::string when;        // the new time, e.g. "2030-03-12 03:00 EDT"
};
struct Services;
Result<MoveOutcome> move_post(Services& services, const model::User& user, model::Id post_id,
                              const schedule::LocalDateTime& local);

// `date` moved by `days` (negative: back).
schedule::LocalDate add_days(const schedule::LocalDate& date, int days);

// The month before (-1) or after (+1) year/month.
std::pair<int, int> add_months(int year, int month, int delta);

}  // namespace clearpost::gui
