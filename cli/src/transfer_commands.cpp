// import, export, restore: posts in from spreadsheets (as drafts), the
// calendar out as CSV or JSON, and a JSON export back into a new database.

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "clearpost/base/csv.h"
#include "clearpost/base/file.h"
#include "clearpost/schedule/time_zone.h"
#include "clearpost/transfer/transfer.h"
#include "output.h"
#include "run.h"

namespace clearpost::cli {
namespace {

using store::MigrationPolicy;
using store::OpenMode;

struct ImportCliOptions {
    std::string file;
    std::string format = "auto";
    std::vector<std::string> accounts;
    std::string date_order;
    std::string report_file;
    bool dry_run = false;
    bool force = false;
};

struct ExportCliOptions {
    std::string format;
    std::string out;
    bool force = false;
};

Result<std::string> read_input(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(ErrorCode::NotFound, "cannot read " + path + "; check the file name and its permissions");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

Result<void> save(const std::string& path, const std::string& bytes, bool force) {
    if (auto saved = write_file_atomically(path, bytes, force ? Overwrite::Replace : Overwrite::Refuse); !saved) {
        Error e = std::move(saved).error();
        if (e.code == ErrorCode::Conflict) e.message += "; choose another file or pass --force";
        return e;
    }
    return ok();
}

// Returns the exit code itself: 1 when any row was rejected, so scripts see it.
int run_import(Context& ctx, const ImportCliOptions& o) {
    const auto body = [&]() -> Result<int> {
        // Usage first, so a wrong command line is answered before any sign-in.
        transfer::ImportOptions options;
        CLEARPOST_ASSIGN(options.format, transfer::parse_format(o.format));
        if (!o.date_order.empty()) {
            CLEARPOST_ASSIGN(options.date_order, transfer::parse_date_order(o.date_order));
        }
        options.accounts = o.accounts;
        options.dry_run = o.dry_run;
        CLEARPOST_ASSIGN(auto bytes, read_input(o.file));
        CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                     Session::Actor::Required, Session::Checks::Load));
        const bool tty = ::isatty(STDERR_FILENO) == 1;
        options.progress = [tty](std::size_t done, std::size_t total) {
            // A terminal sees one line rewritten; a log gets a line every 1,000 rows.
            if (tty && (done % 50 == 0 || done == total)) {
                std::cerr << "\rImporting: row " << done << " of " << total << std::flush;
                if (done == total) std::cerr << "\n";
            } else if (!tty && (done % 1000 == 0 || done == total)) {
                std::cerr << "Importing: row " << done << " of " << total << "\n";
            }
        };
        schedule::TzDatabase zones;
        CLEARPOST_ASSIGN(auto report, transfer::import_posts(session->store(), session->flow(), zones,
                                                             session->user(), bytes, o.file, options));
        if (!o.report_file.empty()) {
            CLEARPOST_CHECK(save(o.report_file, to_csv(transfer::report_table(report)), o.force));
        }
        nlohmann::json rows = nlohmann::json::array();
        std::string human;
        for (const auto& r : report.rows) {
            nlohmann::json row{{"row", r.row}, {"line", r.line}};
            if (!r.problems.empty()) {
                row["outcome"] = "rejected";
                row["problems"] = nlohmann::json::array();
                for (const auto& p : r.problems) row["problems"].push_back({{"column", p.column}, {"message", p.message}});
            } else if (r.skipped) {
                row["outcome"] = "skipped";
            } else {
                row["outcome"] = o.dry_run ? "would_create" : "created";
                if (!o.dry_run) {
                    row["post"] = r.post_id;
                    row["state"] = "Draft";
                    row["verdict"] = r.verdict;
                    row["findings"] = r.findings;
                }
            }
            rows.push_back(std::move(row));
            human += "row " + std::to_string(r.row) + ": " + transfer::describe_outcome(r, o.dry_run) + "\n";
        }
        const std::size_t created = report.created();
        const std::size_t rejected = report.rejected();
        human += std::string(o.dry_run ? "Dry run: " : "") + std::to_string(created) +
                 (o.dry_run ? " of " + std::to_string(report.rows.size()) + " rows would be created"
                            : " drafts created") +
                 ", " + std::to_string(rejected) + " rows rejected (" + std::string(transfer::to_string(report.format)) +
                 ", dates without an offset read in " + report.zone +
                 "). Each row is atomic: a rejected row left nothing behind (rows are committed up to " +
                 std::to_string(transfer::ImportOptions{}.rows_per_commit) + " at a time).";
        emit(ctx.json,
             {{"format", std::string(transfer::to_string(report.format))},
              {"zone", report.zone},
              {"dry_run", o.dry_run},
              {"atomicity", "per_row"},
              {"rows_per_commit", transfer::ImportOptions{}.rows_per_commit},
              {"created", created},
              {"rejected", rejected},
              {"rows", rows}},
             human);
        return rejected == 0 ? static_cast<int>(kExitOk) : static_cast<int>(kExitRuntime);
    };
    auto result = body();
    return result.ok() ? *result : report(result.error());
}

Result<void> run_export(Context& ctx, const ExportCliOptions& o) {
    if (o.format != "csv" && o.format != "json") {
        return make_error(ErrorCode::Invalid, "unknown export format '" + o.format + "'; use --format csv or json");
    }
    CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                 Session::Actor::Required, Session::Checks::None));
    std::string bytes;
    if (o.format == "csv") {
        CLEARPOST_ASSIGN(bytes, transfer::export_csv(session->store(), session->user()));
    } else {
        CLEARPOST_ASSIGN(bytes, transfer::export_json(session->store(), session->user(), system_now()));
    }
    // The JSON export holds password hashes: readable by its owner only.
    const unsigned mode = o.format == "json" ? 0600 : 0666;
    if (auto saved = write_file_atomically(o.out, bytes, o.force ? Overwrite::Replace : Overwrite::Refuse, mode);
        !saved) {
        Error e = std::move(saved).error();
        if (e.code == ErrorCode::Conflict) e.message += "; choose another file or pass --force";
        return e;
    }
    emit(ctx.json, {{"file", o.out}, {"format", o.format}, {"bytes", bytes.size()}},
         "Wrote the calendar as " + o.format + " to " + o.out);
    return ok();
}

