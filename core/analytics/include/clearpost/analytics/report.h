#pragma once
// Reports on what was published: one row per published target with its
// newest metrics, and the full snapshot history of the same targets. Plain
// data read through store::Store; turning it into CSV is csv.h's job.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "clearpost/base/result.h"
#include "clearpost/base/time.h"
#include "clearpost/store/store.h"

namespace clearpost::analytics {

// [from, to) in UTC seconds: a target published exactly at `to` belongs to
// the next period.
struct Period {
    UnixSeconds from = 0;
    UnixSeconds to = 0;
};

// Metric name -> value as the network reported it, written as text (numbers
// in decimal). A metric the network did not report is absent, never 0.
using Metrics = std::map<std::string, std::string>;

struct ReportRow {
    store::PublishedTarget target;
    std::vector<std::string> tags;                  // the post's, by name
    std::optional<UnixSeconds> metrics_fetched_at;  // none before the first snapshot
    Metrics metrics;                                // of the newest snapshot
};

struct Report {
    Period period;
    std::vector<std::string> metric_names;  // every metric in any row, sorted
    std::vector<ReportRow> rows;            // by published_at, then target
};

// One metrics snapshot of a target in the report.
struct HistoryRow {
    store::Id post_id = 0;
    store::Id target_id = 0;
    std::string network;
    std::string handle;
    UnixSeconds published_at = 0;
    UnixSeconds fetched_at = 0;
    Metrics metrics;
};

struct History {
    Period period;
    std::vector<std::string> metric_names;  // every metric in any row, sorted
    std::vector<HistoryRow> rows;           // by target as in the report, then fetched_at
};

// One sample of an account's own numbers (followers, following, posts).
struct AccountRow {
    std::string network;
    std::string handle;
    UnixSeconds fetched_at = 0;
    Metrics metrics;
};

struct AccountHistory {
    Period period;
    std::vector<std::string> metric_names;  // every metric in any row, sorted
    std::vector<AccountRow> rows;           // by network and handle, then fetched_at
};

// A stored snapshot's metrics (JSON null, like a missing metric, stays
// absent). Corrupt when it is not a JSON object, naming it as `what` ("the
// metrics snapshot of target 7") and when it was taken.
Result<Metrics> parse_metrics(const std::string& json, const std::string& what, UnixSeconds fetched_at);

// Targets published in the period (including those taken down since). An
// empty or reversed period is Invalid; a stored snapshot that is not a JSON
// object is Corrupt, naming the target.
Result<Report> build_report(store::Store& store, Period period);
Result<History> build_history(store::Store& store, Period period);
// Every snapshot of one published target, oldest first (a post's history as
// the studio shows it); Corrupt as build_history.
Result<History> history_of(store::Store& store, const store::PublishedTarget& target);
// Account samples taken in the period; Corrupt naming the account for a
// sample that is not a JSON object.
Result<AccountHistory> build_account_history(store::Store& store, Period period);

// The rows as a table of text, header first, ready for to_csv: instants as
// ISO 8601 UTC ("2026-03-08T07:30:00Z"), an absent value as an empty field.
using Table = std::vector<std::vector<std::string>>;
Table report_table(const Report& report);
Table history_table(const History& history);
Table account_table(const AccountHistory& history);

}  // namespace clearpost::analytics
