#pragma once
// Bulk import and export: posts brought in from spreadsheets (Clearpost's
// own CSV and JSON, Hootsuite's bulk composer, Sprout Social's bulk
// scheduling, Buffer's posts export) and the calendar taken out as CSV (for
// audits) or JSON (a backup that restores into an empty database).
//
// An import never schedules anything: every post enters as a Draft through
// workflow::Workflow::create_posts, so the compliance engine checks it and
// the audit log records it. Each row is atomic on its own (a savepoint in a
// transaction shared by up to ImportOptions::rows_per_commit rows). A bad
// row is reported (row, column, message) and the next row goes on; a row is
// either wholly created or not at all. Problems with the whole file (not
// CSV, unknown format, wrong columns, an unknown --account) are an Error
// and nothing is written.
//
// Restoring is different: it recreates posts as they were (states,
// versions, approvals, targets, remote URLs, ids) in one transaction, only
// into a database without posts, and only by an admin.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clearpost/base/result.h"
#include "clearpost/base/time.h"
#include "clearpost/model/model.h"
#include "clearpost/schedule/time_zone.h"
#include "clearpost/security/audit.h"
#include "clearpost/store/store.h"
#include "clearpost/workflow/workflow.h"

namespace clearpost::transfer {

enum class Format { Auto, ClearpostCsv, ClearpostJson, Hootsuite, Sprout, Buffer };
std::string_view to_string(Format format) noexcept;
// "auto", "clearpost-csv", "clearpost-json", "hootsuite", "sprout", "buffer".
Result<Format> parse_format(std::string_view text);

// How to read dates like 03/04/2026, which Hootsuite and Sprout write either
// way round (the uploader picks). Unknown: a date whose day is above 12
// shows the order; an ambiguous one is refused for its row.
enum class DateOrder { Unknown, DayFirst, MonthFirst };
Result<DateOrder> parse_date_order(std::string_view text);  // "dmy", "mdy"

struct ImportOptions {
    Format format = Format::Auto;
    // Accounts ("network:handle") every post of a file goes to, for formats
    // whose rows name no account (Hootsuite, Sprout, Buffer). Clearpost's
    // formats name accounts per row; these are then not allowed.
    std::vector<std::string> accounts;
    DateOrder date_order = DateOrder::Unknown;
    // Reads and checks every row but writes nothing (no compliance check:
    // that runs as a post is created).
    bool dry_run = false;
    // Each row is atomic on its own (a savepoint); this many rows share one
    // commit, so a 10,000-row file does not wait for 10,000 disk flushes. 1
    // makes every row its own transaction. A crash loses the rows of the
    // batch in progress, whole; none of them half.
    std::size_t rows_per_commit = 100;
    // Called after each row: rows done, rows in the file.
    std::function<void(std::size_t, std::size_t)> progress;
};

struct RowProblem {
    std::string column;  // the column as the file names it; empty for the row as a whole
    std::string message;
};

struct RowOutcome {
    std::size_t row = 0;   // as a spreadsheet numbers it: a header row is row 1
    std::size_t line = 0;  // the file's line where the row starts
    bool created = false;  // with dry_run: would be created
    bool skipped = false;  // an earlier version in Clearpost's own CSV export: not imported
    model::Id post_id = 0;
    std::string verdict;        // the compliance verdict of the new draft: pass, warn, block
    std::size_t findings = 0;   // how many compliance findings it has
    std::optional<UnixSeconds> scheduled_at;
    std::vector<RowProblem> problems;  // non-empty: rejected, nothing written
};

struct ImportReport {
    Format format = Format::Auto;  // the format read (after detection)
    std::string zone;              // the zone dates without an offset were read in
    bool dry_run = false;
    // Each row is atomic on its own (a savepoint); this many rows share one
    // commit, so a 10,000-row file does not wait for 10,000 disk flushes. 1
    // makes every row its own transaction. A crash loses the rows of the
    // batch in progress, whole; none of them half.
    std::size_t rows_per_commit = 100;
    std::vector<RowOutcome> rows;
    std::size_t created() const;
    std::size_t rejected() const;
};

// Imports `bytes` (the file's content; `file_name` only guides format
// detection) as Drafts written by `actor`. Dates without an offset are in
// the organisation's zone, read through `zones`.
Result<ImportReport> import_posts(store::Store& store, workflow::Workflow& flow, schedule::TzDatabase& zones,
                                  const model::User& actor, std::string_view bytes, std::string_view file_name,
                                  const ImportOptions& options);

// What happened to one row, for people: "rejected; Date: ...",
// "would be created as a draft", "created post 12 as a draft, compliance
// warn (2 findings)", "skipped (an earlier version ...)".
std::string describe_outcome(const RowOutcome& row, bool dry_run);

// The report as a table (header first) for to_csv: row, line, outcome,
// post, verdict, findings, column, message; one line per problem.
std::vector<std::vector<std::string>> report_table(const ImportReport& report);

// The calendar as CSV for audits: one row per post version with its
// approvals and its targets (state, remote URL). Any signed-in user may
// read it, as they may list posts. No credentials or password hashes.
Result<std::string> export_csv(store::Store& store, const model::User& actor);

// Everything a restore needs, as JSON: organisation, approval chain, users
// (with their password hashes, so people can still sign in after a
// restore: keep the file as safe as the database), accounts, consents and
// every post with its versions, approvals and targets. Admin only.
Result<std::string> export_json(store::Store& store, const model::User& actor, UnixSeconds now);

struct RestoreSummary {
    std::size_t users_created = 0;
    std::size_t accounts_created = 0;
    std::size_t posts = 0;
    std::size_t versions = 0;
    std::size_t approvals = 0;
    std::size_t targets = 0;
    std::size_t tags = 0;  // post tags (an export from before tags has none)
};

// Writes an export_json file back into a database that has no posts, as
// one transaction with one audit entry: ids, states and times as they were.
// Users and accounts that already exist (same name; same id, network and
// handle) are kept; an account id taken by another account is a Conflict.
// Every version's content hash is recomputed and must match the file.
Result<RestoreSummary> restore_json(store::Store& store, security::AuditLog& audit, const model::User& actor,
                                    std::string_view bytes, UnixSeconds now);

}  // namespace clearpost::transfer
