// report: what was published in a period, for handing on: CSV tables, a
// PDF report, or one dashboard chart as PNG or SVG.

#include <CLI/CLI.hpp>

#include <optional>

#include "clearpost/analytics/charts.h"
#include "clearpost/analytics/csv.h"
#include "clearpost/analytics/dashboard.h"
#include "clearpost/analytics/report.h"
#include "clearpost/base/file.h"
#include "clearpost/schedule/local_datetime.h"
#include "clearpost/schedule/time_zone.h"
#include "output.h"
#include "run.h"

namespace clearpost::cli {
namespace {

using store::MigrationPolicy;
using store::OpenMode;

struct ReportOptions {
    std::string from;
    std::string to;
    std::string format = "csv";
    std::string chart;
    std::string out;
    bool history = false;
    bool accounts = false;
    bool force = false;
    bool no_bom = false;
};

Result<schedule::LocalDate> parse_date(const std::string& text, const char* option) {
    const auto bad = [&] {
        return make_error(ErrorCode::Invalid, std::string(option) + " takes a date like 2026-03-08 (YYYY-MM-DD), not '" +
                                                  text + "'");
    };
    if (text.size() != 10) return bad();
    auto parsed = schedule::parse_local_datetime(text + "T00:00");
    if (!parsed.ok()) return bad();
    return parsed->date();
}

Result<void> run_report(Context& ctx, const ReportOptions& o) {
    // Usage first, so a wrong command line is answered before any sign-in.
    const bool image = o.format == "png" || o.format == "svg";
    if (o.format != "csv" && o.format != "pdf" && !image) {
        return make_error(ErrorCode::Invalid,
                          "unknown report format '" + o.format + "'; use --format csv, pdf, png or svg");
    }
    if (image && o.chart.empty()) {
        return make_error(ErrorCode::Invalid, "--format " + o.format +
                                                  " draws one chart: add --chart engagement, heatmap, findings, "
                                                  "turnaround or followers");
    }
    if (!image && !o.chart.empty()) {
        return make_error(ErrorCode::Invalid, "--chart needs --format png or svg (the PDF holds every chart)");
    }
    if ((o.history || o.accounts) && o.format != "csv") {
        return make_error(ErrorCode::Invalid, std::string(o.history ? "--history" : "--accounts") +
                                                  " is a CSV table; use it with --format csv");
    }
    if (o.history && o.accounts) {
        return make_error(ErrorCode::Invalid, "--history and --accounts are two tables: write one at a time");
    }
    std::optional<analytics::Chart> chart;
    if (image) {
        CLEARPOST_ASSIGN(chart, analytics::parse_chart(o.chart));
    }
    CLEARPOST_ASSIGN(auto from_date, parse_date(o.from, "--from"));
    CLEARPOST_ASSIGN(auto to_date, parse_date(o.to, "--to"));
    if (!(from_date < to_date)) {
        return make_error(ErrorCode::Invalid, "--to (" + o.to + ") must be a later day than --from (" + o.from +
                                                  "); --to is the first day not in the report");
    }
    // Any signed-in user may read reports: they hold only published posts.
    CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                 Session::Actor::Required, Session::Checks::None));
    auto& store = session->store();
    CLEARPOST_ASSIGN(auto org, store.organisation());
    const std::string zone_name = org.default_zone.empty() ? "UTC" : org.default_zone;
    schedule::TzDatabase zones;
    CLEARPOST_ASSIGN(auto zone, zones.find(zone_name));
    CLEARPOST_ASSIGN(const analytics::Period period, analytics::local_days(zone, from_date, to_date));

