// Reports from a real SQLite database seeded through the workflow: published
// targets, their newest metrics, the period's edges and the CSV as a real
// CSV parser (Python's csv module) reads it back.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../workflow/fixture.h"
#include "clearpost/analytics/csv.h"
#include "clearpost/analytics/report.h"
#include "clearpost/base/file.h"

namespace {

using namespace clearpost;
using analytics::Period;
using model::State;
using testing::WorkflowFixture;

// 2026-03-02T14:00:00Z .. 2026-03-06T14:00:00Z
constexpr UnixSeconds kFrom = 1772460000;
constexpr UnixSeconds kTo = 1772805600;

const std::string kTrickyText = "Flu shots, Saturday \"9-12\"\nBring your card \xF0\x9F\x92\x89 \xF0\x9F\x8F\xA5";
const std::string kFormulaText = "=HYPERLINK(\"http://evil.example\",\"click\")";

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Creates, approves and schedules a post at `at` for `targets` (default: both accounts).
model::Id scheduled_post(WorkflowFixture& f, const std::string& text, UnixSeconds at,
                         std::vector<model::TargetSpec> targets = {}) {
    auto content = f.content(text, at);
    if (!targets.empty()) content.targets = std::move(targets);
    return f.approved_and_scheduled(content);
}

// Runs the queue at `at` as a worker would, finishing `post`'s targets as
// `state` and handing every other claim back untouched.
void publish(WorkflowFixture& f, model::Id post, UnixSeconds at, State state = State::Published) {
    f.now = at;
    auto claimed = f.store->claim_due("w", at, 60, 100);
    REQUIRE(claimed.ok());
    for (const auto& t : *claimed) {
        if (t.post_id != post) continue;
        store::TargetOutcome outcome;
        outcome.target_id = t.id;
        outcome.state = state;
        if (state == State::Published) {
            outcome.remote_id = "r" + std::to_string(t.id);
            outcome.remote_url = "https://social.example/p/" + std::to_string(t.id);
        } else {
            outcome.last_error = "refused";
        }
        REQUIRE(*f.store->finish_target(outcome, "w", at));
    }
    REQUIRE(f.store->release_claims("w").ok());
}

void snapshot(WorkflowFixture& f, model::Id target, UnixSeconds at, const std::string& json) {
    REQUIRE(f.store->add_metric_snapshot({target, at, json}).ok());
}

std::vector<model::Target> targets(WorkflowFixture& f, model::Id post) {
    auto t = f.store->targets_of(post);
    REQUIRE(t.ok());
    return *t;
}

// The seeded database every report test reads:
//   D  bluesky+mastodon  published kFrom - 1        (before the period)
//   A  bluesky+mastodon  published kFrom            (first second: in)
//   B  bluesky only, with its own text, published 90 s late, no snapshot
//   F  bluesky+mastodon  scheduled inside, failed   (never published)
//   E  bluesky only      published kTo - 1          (last second: in)
//   C  bluesky+mastodon  published kTo              (next period)
struct Seeded {
    WorkflowFixture f;
    model::Id a = 0, b = 0, c = 0, d = 0, e = 0, fail = 0;
    model::Target a_bsky, a_masto, b_bsky, e_bsky;

