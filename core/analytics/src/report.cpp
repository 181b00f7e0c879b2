#include "clearpost/analytics/report.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace clearpost::analytics {
namespace {

Result<void> check_period(const Period& period) {
    if (period.from >= period.to) {
        return make_error(ErrorCode::Invalid, "the report period is empty: its end (" + format_utc(period.to) +
                                                  ") must come after its start (" + format_utc(period.from) + ")");
    }
    return ok();
}

// A metric value as people read it. JSON null means "not reported" and so
// stays absent, like a metric missing from the snapshot.
std::optional<std::string> metric_text(const nlohmann::json& value) {
    if (value.is_null()) return std::nullopt;
    if (value.is_string()) return value.get<std::string>();
    return value.dump();
}

Result<Metrics> parse_metrics(const store::MetricSnapshot& snapshot) {
    return analytics::parse_metrics(snapshot.metrics_json, "the metrics snapshot of target " + std::to_string(snapshot.target_id),
                         snapshot.fetched_at);
}

template <typename Rows>
std::vector<std::string> names_in(const Rows& rows) {
    std::set<std::string> names;
    for (const auto& row : rows)
        for (const auto& [name, value] : row.metrics) names.insert(name);
    return {names.begin(), names.end()};
}

// Fixed columns come first; a metric that happens to share a fixed column's
// name gets a prefix so no header appears twice.
std::string metric_header(const std::string& name, const std::vector<std::string>& fixed) {
    for (const auto& f : fixed)
        if (f == name) return "metric_" + name;
    return name;
}

// "flu vaccines": tags are single words, so a space separates them (and
// Clearpost's import reads them back that way).
std::string join_tags(const std::vector<std::string>& tags) {
    std::string out;
    for (const auto& t : tags) out += (out.empty() ? "" : " ") + t;
    return out;
}

void append_metrics(std::vector<std::string>& line, const Metrics& metrics, const std::vector<std::string>& names) {
    for (const auto& name : names) {
        auto found = metrics.find(name);
        line.push_back(found == metrics.end() ? std::string() : found->second);
    }
}

}  // namespace

Result<Metrics> parse_metrics(const std::string& json, const std::string& what, UnixSeconds fetched_at) {
    auto doc = nlohmann::json::parse(json, nullptr, false);
    if (!doc.is_object()) {
        return make_error(ErrorCode::Corrupt, what + " taken " + format_utc(fetched_at) +
                                                  " is not a JSON object; restore a backup or remove that snapshot");
    }
    Metrics metrics;
    for (const auto& [name, value] : doc.items())
        if (auto text = metric_text(value)) metrics.emplace(name, std::move(*text));
    return metrics;
}

Result<Report> build_report(store::Store& store, Period period) {
    CLEARPOST_CHECK(check_period(period));
    CLEARPOST_ASSIGN(auto targets, store.published_between(period.from, period.to));
    Report report;
    report.period = period;
    report.rows.reserve(targets.size());
    for (auto& target : targets) {
        ReportRow row;
        if (target.latest) {
            row.metrics_fetched_at = target.latest->fetched_at;
            CLEARPOST_ASSIGN(row.metrics, parse_metrics(*target.latest));
        }
        row.target = std::move(target);
        report.rows.push_back(std::move(row));
    }
    // Tags come by tag, then post: each target's in name order.
    CLEARPOST_ASSIGN(auto tagged, store.tagged_published_between(period.from, period.to));
    std::unordered_map<store::Id, std::vector<std::string>> tags;
    for (auto& t : tagged) tags[t.target_id].push_back(std::move(t.tag));
    for (auto& row : report.rows)
        if (auto found = tags.find(row.target.target_id); found != tags.end()) row.tags = std::move(found->second);
    report.metric_names = names_in(report.rows);
    return report;
}

namespace {

HistoryRow history_row(const store::PublishedTarget& t, UnixSeconds fetched_at) {
    HistoryRow row;
    row.post_id = t.post_id;
    row.target_id = t.target_id;
    row.network = t.network;
    row.handle = t.handle;
    row.published_at = t.published_at;
    row.fetched_at = fetched_at;
    return row;
}

}  // namespace

Result<History> history_of(store::Store& store, const store::PublishedTarget& target) {
    CLEARPOST_ASSIGN(auto snapshots, store.metric_snapshots(target.target_id));
    History history;
    history.period = {target.published_at, target.published_at + 1};
    for (const auto& snapshot : snapshots) {
        HistoryRow row = history_row(target, snapshot.fetched_at);
        CLEARPOST_ASSIGN(row.metrics, parse_metrics(snapshot));
        history.rows.push_back(std::move(row));
    }
    history.metric_names = names_in(history.rows);
    return history;
}

