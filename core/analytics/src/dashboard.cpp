#include "clearpost/analytics/dashboard.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <tuple>

namespace clearpost::analytics {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date, and back (the
// civil-calendar algorithms of H. Hinnant's "chrono-compatible low-level
// date algorithms").
std::int64_t days_from_civil(const schedule::LocalDate& d) {
    const std::int64_t y = d.year - (d.month <= 2 ? 1 : 0);
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t yoe = y - era * 400;
    const std::int64_t mp = (d.month + 9) % 12;
    const std::int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

schedule::LocalDate civil_from_days(std::int64_t z) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const auto day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    const auto month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    return {static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0)), month, day};
}

// 0 for Monday .. 6 for Sunday (1970-01-01 was a Thursday).
int weekday(const schedule::LocalDate& d) {
    const std::int64_t days = days_from_civil(d);
    return static_cast<int>(((days % 7) + 7 + 3) % 7);
}

std::optional<std::int64_t> as_integer(const std::string& text) {
    std::int64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end) return std::nullopt;
    return value;
}

void add_to(Totals& totals, std::optional<std::int64_t> engagement) {
    ++totals.posts;
    if (!engagement) return;
    ++totals.measured;
    totals.engagement += *engagement;
}

// The value below which `fraction` of the sorted values lie, linearly
// interpolated between neighbours.
double quantile(const std::vector<double>& sorted, double fraction) {
    const double at = fraction * static_cast<double>(sorted.size() - 1);
    const auto low = static_cast<std::size_t>(at);
    const std::size_t high = std::min(low + 1, sorted.size() - 1);
    return sorted[low] + (sorted[high] - sorted[low]) * (at - static_cast<double>(low));
}

struct MonthKey {
    int year;
    int month;
    friend auto operator<=>(const MonthKey&, const MonthKey&) = default;
};

Result<MonthKey> month_of(UnixSeconds t, const schedule::TimeZone& zone) {
    CLEARPOST_ASSIGN(auto local, schedule::utc_to_local(t, zone));
    return MonthKey{local.local.year, local.local.month};
}

Result<void> add_governance(store::Store& store, Dashboard& d, const schedule::TimeZone& zone) {
    std::map<MonthKey, GovernanceMonth> months;
    // Every month the period touches is shown, even a quiet one.
    CLEARPOST_ASSIGN(const MonthKey first, month_of(d.period.from, zone));
    CLEARPOST_ASSIGN(const MonthKey last, month_of(d.period.to - 1, zone));
    for (MonthKey m = first; m <= last; m = m.month == 12 ? MonthKey{m.year + 1, 1} : MonthKey{m.year, m.month + 1})
    {
        GovernanceMonth& g = months[m];
        g.year = m.year;
        g.month = m.month;
    }

    CLEARPOST_ASSIGN(auto versions, store.versions_created_between(d.period.from, d.period.to));
    for (const auto& v : versions) {
        CLEARPOST_ASSIGN(const MonthKey key, month_of(v.created_at, zone));
        GovernanceMonth& g = months.at(key);
        ++g.versions;
        if (v.verdict == "block") ++g.verdict_block;
        else if (v.verdict == "warn") ++g.verdict_warn;
        else ++g.verdict_pass;
        const auto findings = nlohmann::json::parse(v.findings_json, nullptr, false);
        if (!findings.is_array()) {
            return make_error(ErrorCode::Corrupt, "the compliance findings stored with a version of post " +
                                                      std::to_string(v.post_id) + " (created " +
                                                      format_utc(v.created_at) +
                                                      ") are not a JSON list; restore a backup");
        }
        for (const auto& f : findings) {
            const auto severity = f.is_object() ? f.value("severity", std::string()) : std::string();
            if (severity == "block") ++g.block_findings;
            else if (severity == "warn") ++g.warn_findings;
        }
    }

    CLEARPOST_ASSIGN(auto approvals, store.approvals_between(d.period.from, d.period.to));
    std::map<MonthKey, std::vector<double>> hours;
    for (const auto& a : approvals) {
        CLEARPOST_ASSIGN(const MonthKey key, month_of(a.approved_at, zone));
        ++months.at(key).approvals;
        hours[key].push_back(static_cast<double>(a.approved_at - a.submitted_at) / 3600.0);
    }
    for (auto& [key, list] : hours) {
        std::sort(list.begin(), list.end());
        months.at(key).median_turnaround_hours = quantile(list, 0.5);
        months.at(key).p90_turnaround_hours = quantile(list, 0.9);
    }
    for (auto& [key, month] : months) d.governance.push_back(month);
    return ok();
}