    Seeded() {
        f.now = 1771545600;  // 2026-02-20: everything below is in the future
        d = scheduled_post(f, "Before", kFrom - 1);
        a = scheduled_post(f, kTrickyText, kFrom);
        b = scheduled_post(f, kFormulaText, 1772546400, {{f.bluesky.id, "Short for Bluesky, " + kFormulaText}});
        fail = scheduled_post(f, "Will fail", 1772632800);
        e = scheduled_post(f, "Last second", kTo - 1, {{f.bluesky.id, ""}});
        c = scheduled_post(f, "Next period", kTo);
        publish(f, d, kFrom - 1);
        publish(f, a, kFrom);
        publish(f, b, 1772546400 + 90);
        publish(f, fail, 1772632800, State::Failed);
        publish(f, e, kTo - 1);
        publish(f, c, kTo);

        auto at = targets(f, a);
        REQUIRE(at.size() == 2);
        a_bsky = at[0].account_id == f.bluesky.id ? at[0] : at[1];
        a_masto = at[0].account_id == f.bluesky.id ? at[1] : at[0];
        b_bsky = targets(f, b).at(0);
        e_bsky = targets(f, e).at(0);
        // Bluesky: two snapshots, the newer one wins. Mastodon reports no
        // reposts at all and a real zero for replies.
        snapshot(f, a_bsky.id, kFrom + 3600, R"({"likes":3,"reposts":1})");
        snapshot(f, a_bsky.id, kFrom + 86400, R"({"likes":10,"reposts":2,"replies":1})");
        snapshot(f, a_masto.id, kFrom + 3600, R"({"likes":4,"replies":0,"quotes":null})");
        snapshot(f, e_bsky.id, kTo + 3600, R"({"likes":1})");
        // Outside the period: must not show up.
        snapshot(f, targets(f, c).at(0).id, kTo + 3600, R"({"likes":99,"bookmarks":5})");
    }
};

}  // namespace

TEST_CASE("a report has one row per target published in the period, with its newest metrics") {
    Seeded s;
    auto report = analytics::build_report(*s.f.store, {kFrom, kTo});
    REQUIRE(report.ok());
    REQUIRE(report->rows.size() == 4);
    CHECK(report->metric_names == std::vector<std::string>{"likes", "replies", "reposts"});

    const auto& r0 = report->rows[0];
    REQUIRE(r0.target.target_id == std::min(s.a_bsky.id, s.a_masto.id));
    const auto& bsky = s.a_bsky.id < s.a_masto.id ? report->rows[0] : report->rows[1];
    const auto& masto = s.a_bsky.id < s.a_masto.id ? report->rows[1] : report->rows[0];
    CHECK(bsky.target.post_id == s.a);
    CHECK(bsky.target.text == kTrickyText);
    CHECK(bsky.target.network == "bluesky");
    CHECK(bsky.target.handle == "clinic.example");
    CHECK(bsky.target.scheduled_at == kFrom);
    CHECK(bsky.target.published_at == kFrom);
    CHECK(bsky.target.state == State::Published);
    CHECK(bsky.target.remote_url == "https://social.example/p/" + std::to_string(s.a_bsky.id));
    CHECK(bsky.metrics_fetched_at == kFrom + 86400);
    CHECK(bsky.metrics == analytics::Metrics{{"likes", "10"}, {"replies", "1"}, {"reposts", "2"}});
    CHECK(masto.target.network == "mastodon");
    CHECK(masto.target.handle == "@clinic@social.example");
    CHECK(masto.metrics_fetched_at == kFrom + 3600);
    CHECK(masto.metrics == analytics::Metrics{{"likes", "4"}, {"replies", "0"}});

    const auto& b = report->rows[2];
    CHECK(b.target.post_id == s.b);
    CHECK(b.target.text == "Short for Bluesky, " + kFormulaText);  // what went out to that account
    CHECK(b.target.scheduled_at == 1772546400);                   // the approved time, not the late one
    CHECK(b.target.published_at == 1772546400 + 90);
    CHECK_FALSE(b.metrics_fetched_at.has_value());
    CHECK(b.metrics.empty());

    const auto& e = report->rows[3];
    CHECK(e.target.post_id == s.e);
    CHECK(e.target.published_at == kTo - 1);
    CHECK(e.metrics == analytics::Metrics{{"likes", "1"}});
}

