// Calendar benchmark (not a test): a month with 10,000 post targets (20
// accounts, times spread over the month, a fifth published, some failed)
// in a real SQLite file, then times what the studio's worker does when the
// calendar page shows that month (gui::load_month: the query for the six
// weeks on screen and every target placed on its local day) and when the
// queue page opens (gui::load_queue: the oldest 2,000 pending targets with
// their texts and reasons). The painting itself only ever touches the
// lines a day cell has room for.
//
// Usage: bench_calendar
//        bench_calendar --fill DB POSTS   (adds POSTS posts to an existing
//        database, for bench_studio_startup.sh)

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include "bench_fill.h"
#include "bench_support.h"
#include "clearpost/store/store.h"
#include "presenters/calendar.h"
#include "presenters/queue.h"

using namespace clearpost;
using bench::must;
using Steady = std::chrono::steady_clock;

namespace {

constexpr int kTargets = 10000;
constexpr int kAccounts = 20;
constexpr UnixSeconds kMonthStart = 1901260800;  // 2030-04-01T00:00:00Z
constexpr UnixSeconds kMonth = 30 * 86400;

double ms_since(Steady::time_point t0) {
    return std::chrono::duration<double, std::milli>(Steady::now() - t0).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// Adds `posts` posts of one target each over the month; `with_org` also
// writes the organisation (a new file has none).
void fill(store::Store& store, int posts, bool with_org) {
    std::mt19937_64 rng(7);
    must(store.transaction([&]() -> Result<void> {
        if (with_org) {
            model::Organisation org;
            org.name = "Bench";
            org.default_zone = "America/New_York";
            CLEARPOST_CHECK(store.set_organisation(org));
        }
        CLEARPOST_ASSIGN(auto people, bench::add_people(store, kAccounts));
        std::uniform_int_distribution<UnixSeconds> when(0, kMonth - 1);
        std::uniform_int_distribution<int> kind(0, 9);
        for (int p = 0; p < posts; ++p) {
            const UnixSeconds at = kMonthStart + when(rng);
            CLEARPOST_ASSIGN(auto ids, bench::add_post(store, people.author, p, at - 86400));
            const auto [pid, vid] = ids;
            model::Target t;
            t.post_id = pid;
            t.version_id = vid;
            t.account_id = people.accounts[static_cast<std::size_t>(p % kAccounts)];
            t.scheduled_at = at;
            const int k = kind(rng);
            t.state = k < 2 ? model::State::Published : k == 2 ? model::State::Failed : model::State::Scheduled;
            t.idempotency_key = std::to_string(p);
            CLEARPOST_CHECK(store.insert_target(t));
        }
        return ok();
    }), "fill");
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 4 && std::string(argv[1]) == "--fill") {
        auto store = must(store::open_sqlite(argv[2], store::OpenMode::MustExist, store::MigrationPolicy::RequireCurrent),
                          "open");
        fill(*store, std::stoi(argv[3]), false);
        return 0;
    }
    const auto dir = std::filesystem::temp_directory_path() / ("clearpost-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto path = dir / "calendar.db";
    {
        auto store = must(store::open_sqlite(path, store::OpenMode::CreateIfMissing, store::MigrationPolicy::Migrate),
                          "open");
        fill(*store, kTargets, true);
    }
    std::vector<double> month_ms, queue_ms;
    std::size_t shown = 0, pending = 0;
    model::User approver;
    approver.role = model::Role::Approver;
    for (int run = 0; run < 9; ++run) {
        // A fresh connection each time, as the studio's worker has at first.
        auto store = must(store::open_sqlite(path, store::OpenMode::MustExist, store::MigrationPolicy::RequireCurrent),
                          "open");
        auto t0 = Steady::now();
        const auto month = must(gui::load_month(*store, 2030, 4, kMonthStart), "month");
        month_ms.push_back(ms_since(t0));
        shown = month.entries.size();
        t0 = Steady::now();
        const auto page = must(gui::load_queue(*store, approver, gui::QueueView::Pending, kMonthStart), "queue");
        queue_ms.push_back(ms_since(t0));
        pending = page.rows.size();
    }
    std::filesystem::remove_all(dir);
    std::printf("calendar: a month with %zu targets on screen read and placed on local days in %.1f ms\n", shown,
                median(month_ms));
    std::printf("queue: the first %zu pending targets read, with their texts and reasons, in %.1f ms\n", pending,
                median(queue_ms));
    std::printf("(medians of 9, a fresh connection each)\n");
    return 0;
}
