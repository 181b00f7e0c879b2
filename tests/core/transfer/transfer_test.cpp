// Bulk import and export against real SQLite files: every import layout,
// bad rows among good ones, the report, drafts only, the compliance engine's
// findings on an imported post, and a full JSON export restored into a new
// database and exported again unchanged.

#include <catch2/catch.hpp>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../workflow/fixture.h"
#include "clearpost/app/compliance.h"
#include "clearpost/base/csv.h"
#include "clearpost/transfer/transfer.h"

namespace {

using namespace clearpost;
using model::State;
using testing::WorkflowFixture;
using transfer::Format;
using transfer::ImportOptions;

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::filesystem::path data(const std::string& name) {
    return std::filesystem::path(CLEARPOST_TRANSFER_DATA_DIR) / name;
}

// A fixture whose workflow runs the real compliance engine over the
// organisation's stored profile (set up after the fixture's accounts exist).
struct Checked {
    Checked()
        : check(std::make_shared<workflow::ComplianceCheck>()),
          f([c = check](const model::VersionContent& v, const std::vector<model::Consent>& k, UnixSeconds now) {
              return (*c)(v, k, now);
          }) {
        auto engine = app::load_engine(*f.store, CLEARPOST_ASSETS_DIR);
        REQUIRE(engine.ok());
        auto wired = app::compliance_check(*f.store, std::move(*engine));
        REQUIRE(wired.ok());
        *check = std::move(*wired);
    }
    std::shared_ptr<workflow::ComplianceCheck> check;
    WorkflowFixture f;
};

Result<transfer::ImportReport> run_import(WorkflowFixture& f, std::string_view bytes, ImportOptions options,
                                          std::string_view name = "posts.csv") {
    schedule::TzDatabase zones;
    return transfer::import_posts(*f.store, *f.flow, zones, f.author, bytes, name, options);
}

std::size_t post_count(WorkflowFixture& f) {
    store::PostFilter all;
    auto posts = f.store->list_posts(all);
    REQUIRE(posts.ok());
    return posts->size();
}

model::PostVersion current(WorkflowFixture& f, model::Id post) {
    auto p = f.store->find_post(post);
    REQUIRE(p.ok());
    REQUIRE(p->has_value());
    CHECK((*p)->state == State::Draft);
    auto v = f.store->version((*p)->current_version_id);
    REQUIRE(v.ok());
    return *v;
}

const transfer::RowProblem& only_problem(const transfer::RowOutcome& row) {
    REQUIRE(row.problems.size() == 1);
    return row.problems[0];
}

}  // namespace

TEST_CASE("a Clearpost CSV creates drafts from good rows and reports each bad row by row, column and message") {
    WorkflowFixture f;
    auto report = run_import(f, slurp(data("clearpost_mixed.csv")), {});
    REQUIRE(report.ok());
    CHECK(report->format == Format::ClearpostCsv);
    REQUIRE(report->rows.size() == 6);
    CHECK(report->created() == 3);
    CHECK(report->rejected() == 3);

    // Row 2: a quoted text with a comma and a line break, local time in the organisation's zone.
    const auto& first = report->rows[0];
    CHECK(first.row == 2);
    REQUIRE(first.created);
    auto v = current(f, first.post_id);
    CHECK(v.content.text == "Flu shots, Saturday 9-12\nBring your card");
    REQUIRE(v.content.scheduled_at);
    CHECK(format_utc(*v.content.scheduled_at) == "2030-11-02T13:00:00Z");  // 09:00 EDT
    CHECK(v.content.zone == "America/New_York");
    CHECK(v.content.targets.size() == 2);

    // Row 2 spans lines 2-3 and row 3 lines 4-5 of the file: row 4 starts on line 6.
    CHECK(report->rows[1].row == 3);
    CHECK(report->rows[1].line == 4);
    CHECK(report->rows[2].line == 6);
    CHECK(only_problem(report->rows[2]).column == "accounts");
    CHECK_THAT(only_problem(report->rows[2]).message, Catch::Contains("bluesky:nobody.example"));
    CHECK(only_problem(report->rows[3]).column == "scheduled_at");
    CHECK_THAT(only_problem(report->rows[3]).message, Catch::Contains("2030-02-30"));
    CHECK(only_problem(report->rows[4]).column == "text");
    CHECK_THAT(only_problem(report->rows[4]).message, Catch::Contains("empty"));
    // Row 7 carries an offset: it wins over the organisation's zone.
    REQUIRE(report->rows[5].created);
    CHECK(format_utc(*current(f, report->rows[5].post_id).content.scheduled_at) == "2030-11-02T08:00:00Z");

    // Nothing of a rejected row was written.
    CHECK(post_count(f) == 3);

    auto table = transfer::report_table(*report);
    CHECK(table[0] == std::vector<std::string>{"row", "line", "outcome", "post", "verdict", "findings", "column",
                                               "message"});
    CHECK(table[3][2] == "rejected");
    CHECK(table[3][0] == "4");
    CHECK(table[3][6] == "accounts");
}

