#include "calendar.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>

#include "backend.h"
#include "clearpost/analytics/dashboard.h"
#include "clearpost/workflow/admin.h"
#include "queue.h"

namespace clearpost::gui {
namespace {

namespace chr = std::chrono;

chr::sys_days to_days(const schedule::LocalDate& d) {
    return chr::sys_days(chr::year(d.year) / chr::month(static_cast<unsigned>(d.month)) /
                         chr::day(static_cast<unsigned>(d.day)));
}

schedule::LocalDate from_days(chr::sys_days days) {
    const chr::year_month_day ymd(days);
    return {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
            static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

}  // namespace

CalendarGroup calendar_group(model::State state) {
    using model::State;
    switch (state) {
    case State::Draft:
    case State::InReview:
    case State::ChangesRequested:
    case State::Approved: return CalendarGroup::Planned;
    case State::Published: return CalendarGroup::Published;
    case State::Failed:
    case State::NeedsAttention: return CalendarGroup::Problem;
    case State::Paused:
    case State::Cancelled:
    case State::Removed: return CalendarGroup::Stopped;
    default: return CalendarGroup::Upcoming;
    }
}

Result<std::array<schedule::LocalDate, 42>> month_grid(int year, int month) {
    if (month < 1 || month > 12 || year < 2 || year > 9998) {
        return make_error(ErrorCode::Invalid, "no calendar for " + std::to_string(year) + "-" + std::to_string(month));
    }
    const auto first = to_days({year, month, 1});
    // Monday on or before the 1st (ISO 8601 weeks).
    const auto start = first - (chr::weekday(first) - chr::Monday);
    std::array<schedule::LocalDate, 42> grid;
    for (int i = 0; i < 42; ++i) grid[static_cast<std::size_t>(i)] = from_days(start + chr::days(i));
    return grid;
}

CalendarMonth arrange_month(int year, int month, const std::array<schedule::LocalDate, 42>& grid,
                            const std::vector<store::CalendarItem>& items, const schedule::TimeZone& zone,
                            const std::vector<model::Account>& accounts) {
    CalendarMonth m;
    m.year = year;
    m.month = month;
    m.zone = zone.name();
    std::map<model::Id, std::string> networks;
    for (const auto& a : accounts) networks[a.id] = a.network;
    const auto first_day = to_days(grid.front());
    for (std::size_t i = 0; i < grid.size(); ++i) {
        m.days[i].date = grid[i];
        m.days[i].in_month = grid[i].month == month;
    }
    m.entries.reserve(items.size());
    for (const auto& item : items) {
        auto local = schedule::utc_to_local(item.scheduled_at, zone);
        if (!local) continue;
        const auto index = (to_days(local->local.date()) - first_day).count();
        if (index < 0 || index >= static_cast<long>(grid.size())) continue;
        auto& day = m.days[static_cast<std::size_t>(index)];
        // Items come in time order, so each day's entries are contiguous.
        if (day.count == 0) day.first = m.entries.size();
        ++day.count;
        ++day.groups[static_cast<std::size_t>(calendar_group(item.state))];
        char time[8];
        std::snprintf(time, sizeof time, "%02d:%02d", local->local.hour, local->local.minute);
        auto network = networks.find(item.account_id);
        m.entries.push_back({item.target_id, item.post_id, item.state,
                             item.account_id == 0        ? std::string("planned")
                             : network != networks.end() ? network->second
                                                         : std::string("?"),
                             time});
    }
    return m;
}

schedule::LocalDate add_days(const schedule::LocalDate& date, int days) {
    return from_days(to_days(date) + chr::days(days));
}

std::pair<int, int> add_months(int year, int month, int delta) {
    const int index = year * 12 + (month - 1) + delta;
    return {index / 12, index % 12 + 1};
}

Result<CalendarMonth> load_month(store::Store& store, int year, int month, UnixSeconds now) {
    CLEARPOST_ASSIGN(auto org, store.organisation());
    schedule::TzDatabase zones;
    CLEARPOST_ASSIGN(auto zone, zones.find(org.default_zone));
    CLEARPOST_ASSIGN(auto today, schedule::utc_to_local(now, zone));
    if (year == 0) {
        year = today.local.year;
        month = today.local.month;
    }
    CLEARPOST_ASSIGN(auto grid, month_grid(year, month));
    const auto after = from_days(to_days(grid.back()) + chr::days(1));
    CLEARPOST_ASSIGN(auto period, analytics::local_days(zone, grid.front(), after));
    CLEARPOST_ASSIGN(auto items, store.calendar(period.from, period.to));
    // Posts on their way through review, at the time they are planned for:
    // what the team will see go out, before it is queued.
    for (auto state : {model::State::InReview, model::State::ChangesRequested, model::State::Approved}) {
        store::PostFilter filter;
        filter.state = state;
        filter.limit = 10000;
        CLEARPOST_ASSIGN(auto posts, store.list_posts(filter));
        for (const auto& p : posts)
            if (p.scheduled_at && *p.scheduled_at >= period.from && *p.scheduled_at < period.to)
                items.push_back({0, p.post.id, 0, p.post.state, *p.scheduled_at});
    }
    std::stable_sort(items.begin(), items.end(), [](const store::CalendarItem& a, const store::CalendarItem& b) {
        return a.scheduled_at < b.scheduled_at;
    });
    CLEARPOST_ASSIGN(auto accounts, store.list_accounts());
    auto m = arrange_month(year, month, grid, items, zone, accounts);
    m.today = today.local.date();
    CLEARPOST_ASSIGN(m.moves_keep_approval, workflow::reschedule_keeps_approval(store));
    return m;
}

Result<MoveOutcome> move_post(Services& s, const model::User& user, model::Id post_id,
                              const schedule::LocalDateTime& local) {
    CLEARPOST_ASSIGN(auto org, s.store.organisation());
    schedule::TzDatabase zones;
    CLEARPOST_ASSIGN(auto zone, zones.find(org.default_zone));
    CLEARPOST_ASSIGN(const UnixSeconds at, schedule::local_to_utc(local, zone, schedule::DstChoice::Reject));
    CLEARPOST_ASSIGN(auto before, s.flow.detail(post_id));
    CLEARPOST_ASSIGN(auto moved, s.flow.reschedule(user, post_id, at));
    MoveOutcome out;
    out.kept_approval = moved.kept_approval;
    out.version = moved.version;
    out.when = local_minutes(at, &zone);
    const auto was = before.post.state;
    if (!moved.kept_approval &&
        (was == model::State::InReview || was == model::State::Approved || was == model::State::Scheduled)) {
        CLEARPOST_CHECK(s.flow.submit(user, post_id));
        out.resubmitted = true;
    }
    return out;
}

}  // namespace clearpost::gui
