// Dashboard benchmark (not a test): two years of history for 20 accounts in
// a real SQLite file (12 posts a day, 3 targets each, 6 metrics snapshots
// per target, versions with findings, submit and approve entries in the
// audit log, one follower sample per account and day), then times what opening the dashboard costs: build_dashboard
// for the last 30 days and for the last 365, each with its previous period
// and the governance months. Goal: < 300 ms on a 2-core machine.
//
// Usage: bench_dashboard [DB_PATH]   (default: a temp file, rebuilt)

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include "bench_fill.h"
#include "bench_support.h"
#include "clearpost/analytics/dashboard.h"
#include "clearpost/store/store.h"

using namespace clearpost;
using bench::must;
using Steady = std::chrono::steady_clock;

namespace {

constexpr UnixSeconds kNow = 1798761600;  // 2027-01-01T00:00:00Z
constexpr UnixSeconds kDay = 86400;
constexpr int kDays = 730;
constexpr int kPostsPerDay = 12;
constexpr int kTargetsPerPost = 3;
constexpr int kAccounts = 20;
constexpr UnixSeconds kSnapshotAfter[] = {3600, 6 * 3600, kDay, 3 * kDay, 7 * kDay, 30 * kDay};

void fill(store::Store& store) {
    std::mt19937_64 rng(42);
    std::vector<model::Id> accounts;
    std::vector<std::vector<model::Id>> posts_of_day(kDays);
    must(store.transaction([&]() -> Result<void> {
        CLEARPOST_ASSIGN(auto people, bench::add_people(store, kAccounts));
        accounts = people.accounts;
        std::uniform_int_distribution<UnixSeconds> second_of_day(0, kDay - 1);
        std::uniform_int_distribution<int> kind(0, 9);
        long p = 0;
        std::int64_t seq = 0;
        for (int day = 0; day < kDays; ++day) {
            const UnixSeconds start = kNow - (kDays - day) * kDay;
            for (int i = 0; i < kPostsPerDay; ++i, ++p) {
                const UnixSeconds at = start + second_of_day(rng);
                const UnixSeconds written = at - 2 * kDay;
                model::ComplianceResult checked;
                const int k = kind(rng);
                if (k == 0) checked = {"block", R"([{"rule":"phi.name","severity":"block"}])"};
                else if (k < 3) checked = {"warn", R"([{"rule":"policy.claim","severity":"warn"}])"};
                CLEARPOST_ASSIGN(auto ids, bench::add_post(store, people.author, p, written, checked));
                const auto [pid, vid] = ids;
                const std::string subject = "post " + std::to_string(pid);
                CLEARPOST_CHECK(store.append_audit({++seq, written + 60, "bench", "post.submit", subject, "", "", ""}));
                CLEARPOST_CHECK(store.append_audit(
                    {++seq, written + 600 + second_of_day(rng) / 4, "bench", "post.approve", subject, "", "", ""}));
                for (int t = 0; t < kTargetsPerPost; ++t) {
                    model::Target target;
                    target.post_id = pid;
                    target.version_id = vid;
                    target.account_id = accounts[static_cast<std::size_t>((p + t) % kAccounts)];
                    target.scheduled_at = at;
                    target.state = model::State::Scheduled;
                    target.idempotency_key = std::to_string(p) + "-" + std::to_string(t);
                    CLEARPOST_CHECK(store.insert_target(target));
                }
            }
        }
        return ok();
    }), "fill posts");
    // Published as the dispatcher would: claimed when due, finished then.
    std::uniform_int_distribution<int> likes(0, 200);
    std::size_t published = 0;
    for (UnixSeconds now = kNow - kDays * kDay + kDay; now <= kNow; now += kDay) {
        for (;;) {
            auto due = must(store.claim_due("bench", now, 600, 500), "claim");
            if (due.empty()) break;
            for (const auto& t : due) {
                store::TargetOutcome outcome;
                outcome.target_id = t.id;
                outcome.remote_id = std::to_string(t.id);
                outcome.remote_url = "https://social.example/p/" + std::to_string(t.id);
                must(store.finish_target(outcome, "bench", t.scheduled_at), "finish");
                ++published;
            }
        }
    }
    must(store.transaction([&]() -> Result<void> {
        auto all = store.published_between(0, kNow + 1);
        if (!all) return std::move(all).error();
        for (const auto& t : *all) {
            int l = 0;
            for (UnixSeconds after : kSnapshotAfter) {
                if (t.published_at + after > kNow) break;
                l += likes(rng) / 4;
                CLEARPOST_CHECK(store.add_metric_snapshot(
                    {t.target_id, t.published_at + after,
                     R"({"likes":)" + std::to_string(l) + R"(,"reposts":)" + std::to_string(l / 5) + "}"}));
            }
        }
        // The service's daily account samples.
        for (int day = 0; day < kDays; ++day)
            for (std::size_t a = 0; a < accounts.size(); ++a)
                CLEARPOST_CHECK(store.add_account_snapshot(
                    {accounts[a], kNow - (kDays - day) * kDay + 3600,
                     R"({"followers":)" + std::to_string(1000 * (a + 1) + day * 3) + R"(,"following":40,"posts":)" +
                         std::to_string(day) + "}"}));
        return ok();
    }), "fill snapshots");
    std::printf("filled %zu published targets\n", published);
}

}  // namespace

int main(int argc, char** argv) {
    const auto dir = std::filesystem::temp_directory_path() / ("clearpost-bench-" + std::to_string(::getpid()));
    const std::filesystem::path path = argc > 1 ? std::filesystem::path(argv[1]) : dir / "dashboard.db";
    std::filesystem::create_directories(path.parent_path());
    const bool reuse = argc > 1 && std::filesystem::exists(path);
    if (!reuse) {
        auto store = must(store::open_sqlite(path, store::OpenMode::CreateIfMissing, store::MigrationPolicy::Migrate),
                          "open");
        const auto t0 = Steady::now();
        fill(*store);
        std::printf("fill took %.1f s\n", std::chrono::duration<double>(Steady::now() - t0).count());
    }
    schedule::TzDatabase zones;
    const auto zone = must(zones.find("America/New_York"), "zone");
    for (int days : {30, 90, 365}) {
        std::vector<double> ms;
        std::size_t posts = 0;
        std::size_t audience = 0;
        for (int i = 0; i < 7; ++i) {
            // A fresh connection each time: the studio opening the dashboard.
            const auto t0 = Steady::now();
            auto store =
                must(store::open_sqlite(path, store::OpenMode::MustExist, store::MigrationPolicy::RequireCurrent),
                     "reopen");
            auto d = must(analytics::build_dashboard(*store, {kNow - days * kDay, kNow}, zone), "dashboard");
            ms.push_back(std::chrono::duration<double, std::milli>(Steady::now() - t0).count());
            posts = d.current.posts + d.before.posts;
            audience = d.audience.size();
        }
        std::sort(ms.begin(), ms.end());
        std::printf("dashboard, last %3d days (+ previous %d): median %.1f ms, max %.1f ms (%zu targets read, "
                    "%zu accounts' followers)\n",
                    days, days, ms[ms.size() / 2], ms.back(), posts, audience);
    }
    if (argc <= 1) std::filesystem::remove_all(dir);
}
