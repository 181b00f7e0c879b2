#pragma once
// The numbers behind the dashboard and the PDF report: engagement of what
// was published in a period (per network, per day, per posting hour), the
// top posts, the previous period for comparison, and governance (compliance
// findings and approval turnaround per month). All calendar grouping is in
// the organisation's time zone.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "clearpost/analytics/report.h"
#include "clearpost/schedule/local_datetime.h"
#include "clearpost/schedule/time_zone.h"

namespace clearpost::analytics {

// The metrics that count as engagement: people acting on a post. Reach
// (views, impressions) is not engagement and is left out.
const std::vector<std::string>& engagement_metrics();

// Engagement of one published target: the sum of its newest snapshot's
// engagement metrics; none when no engagement metric was reported (a post
// whose network reports nothing is not a post nobody liked).
std::optional<std::int64_t> engagement_of(const Metrics& metrics);

struct Totals {
    std::size_t posts = 0;          // published targets
    std::size_t measured = 0;       // of which reported any engagement metric
    std::int64_t engagement = 0;    // summed over the measured ones
};

struct NetworkTotals {
    std::string network;
    Totals current;
    Totals previous;
};

struct TopPost {
    ReportRow row;
    std::int64_t engagement = 0;
};

// One cell of the posting-time heat map: posts published in that weekday
// and hour, and their engagement.
struct HeatCell {
    std::size_t posts = 0;
    std::size_t measured = 0;
    std::int64_t engagement = 0;
    // Engagement per measured post; none without one.
    std::optional<double> per_post() const;
};

struct GovernanceMonth {
    int year = 0;
    int month = 0;  // 1..12
    std::size_t versions = 0;  // versions checked (each edit is checked)
    std::size_t verdict_pass = 0;
    std::size_t verdict_warn = 0;
    std::size_t verdict_block = 0;
    std::size_t block_findings = 0;
    std::size_t warn_findings = 0;
    std::size_t approvals = 0;
    // Hours from submission to final approval; none without approvals.
    std::optional<double> median_turnaround_hours;
    std::optional<double> p90_turnaround_hours;
};

// One tag's share of a period: the tagged posts with a target published in
// it, those targets, and the sum of each metric over their newest
// snapshots (whole numbers only, as engagement_of counts them; a metric no
// target reported is absent, not 0).
struct TagTotals {
    std::string tag;
    std::size_t posts = 0;    // tagged posts published (on any network) in the period
    std::size_t targets = 0;  // their published targets
    Totals engagement;        // over those targets, as the dashboard's totals
    std::map<std::string, std::int64_t> metrics;
};

// One account's audience over a period, from its daily samples: the
// followers where the period starts (the newest sample before it, else the
// period's first), where it ends (the newest in it), and at the end of each
// local day (the newest sample up to then; before the first, the start).
struct AccountAudience {
    std::string network;
    std::string handle;
    std::int64_t start = 0;
    std::int64_t end = 0;
    std::size_t samples = 0;  // in the period
    std::vector<std::int64_t> followers_by_day;  // [day index of Dashboard::days]
    std::int64_t change() const { return end - start; }
};

struct Dashboard {
    Period period;
    Period previous;  // the same length, just before
    schedule::TimeZone zone = schedule::TimeZone::utc();  // the organisation's, which grouped everything
    Totals current;
    Totals before;
    std::vector<NetworkTotals> networks;  // every network in either period, by name
    // Each local day of the period (first to last), and per network the
    // engagement of the posts published on that day (measured posts only).
    std::vector<schedule::LocalDate> days;
    std::vector<std::vector<std::int64_t>> engagement_by_day;  // [network index][day index]
    // [weekday, Monday first][hour], by local publishing time.
    std::array<std::array<HeatCell, 24>, 7> heat{};
    std::vector<TopPost> top;  // most engagement first, ties by earlier publishing
    std::vector<GovernanceMonth> governance;  // each month touching the period, oldest first
    std::vector<TagTotals> tags;  // every tag of a post published in the period, by name
    // Accounts with a follower count sampled in the period, by network then
    // handle.
    std::vector<AccountAudience> audience;
};

// The instants of local days in `zone`: from the first moment of `first` to
// the first moment of `after_last` (midnight, or the DST change where
// midnight itself is skipped). Invalid unless `first` < `after_last`.
Result<Period> local_days(const schedule::TimeZone& zone, schedule::LocalDate first, schedule::LocalDate after_last);
// The last `days` local days up to and including today (the day of `now`).
Result<Period> last_days(const schedule::TimeZone& zone, int days, UnixSeconds now);

// Per-tag totals of the targets in `report` (each row carries its post's
// tags), by tag name. A post with two tags counts under each.
std::vector<TagTotals> tag_totals(const Report& report);

// Reads the period, the previous period of the same length and governance
// facts through `store`. Invalid for an empty or reversed period; Corrupt
// when a stored snapshot or findings list cannot be read (naming it).
Result<Dashboard> build_dashboard(store::Store& store, Period period, const schedule::TimeZone& zone,
                                  std::size_t top_posts = 10);

}  // namespace clearpost::analytics
