// The dashboard's numbers from a real SQLite database seeded through the
// workflow, against figures worked out by hand below (in New York time,
// across the 2026 spring-forward night), and the charts and PDF drawn from
// them: PNG pixels, SVG, and the PDF read back with poppler's tools.
// CLEARPOST_KEEP_REPORT=FILE keeps a copy of the PDF, to look at its pages.

#include <catch2/catch.hpp>

#include <cairo.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "../workflow/fixture.h"
#include "clearpost/analytics/charts.h"
#include "clearpost/analytics/dashboard.h"

namespace {

using namespace clearpost;
using analytics::Period;
using testing::WorkflowFixture;

// New York local times (EST before 2026-03-08 02:00, EDT after).
constexpr UnixSeconds kFeb27_1000 = 1772204400;
constexpr UnixSeconds kMar05_1200 = 1772730000;  // previous period
constexpr UnixSeconds kMar07_0000 = 1772859600;  // period start
constexpr UnixSeconds kMar07_0900 = 1772892000;
constexpr UnixSeconds kMar07_1130 = 1772901000;
constexpr UnixSeconds kMar07_2330 = 1772944200;  // Saturday 23:30 EST = Sunday 04:30 UTC
constexpr UnixSeconds kMar08_0100 = 1772949600;
constexpr UnixSeconds kMar08_0330 = 1772955000;  // Sunday 03:30 EDT, just after the jump
constexpr UnixSeconds kMar09_1200 = 1773072000;  // Monday noon EDT
constexpr UnixSeconds kMar10_0000 = 1773115200;  // period end (71 hours after its start)

// Findings the fixture's "engine" returns: two warnings for text with
// "warn" in it, one block for "block".
model::ComplianceResult fake_check(const model::VersionContent& c, const std::vector<model::Consent>&, UnixSeconds) {
    if (c.text.find("block") != std::string::npos)
        return {"block", R"([{"rule":"phi.name","severity":"block"}])"};
    if (c.text.find("warn") != std::string::npos)
        return {"warn", R"([{"rule":"policy.claim","severity":"warn"},{"rule":"policy.link","severity":"warn"}])"};
    return {};
}

void publish(WorkflowFixture& f, model::Id post, UnixSeconds at) {
    auto claimed = f.store->claim_due("w", at, 60, 100);
    REQUIRE(claimed.ok());
    for (const auto& t : *claimed) {
        if (t.post_id != post) continue;
        store::TargetOutcome outcome;
        outcome.target_id = t.id;
        outcome.state = model::State::Published;
        outcome.remote_id = "r" + std::to_string(t.id);
        outcome.remote_url = "https://social.example/p/" + std::to_string(t.id);
        REQUIRE(*f.store->finish_target(outcome, "w", at));
    }
    REQUIRE(f.store->release_claims("w").ok());
}

model::Target target_on(WorkflowFixture& f, model::Id post, model::Id account) {
    auto targets = f.store->targets_of(post);
    REQUIRE(targets.ok());
    for (const auto& t : *targets)
        if (t.account_id == account) return t;
    FAIL("post " << post << " has no target on account " << account);
    return {};
}

// P0  bluesky           published Thu 5 Mar 12:00 (previous period)  likes 8
// P1  bluesky+mastodon  published Sat 7 Mar 23:30 EST                bluesky 10+2, mastodon 4 (+100 views)
// P2  bluesky           published Sun 8 Mar 03:30 EDT                likes 5
// P3  bluesky           published Mon 9 Mar 12:00 EDT                no snapshot
// Q   a draft whose only version is blocked (never submitted)
// P1 and P2 were submitted at 09:00 and approved at 11:30 on 7 March, P3
// submitted at 09:00 and approved at 01:00 on 8 March (16 hours).
struct Seeded {
    WorkflowFixture f{fake_check};
    model::Id p0 = 0, p1 = 0, p2 = 0, p3 = 0;