TEST_CASE("an imported post naming a patient is a draft carrying the compliance engine's findings") {
    Checked c;
    const std::string csv =
        "text,accounts\r\n"
        "\"Great news: John Smith (DOB 03/14/1962, MRN 48213377) went home today from ward 4B\","
        "bluesky:clinic.example\r\n"
        "Flu shots are available at all clinics this Saturday,bluesky:clinic.example\r\n";
    auto report = run_import(c.f, csv, {});
    REQUIRE(report.ok());
    REQUIRE(report->created() == 2);
    const auto& phi = report->rows[0];
    CHECK(phi.verdict == "block");
    CHECK(phi.findings > 0);
    auto v = current(c.f, phi.post_id);
    CHECK(v.compliance.verdict == "block");
    auto findings = nlohmann::json::parse(v.compliance.findings_json);
    REQUIRE(findings.is_array());
    CHECK(findings.size() == phi.findings);
    CHECK(report->rows[1].verdict != "block");
}

TEST_CASE("Hootsuite's bulk layout reads date and time, message and link, in the organisation's zone") {
    WorkflowFixture f;
    ImportOptions o;
    o.accounts = {"bluesky:clinic.example"};
    auto report = run_import(f, slurp(data("hootsuite.csv")), o, "bulk.csv");
    REQUIRE(report.ok());
    CHECK(report->format == Format::Hootsuite);
    REQUIRE(report->rows.size() == 4);
    // 25/12/2030: day first, shown by the 25.
    REQUIRE(report->rows[0].created);
    auto v = current(f, report->rows[0].post_id);
    CHECK(format_utc(*v.content.scheduled_at) == "2030-12-25T14:30:00Z");  // 09:30 EST
    CHECK(v.content.text == "Season's greetings from all our clinics https://clinic.example/hours");
    REQUIRE(v.content.targets.size() == 1);
    CHECK(v.content.targets[0].account_id == f.bluesky.id);
    // 03/04/2030 could be either: refused without --date-order.
    CHECK(only_problem(report->rows[1]).column == "column 1 (date and time)");
    CHECK_THAT(only_problem(report->rows[1]).message, Catch::Contains("--date-order"));
    // A four-column row is not Hootsuite's layout.
    CHECK_THAT(only_problem(report->rows[2]).message, Catch::Contains("4 columns"));
    CHECK(report->rows[3].created);

    // With the order given, the ambiguous row comes in as 3 April.
    WorkflowFixture g;
    o.date_order = transfer::DateOrder::DayFirst;
    auto again = run_import(g, slurp(data("hootsuite.csv")), o, "bulk.csv");
    REQUIRE(again.ok());
    REQUIRE(again->rows[1].created);
    CHECK(format_utc(*current(g, again->rows[1].post_id).content.scheduled_at) == "2030-04-03T12:00:00Z");
}

