// The studio's in-app publisher over a real database: it publishes due
// posts itself while nobody holds the service lease, and stands by while
// `clearpostctl run` does.

#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdlib>

#include "clearpost/publish/service.h"
#include "presenters/in_app_publisher.h"
#include "studio_fixture.h"

namespace clearpost::gui {
namespace {

// Collects what the publisher reports from its thread.
class Reports {
public:
    InAppPublisher::Report sink() {
        return [this](const PublisherStatus& s) {
            std::lock_guard lock(m_mutex);
            m_last = s;
            m_changed.notify_all();
        };
    }
    // Waits up to 20 s for a report in `mode`.
    std::optional<PublisherStatus> wait_for(PublisherStatus::Mode mode) {
        std::unique_lock lock(m_mutex);
        if (!m_changed.wait_for(lock, std::chrono::seconds(20), [&] { return m_last && m_last->mode == mode; }))
            return std::nullopt;
        return m_last;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::optional<PublisherStatus> m_last;
};

// A post queued for now on the fixture's Bluesky account.
model::Id due_post(Studio& s) {
    auto store = store::open_sqlite(s.dir / "clearpost.db", store::OpenMode::MustExist,
                                    store::MigrationPolicy::RequireCurrent);
    REQUIRE(store.ok());
    auto audit = security::AuditLog::open(**store, s.dir / "config");
    REQUIRE(audit.ok());
    workflow::Workflow flow(**store, *audit, system_now, {});
    model::VersionContent c;
    c.text = "Flu shots today";
    c.targets = {{s.account.id, ""}};
    c.scheduled_at = system_now() - 60;
    c.zone = "America/New_York";
    auto id = flow.create_post(s.alice, c);
    REQUIRE(id.ok());
    REQUIRE(flow.submit(s.alice, *id).ok());
    REQUIRE(flow.approve(s.bob, *id, "", "").ok());
    REQUIRE(flow.schedule(s.bob, *id).ok());
    return *id;
}

model::Target target_of(Studio& s, model::Id post) {
    auto store = store::open_sqlite(s.dir / "clearpost.db", store::OpenMode::MustExist,
                                    store::MigrationPolicy::RequireCurrent);
    REQUIRE(store.ok());
    auto targets = (*store)->targets_of(post);
    REQUIRE(targets.ok());
    REQUIRE(targets->size() == 1);
    return targets->front();
}

}  // namespace

TEST_CASE("with no service running the studio publishes due posts itself, and stands by while one runs") {
    Studio s;
    // No publisher plugins: the due post cannot go out, and the dispatcher
    // says so on the target, which shows it was this studio that ran it.
    setenv("CLEARPOST_PUBLISHERS_DIR", (s.dir / "no-plugins").c_str(), 1);
    setenv("XDG_DATA_HOME", (s.dir / "data").c_str(), 1);
    const auto post = due_post(s);

    SECTION("nobody holds the lease") {
        Reports reports;
        {
            InAppPublisher publisher((s.dir / "clearpost.db").string(), s.dir / "config", reports.sink(), 1);
            auto status = reports.wait_for(PublisherStatus::Mode::Here);
            REQUIRE(status);
            CHECK(status->total.claimed == 1);
        }
        const auto t = target_of(s, post);
        CHECK(t.state == model::State::RetryWait);
        CHECK(t.last_error.find("bluesky") != std::string::npos);
        // Closing the studio handed the lease back.
        auto store = store::open_sqlite(s.dir / "clearpost.db", store::OpenMode::MustExist,
                                        store::MigrationPolicy::RequireCurrent);
        CHECK_FALSE(*publish::service_lease(**store, system_now()));
    }
    SECTION("clearpostctl run holds the lease") {
        {
            auto store = store::open_sqlite(s.dir / "clearpost.db", store::OpenMode::MustExist,
                                            store::MigrationPolicy::RequireCurrent);
            REQUIRE(*publish::claim_service_lease(**store, {"desk7:4242:ab", "service", system_now() + 600},
                                                  system_now()));
        }
        Reports reports;
        {
            InAppPublisher publisher((s.dir / "clearpost.db").string(), s.dir / "config", reports.sink(), 1);
            auto status = reports.wait_for(PublisherStatus::Mode::Service);
            REQUIRE(status);
            CHECK(status->detail == "service desk7:4242:ab");
            CHECK(status->total.claimed == 0);
        }
        CHECK(target_of(s, post).state == model::State::Scheduled);
    }
}

}  // namespace clearpost::gui