    Seeded() {
        f.now = kFeb27_1000;
        auto c0 = f.content("Thursday clinic", kMar05_1200);
        c0.targets = {{f.bluesky.id, ""}};
        p0 = f.approved_and_scheduled(c0);

        f.now = kMar07_0900;
        p1 = create_and_submit(f.content("Flu shots today, warn", kMar07_2330));
        auto c2 = f.content("Clocks changed", kMar08_0330);
        c2.targets = {{f.bluesky.id, ""}};
        p2 = create_and_submit(c2);
        auto c3 = f.content("Monday update", kMar09_1200);
        c3.targets = {{f.bluesky.id, ""}};
        p3 = create_and_submit(c3);
        REQUIRE(f.flow->create_post(f.author, f.content("draft to block")).ok());

        f.now = kMar07_1130;
        approve_and_schedule(p1);
        approve_and_schedule(p2);
        f.now = kMar08_0100;
        approve_and_schedule(p3);

        publish(f, p0, kMar05_1200);
        publish(f, p1, kMar07_2330);
        publish(f, p2, kMar08_0330);
        publish(f, p3, kMar09_1200);
        snapshot(p0, f.bluesky.id, R"({"likes":8})");
        snapshot(p1, f.bluesky.id, R"({"likes":10,"reposts":2})");
        snapshot(p1, f.mastodon.id, R"({"likes":4,"replies":0,"views":100})");
        snapshot(p2, f.bluesky.id, R"({"likes":5})");
    }

    model::Id create_and_submit(const model::VersionContent& c) {
        auto post = f.flow->create_post(f.author, c);
        REQUIRE(post.ok());
        REQUIRE(f.flow->submit(f.author, *post).ok());
        return *post;
    }
    void approve_and_schedule(model::Id post) {
        REQUIRE(f.flow->approve(f.approver, post, "", "").ok());
        REQUIRE(f.flow->schedule(f.author, post).ok());
    }
    void snapshot(model::Id post, model::Id account, const std::string& json) {
        const auto t = target_on(f, post, account);
        REQUIRE(f.store->add_metric_snapshot({t.id, kMar10_0000 + 3600, json}).ok());
    }

    analytics::Dashboard dashboard() {
        schedule::TzDatabase zones;
        auto zone = zones.find("America/New_York");
        REQUIRE(zone.ok());
        auto d = analytics::build_dashboard(*f.store, {kMar07_0000, kMar10_0000}, *zone);
        REQUIRE(d.ok());
        return *d;
    }
};

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string run(const std::string& command) {
    std::string out;
    FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
    REQUIRE(::pclose(pipe) == 0);
    return out;
}

bool have(const char* tool) { return std::system((std::string("command -v ") + tool + " >/dev/null").c_str()) == 0; }

// The report `d` written as a PDF (kept as CLEARPOST_KEEP_REPORT when set,
// to look at), read back with poppler: its page count and its text.
struct ReadPdf {
    int pages = 0;
    std::string text;
};
ReadPdf write_and_read(const analytics::Dashboard& d, const std::filesystem::path& pdf) {
    REQUIRE(analytics::write_pdf_report(d, {"St. Example Hospital", kMar10_0000}, pdf, Overwrite::Refuse).ok());
    if (const char* keep = std::getenv("CLEARPOST_KEEP_REPORT")) std::filesystem::copy_file(pdf, keep);
    const std::string info = run("pdfinfo '" + pdf.string() + "'");
    const auto pages = info.find("Pages:");
    REQUIRE(pages != std::string::npos);
    return {std::atoi(info.c_str() + pages + 6), run("pdftotext -layout '" + pdf.string() + "' -")};
}

// Pixels of exactly this colour in a PNG (opaque RGB24, as written).
std::size_t pixels_of(const std::filesystem::path& png, unsigned rgb) {
    cairo_surface_t* s = cairo_image_surface_create_from_png(png.c_str());
    REQUIRE(cairo_surface_status(s) == CAIRO_STATUS_SUCCESS);
    const int w = cairo_image_surface_get_width(s);
    const int h = cairo_image_surface_get_height(s);
    const int stride = cairo_image_surface_get_stride(s);
    const unsigned char* data = cairo_image_surface_get_data(s);
    std::size_t n = 0;
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            std::uint32_t px = 0;
            std::memcpy(&px, data + y * stride + x * 4, 4);
            if ((px & 0xFFFFFFU) == rgb) ++n;
        }
    cairo_surface_destroy(s);
    return n;
}

}  // namespace