TEST_CASE("Sprout Social's layout needs its case-sensitive columns and reads date and time_24hr") {
    WorkflowFixture f;
    ImportOptions o;
    o.accounts = {"bluesky:clinic.example", "mastodon:@clinic@social.example"};
    o.date_order = transfer::DateOrder::MonthFirst;
    auto report = run_import(f, slurp(data("sprout.csv")), o);
    REQUIRE(report.ok());
    CHECK(report->format == Format::Sprout);
    REQUIRE(report->rows.size() == 3);
    REQUIRE(report->rows[0].created);
    auto v = current(f, report->rows[0].post_id);
    CHECK(format_utc(*v.content.scheduled_at) == "2030-03-08T14:15:00Z");  // 09:15 EST, before the DST change
    CHECK(v.content.text == "Walk-in vaccinations all week https://clinic.example/vaccines");
    CHECK(v.content.targets.size() == 2);
    // 2:30 on 10 March 2030 does not exist in New York (clocks jump 02:00 -> 03:00).
    CHECK(only_problem(report->rows[1]).column == "date");
    CHECK(report->rows[2].created);

    WorkflowFixture g;
    const std::string renamed = "Date,Time_24hr,Message_Text\r\n03/08/2030,09:15,hello\r\n";
    o.format = Format::Sprout;
    auto wrong = run_import(g, renamed, o);
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().code == ErrorCode::Invalid);
    CHECK_THAT(wrong.error().message, Catch::Contains("time_24hr") && Catch::Contains("Time_24hr"));
    CHECK(post_count(g) == 0);
}

TEST_CASE("Buffer's posts export comes in as drafts without a schedule") {
    WorkflowFixture f;
    ImportOptions o;
    o.accounts = {"mastodon:@clinic@social.example"};
    auto report = run_import(f, slurp(data("buffer.csv")), o);
    REQUIRE(report.ok());
    CHECK(report->format == Format::Buffer);
    REQUIRE(report->rows.size() == 2);
    CHECK(report->created() == 2);
    auto v = current(f, report->rows[0].post_id);
    CHECK_FALSE(v.content.scheduled_at);
    CHECK(v.content.text == "Our new pediatric wing opens Monday https://clinic.example/kids");
}

TEST_CASE("problems with the whole file are errors and write nothing") {
    WorkflowFixture f;
    ImportOptions o;
    // No --account for a layout that names none.
    auto no_account = run_import(f, slurp(data("hootsuite.csv")), o);
    REQUIRE_FALSE(no_account.ok());
    CHECK_THAT(no_account.error().message, Catch::Contains("--account"));
    // An --account this organisation does not have.
    o.accounts = {"bluesky:elsewhere.example"};
    auto unknown = run_import(f, slurp(data("hootsuite.csv")), o);
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().code == ErrorCode::NotFound);
    CHECK_THAT(unknown.error().message, Catch::Contains("bluesky:elsewhere.example"));
    // A misspelt column in Clearpost's layout.
    auto typo = run_import(f, "text,acounts\r\nhello,bluesky:clinic.example\r\n", {});
    REQUIRE_FALSE(typo.ok());
    CHECK_THAT(typo.error().message, Catch::Contains("acounts"));
    // A layout nobody can recognise.
    auto unknown_layout = run_import(f, "a,b,c,d\r\n1,2,3,4\r\n", {});
    REQUIRE_FALSE(unknown_layout.ok());
    CHECK_THAT(unknown_layout.error().message, Catch::Contains("--format"));
    // A quote never closed.
    auto broken = run_import(f, "text,accounts\r\n\"hello,bluesky:clinic.example\r\n", {});
    REQUIRE_FALSE(broken.ok());
    CHECK_THAT(broken.error().message, Catch::Contains("line 2"));
    CHECK(post_count(f) == 0);
}