TEST_CASE("the period includes its first second and excludes its end") {
    Seeded s;
    auto ids = [&](UnixSeconds from, UnixSeconds to) {
        auto report = analytics::build_report(*s.f.store, {from, to});
        REQUIRE(report.ok());
        std::vector<model::Id> posts;
        for (const auto& r : report->rows)
            if (posts.empty() || posts.back() != r.target.post_id) posts.push_back(r.target.post_id);
        return posts;
    };
    CHECK(ids(kFrom, kTo) == std::vector<model::Id>{s.a, s.b, s.e});
    CHECK(ids(kFrom - 1, kTo) == std::vector<model::Id>{s.d, s.a, s.b, s.e});
    CHECK(ids(kFrom, kTo + 1) == std::vector<model::Id>{s.a, s.b, s.e, s.c});
    CHECK(ids(kFrom + 1, kTo - 1) == std::vector<model::Id>{s.b});
    CHECK(ids(kTo, kTo + 1) == std::vector<model::Id>{s.c});
    CHECK_FALSE(analytics::build_report(*s.f.store, {kTo, kTo}).ok());
    CHECK(analytics::build_report(*s.f.store, {kTo, kFrom}).error().code == ErrorCode::Invalid);
}

TEST_CASE("the report table writes absent metrics as empty fields, never 0") {
    Seeded s;
    auto report = analytics::build_report(*s.f.store, {kFrom, kTo});
    REQUIRE(report.ok());
    const auto table = analytics::report_table(*report);
    REQUIRE(table.size() == 5);
    CHECK(table[0] == std::vector<std::string>{"post_id", "network", "account", "text", "tags", "scheduled_at",
                                               "published_at", "state", "remote_url", "metrics_fetched_at",
                                               "likes", "replies", "reposts"});
    const auto masto_line = s.a_bsky.id < s.a_masto.id ? table[2] : table[1];
    CHECK(masto_line == std::vector<std::string>{std::to_string(s.a), "mastodon", "@clinic@social.example",
                                                 kTrickyText, "", "2026-03-02T14:00:00Z", "2026-03-02T14:00:00Z",
                                                 "Published",
                                                 "https://social.example/p/" + std::to_string(s.a_masto.id),
                                                 "2026-03-02T15:00:00Z", "4", "0", ""});
    CHECK(table[3] == std::vector<std::string>{std::to_string(s.b), "bluesky", "clinic.example",
                                               "Short for Bluesky, " + kFormulaText, "", "2026-03-03T14:00:00Z",
                                               "2026-03-03T14:01:30Z", "Published",
                                               "https://social.example/p/" + std::to_string(s.b_bsky.id), "", "",
                                               "", ""});
}

TEST_CASE("the history has one row per snapshot of the period's targets") {
    Seeded s;
    auto history = analytics::build_history(*s.f.store, {kFrom, kTo});
    REQUIRE(history.ok());
    CHECK(history->metric_names == std::vector<std::string>{"likes", "replies", "reposts"});
    REQUIRE(history->rows.size() == 4);
    std::vector<std::pair<model::Id, UnixSeconds>> seen;
    for (const auto& r : history->rows) seen.emplace_back(r.target_id, r.fetched_at);
    const auto first = std::min(s.a_bsky.id, s.a_masto.id);
    if (first == s.a_bsky.id) {
        CHECK(seen == std::vector<std::pair<model::Id, UnixSeconds>>{{s.a_bsky.id, kFrom + 3600},
                                                                     {s.a_bsky.id, kFrom + 86400},
                                                                     {s.a_masto.id, kFrom + 3600},
                                                                     {s.e_bsky.id, kTo + 3600}});
    } else {
        CHECK(seen == std::vector<std::pair<model::Id, UnixSeconds>>{{s.a_masto.id, kFrom + 3600},
                                                                     {s.a_bsky.id, kFrom + 3600},
                                                                     {s.a_bsky.id, kFrom + 86400},
                                                                     {s.e_bsky.id, kTo + 3600}});
    }
    const auto table = analytics::history_table(*history);
    CHECK(table[0] == std::vector<std::string>{"post_id", "network", "account", "published_at", "fetched_at",
                                               "likes", "replies", "reposts"});
    for (const auto& line : table)
        if (line[1] == "mastodon") CHECK(line.back().empty());  // reposts: not reported by Mastodon here
}