TEST_CASE("dashboard totals count posts, measured posts and engagement, against the previous period") {
    Seeded s;
    const auto d = s.dashboard();
    // The previous period is as long as this one (71 hours: the spring-forward night).
    CHECK(d.previous.to == kMar07_0000);
    CHECK(d.previous.from == kMar07_0000 - (kMar10_0000 - kMar07_0000));
    CHECK(d.current.posts == 4);  // P1 twice, P2, P3
    CHECK(d.current.measured == 3);
    CHECK(d.current.engagement == 12 + 4 + 5);  // views are not engagement
    CHECK(d.before.posts == 1);
    CHECK(d.before.engagement == 8);
    REQUIRE(d.networks.size() == 2);
    CHECK(d.networks[0].network == "bluesky");
    CHECK(d.networks[0].current.posts == 3);
    CHECK(d.networks[0].current.engagement == 17);
    CHECK(d.networks[0].previous.engagement == 8);
    CHECK(d.networks[1].network == "mastodon");
    CHECK(d.networks[1].current.engagement == 4);
    CHECK(d.networks[1].previous.posts == 0);
}

TEST_CASE("dashboard days and heat map follow the organisation's calendar across a DST change") {
    Seeded s;
    const auto d = s.dashboard();
    REQUIRE(d.days.size() == 3);
    CHECK(d.days[0] == schedule::LocalDate{2026, 3, 7});
    CHECK(d.days[2] == schedule::LocalDate{2026, 3, 9});
    // P1 went out on Sunday in UTC but on Saturday evening in New York.
    CHECK(d.engagement_by_day[0] == std::vector<std::int64_t>{12, 5, 0});
    CHECK(d.engagement_by_day[1] == std::vector<std::int64_t>{4, 0, 0});
    const auto& saturday_23 = d.heat[5][23];
    CHECK(saturday_23.posts == 2);
    CHECK(saturday_23.per_post() == Approx(8.0));
    CHECK(d.heat[6][3].engagement == 5);  // 03:30 EDT, after the jump from 02:00
    CHECK(d.heat[0][12].posts == 1);      // P3: posted, nothing reported
    CHECK_FALSE(d.heat[0][12].per_post().has_value());
    CHECK(d.heat[6][4].posts == 0);  // Sunday 04:30 is P1's time in UTC, not New York's
}

TEST_CASE("dashboard top posts rank by engagement and leave out posts without metrics") {
    Seeded s;
    const auto d = s.dashboard();
    REQUIRE(d.top.size() == 3);
    CHECK(d.top[0].row.target.post_id == s.p1);
    CHECK(d.top[0].engagement == 12);
    CHECK(d.top[1].row.target.post_id == s.p2);
    CHECK(d.top[2].row.target.network == "mastodon");
}

TEST_CASE("dashboard governance counts checked versions, findings and approval turnaround per month") {
    Seeded s;
    const auto d = s.dashboard();
    REQUIRE(d.governance.size() == 1);
    const auto& march = d.governance[0];
    CHECK(march.year == 2026);
    CHECK(march.month == 3);
    CHECK(march.versions == 4);  // P1, P2, P3 and the blocked draft; P0 was written in February
    CHECK(march.verdict_block == 1);
    CHECK(march.verdict_warn == 1);
    CHECK(march.verdict_pass == 2);
    CHECK(march.block_findings == 1);
    CHECK(march.warn_findings == 2);
    CHECK(march.approvals == 3);  // P0's approval was in February
    CHECK(*march.median_turnaround_hours == Approx(2.5));
    CHECK(*march.p90_turnaround_hours == Approx(2.5 + (16 - 2.5) * 0.8));
}

TEST_CASE("dashboard periods spanning months list every month, quiet ones included") {
    Seeded s;
    schedule::TzDatabase zones;
    auto zone = zones.find("America/New_York");
    REQUIRE(zone.ok());
    auto d = analytics::build_dashboard(*s.f.store, {kFeb27_1000 - 40 * 86400, kMar10_0000}, *zone);
    REQUIRE(d.ok());
    REQUIRE(d->governance.size() == 3);  // January, February, March
    CHECK(d->governance[0].month == 1);
    CHECK(d->governance[0].versions == 0);
    CHECK_FALSE(d->governance[0].median_turnaround_hours.has_value());
    CHECK(d->governance[1].approvals == 1);  // P0, approved the minute it was submitted
    CHECK(*d->governance[1].median_turnaround_hours == Approx(0.0));
    auto empty = analytics::build_dashboard(*s.f.store, {kMar10_0000, kMar07_0000}, *zone);
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.error().code == ErrorCode::Invalid);
}