TEST_CASE("invalid UTF-8 rejects only its row, naming the column") {
    WorkflowFixture f;
    const std::string csv = "text,accounts\r\nfine,bluesky:clinic.example\r\n"
                            "caf\xE9 latte,bluesky:clinic.example\r\nalso fine,bluesky:clinic.example\r\n";
    auto report = run_import(f, csv, {});
    REQUIRE(report.ok());
    CHECK(report->created() == 2);
    CHECK(only_problem(report->rows[1]).column == "text");
    CHECK_THAT(only_problem(report->rows[1]).message, Catch::Contains("UTF-8"));
    CHECK(post_count(f) == 2);
}

TEST_CASE("a dry run checks every row and writes nothing") {
    WorkflowFixture f;
    ImportOptions o;
    o.dry_run = true;
    std::size_t calls = 0;
    o.progress = [&](std::size_t done, std::size_t total) {
        ++calls;
        CHECK(done <= total);
    };
    auto report = run_import(f, slurp(data("clearpost_mixed.csv")), o);
    REQUIRE(report.ok());
    CHECK(report->created() == 3);
    CHECK(report->rejected() == 3);
    CHECK(calls == 6);
    CHECK(post_count(f) == 0);
}

TEST_CASE("Clearpost JSON brings posts in as drafts, even ones that were scheduled") {
    WorkflowFixture f;
    f.approved_and_scheduled(f.content("Clinic open late on Thursday", 1900000000));
    auto exported = transfer::export_json(*f.store, f.admin, f.now);
    REQUIRE(exported.ok());

    WorkflowFixture g;
    auto report = run_import(g, *exported, {}, "backup.json");
    REQUIRE(report.ok());
    CHECK(report->format == Format::ClearpostJson);
    REQUIRE(report->created() == 1);
    auto v = current(g, report->rows[0].post_id);  // checks Draft
    CHECK(v.content.text == "Clinic open late on Thursday");
    CHECK(v.content.scheduled_at == std::optional<UnixSeconds>{1900000000});
    CHECK(v.content.targets.size() == 2);
    auto targets = g.store->targets_of(report->rows[0].post_id);
    REQUIRE(targets.ok());
    CHECK(targets->empty());  // nothing queued

    const std::string simple = R"({"posts": [{"text": "Hi", "accounts": ["bluesky:clinic.example"]},
                                             {"text": "", "accounts": ["bluesky:clinic.example"]},
                                             {"text": "When?", "accounts": ["bluesky:clinic.example"], "scheduled_at": "soon"}]})";
    auto mixed = run_import(g, simple, {}, "posts.json");
    REQUIRE(mixed.ok());
    CHECK(mixed->created() == 1);
    CHECK(only_problem(mixed->rows[1]).column == "text");
    CHECK(only_problem(mixed->rows[2]).column == "scheduled_at");
}

namespace {

// A calendar with every kind of thing an export must carry.
void build_calendar(WorkflowFixture& f) {
    // Published on one account (remote URL), failed on the other.
    const auto published = f.approved_and_scheduled(f.content("Flu shots Saturday, \"9-12\"\nBring your card", 1800003600));
    auto consent = f.flow->link_consent(f.privacy, published,
                                        {0, "patient 17", "story and photo", 1900000000, "form-2026-17", 0, 0});
    REQUIRE(consent.ok());
    f.now = 1800003600;
    auto claimed = f.store->claim_due("w", f.now, 60, 10);
    REQUIRE(claimed.ok());
    REQUIRE(claimed->size() == 2);
    for (const auto& t : *claimed) {
        store::TargetOutcome out;
        out.target_id = t.id;
        if (t.account_id == f.bluesky.id) {
            out.state = State::Published;
            out.remote_id = "at://did:plc:x/app.bsky.feed.post/3k";
            out.remote_url = "https://bsky.app/profile/clinic.example/post/3k";
        } else {
            out.state = State::Failed;
            out.last_error = "the instance refused the post";
        }
        REQUIRE(*f.store->finish_target(out, "w", f.now));
    }
    // Two versions, changes requested on the first.
    f.now += 60;
    auto edited = f.flow->create_post(f.author, f.content("Blood drive on Monday", 1900000000));
    REQUIRE(edited.ok());
    REQUIRE(f.flow->submit(f.author, *edited).ok());
    REQUIRE(f.flow->request_changes(f.approver, *edited, "say where").ok());
    auto c = f.content("Blood drive on Monday at the Main St clinic", 1900000000);
    c.targets = {{f.bluesky.id, "Blood drive Monday, Main St"}};
    REQUIRE(f.flow->edit_post(f.author, *edited, c).ok());
    // A plain draft without a schedule.
    model::VersionContent draft;
    draft.text = "Ideas for next month";
    REQUIRE(f.flow->create_post(f.author2, draft).ok());
}

nlohmann::json without_volatile(std::string text) {
    auto j = nlohmann::json::parse(text);
    j.erase("exported_at");
    return j;
}

}  // namespace

