#pragma once
// A studio's worker over a real SQLite database with one user per role and a
// Bluesky account, and a stand-in GUI thread the test drives.

#include <catch2/catch.hpp>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>

#include "clearpost/workflow/admin.h"
#include "presenters/backend.h"
#include "temp_dir.h"

namespace clearpost::gui {

// Stands in for the GUI thread: continuations queue up here and the test
// runs them, so nothing is asserted on the worker.
class GuiQueue {
public:
    Backend::Dispatch dispatcher() {
        return [this](std::function<void()> f) {
            std::lock_guard lock(m_mutex);
            m_queue.push_back(std::move(f));
            m_ready.notify_one();
        };
    }
    // Runs the next continuation (waiting for it to arrive).
    void run_one() {
        std::function<void()> f;
        {
            std::unique_lock lock(m_mutex);
            m_ready.wait(lock, [this] { return !m_queue.empty(); });
            f = std::move(m_queue.front());
            m_queue.pop_front();
        }
        f();
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_ready;
    std::deque<std::function<void()>> m_queue;
};

struct Studio {
    Studio() {
        auto store = store::open_sqlite(dir / "clearpost.db", store::OpenMode::CreateIfMissing,
                                        store::MigrationPolicy::Migrate);
        REQUIRE(store.ok());
        auto audit = security::AuditLog::open(**store, dir / "config");
        REQUIRE(audit.ok());
        workflow::Admin admin(**store, *audit, system_now);
        const std::string pw = "a long test password";
        ada = *admin.initialise("Harbor Clinics", "America/New_York", "ada", pw);
        alice = *admin.add_user(ada, "alice", model::Role::Author, pw);
        bob = *admin.add_user(ada, "bob", model::Role::Approver, pw);
        account = *admin.add_account(ada, "bluesky", "clinic.example");
    }

    BackendPaths paths() const { return {(dir / "clearpost.db").string(), dir / "config", CLEARPOST_ASSETS_DIR}; }

    template <typename T>
    Result<T> run(Backend& backend, std::function<Result<T>(Services&)> work) {
        std::optional<Result<T>> out;
        backend.run<T>(std::move(work), [&out](Result<T> r) { out.emplace(std::move(r)); });
        gui.run_one();
        REQUIRE(out.has_value());
        return std::move(*out);
    }

    testing::TempDir dir;
    GuiQueue gui;
    model::User ada, alice, bob;
    model::Account account;
};

}  // namespace clearpost::gui