TEST_CASE("a stored snapshot that is not a JSON object is reported as corrupt") {
    Seeded s;
    snapshot(s.f, s.e_bsky.id, kTo + 7200, "not json");
    auto report = analytics::build_report(*s.f.store, {kFrom, kTo});
    REQUIRE_FALSE(report.ok());
    CHECK(report.error().code == ErrorCode::Corrupt);
    CHECK_THAT(report.error().message, Catch::Contains("target " + std::to_string(s.e_bsky.id)));
}

TEST_CASE("CSV fields are quoted, doubled and guarded against formulas") {
    using analytics::csv_field;
    CHECK(csv_field("plain") == "plain");
    CHECK(csv_field("") == "");
    CHECK(csv_field("a,b") == "\"a,b\"");
    CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(csv_field("two\nlines") == "\"two\nlines\"");
    CHECK(csv_field("cr\rhere") == "\"cr\rhere\"");
    CHECK(csv_field("=1+1") == "'=1+1");
    CHECK(csv_field("+1") == "'+1");
    CHECK(csv_field("-1") == "'-1");
    CHECK(csv_field("@SUM(A1)") == "'@SUM(A1)");
    CHECK(csv_field("\tx") == "'\tx");
    CHECK(csv_field("\rx") == "\"'\rx\"");
    CHECK(csv_field("=A1,\"b\"") == "\"'=A1,\"\"b\"\"\"");
    CHECK(csv_field("a=b") == "a=b");  // only the first character matters
    CHECK(analytics::to_csv({{"a", "b"}, {"1", ""}}) == "\xEF\xBB\xBF" "a,b\r\n1,\r\n");
    CHECK(analytics::to_csv({{"a"}}, {analytics::ByteOrderMark::Omit}) == "a\r\n");
}

TEST_CASE("the report CSV reads back through Python's csv module field for field") {
    Seeded s;
    auto report = analytics::build_report(*s.f.store, {kFrom, kTo});
    REQUIRE(report.ok());
    auto table = analytics::report_table(*report);
    // The text cases the file must survive, beyond the seeded posts'.
    table.push_back({"x", "=1+2", "+x", "-x", "@x", "\ttab", "\rcr", "crlf\r\nend", "", "\"", ",", "\xC3\xA9"});
    const auto csv = analytics::to_csv(table);
    CHECK(csv.rfind("\xEF\xBB\xBF", 0) == 0);
    // Every line ends in CRLF; a bare LF appears only inside quoted text.
    CHECK(csv.substr(csv.size() - 2) == "\r\n");
    const auto path = s.f.dir / "report.csv";
    REQUIRE(write_file_atomically(path, csv, Overwrite::Refuse).ok());
    const auto json_path = s.f.dir / "report.json";
    const std::string cmd = std::string(CLEARPOST_PYTHON) + " " + CLEARPOST_CSV_TO_JSON + " '" + path.string() +
                            "' '" + json_path.string() + "'";
    REQUIRE(std::system(cmd.c_str()) == 0);
    const auto parsed = nlohmann::json::parse(slurp(json_path));
    REQUIRE(parsed.size() == table.size());
    for (std::size_t i = 0; i < table.size(); ++i) {
        REQUIRE(parsed[i].size() == table[i].size());
        for (std::size_t j = 0; j < table[i].size(); ++j) {
            const auto& field = table[i][j];
            const bool guarded = !field.empty() && std::string("=+-@\t\r").find(field[0]) != std::string::npos;
            INFO("row " << i << " column " << j);
            CHECK(parsed[i][j].get<std::string>() == (guarded ? "'" + field : field));
        }
    }
    CHECK(parsed[1][3] == kTrickyText);
    CHECK(parsed[3][3] == "Short for Bluesky, " + kFormulaText);  // starts with S: not guarded
}