TEST_CASE("a full JSON export restores into a new database and exports again unchanged") {
    WorkflowFixture f;
    build_calendar(f);
    REQUIRE(f.flow->set_tags(f.author, 1, {"flu", "Campaign-A"}).ok());
    auto first = transfer::export_json(*f.store, f.admin, f.now);
    REQUIRE(first.ok());

    // A brand-new SQLite file with only its first admin.
    testing::TempDir dir;
    auto opened = store::open_sqlite(dir / "restored.db", store::OpenMode::CreateIfMissing,
                                     store::MigrationPolicy::Migrate);
    REQUIRE(opened.ok());
    auto fresh = std::move(*opened);
    auto log = security::AuditLog::open(*fresh, dir / "config");
    REQUIRE(log.ok());
    UnixSeconds now = f.admin.created_at;
    workflow::Admin admin(*fresh, *log, [&] { return now; });
    auto ada = admin.initialise("Somewhere Else", "UTC", "ada", "another long password");
    REQUIRE(ada.ok());
    now = f.now + 3600;

    auto restored = transfer::restore_json(*fresh, *log, *ada, *first, now);
    REQUIRE(restored.ok());
    CHECK(restored->posts == 3);
    CHECK(restored->versions == 4);
    CHECK(restored->approvals == 2);
    CHECK(restored->targets == 2);
    CHECK(restored->users_created == 5);
    CHECK(restored->accounts_created == 2);
    CHECK(restored->tags == 2);
    CHECK(*fresh->tags_of(1) == std::vector<std::string>{"campaign-a", "flu"});
    CHECK(fresh->tags_of(2)->empty());

    auto second = transfer::export_json(*fresh, *ada, now);
    REQUIRE(second.ok());
    auto a = without_volatile(*first);
    auto b = without_volatile(*second);
    // The admin who set up the new file keeps the password chosen then.
    for (auto* doc : {&a, &b})
        for (auto& u : (*doc)["users"])
            if (u["name"] == "ada") u.erase("password_hash");
    CHECK(a.dump(2) == b.dump(2));
    CHECK(a["posts"][0]["targets"].size() == 2);  // the comparison saw the targets
    CHECK(a["posts"][0]["tags"] == nlohmann::json{"campaign-a", "flu"});

    // The restored calendar works: states, remote URL, published time, audit chain.
    auto post = fresh->find_post(1);
    REQUIRE(post.ok());
    REQUIRE(post->has_value());
    CHECK((*post)->state == State::Scheduled);
    CHECK((*post)->current_version_id == (*f.store->find_post(1))->current_version_id);
    auto targets = fresh->targets_of(1);
    REQUIRE(targets.ok());
    CHECK((*targets)[0].remote_url == "https://bsky.app/profile/clinic.example/post/3k");
    auto published = fresh->published_between(0, 2000000000);
    REQUIRE(published.ok());
    CHECK(published->size() == 1);
    auto verified = log->verify();
    REQUIRE(verified.ok());
    CHECK(verified->intact);
    // The restored users can sign in with their old passwords.
    auto bob = fresh->find_user("bob");
    REQUIRE(bob.ok());
    REQUIRE(bob->has_value());
    CHECK((*bob)->password_hash == f.approver.password_hash);
}