Result<History> build_history(store::Store& store, Period period) {
    CLEARPOST_CHECK(check_period(period));
    CLEARPOST_ASSIGN(auto targets, store.published_between(period.from, period.to));
    CLEARPOST_ASSIGN(auto snapshots, store.snapshots_of_published_between(period.from, period.to));
    std::unordered_map<store::Id, const store::PublishedTarget*> by_id;
    for (const auto& t : targets) by_id.emplace(t.target_id, &t);
    History history;
    history.period = period;
    history.rows.reserve(snapshots.size());
    for (const auto& snapshot : snapshots) {
        auto found = by_id.find(snapshot.target_id);
        if (found == by_id.end()) continue;  // cannot happen: both read the same targets
        HistoryRow row = history_row(*found->second, snapshot.fetched_at);
        CLEARPOST_ASSIGN(row.metrics, parse_metrics(snapshot));
        history.rows.push_back(std::move(row));
    }
    history.metric_names = names_in(history.rows);
    return history;
}

Result<AccountHistory> build_account_history(store::Store& store, Period period) {
    CLEARPOST_CHECK(check_period(period));
    CLEARPOST_ASSIGN(auto accounts, store.list_accounts());
    CLEARPOST_ASSIGN(auto samples, store.account_snapshots(period.from, period.to));
    std::unordered_map<store::Id, const model::Account*> by_id;
    for (const auto& a : accounts) by_id.emplace(a.id, &a);
    AccountHistory history;
    history.period = period;
    history.rows.reserve(samples.size());
    for (const auto& sample : samples) {
        const auto found = by_id.find(sample.account_id);
        if (found == by_id.end()) continue;  // cannot happen: samples belong to accounts
        AccountRow row;
        row.network = found->second->network;
        row.handle = found->second->handle;
        row.fetched_at = sample.fetched_at;
        CLEARPOST_ASSIGN(row.metrics, parse_metrics(sample.metrics_json,
                                                    "the sample of account " + row.network + ":" + row.handle,
                                                    sample.fetched_at));
        history.rows.push_back(std::move(row));
    }
    // Samples come by account id; people look accounts up by name.
    std::stable_sort(history.rows.begin(), history.rows.end(), [](const AccountRow& a, const AccountRow& b) {
        return std::tie(a.network, a.handle) < std::tie(b.network, b.handle);
    });
    history.metric_names = names_in(history.rows);
    return history;
}

Table report_table(const Report& report) {
    const std::vector<std::string> fixed = {"post_id",      "network",      "account", "text",       "tags",
                                            "scheduled_at", "published_at", "state",   "remote_url", "metrics_fetched_at"};
    Table table;
    table.reserve(report.rows.size() + 1);
    table.push_back(fixed);
    for (const auto& name : report.metric_names) table.front().push_back(metric_header(name, fixed));
    for (const auto& row : report.rows) {
        const auto& t = row.target;
        std::vector<std::string> line = {std::to_string(t.post_id),
                                         t.network,
                                         t.handle,
                                         t.text,
                                         join_tags(row.tags),
                                         format_utc(t.scheduled_at),
                                         format_utc(t.published_at),
                                         std::string(model::to_string(t.state)),
                                         t.remote_url,
                                         row.metrics_fetched_at ? format_utc(*row.metrics_fetched_at) : std::string()};
        append_metrics(line, row.metrics, report.metric_names);
        table.push_back(std::move(line));
    }
    return table;
}

Table history_table(const History& history) {
    const std::vector<std::string> fixed = {"post_id", "network", "account", "published_at", "fetched_at"};
    Table table;
    table.reserve(history.rows.size() + 1);
    table.push_back(fixed);
    for (const auto& name : history.metric_names) table.front().push_back(metric_header(name, fixed));
    for (const auto& row : history.rows) {
        std::vector<std::string> line = {std::to_string(row.post_id), row.network, row.handle,
                                         format_utc(row.published_at), format_utc(row.fetched_at)};
        append_metrics(line, row.metrics, history.metric_names);
        table.push_back(std::move(line));
    }
    return table;
}

Table account_table(const AccountHistory& history) {
    const std::vector<std::string> fixed = {"network", "account", "fetched_at"};
    Table table;
    table.reserve(history.rows.size() + 1);
    table.push_back(fixed);
    for (const auto& name : history.metric_names) table.front().push_back(metric_header(name, fixed));
    for (const auto& row : history.rows) {
        std::vector<std::string> line = {row.network, row.handle, format_utc(row.fetched_at)};
        append_metrics(line, row.metrics, history.metric_names);
        table.push_back(std::move(line));
    }
    return table;
}

}  // namespace clearpost::analytics