TEST_CASE("engagement sums the reported engagement metrics and is absent when none is reported") {
    CHECK(analytics::engagement_of({{"likes", "3"}, {"reposts", "2"}, {"views", "900"}}) == 5);
    CHECK(analytics::engagement_of({{"replies", "0"}}) == 0);
    CHECK_FALSE(analytics::engagement_of({{"views", "900"}}).has_value());
    CHECK_FALSE(analytics::engagement_of({}).has_value());
    CHECK(analytics::engagement_of({{"likes", "4"}, {"shares", "n/a"}}) == 4);
}

TEST_CASE("charts are written as PNG and SVG, with the series drawn in the palette's colours") {
    Seeded s;
    const auto d = s.dashboard();
    const auto png = s.f.dir.path() / "engagement.png";
    REQUIRE(analytics::write_chart(d, analytics::Chart::Engagement, analytics::ImageFormat::Png, png,
                                   Overwrite::Refuse)
                .ok());
    const std::string bytes = slurp(png);
    REQUIRE(bytes.substr(0, 8) == "\x89PNG\r\n\x1a\n");
    CHECK(pixels_of(png, 0x0072B2) > 100);  // bluesky's line, the palette's first colour
    CHECK(pixels_of(png, 0xE69F00) > 100);  // mastodon's, the second

    // A period without metrics draws the message, not an empty plot.
    auto quiet = d;
    quiet.current = {};
    for (auto& series : quiet.engagement_by_day) std::fill(series.begin(), series.end(), 0);
    const auto quiet_png = s.f.dir.path() / "quiet.png";
    REQUIRE(analytics::write_chart(quiet, analytics::Chart::Engagement, analytics::ImageFormat::Png, quiet_png,
                                   Overwrite::Refuse)
                .ok());
    CHECK(pixels_of(quiet_png, 0x0072B2) == 0);

    const auto svg = s.f.dir.path() / "heatmap.svg";
    REQUIRE(analytics::write_chart(d, analytics::Chart::Heatmap, analytics::ImageFormat::Svg, svg, Overwrite::Refuse)
                .ok());
    CHECK(slurp(svg).find("<svg") != std::string::npos);
    auto again = analytics::write_chart(d, analytics::Chart::Heatmap, analytics::ImageFormat::Svg, svg,
                                        Overwrite::Refuse);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == ErrorCode::Conflict);
    CHECK(analytics::parse_chart("turnaround").value() == analytics::Chart::Turnaround);
    CHECK_FALSE(analytics::parse_chart("pie").ok());
}

TEST_CASE("the PDF report has its four pages and their text") {
    if (!have("pdftotext") || !have("pdfinfo")) {
        WARN("poppler-utils (pdftotext, pdfinfo) are not installed: the PDF is not read back");
        return;
    }
    Seeded s;
    const auto d = s.dashboard();
    const auto [pages, text] = write_and_read(d, s.f.dir.path() / "report.pdf");
    CHECK(pages == 4);
    for (const char* expected :
         {"St. Example Hospital", "Social media report", "7 Mar 2026 – 9 Mar 2026 (America/New_York)",
          "Posts published", "Engagement per post", "bluesky", "mastodon", "Top posts", "Flu shots today, warn",
          "2026-03-07 23:30", "https://social.example/p/", "Governance", "Mar 2026", "2.5 / 13.3", "1 block, 2 warn"}) {
        INFO(expected);
        CHECK(text.find(expected) != std::string::npos);
    }
}

// Tags over the seeded posts: P1 flu + campaign-a, P2 flu, P3 campaign-a,
// P0 flu (previous period, left out). By hand, for 7-9 March:
//   campaign-a  posts P1, P3 = 2; targets P1 x2 + P3 = 3; measured 2
//               (P3 has no snapshot); engagement 12 + 4 = 16;
//               likes 10 + 4 = 14, reposts 2, replies 0, views 100
//   flu         posts P1, P2 = 2; targets 3; measured 3; engagement
//               12 + 4 + 5 = 21; likes 10 + 4 + 5 = 19, reposts 2,
//               replies 0, views 100
void tag_seeded(Seeded& s) {
    REQUIRE(s.f.flow->set_tags(s.f.author, s.p0, {"flu"}).ok());
    REQUIRE(s.f.flow->set_tags(s.f.author, s.p1, {"Flu", "campaign-a"}).ok());
    REQUIRE(s.f.flow->set_tags(s.f.approver, s.p2, {"flu"}).ok());
    REQUIRE(s.f.flow->set_tags(s.f.author, s.p3, {"campaign-a"}).ok());
}