TEST_CASE("a restore refuses a database with posts, a non-admin and an edited export") {
    WorkflowFixture f;
    build_calendar(f);
    auto exported = transfer::export_json(*f.store, f.admin, f.now);
    REQUIRE(exported.ok());

    auto into_full = transfer::restore_json(*f.store, *f.audit, f.admin, *exported, f.now);
    REQUIRE_FALSE(into_full.ok());
    CHECK(into_full.error().code == ErrorCode::Conflict);

    WorkflowFixture g;
    auto by_author = transfer::restore_json(*g.store, *g.audit, g.author, *exported, g.now);
    REQUIRE_FALSE(by_author.ok());
    CHECK(by_author.error().code == ErrorCode::Forbidden);
    CHECK(transfer::export_json(*f.store, f.author, f.now).error().code == ErrorCode::Forbidden);

    auto doc = nlohmann::json::parse(*exported);
    doc["posts"][0]["versions"][0]["text"] = "Something nobody approved";
    auto edited = transfer::restore_json(*g.store, *g.audit, g.admin, doc.dump(), g.now);
    REQUIRE_FALSE(edited.ok());
    CHECK(edited.error().code == ErrorCode::Tampered);
    CHECK(post_count(g) == 0);  // one transaction: nothing half-restored
}

TEST_CASE("the CSV export lists every version with approvals, targets and remote URLs, and re-imports as drafts") {
    WorkflowFixture f;
    build_calendar(f);
    auto csv = transfer::export_csv(*f.store, f.author);
    REQUIRE(csv.ok());
    auto records = parse_csv(*csv);
    REQUIRE(records.ok());
    REQUIRE(records->size() == 5);  // header + 4 versions
    const auto& header = (*records)[0].fields;
    CHECK(header[0] == "post_id");
    const auto& first = (*records)[1].fields;
    CHECK(first[1] == "Scheduled");
    CHECK(first[8] == "Flu shots Saturday, \"9-12\"\nBring your card");
    CHECK_THAT(first[13], Catch::Contains("stage 1 approved by bob"));
    CHECK_THAT(first[14], Catch::Contains("Published https://bsky.app/profile/clinic.example/post/3k"));
    CHECK_THAT(first[14], Catch::Contains("Failed"));
    CHECK((*records)[2].fields[3] == "no");  // the version changes were requested on
    CHECK_THAT((*records)[2].fields[13], Catch::Contains("changes_requested by bob"));

    WorkflowFixture g;
    auto report = run_import(g, *csv, {});
    REQUIRE(report.ok());
    CHECK(report->format == Format::ClearpostCsv);
    CHECK(report->created() == 3);
    CHECK(report->rows[1].skipped);
    CHECK(post_count(g) == 3);
}

TEST_CASE("a post refused inside a batch is rolled back alone and the batch's other posts are created") {
    WorkflowFixture f;
    std::vector<model::VersionContent> contents{f.content("First", 1900000000), f.content("Second", 1900000000),
                                                f.content("Third", 1900000000), f.content("", 1900000000)};
    contents[1].targets = {{999, ""}};  // no such account: the database refuses the version's target
    auto results = f.flow->create_posts(f.author, contents);
    REQUIRE(results.ok());
    REQUIRE(results->size() == 4);
    CHECK((*results)[0].ok());
    CHECK_FALSE((*results)[1].ok());
    CHECK((*results)[2].ok());
    CHECK_FALSE((*results)[3].ok());
    CHECK(post_count(f) == 2);
    // The refused post left no row, version or audit entry behind: the chain is whole.
    auto verified = f.audit->verify();
    REQUIRE(verified.ok());
    CHECK(verified->intact);
    CHECK(current(f, *(*results)[2]).content.text == "Third");
}

