#pragma once
// Importing posts in the studio, without widgets: the file checked first
// (a dry run: nothing written), then imported on the worker, each row shown
// with what happened to it in the organisation's time zone.

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "clearpost/base/result.h"
#include "clearpost/model/model.h"
#include "clearpost/schedule/time_zone.h"
#include "clearpost/transfer/transfer.h"

namespace clearpost::gui {

struct Services;

struct ImportRowView {
    std::size_t row = 0;   // as a spreadsheet numbers it
    std::string when;      // local "2026-12-01 09:00 EST", or empty without a time
    std::string outcome;   // transfer::describe_outcome's words
    bool rejected = false;
};

std::vector<ImportRowView> import_rows(const transfer::ImportReport& report, const schedule::TimeZone* zone);

// "12 of 14 rows will be created as drafts; 2 rejected." or, after the
// import, "Created 12 drafts (3 with findings to look at); 2 rows rejected."
std::string import_summary(const transfer::ImportReport& report);

// Reads `file` and imports it (a dry run when options.dry_run) as `user`,
// on the worker. NotFound when the file cannot be read.
Result<transfer::ImportReport> import_file(Services& services, const model::User& user,
                                           const std::filesystem::path& file, const transfer::ImportOptions& options);

}  // namespace clearpost::gui