TEST_CASE("dashboard per-tag totals count tagged posts, their published targets and each metric") {
    Seeded s;
    CHECK(s.dashboard().tags.empty());
    tag_seeded(s);
    const auto d = s.dashboard();
    REQUIRE(d.tags.size() == 2);
    const auto& a = d.tags[0];
    CHECK(a.tag == "campaign-a");
    CHECK(a.posts == 2);
    CHECK(a.targets == 3);
    CHECK(a.engagement.posts == 3);
    CHECK(a.engagement.measured == 2);
    CHECK(a.engagement.engagement == 16);
    using Sums = std::map<std::string, std::int64_t>;
    CHECK(a.metrics == Sums{{"likes", 14}, {"reposts", 2}, {"replies", 0}, {"views", 100}});
    const auto& flu = d.tags[1];
    CHECK(flu.tag == "flu");
    CHECK(flu.posts == 2);
    CHECK(flu.targets == 3);
    CHECK(flu.engagement.measured == 3);
    CHECK(flu.engagement.engagement == 21);
    CHECK(flu.metrics == Sums{{"likes", 19}, {"reposts", 2}, {"replies", 0}, {"views", 100}});

    // The previous period holds only P0.
    auto before = analytics::build_report(*s.f.store, d.previous);
    REQUIRE(before.ok());
    const auto previous = analytics::tag_totals(*before);
    REQUIRE(previous.size() == 1);
    CHECK(previous.at(0).tag == "flu");
    CHECK(previous.at(0).posts == 1);
    CHECK(previous.at(0).metrics.at("likes") == 8);
}

TEST_CASE("the PDF report gains a page by tag when posts carry tags") {
    if (!have("pdftotext") || !have("pdfinfo")) {
        WARN("poppler-utils (pdftotext, pdfinfo) are not installed: the PDF is not read back");
        return;
    }
    Seeded s;
    tag_seeded(s);
    const auto d = s.dashboard();
    const auto [pages, text] = write_and_read(d, s.f.dir.path() / "tags.pdf");
    CHECK(pages == 5);
    for (const char* expected : {"By tag", "campaign-a", "flu", "likes 19", "reposts 2", "Governance", "page 5"}) {
        INFO(expected);
        CHECK(text.find(expected) != std::string::npos);
    }
}

TEST_CASE("periods of local days start at local midnight, across DST changes") {
    schedule::TzDatabase zones;
    auto zone = zones.find("America/New_York");
    REQUIRE(zone.ok());
    // Monday 9 March 2026, 15:00 EDT: the last three days are Saturday to Monday.
    auto three = analytics::last_days(*zone, 3, kMar09_1200 + 3 * 3600);
    REQUIRE(three.ok());
    CHECK(three->from == kMar07_0000);
    CHECK(three->to == kMar10_0000);
    auto march = analytics::local_days(*zone, {2026, 3, 1}, {2026, 4, 1});
    REQUIRE(march.ok());
    CHECK(march->from == 1772341200);  // 2026-03-01T05:00:00Z
    CHECK(march->to == 1775016000);    // 2026-04-01T04:00:00Z
    CHECK_FALSE(analytics::local_days(*zone, {2026, 3, 1}, {2026, 3, 1}).ok());
    CHECK_FALSE(analytics::last_days(*zone, 0, kMar09_1200).ok());
}