// The follower count of an account sample; none when the network did not
// report one. Corrupt when the stored sample is not a JSON object.
Result<std::optional<std::int64_t>> followers_of(const store::AccountSnapshot& sample) {
    CLEARPOST_ASSIGN(auto metrics, parse_metrics(sample.metrics_json,
                                                 "the sample of account " + std::to_string(sample.account_id),
                                                 sample.fetched_at));
    const auto found = metrics.find("followers");
    return found == metrics.end() ? std::nullopt : as_integer(found->second);
}

Result<void> add_audience(store::Store& store, Dashboard& d, std::int64_t first_day) {
    CLEARPOST_ASSIGN(auto samples, store.account_snapshots(d.period.from, d.period.to));
    if (samples.empty()) return ok();
    // (day index, followers) of each account's samples in the period, in time order.
    std::map<store::Id, std::vector<std::pair<std::size_t, std::int64_t>>> counts;
    for (const auto& sample : samples) {
        CLEARPOST_ASSIGN(auto followers, followers_of(sample));
        if (!followers) continue;
        CLEARPOST_ASSIGN(auto local, schedule::utc_to_local(sample.fetched_at, d.zone));
        counts[sample.account_id].emplace_back(
            static_cast<std::size_t>(days_from_civil(local.local.date()) - first_day), *followers);
    }
    if (counts.empty()) return ok();
    std::map<store::Id, std::int64_t> before;
    CLEARPOST_ASSIGN(auto latest, store.latest_account_snapshots(d.period.from));
    for (const auto& sample : latest) {
        CLEARPOST_ASSIGN(auto followers, followers_of(sample));
        if (followers) before[sample.account_id] = *followers;
    }
    CLEARPOST_ASSIGN(auto accounts, store.list_accounts());
    std::sort(accounts.begin(), accounts.end(), [](const model::Account& a, const model::Account& b) {
        return std::tie(a.network, a.handle) < std::tie(b.network, b.handle);
    });
    for (const auto& account : accounts) {
        const auto found = counts.find(account.id);
        if (found == counts.end()) continue;
        const auto& series = found->second;
        AccountAudience a;
        a.network = account.network;
        a.handle = account.handle;
        const auto earlier = before.find(account.id);
        a.start = earlier != before.end() ? earlier->second : series.front().second;
        a.end = series.back().second;
        a.samples = series.size();
        a.followers_by_day.assign(d.days.size(), a.start);
        std::size_t next = 0;
        std::int64_t current = a.start;
        for (std::size_t day = 0; day < d.days.size(); ++day) {
            while (next < series.size() && series[next].first <= day) current = series[next++].second;
            a.followers_by_day[day] = current;
        }
        d.audience.push_back(std::move(a));
    }
    return ok();
}

}  // namespace

const std::vector<std::string>& engagement_metrics() {
    static const std::vector<std::string> names{"likes",     "reposts", "replies",   "quotes", "shares",
                                                "comments",  "reactions", "saves",   "bookmarks", "clicks"};
    return names;
}

std::optional<std::int64_t> engagement_of(const Metrics& metrics) {
    std::optional<std::int64_t> sum;
    for (const auto& name : engagement_metrics()) {
        auto found = metrics.find(name);
        if (found == metrics.end()) continue;
        // A value that is not a whole number (a network's odd answer) is
        // left out rather than guessed at.
        if (auto value = as_integer(found->second)) sum = sum.value_or(0) + *value;
    }
    return sum;
}

std::vector<TagTotals> tag_totals(const Report& report) {
    std::map<std::string, TagTotals> by_tag;
    std::map<std::string, std::set<store::Id>> posts;
    for (const auto& row : report.rows) {
        for (const auto& tag : row.tags) {
            TagTotals& totals = by_tag[tag];
            totals.tag = tag;
            ++totals.targets;
            posts[tag].insert(row.target.post_id);
            add_to(totals.engagement, engagement_of(row.metrics));
            for (const auto& [name, value] : row.metrics)
                if (auto number = as_integer(value)) totals.metrics[name] += *number;
        }
    }
    std::vector<TagTotals> out;
    out.reserve(by_tag.size());
    for (auto& [tag, totals] : by_tag) {
        totals.posts = posts[tag].size();
        out.push_back(std::move(totals));
    }
    return out;
}

std::optional<double> HeatCell::per_post() const {
    if (measured == 0) return std::nullopt;
    return static_cast<double>(engagement) / static_cast<double>(measured);
}

