#pragma once
// The unattended service behind `clearpostctl run`: several dispatchers, one
// per shard of accounts, each on its own thread and database connection, so
// one slow network or account never holds the others up. Each sleeps until
// its next target is due (or the poll interval, to see new posts), and takes
// metrics snapshots only while nothing is due: publishing always comes first.

#include <atomic>
#include <functional>
#include <memory>

#include "clearpost/base/result.h"
#include "clearpost/publish/dispatcher.h"

namespace clearpost::publish {

// What one worker needs of its own: a connection and what sits on it.
struct WorkerContext {
    std::unique_ptr<store::Store> store;
    std::unique_ptr<security::AuditLog> audit;
    std::unique_ptr<security::Vault> vault;
};
using OpenWorker = std::function<Result<WorkerContext>()>;

struct ServiceOptions {
    int workers = 4;
    bool once = false;         // publish what is due, take due snapshots, return
    int poll_seconds = 15;     // longest sleep: new posts are seen this soon
    std::size_t metrics_batch = 25;
    DispatchOptions dispatch;  // owner is suffixed per worker; shard is set per worker
};

// Runs until `stop` is set (or, with `once`, until nothing is due). A worker
// whose store fails logs it and tries again after the poll interval; with
// `once` the first such error is returned after all workers have ended.
Result<DispatchStats> serve(const OpenWorker& open, PluginRegistry& plugins, const Logger& log,
                            const ServiceOptions& options, const std::atomic<bool>& stop);

}  // namespace clearpost::publish
