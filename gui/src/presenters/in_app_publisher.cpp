#include "in_app_publisher.h"

#include <chrono>

#include "clearpost/publish/service.h"
#include "clearpost/security/vault.h"

namespace clearpost::gui {

InAppPublisher::InAppPublisher(std::string database, std::filesystem::path key_dir, Report report, int poll_seconds)
    : m_database(std::move(database)),
      m_key_dir(std::move(key_dir)),
      m_report(std::move(report)),
      m_poll_seconds(std::max(poll_seconds, 1)),
      m_thread([this](std::stop_token stop) { loop(stop); }) {}

InAppPublisher::~InAppPublisher() {
    m_stop = true;
    m_thread.request_stop();
    m_thread.join();
}

void InAppPublisher::loop(std::stop_token stop) {
    const std::string owner = publish::make_owner_id() + ":studio";
    publish::PluginRegistry plugins;
    plugins.discover(publish::default_plugin_dirs());
    std::unique_ptr<store::Store> store;
    PublisherStatus status;
    auto report = [&](PublisherStatus::Mode mode, std::string detail) {
        status.mode = mode;
        status.detail = std::move(detail);
        if (!stop.stop_requested()) m_report(status);
    };
    auto open_worker = [this]() -> Result<publish::WorkerContext> {
        publish::WorkerContext w;
        CLEARPOST_ASSIGN(w.store, store::open_store(m_database, store::OpenMode::MustExist,
                                                    store::MigrationPolicy::RequireCurrent));
        CLEARPOST_ASSIGN(auto audit, security::AuditLog::open(*w.store, m_key_dir));
        w.audit = std::make_unique<security::AuditLog>(std::move(audit));
        CLEARPOST_ASSIGN(auto vault, security::Vault::open(*w.store, m_key_dir));
        w.vault = std::make_unique<security::Vault>(std::move(vault));
        return w;
    };
    auto round = [&]() -> Result<void> {
        if (!store) {
            CLEARPOST_ASSIGN(store, store::open_store(m_database, store::OpenMode::MustExist,
                                                      store::MigrationPolicy::RequireCurrent));
        }
        const UnixSeconds now = system_now();
        const publish::ServiceLease mine{owner, "studio", now + 3 * m_poll_seconds};
        CLEARPOST_ASSIGN(const bool held, publish::claim_service_lease(*store, mine, now));
        if (!held) {
            CLEARPOST_ASSIGN(auto other, publish::service_lease(*store, now));
            report(PublisherStatus::Mode::Service, other ? other->kind + " " + other->owner : std::string());
            return ok();
        }
        publish::ServiceOptions options;
        options.once = true;
        options.workers = 1;
        options.dispatch.owner = owner;
        auto done = publish::serve(open_worker, plugins, publish::stderr_logger(), options, m_stop);
        if (!done) {
            // Leave publishing to someone who can (a service, another studio).
            CLEARPOST_CHECK(publish::release_service_lease(*store, owner));
            return std::move(done).error();
        }
        status.total += *done;
        report(PublisherStatus::Mode::Here, {});
        return ok();
    };
    while (!stop.stop_requested()) {
        if (auto done = round(); !done) {
            store.reset();  // a lost connection is opened again next time
            report(PublisherStatus::Mode::Unavailable, done.error().message);
        }
        for (int i = 0; i < m_poll_seconds * 10 && !stop.stop_requested(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (store) (void)publish::release_service_lease(*store, owner);
}

}  // namespace clearpost::gui