Result<void> run_restore(Context& ctx, const std::string& file) {
    CLEARPOST_ASSIGN(auto bytes, read_input(file));
    CLEARPOST_ASSIGN(auto session, Session::open(ctx, OpenMode::MustExist, MigrationPolicy::RequireCurrent,
                                                 Session::Actor::Required, Session::Checks::None));
    CLEARPOST_ASSIGN(auto s, transfer::restore_json(session->store(), session->audit(), session->user(), bytes,
                                                    system_now()));
    emit(ctx.json,
         {{"posts", s.posts},
          {"versions", s.versions},
          {"approvals", s.approvals},
          {"targets", s.targets},
          {"users_created", s.users_created},
          {"accounts_created", s.accounts_created}},
         "Restored " + std::to_string(s.posts) + " posts (" + std::to_string(s.versions) + " versions, " +
             std::to_string(s.approvals) + " approvals, " + std::to_string(s.targets) + " targets); created " +
             std::to_string(s.users_created) + " users and " + std::to_string(s.accounts_created) + " accounts");
    return ok();
}

}  // namespace

void add_transfer_commands(CLI::App& app, Context& ctx) {
    auto io = std::make_shared<ImportCliOptions>();
    auto* import = app.add_subcommand("import", "Import posts from a CSV or JSON file as drafts, with a per-row report");
    import->add_option("FILE", io->file, "The file to import")->required();
    import->add_option("--format", io->format, "auto, clearpost-csv, clearpost-json, hootsuite, sprout or buffer")
        ->capture_default_str();
    import->add_option("--account", io->accounts,
                       "NETWORK:HANDLE every post goes to (Hootsuite, Sprout and Buffer files name none); repeatable");
    import->add_option("--date-order", io->date_order, "dmy or mdy, for dates like 03/04/2026 (Hootsuite, Sprout)");
    import->add_flag("--dry-run", io->dry_run, "Check every row and report, but create nothing");
    import->add_option("--report", io->report_file, "Also write the per-row report as CSV to this file");
    import->add_flag("--force", io->force, "Replace the --report file if it exists");
    import->callback([&ctx, io] { ctx.exit_code = run_import(ctx, *io); });

    auto eo = std::make_shared<ExportCliOptions>();
    auto* exp = app.add_subcommand("export", "Export the calendar (posts, versions, approvals, targets) as CSV or JSON");
    exp->add_option("--format", eo->format, "csv (for audits) or json (a backup; admin only)")->required();
    exp->add_option("--out", eo->out, "File to write (refused if it exists, unless --force)")->required();
    exp->add_flag("--force", eo->force, "Replace --out if it exists");
    exp->callback(command(ctx, [&ctx, eo]() { return run_export(ctx, *eo); }));

    auto file = std::make_shared<std::string>();
    auto* restore = app.add_subcommand("restore", "Restore a JSON export into a new database (admin only)");
    restore->add_option("FILE", *file, "A file written by clearpostctl export --format json")->required();
    restore->callback(command(ctx, [&ctx, file]() { return run_restore(ctx, *file); }));
}

}  // namespace clearpost::cli
