#pragma once
// The unattended service behind `clearpostctl run`: several dispatchers, one
// per shard of accounts, each on its own thread and database connection, so
// one slow network or account never holds the others up. Each sleeps until
// its next target is due (or the poll interval, to see new posts), and takes
// metrics snapshots only while nothing is due: publishing always comes first.

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

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
    // Run by one worker whenever notices are mailed (every round; once at
    // the end with `once`): the caller's own periodic work, such as
    // mailing a scheduled report. It logs its own failures.
    std::function<void(store::Store&, security::Vault&, const Logger&)> housekeeping;
};

// Who publishes unattended. `clearpostctl run` announces itself in the
// database while it runs (renewed every poll, dropped when it stops); a
// studio publishes in-process only while nobody else holds the lease, and a
// service that starts takes it over from a studio. Two services may run at
// once (targets have their own leases); studios never compete with them.
struct ServiceLease {
    std::string owner;  // make_owner_id(): host, process and a random part
    std::string kind;   // "service" or "studio"
    UnixSeconds expires_at = 0;
};
// The live lease, if any (an expired one is nobody's).
Result<std::optional<ServiceLease>> service_lease(store::Store& store, UnixSeconds now);
// Takes or renews the lease for `wanted.owner` until `wanted.expires_at`. A service
// always gets it; a studio only when it is free, expired or its own. True
// when `owner` holds it afterwards.
Result<bool> claim_service_lease(store::Store& store, const ServiceLease& wanted, UnixSeconds now);
// Gives the lease up if `owner` holds it.
Result<void> release_service_lease(store::Store& store, const std::string& owner);

// Runs until `stop` is set (or, with `once`, until nothing is due). A worker
// whose store fails logs it and tries again after the poll interval; with
// `once` the first such error is returned after all workers have ended.
// Without `once` it holds the service lease (kind "service") while it runs.
Result<DispatchStats> serve(const OpenWorker& open, PluginRegistry& plugins, const Logger& log,
                            const ServiceOptions& options, const std::atomic<bool>& stop);

}  // namespace clearpost::publish
