#include "clearpost/publish/service.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>
#include <vector>

#include "clearpost/publish/notify.h"

namespace clearpost::publish {
namespace {

UnixSeconds now_seconds() { return system_now_ms() / 1000; }

// Sleeps until `until` (UTC seconds) or `stop`, checking `stop` every 100 ms.
void sleep_until(UnixSeconds until, const std::atomic<bool>& stop) {
    const auto deadline = std::chrono::system_clock::time_point(std::chrono::seconds(until));
    while (!stop) {
        const auto left = deadline - std::chrono::system_clock::now();
        if (left <= std::chrono::milliseconds(0)) return;
        std::this_thread::sleep_for(std::min<std::chrono::system_clock::duration>(left, std::chrono::milliseconds(100)));
    }
}

// A relay that is down is tried again next time; publishing goes on.
void mail(WorkerContext& ctx, const Logger& log) {
    auto mailed = mail_notices(*ctx.store, *ctx.vault, now_seconds());
    if (!mailed) log(LogLevel::Warn, "notices not mailed: " + mailed.error().message);
}

struct Worker {
    int index = 0;
    DispatchStats stats;
    std::optional<Error> error;
};

Result<void> work(Worker& worker, WorkerContext& ctx, PluginRegistry& plugins, const Logger& log,
                  const ServiceOptions& options, const std::atomic<bool>& stop) {
    net::HttpClient http;
    PluginHost host(http, system_now_ms, log);
    DispatchOptions dispatch = options.dispatch;
    dispatch.owner += ":" + std::to_string(worker.index);
    dispatch.shard = {worker.index, options.workers};
    Dispatcher dispatcher(*ctx.store, *ctx.vault, *ctx.audit, plugins, host, now_seconds, dispatch);
    // Checkpoints wait for the quiet moments between rounds.
    CLEARPOST_CHECK(ctx.store->defer_checkpoints());

    auto round = [&]() -> Result<std::optional<UnixSeconds>> {
        CLEARPOST_ASSIGN(auto published, dispatcher.run_once(&stop));
        worker.stats += published;
        // Sessions for the next ten minutes' posts, so none waits for a sign-in.
        CLEARPOST_CHECK(dispatcher.refresh_ahead(600));
        // Metrics while the next post is more than a few seconds away.
        while (!stop) {
            CLEARPOST_ASSIGN(auto due, dispatcher.next_due_at());
            if (due && *due <= now_seconds() + 5) break;
            CLEARPOST_ASSIGN(auto taken, dispatcher.collect_metrics(options.metrics_batch));
            worker.stats += taken;
            if (taken.metrics_snapshots == 0) break;
        }
        // One worker mails the notices, so each goes out once per process
        // (with `once`, serve mails them after every worker has finished).
        if (worker.index == 0 && !options.once) mail(ctx, log);
        CLEARPOST_CHECK(ctx.store->checkpoint());
        return dispatcher.next_due_at();
    };

    while (!stop) {
        auto next = round();
        if (!next) {
            if (options.once) return std::move(next).error();
            log(LogLevel::Error, "worker " + std::to_string(worker.index) + ": " + next.error().message +
                                     "; trying again in " + std::to_string(options.poll_seconds) + " s");
            sleep_until(now_seconds() + options.poll_seconds, stop);
            continue;
        }
        if (options.once) break;
        const UnixSeconds poll = now_seconds() + options.poll_seconds;
        sleep_until(next->has_value() ? std::min(**next, poll) : poll, stop);
    }
    return ok();
}

}  // namespace

Result<DispatchStats> serve(const OpenWorker& open, PluginRegistry& plugins, const Logger& log,
                            const ServiceOptions& options, const std::atomic<bool>& stop) {
    const int count = std::max(options.workers, 1);
    ServiceOptions opts = options;
    opts.workers = count;
    // Every connection is opened before any worker starts: a database that
    // cannot be opened stops the service instead of leaving some accounts
    // without a worker.
    std::vector<WorkerContext> contexts;
    for (int i = 0; i < count; ++i) {
        CLEARPOST_ASSIGN(auto ctx, open());
        contexts.push_back(std::move(ctx));
    }
    std::vector<Worker> workers(static_cast<std::size_t>(count));
    std::vector<std::thread> threads;
    threads.reserve(workers.size());
    for (int i = 0; i < count; ++i) {
        Worker& w = workers[static_cast<std::size_t>(i)];
        WorkerContext& ctx = contexts[static_cast<std::size_t>(i)];
        w.index = i;
        threads.emplace_back([&w, &ctx, &plugins, &log, &opts, &stop] {
            auto done = work(w, ctx, plugins, log, opts, stop);
            if (!done) w.error = std::move(done).error();
        });
    }
    for (auto& t : threads) t.join();
    if (opts.once) mail(contexts.front(), log);
    DispatchStats total;
    for (const auto& w : workers) {
        total += w.stats;
        if (w.error) return *w.error;
    }
    return total;
}

}  // namespace clearpost::publish
