#include "clearpost/publish/service.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "clearpost/publish/notify.h"
#include "clearpost/workflow/admin.h"

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

// A relay that is down is tried again next time; publishing goes on. The
// caller's own mail (scheduled reports) goes out at the same moments.
void mail(WorkerContext& ctx, const Logger& log, const ServiceOptions& options) {
    auto mailed = mail_notices(*ctx.store, *ctx.vault, now_seconds());
    if (!mailed) log(LogLevel::Warn, "notices not mailed: " + mailed.error().message);
    if (options.housekeeping) options.housekeeping(*ctx.store, *ctx.vault, log);
}

// The organisation's metrics retention (nothing when it keeps everything).
void retain(WorkerContext& ctx, const Logger& log) {
    auto removed = workflow::apply_metrics_retention(*ctx.store, *ctx.audit, "service", now_seconds());
    if (!removed) {
        log(LogLevel::Warn, "metrics retention not applied: " + removed.error().message);
    } else if (*removed > 0) {
        log(LogLevel::Info, "metrics retention: " + std::to_string(*removed) + " old snapshots deleted");
    }
}

struct Worker {
    int index = 0;
    UnixSeconds retained_at = 0;  // worker 0: when the retention was last applied
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
        // Tokens that would end within a week, posts due or not.
        CLEARPOST_CHECK(dispatcher.renew_ending_tokens(7 * 86400));
        // Metrics, then the accounts' daily numbers, in batches while the
        // next post is more than a few seconds away and a batch took some.
        auto while_idle = [&](auto batch) -> Result<void> {
            while (!stop) {
                CLEARPOST_ASSIGN(auto due, dispatcher.next_due_at());
                if (due && *due <= now_seconds() + 5) break;
                CLEARPOST_ASSIGN(const DispatchStats taken, batch());
                worker.stats += taken;
                if (taken.metrics_snapshots + taken.account_snapshots == 0) break;
            }
            return ok();
        };
        CLEARPOST_CHECK(while_idle([&] { return dispatcher.collect_metrics(options.metrics_batch); }));
        CLEARPOST_CHECK(while_idle([&] { return dispatcher.sample_accounts(options.metrics_batch); }));
        // One worker mails the notices, so each goes out once per process
        // (with `once`, serve mails them after every worker has finished).
        if (worker.index == 0 && !options.once) {
            mail(ctx, log, options);
            if (now_seconds() - worker.retained_at >= 86400) {  // once a day is plenty
                retain(ctx, log);
                worker.retained_at = now_seconds();
            }
        }
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

constexpr const char* kLeaseKey = "publishing.service_lease";

std::optional<ServiceLease> parse_lease(const std::string& text) {
    const auto doc = nlohmann::json::parse(text, nullptr, false);
    if (!doc.is_object()) return std::nullopt;
    return ServiceLease{doc.value("owner", std::string()), doc.value("kind", std::string()),
                        doc.value("expires_at", UnixSeconds{0})};
}

}  // namespace

Result<std::optional<ServiceLease>> service_lease(store::Store& store, UnixSeconds now) {
    CLEARPOST_ASSIGN(auto text, store.setting(kLeaseKey));
    if (!text) return std::optional<ServiceLease>();
    auto lease = parse_lease(*text);
    if (!lease || lease->expires_at <= now) return std::optional<ServiceLease>();
    return lease;
}

Result<bool> claim_service_lease(store::Store& store, const ServiceLease& wanted, UnixSeconds now) {
    bool held = false;
    // One write transaction: two studios never both see the lease free.
    CLEARPOST_CHECK(store.transaction([&]() -> Result<void> {
        CLEARPOST_ASSIGN(auto current, service_lease(store, now));
        if (wanted.kind != "service" && current && current->owner != wanted.owner) return ok();
        held = true;
        return store.set_setting(kLeaseKey, nlohmann::json{{"owner", wanted.owner},
                                                           {"kind", wanted.kind},
                                                           {"expires_at", wanted.expires_at}}
                                                .dump());
    }));
    return held;
}

Result<void> release_service_lease(store::Store& store, const std::string& owner) {
    return store.transaction([&]() -> Result<void> {
        CLEARPOST_ASSIGN(auto text, store.setting(kLeaseKey));
        if (!text) return ok();
        auto lease = parse_lease(*text);
        if (!lease || lease->owner != owner) return ok();
        return store.set_setting(kLeaseKey, nlohmann::json{{"owner", ""}, {"kind", ""}, {"expires_at", 0}}.dump());
    });
}

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
    // The long-running service announces itself on a connection of its own,
    // so a studio does not publish beside it.
    std::optional<WorkerContext> announcer;
    if (!opts.once) {
        CLEARPOST_ASSIGN(auto ctx, open());
        announcer = std::move(ctx);
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
    if (announcer) {
        const int every = std::clamp(opts.poll_seconds, 1, 30);
        while (!stop) {
            const ServiceLease lease{opts.dispatch.owner, "service", now_seconds() + 3 * every};
            if (auto held = claim_service_lease(*announcer->store, lease, now_seconds()); !held)
                log(LogLevel::Warn, "could not announce the service: " + held.error().message);
            sleep_until(now_seconds() + every, stop);
        }
        if (auto released = release_service_lease(*announcer->store, opts.dispatch.owner); !released)
            log(LogLevel::Warn, "could not withdraw the service's announcement: " + released.error().message);
    }
    for (auto& t : threads) t.join();
    if (opts.once) {
        mail(contexts.front(), log, opts);
        retain(contexts.front(), log);
    }
    DispatchStats total;
    for (const auto& w : workers) {
        total += w.stats;
        if (w.error) return *w.error;
    }
    return total;
}

}  // namespace clearpost::publish