    const Overwrite overwrite = o.force ? Overwrite::Replace : Overwrite::Refuse;
    const auto saved_as = [&](Result<void> saved) -> Result<void> {
        if (saved) return ok();
        Error e = std::move(saved).error();
        if (e.code == ErrorCode::Conflict) e.message += "; choose another file or pass --force";
        return e;
    };
    if (o.format != "csv") {
        CLEARPOST_ASSIGN(auto dashboard, analytics::build_dashboard(store, period, zone));
        if (chart) {
            CLEARPOST_CHECK(saved_as(analytics::write_chart(
                dashboard, *chart, o.format == "png" ? analytics::ImageFormat::Png : analytics::ImageFormat::Svg,
                o.out, overwrite)));
        } else {
            CLEARPOST_CHECK(saved_as(
                analytics::write_pdf_report(dashboard, {org.name, system_now()}, o.out, overwrite)));
        }
        emit(ctx.json,
             {{"file", o.out},
              {"kind", chart ? std::string(analytics::to_string(*chart)) : std::string("pdf")},
              {"posts", dashboard.current.posts},
              {"zone", zone_name},
              {"from", format_utc(period.from)},
              {"to", format_utc(period.to)}},
             "Wrote " + (chart ? "the " + std::string(analytics::to_string(*chart)) + " chart" : std::string("the report")) +
                 " (" + std::to_string(dashboard.current.posts) + " published targets) to " + o.out + " (from " +
                 o.from + " to before " + o.to + ", " + zone_name + ")");
        return ok();
    }

    const analytics::CsvOptions csv{o.no_bom ? analytics::ByteOrderMark::Omit : analytics::ByteOrderMark::Write};
    std::string bytes;
    std::size_t rows = 0;
    if (o.accounts) {
        CLEARPOST_ASSIGN(auto samples, analytics::build_account_history(store, period));
        rows = samples.rows.size();
        bytes = analytics::to_csv(analytics::account_table(samples), csv);
    } else if (o.history) {
        CLEARPOST_ASSIGN(auto history, analytics::build_history(store, period));
        rows = history.rows.size();
        bytes = analytics::to_csv(analytics::history_table(history), csv);
    } else {
        CLEARPOST_ASSIGN(auto report, analytics::build_report(store, period));
        rows = report.rows.size();
        bytes = analytics::to_csv(analytics::report_table(report), csv);
    }
    CLEARPOST_CHECK(saved_as(write_file_atomically(o.out, bytes, overwrite)));
    emit(ctx.json,
         {{"file", o.out},
          {"rows", rows},
          {"kind", o.accounts ? "accounts" : o.history ? "history" : "report"},
          {"zone", zone_name},
          {"from", format_utc(period.from)},
          {"to", format_utc(period.to)}},
         "Wrote " + std::to_string(rows) +
             (o.accounts ? " account samples" : o.history ? " snapshots" : " published targets") + " to " + o.out +
             " (from " + o.from + " to before " + o.to + ", " + zone_name + ")");
    return ok();
}

}  // namespace

void add_report_command(CLI::App& app, Context& ctx) {
    auto o = std::make_shared<ReportOptions>();
    auto* cmd = app.add_subcommand(
        "report", "What was published in a period: CSV with the newest metrics, a PDF report, or a chart");
    cmd->add_option("--from", o->from, "First day in the report (YYYY-MM-DD, the organisation's time zone)")
        ->required();
    cmd->add_option("--to", o->to, "First day NOT in the report (YYYY-MM-DD, the organisation's time zone)")
        ->required();
    cmd->add_option("--format", o->format, "csv, pdf (cover, charts, top posts, audience, governance), png or svg (one --chart)")
        ->capture_default_str();
    cmd->add_option("--chart", o->chart, "With png or svg: engagement, heatmap, findings, turnaround or followers");
    cmd->add_option("--out", o->out, "File to write (refused if it exists, unless --force)")->required();
    cmd->add_flag("--history", o->history, "Every metrics snapshot (one row each) instead of one row per post target");
    cmd->add_flag("--accounts", o->accounts,
                  "The accounts' samples taken in the period (followers, following, posts; one row each) instead "
                  "of posts");
    cmd->add_flag("--force", o->force, "Replace --out if it exists");
    cmd->add_flag("--no-bom", o->no_bom, "Leave out the UTF-8 byte order mark (Excel needs it; some programs do not)");
    cmd->callback(command(ctx, [&ctx, o]() { return run_report(ctx, *o); }));
}

}  // namespace clearpost::cli
