// Store benchmark (not a test): with 1,000,000 targets in a real SQLite file
// or PostgreSQL database, times the dispatcher's "claim due targets", the
// month-calendar query, four dispatchers claiming at once (each on its own
// connection, as several services sharing a team database do) and, on
// PostgreSQL, how soon a committed change reaches another client.
// Goals on a 2-core machine: claim p99 < 5 ms, month p99 < 20 ms.
//
// Usage: bench_store [TARGETS] [DB_PATH | postgresql://URI]
//   (defaults: 1000000, a temp file; a URI must name an empty database or schema)

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "bench_fill.h"
#include "bench_support.h"
#include "clearpost/store/store.h"

using namespace clearpost;
using bench::must;
using Steady = std::chrono::steady_clock;

namespace {

struct Stats {
    double p50 = 0, p99 = 0, max = 0;
};

Stats summarise(std::vector<double> ms) {
    std::sort(ms.begin(), ms.end());
    auto at = [&](double q) { return ms[static_cast<std::size_t>(q * static_cast<double>(ms.size() - 1))]; };
    return {at(0.50), at(0.99), ms.back()};
}

}  // namespace

int main(int argc, char** argv) {
    const long total = argc > 1 ? std::atol(argv[1]) : 1000000;
    const auto dir = std::filesystem::temp_directory_path() / ("clearpost-bench-" + std::to_string(::getpid()));
    const std::string location = argc > 2 ? argv[2] : (dir / "bench.db").string();
    if (!store::is_postgres_uri(location)) {
        const std::filesystem::path path(location);
        std::filesystem::create_directories(path.parent_path());
        std::filesystem::remove(path);
    }

    auto store = must(store::open_store(location, store::OpenMode::CreateIfMissing, store::MigrationPolicy::Migrate),
                      "open");
    constexpr UnixSeconds kNow = 1798761600;        // 2027-01-01T00:00:00Z
    constexpr UnixSeconds kSpan = 3 * 365 * 86400;  // history and future: 3 years around now
    constexpr int kTargetsPerPost = 4;
    constexpr int kAccounts = 20;
    const long posts = total / kTargetsPerPost;

    const auto fill_start = Steady::now();
    must(store->transaction([&]() -> Result<void> {
        CLEARPOST_ASSIGN(auto people, bench::add_people(*store, kAccounts));
        const auto& accounts = people.accounts;
        std::mt19937_64 rng(42);
        std::uniform_int_distribution<UnixSeconds> when(kNow - 2 * kSpan / 3, kNow + kSpan / 3);
        for (long p = 0; p < posts; ++p) {
            CLEARPOST_ASSIGN(auto ids, bench::add_post(*store, people.author, p, kNow));
            const auto [pid, vid] = ids;
            const UnixSeconds at = when(rng);
            for (int t = 0; t < kTargetsPerPost; ++t) {
                model::Target target;
                target.post_id = pid;
                target.version_id = vid;
                target.account_id = accounts[static_cast<std::size_t>((p + t) % kAccounts)];
                target.scheduled_at = at;
                // The past is published, the future scheduled: a live queue.
                target.state = at < kNow ? model::State::Published : model::State::Scheduled;
                target.idempotency_key = std::to_string(p) + "-" + std::to_string(t);
                CLEARPOST_CHECK(store->insert_target(target));
            }
        }
        return ok();
    }), "fill");
    const double fill_s = std::chrono::duration<double>(Steady::now() - fill_start).count();
    std::printf("filled %ld targets (%ld posts) in %.1f s\n", posts * kTargetsPerPost, posts, fill_s);
    // Reopen, as a dispatcher would find the database: closing the last
    // connection checkpoints the bulk load's WAL into the main file.
    store.reset();
    store = must(store::open_store(location, store::OpenMode::MustExist, store::MigrationPolicy::RequireCurrent),
                 "reopen");

    // Claims: a dispatcher waking every so often as time moves forward; each
    // claim takes up to 10 due targets (the ones that became due since). Like
    // clearpostctl run, it checkpoints between rounds (untimed), not in commits.
    must(store->defer_checkpoints(), "defer checkpoints");
    std::vector<double> claim_ms;
    long claimed = 0;
    for (int i = 0; i < 2000; ++i) {
        const UnixSeconds now = kNow + i * 600;  // every 10 minutes of schedule
        const auto t0 = Steady::now();
        auto got = must(store->claim_due("bench-worker", now, 300, 10), "claim");
        claim_ms.push_back(std::chrono::duration<double, std::milli>(Steady::now() - t0).count());
        claimed += static_cast<long>(got.size());
        for (const auto& t : got) must(store->set_target_state(t.id, model::State::Published, "", now), "publish");
        if (i % 100 == 99) must(store->checkpoint(), "checkpoint");  // about once per dispatcher round
    }
    const auto claim = summarise(claim_ms);
    std::printf("claim due targets (limit 10): p50 %.3f ms  p99 %.3f ms  max %.3f ms  (%ld claimed in 2000 claims)\n",
                claim.p50, claim.p99, claim.max, claimed);

    // Month calendar: a random month in the 3-year span.
    std::vector<double> month_ms;
    std::size_t rows = 0;
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<UnixSeconds> start(kNow - 2 * kSpan / 3, kNow + kSpan / 3 - 31 * 86400);
    for (int i = 0; i < 200; ++i) {
        const UnixSeconds from = start(rng);
        const auto t0 = Steady::now();
        auto items = must(store->calendar(from, from + 31 * 86400), "calendar");
        month_ms.push_back(std::chrono::duration<double, std::milli>(Steady::now() - t0).count());
        rows += items.size();
    }
    const auto month = summarise(month_ms);
    std::printf("month calendar: p50 %.3f ms  p99 %.3f ms  max %.3f ms  (%zu targets per month on average)\n",
                month.p50, month.p99, month.max, rows / month_ms.size());

    // Four dispatchers at once, each on its own connection, claiming 10 at a
    // time what fell due in the two weeks after the sequential claims, and
    // marking each claimed target published, until nothing is left.
    constexpr int kDispatchers = 4;
    const UnixSeconds later = kNow + 2000 * 600 + 14 * 86400;
    std::mutex mutex;
    std::vector<double> together_ms;
    std::multiset<model::Id> seen;
    const auto together_start = Steady::now();
    std::vector<std::thread> dispatchers;
    for (int d = 0; d < kDispatchers; ++d) {
        dispatchers.emplace_back([&, d] {
            auto mine = must(store::open_store(location, store::OpenMode::MustExist,
                                               store::MigrationPolicy::RequireCurrent), "open a dispatcher");
            std::vector<double> ms;
            std::vector<model::Id> ids;
            while (true) {
                const auto t0 = Steady::now();
                auto got = must(mine->claim_due("dispatcher-" + std::to_string(d), later, 300, 10), "claim");
                ms.push_back(std::chrono::duration<double, std::milli>(Steady::now() - t0).count());
                if (got.empty()) break;
                for (const auto& t : got) {
                    must(mine->set_target_state(t.id, model::State::Published, "", later), "publish");
                    ids.push_back(t.id);
                }
            }
            std::lock_guard lock(mutex);
            together_ms.insert(together_ms.end(), ms.begin(), ms.end());
            seen.insert(ids.begin(), ids.end());
        });
    }
    for (auto& t : dispatchers) t.join();
    const double together_s = std::chrono::duration<double>(Steady::now() - together_start).count();
    const auto together = summarise(together_ms);
    const std::set<model::Id> distinct(seen.begin(), seen.end());
    std::printf("%d dispatchers at once: claim p50 %.3f ms  p99 %.3f ms  max %.3f ms; %zu targets in %.2f s "
                "(%.0f claimed and published per s); claimed twice: %zu\n",
                kDispatchers, together.p50, together.p99, together.max, seen.size(), together_s,
                static_cast<double>(seen.size()) / together_s, seen.size() - distinct.size());
    // Live updates between two clients (PostgreSQL only): one connection
    // listens while another changes a post's state in a transaction; the
    // time from the transaction's start to the change being heard.
    if (store::is_postgres_uri(location)) {
        auto listener = must(store::open_store(location, store::OpenMode::MustExist,
                                               store::MigrationPolicy::RequireCurrent), "open a listener");
        must(listener->listen(), "listen");
        const model::Id post = 1;  // the first post filled in, with its one version
        const model::Id version = must(store->versions_of(post), "the post's versions").at(0).id;
        std::vector<double> heard_ms;
        for (int i = 0; i < 200; ++i) {
            const auto state = i % 2 ? model::State::Draft : model::State::InReview;
            const auto t0 = Steady::now();
            must(store->transaction([&] { return store->update_post(post, state, version, kNow); }),
                 "change a post");
            auto changes = must(listener->wait_for_changes(1000), "wait");
            if (changes.empty()) {
                std::fprintf(stderr, "a change was not heard within 1 s\n");
                return 1;
            }
            heard_ms.push_back(std::chrono::duration<double, std::milli>(Steady::now() - t0).count());
        }
        const auto heard = summarise(heard_ms);
        std::printf("a change heard by another client, from the start of its transaction: p50 %.3f ms  p99 %.3f ms  max %.3f ms (200 changes)\n",
                    heard.p50, heard.p99, heard.max);
    }

    store.reset();
    if (argc <= 2) std::filesystem::remove_all(dir);
    return seen.size() == distinct.size() ? 0 : 1;
}