TEST_CASE("how many rows share a commit does not change what an import creates or reports") {
    for (std::size_t per_commit : {1, 2, 100}) {
        WorkflowFixture f;
        ImportOptions o;
        o.rows_per_commit = per_commit;
        std::vector<std::size_t> seen;
        o.progress = [&](std::size_t done, std::size_t) { seen.push_back(done); };
        auto report = run_import(f, slurp(data("clearpost_mixed.csv")), o);
        REQUIRE(report.ok());
        CHECK(report->created() == 3);
        CHECK(report->rejected() == 3);
        CHECK(seen == std::vector<std::size_t>{1, 2, 3, 4, 5, 6});
        CHECK(post_count(f) == 3);
    }
}

TEST_CASE("imported tags come from a tags column or field, and a bad tag rejects only its row") {
    WorkflowFixture f;
    const std::string csv = "text,accounts,tags\n"
                            "Flu shots Saturday,bluesky:clinic.example,\"Flu-Season, vaccines\"\n"
                            "Walk-in clinic,bluesky:clinic.example,clinic_a campaign-2030\n"
                            "No tags here,bluesky:clinic.example,\n"
                            "Bad tag,bluesky:clinic.example,flu season!\n";
    auto report = run_import(f, csv, {});
    REQUIRE(report.ok());
    REQUIRE(report->rows.size() == 4);
    CHECK(report->created() == 3);
    CHECK(*f.store->tags_of(report->rows[0].post_id) == std::vector<std::string>{"flu-season", "vaccines"});
    CHECK(*f.store->tags_of(report->rows[1].post_id) == std::vector<std::string>{"campaign-2030", "clinic_a"});
    CHECK(f.store->tags_of(report->rows[2].post_id)->empty());
    CHECK(only_problem(report->rows[3]).column == "tags");
    CHECK_THAT(only_problem(report->rows[3]).message, Catch::Contains("'season!'"));
    CHECK(post_count(f) == 3);
    bool audited = false;
    REQUIRE(f.store->each_audit([&](const model::AuditEntry& e) {
        audited = audited || (e.action == "post.tags" && e.detail == "added flu-season, vaccines");
        return true;
    }).ok());
    CHECK(audited);

    // The CSV export writes them back, and a re-import keeps them.
    auto exported = transfer::export_csv(*f.store, f.author);
    REQUIRE(exported.ok());
    auto records = parse_csv(*exported);
    REQUIRE(records.ok());
    CHECK((*records)[0].fields.back() == "tags");
    CHECK((*records)[1].fields.back() == "flu-season vaccines");
    WorkflowFixture g;
    auto again = run_import(g, *exported, {});
    REQUIRE(again.ok());
    CHECK(again->created() == 3);
    CHECK(*g.store->tags_of(again->rows[1].post_id) == std::vector<std::string>{"campaign-2030", "clinic_a"});

    const std::string json = R"({"posts": [{"text": "One", "accounts": ["bluesky:clinic.example"], "tags": ["Flu"]},
                                          {"text": "Two", "accounts": ["bluesky:clinic.example"], "tags": "a, b"},
                                          {"text": "Three", "accounts": ["bluesky:clinic.example"], "tags": [3]}]})";
    WorkflowFixture h;
    auto from_json = run_import(h, json, {}, "posts.json");
    REQUIRE(from_json.ok());
    CHECK(from_json->created() == 2);
    CHECK(*h.store->tags_of(from_json->rows[0].post_id) == std::vector<std::string>{"flu"});
    CHECK(*h.store->tags_of(from_json->rows[1].post_id) == std::vector<std::string>{"a", "b"});
    CHECK(only_problem(from_json->rows[2]).column == "tags");
}
