// Import benchmark (not a test): a generated 10,000-row CSV in Clearpost's
// layout imported into a new SQLite file through the workflow, with the
// compliance engine checking every post (one transaction per row).
// Goal on a 2-core machine: under 10 s and under 200 MB peak memory.
//
// Usage: bench_import [ROWS] [FOLDER]   (defaults: 10000, a temp folder, removed afterwards)

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_support.h"
#include "clearpost/app/compliance.h"
#include "clearpost/base/csv.h"
#include "clearpost/security/audit.h"
#include "clearpost/transfer/transfer.h"
#include "clearpost/workflow/admin.h"

using namespace clearpost;
using bench::must;
using Steady = std::chrono::steady_clock;

namespace {

double seconds_since(Steady::time_point start) {
    return std::chrono::duration<double>(Steady::now() - start).count();
}

long peak_rss_mb() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024;  // Linux reports KiB
}

// Posts as a communications team writes them: varied length, links,
// hashtags, quotes and line breaks, and one in twenty naming a patient.
std::string generated_csv(std::size_t rows) {
    std::vector<std::vector<std::string>> table{{"text", "accounts", "scheduled_at"}};
    table.reserve(rows + 1);
    const char* bodies[] = {
        "Flu shots are available at all Harbor clinics this Saturday, 9-12. Bring your insurance card.",
        "Our \"Healthy Hearts\" class starts Tuesday evening.\nRegister at https://clinic.example/hearts #HeartHealth",
        "Reminder: the Main St clinic closes early on Friday for staff training. Urgent care stays open.",
        "Thank you to the 40 volunteers who helped at the blood drive! Every donation helps up to three people.",
        "New parking rules at the East campus from Monday: visitors use level 2. Details: https://clinic.example/parking",
    };
    for (std::size_t i = 0; i < rows; ++i) {
        std::string text = bodies[i % 5];
        if (i % 20 == 7) text = "Get well soon to Maria Lopez, MRN 4821" + std::to_string(1000 + i % 9000) + ", on ward 4B!";
        text += " (" + std::to_string(i) + ")";
        const int day = 1 + static_cast<int>(i % 28);
        const int hour = 8 + static_cast<int>(i % 10);
        char when[32];
        std::snprintf(when, sizeof when, "2031-%02d-%02d %02d:%02d", 1 + static_cast<int>((i / 28) % 12), day, hour,
                      static_cast<int>(i % 60));
        table.push_back({text, i % 3 == 0 ? "bluesky:clinic.example mastodon:@clinic@social.example"
                                          : "bluesky:clinic.example",
                         when});
    }
    return to_csv(table);
}

}  // namespace

int main(int argc, char** argv) {
    const std::size_t rows = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 10000;
    const bool temp = argc <= 2;
    const std::filesystem::path folder =
        temp ? std::filesystem::temp_directory_path() / ("clearpost-bench-import-" + std::to_string(::getpid()))
             : std::filesystem::path(argv[2]);
    std::filesystem::create_directories(folder);

    auto store = must(store::open_sqlite(folder / "clearpost.db", store::OpenMode::CreateIfMissing,
                                         store::MigrationPolicy::Migrate),
                      "opening the database");
    auto audit = must(security::AuditLog::open(*store, folder / "config"), "opening the audit log");
    workflow::Admin admin(*store, audit, system_now);
    auto ada = must(admin.initialise("Harbor Clinics", "America/New_York", "ada", "a long bench password"), "init");
    auto author = must(admin.add_user(ada, "alice", model::Role::Author, "a long bench password"), "user");
    must(admin.add_account(ada, "bluesky", "clinic.example"), "account");
    must(admin.add_account(ada, "mastodon", "@clinic@social.example"), "account");
    const std::string csv = generated_csv(rows);

    const auto start = Steady::now();
    auto engine = must(app::load_engine(*store, app::assets_dir()), "loading the compliance engine");
    auto check = must(app::compliance_check(*store, std::move(engine)), "wiring the compliance engine");
    workflow::Workflow flow(*store, audit, system_now, std::move(check));
    const double load_s = seconds_since(start);
    schedule::TzDatabase zones;
    transfer::ImportOptions options;
    const auto import_start = Steady::now();
    auto report = must(transfer::import_posts(*store, flow, zones, author, csv, "bench.csv", options), "importing");
    const double import_s = seconds_since(import_start);

    std::size_t blocked = 0;
    for (const auto& r : report.rows) blocked += r.verdict == "block" ? 1 : 0;
    std::printf("rows %zu (%.1f MB of CSV): created %zu, rejected %zu, compliance block %zu\n", rows,
                static_cast<double>(csv.size()) / 1e6, report.created(), report.rejected(), blocked);
    std::printf("engine load %.2f s, import %.2f s (%.0f rows/s), total %.2f s, peak RSS %ld MB\n", load_s, import_s,
                static_cast<double>(rows) / import_s, load_s + import_s, peak_rss_mb());
    const bool pass = load_s + import_s < 10.0 && peak_rss_mb() < 200 && report.rejected() == 0;
    std::printf("goal (< 10 s, < 200 MB, no rejected rows): %s\n", pass ? "met" : "MISSED");
    if (temp) std::filesystem::remove_all(folder);
    return pass ? 0 : 1;
}
