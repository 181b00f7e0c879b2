#include "import.h"

#include <algorithm>
#include <fstream>
#include <iterator>

#include "backend.h"
#include "queue.h"

namespace clearpost::gui {

std::vector<ImportRowView> import_rows(const transfer::ImportReport& report, const schedule::TimeZone* zone) {
    std::vector<ImportRowView> out;
    out.reserve(report.rows.size());
    for (const auto& r : report.rows) {
        out.push_back({r.row, r.scheduled_at ? local_minutes(*r.scheduled_at, zone) : std::string(),
                       transfer::describe_outcome(r, report.dry_run), !r.problems.empty()});
    }
    return out;
}

std::string import_summary(const transfer::ImportReport& report) {
    const std::size_t created = report.created();
    const std::size_t rejected = report.rejected();
    if (report.dry_run) {
        return std::to_string(created) + " of " + std::to_string(report.rows.size()) +
               " rows will be created as drafts; " + std::to_string(rejected) + " rejected.";
    }
    const auto with_findings = std::count_if(report.rows.begin(), report.rows.end(), [](const transfer::RowOutcome& r) {
        return r.created && r.findings > 0;
    });
    return "Created " + std::to_string(created) + (created == 1 ? " draft" : " drafts") + " (" +
           std::to_string(with_findings) + " with findings to look at); " + std::to_string(rejected) +
           (rejected == 1 ? " row" : " rows") + " rejected.";
}

Result<transfer::ImportReport> import_file(Services& services, const model::User& user,
                                           const std::filesystem::path& file, const transfer::ImportOptions& options) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return make_error(ErrorCode::NotFound, "cannot read " + file.string() + "; check the file and its permissions");
    const std::string bytes((std::istreambuf_iterator<char>(in)), {});
    schedule::TzDatabase zones;
    return transfer::import_posts(services.store, services.flow, zones, user, bytes, file.filename().string(), options);
}

}  // namespace clearpost::gui