TEST_CASE("the accounts table has one row per sample of the period, by account name, absent counts empty") {
    Seeded s;
    const auto x = *s.f.store->insert_account({0, "x", "clinic", "connected"});
    auto add = [&](model::Id account, UnixSeconds at, const char* json) {
        REQUIRE(s.f.store->add_account_snapshot({account, at, json}).ok());
    };
    add(x, kFrom + 60, R"({"followers":50,"following":2,"posts":9})");
    add(s.f.mastodon.id, kFrom - 1, R"({"followers":1})");  // before the period
    add(s.f.mastodon.id, kFrom + 30, R"({"followers":7})");
    add(s.f.bluesky.id, kTo - 1, R"({"followers":300,"posts":4})");
    add(s.f.bluesky.id, kFrom, R"({"followers":290})");
    add(s.f.bluesky.id, kTo, R"({"followers":999})");  // the next period
    auto history = analytics::build_account_history(*s.f.store, {kFrom, kTo});
    REQUIRE(history.ok());
    CHECK(history->metric_names == std::vector<std::string>{"followers", "following", "posts"});
    const auto table = analytics::account_table(*history);
    using Row = std::vector<std::string>;
    CHECK(table == std::vector<Row>{{"network", "account", "fetched_at", "followers", "following", "posts"},
                                    {"bluesky", s.f.bluesky.handle, format_utc(kFrom), "290", "", ""},
                                    {"bluesky", s.f.bluesky.handle, format_utc(kTo - 1), "300", "", "4"},
                                    {"mastodon", s.f.mastodon.handle, format_utc(kFrom + 30), "7", "", ""},
                                    {"x", "clinic", format_utc(kFrom + 60), "50", "2", "9"}});

    add(x, kFrom + 90, "[1, 2]");
    auto damaged = analytics::build_account_history(*s.f.store, {kFrom, kTo});
    REQUIRE_FALSE(damaged.ok());
    CHECK(damaged.error().code == ErrorCode::Corrupt);
    CHECK_THAT(damaged.error().message, Catch::Contains("account x:clinic"));
}

TEST_CASE("one target's history lists its snapshots oldest first, whatever their period") {
    Seeded s;
    auto report = analytics::build_report(*s.f.store, {kFrom, kTo});
    REQUIRE(report.ok());
    const auto row = std::find_if(report->rows.begin(), report->rows.end(),
                                  [&](const analytics::ReportRow& r) { return r.target.target_id == s.a_bsky.id; });
    REQUIRE(row != report->rows.end());
    auto history = analytics::history_of(*s.f.store, row->target);
    REQUIRE(history.ok());
    CHECK(history->metric_names == std::vector<std::string>{"likes", "replies", "reposts"});
    REQUIRE(history->rows.size() == 2);
    CHECK(history->rows[0].fetched_at == kFrom + 3600);
    CHECK(history->rows[0].metrics == analytics::Metrics{{"likes", "3"}, {"reposts", "1"}});
    CHECK(history->rows[1].metrics == analytics::Metrics{{"likes", "10"}, {"replies", "1"}, {"reposts", "2"}});
    CHECK(history->rows[1].post_id == s.a);
    CHECK(history->rows[1].network == "bluesky");
    const auto b = std::find_if(report->rows.begin(), report->rows.end(),
                                [&](const analytics::ReportRow& r) { return r.target.target_id == s.b_bsky.id; });
    REQUIRE(b != report->rows.end());
    CHECK(analytics::history_of(*s.f.store, b->target)->rows.empty());  // no snapshot yet
}

TEST_CASE("each report row carries its post's tags, by name, and the CSV writes them space-separated") {
    Seeded s;
    REQUIRE(s.f.flow->set_tags(s.f.author, s.a, {"vaccines", "flu-season"}).ok());
    REQUIRE(s.f.flow->set_tags(s.f.author, s.c, {"next"}).ok());  // published outside the period
    auto report = analytics::build_report(*s.f.store, {kFrom, kTo});
    REQUIRE(report.ok());
    for (const auto& row : report->rows) {
        INFO("target " << row.target.target_id);
        CHECK(row.tags == (row.target.post_id == s.a ? std::vector<std::string>{"flu-season", "vaccines"}
                                                     : std::vector<std::string>{}));
    }
    const auto table = analytics::report_table(*report);
    for (std::size_t i = 1; i < table.size(); ++i)
        CHECK(table[i][4] == (table[i][0] == std::to_string(s.a) ? "flu-season vaccines" : ""));
}