namespace {

// The first instant of `date` in `zone`. Midnight in a DST gap starts the
// day at the jump; midnight in an overlap at its first occurrence.
Result<UnixSeconds> start_of_day(const schedule::LocalDate& date, const schedule::TimeZone& zone) {
    const schedule::LocalDateTime midnight{date.year, date.month, date.day, 0, 0, 0};
    CLEARPOST_ASSIGN(UnixSeconds earlier, schedule::local_to_utc(midnight, zone, schedule::DstChoice::Earlier));
    CLEARPOST_ASSIGN(auto seen, schedule::utc_to_local(earlier, zone));
    if (seen.local.date() == date) return earlier;
    return schedule::local_to_utc(midnight, zone, schedule::DstChoice::Later);
}

}  // namespace

Result<Period> local_days(const schedule::TimeZone& zone, schedule::LocalDate first, schedule::LocalDate after_last) {
    if (!(first < after_last)) {
        return make_error(ErrorCode::Invalid, "the last day of a period must come after its first day");
    }
    Period period;
    CLEARPOST_ASSIGN(period.from, start_of_day(first, zone));
    CLEARPOST_ASSIGN(period.to, start_of_day(after_last, zone));
    return period;
}

Result<Period> last_days(const schedule::TimeZone& zone, int days, UnixSeconds now) {
    if (days < 1) return make_error(ErrorCode::Invalid, "a period has at least one day");
    CLEARPOST_ASSIGN(auto today, schedule::utc_to_local(now, zone));
    const std::int64_t end = days_from_civil(today.local.date()) + 1;
    return local_days(zone, civil_from_days(end - days), civil_from_days(end));
}

Result<Dashboard> build_dashboard(store::Store& store, Period period, const schedule::TimeZone& zone,
                                  std::size_t top_posts) {
    Dashboard d;
    d.period = period;
    d.previous = Period{period.from - (period.to - period.from), period.from};
    d.zone = zone;
    CLEARPOST_ASSIGN(auto report, build_report(store, period));
    CLEARPOST_ASSIGN(auto before, build_report(store, d.previous));

    std::map<std::string, NetworkTotals> networks;
    for (const auto& row : before.rows) {
        const auto engagement = engagement_of(row.metrics);
        add_to(d.before, engagement);
        auto& n = networks[row.target.network];
        n.network = row.target.network;
        add_to(n.previous, engagement);
    }

    CLEARPOST_ASSIGN(auto first_local, schedule::utc_to_local(period.from, zone));
    CLEARPOST_ASSIGN(auto last_local, schedule::utc_to_local(period.to - 1, zone));
    const std::int64_t first_day = days_from_civil(first_local.local.date());
    const std::int64_t last_day = days_from_civil(last_local.local.date());
    for (std::int64_t day = first_day; day <= last_day; ++day) d.days.push_back(civil_from_days(day));

    std::map<std::string, std::vector<std::int64_t>> by_day;
    // (engagement, row) of each measured row; only the top ones are copied.
    std::vector<std::pair<std::int64_t, std::size_t>> measured;
    for (std::size_t r = 0; r < report.rows.size(); ++r) {
        const auto& row = report.rows[r];
        const auto engagement = engagement_of(row.metrics);
        add_to(d.current, engagement);
        auto& n = networks[row.target.network];
        n.network = row.target.network;
        add_to(n.current, engagement);

        CLEARPOST_ASSIGN(auto local, schedule::utc_to_local(row.target.published_at, zone));
        const auto date = local.local.date();
        auto& series = by_day[row.target.network];
        series.resize(d.days.size(), 0);
        const auto index = static_cast<std::size_t>(days_from_civil(date) - first_day);
        HeatCell& cell = d.heat[static_cast<std::size_t>(weekday(date))][static_cast<std::size_t>(local.local.hour)];
        ++cell.posts;
        if (engagement) {
            series[index] += *engagement;
            ++cell.measured;
            cell.engagement += *engagement;
            measured.emplace_back(*engagement, r);
        }
    }
    for (auto& [name, totals] : networks) {
        d.networks.push_back(totals);
        auto found = by_day.find(name);
        d.engagement_by_day.push_back(found == by_day.end() ? std::vector<std::int64_t>(d.days.size(), 0)
                                                            : std::move(found->second));
    }
    // Rows come in publishing order: of two equally engaging posts the
    // earlier comes first.
    const std::size_t shown = std::min(top_posts, measured.size());
    std::partial_sort(measured.begin(), measured.begin() + static_cast<std::ptrdiff_t>(shown), measured.end(),
                      [](const auto& a, const auto& b) {
                          return a.first > b.first || (a.first == b.first && a.second < b.second);
                      });
    for (std::size_t i = 0; i < shown; ++i) d.top.push_back({report.rows[measured[i].second], measured[i].first});
    CLEARPOST_CHECK(add_governance(store, d, zone));
    d.tags = tag_totals(report);
    CLEARPOST_CHECK(add_audience(store, d, first_day));
    return d;
}

}  // namespace clearpost::analytics