// Follower samples (New York days of the period: 7, 8, 9 March). By hand:
//   bluesky   1000 on 5 March (before the period), then 1010 on the 7th
//             (23:30 EST), 1012 and 1015 on the 8th, 1030 on the 9th, 2000
//             after the period: start 1000, end 1030, change +30, four
//             samples, days [1010, 1015, 1030].
//   mastodon  200 on the 8th, then a sample without followers: start and
//             end 200 (no earlier sample), days [200, 200, 200].
//   x         only a post count: not in the audience.
void sample_accounts(Seeded& s) {
    auto add = [&](model::Id account, UnixSeconds at, const char* json) {
        REQUIRE(s.f.store->add_account_snapshot({account, at, json}).ok());
    };
    const auto x = *s.f.store->insert_account({0, "x", "clinic", "connected"});
    add(s.f.bluesky.id, kMar05_1200, R"({"followers":1000,"following":3})");
    add(s.f.bluesky.id, kMar07_2330, R"({"followers":1010})");
    add(s.f.bluesky.id, kMar08_0100, R"({"followers":1012})");
    add(s.f.bluesky.id, kMar08_0330, R"({"followers":1015})");
    add(s.f.bluesky.id, kMar09_1200, R"({"followers":1030})");
    add(s.f.bluesky.id, kMar10_0000 + 3600, R"({"followers":2000})");
    add(s.f.mastodon.id, kMar08_0330, R"({"followers":200,"following":5,"posts":40})");
    add(s.f.mastodon.id, kMar09_1200, R"({"following":5})");
    add(x, kMar08_0330, R"({"posts":3})");
}

TEST_CASE("dashboard audience: followers per account and local day, from the newest sample before the period") {
    Seeded s;
    CHECK(s.dashboard().audience.empty());
    sample_accounts(s);
    const auto d = s.dashboard();
    REQUIRE(d.audience.size() == 2);
    const auto& b = d.audience[0];
    CHECK(b.network == "bluesky");
    CHECK(b.handle == s.f.bluesky.handle);
    CHECK(b.start == 1000);
    CHECK(b.end == 1030);
    CHECK(b.change() == 30);
    CHECK(b.samples == 4);
    CHECK(b.followers_by_day == std::vector<std::int64_t>{1010, 1015, 1030});
    const auto& m = d.audience[1];
    CHECK(m.network == "mastodon");
    CHECK(m.start == 200);
    CHECK(m.end == 200);
    CHECK(m.samples == 1);
    CHECK(m.followers_by_day == std::vector<std::int64_t>{200, 200, 200});

    // A damaged sample is named, not skipped.
    REQUIRE(s.f.store->add_account_snapshot({s.f.bluesky.id, kMar09_1200 + 60, "not json"}).ok());
    schedule::TzDatabase zones;
    auto damaged = analytics::build_dashboard(*s.f.store, {kMar07_0000, kMar10_0000}, *zones.find("America/New_York"));
    REQUIRE_FALSE(damaged.ok());
    CHECK(damaged.error().code == ErrorCode::Corrupt);
    CHECK_THAT(damaged.error().message, Catch::Contains("account " + std::to_string(s.f.bluesky.id)));
}

TEST_CASE("the follower chart draws each network's growth, and the PDF gains an audience page") {
    Seeded s;
    sample_accounts(s);
    const auto d = s.dashboard();
    const auto png = s.f.dir.path() / "followers.png";
    REQUIRE(analytics::write_chart(d, analytics::Chart::Followers, analytics::ImageFormat::Png, png, Overwrite::Refuse)
                .ok());
    CHECK(pixels_of(png, 0x0072B2) > 100);  // bluesky's growth
    CHECK(pixels_of(png, 0xE69F00) > 100);  // mastodon's, flat at 0
    CHECK(analytics::parse_chart("followers").value() == analytics::Chart::Followers);
    auto quiet = d;
    quiet.audience.clear();
    const auto quiet_png = s.f.dir.path() / "no-followers.png";
    REQUIRE(analytics::write_chart(quiet, analytics::Chart::Followers, analytics::ImageFormat::Png, quiet_png,
                                   Overwrite::Refuse)
                .ok());
    CHECK(pixels_of(quiet_png, 0x0072B2) == 0);

    if (!have("pdftotext") || !have("pdfinfo")) {
        WARN("poppler-utils (pdftotext, pdfinfo) are not installed: the PDF is not read back");
        return;
    }
    const auto [pages, text] = write_and_read(d, s.f.dir.path() / "audience.pdf");
    CHECK(pages == 5);
    const std::vector<std::string> expectations{
        "Audience", "Followers gained since Mar 7, by network", "bluesky · " + s.f.bluesky.handle, "1,030",
        "+30 (+3%)", "mastodon · " + s.f.mastodon.handle, "no change", "Governance", "page 5"};
    for (const auto& expected : expectations) {
        INFO(expected);
        CHECK(text.find(expected) != std::string::npos);
    }
}
