#pragma once
// Loads the post list off the GUI thread. Plain C++ (no wx): the frame hands
// it a callback that hops back to the GUI thread.

#include <filesystem>
#include <functional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "clearpost/base/result.h"
#include "clearpost/store/store.h"

namespace clearpost::gui {

struct PostRow {
    model::Id id = 0;
    std::string state;
    int version = 0;
    std::string author;
    std::string when;  // local time in the organisation's zone, or ""
    std::string text;  // first line
};

struct PostList {
    std::vector<PostRow> rows;
    std::string zone;
};

// Runs one load on its own thread with its own database connection (SQLite
// connections are per thread) and passes the result to `done` on that thread.
class PostLoader {
public:
    using Done = std::function<void(Result<PostList>)>;
    void start(std::string db, Done done);

private:
    std::jthread m_worker;
};

Result<PostList> load_posts(const std::string& db);

// Hears the changes other people's studios and services commit to a team
// (PostgreSQL) database and calls `changed` on its own thread, once per
// batch, so the studio refreshes within a second without polling. A lost
// server is retried every few seconds. A SQLite file has one desktop and
// nothing to hear: start() does nothing there.
class ChangeListener {
public:
    using Changed = std::function<void(std::vector<store::Change>)>;
    void start(std::string db, Changed changed);
    void stop() { m_worker = std::jthread(); }

private:
    std::jthread m_worker;
};

}  // namespace clearpost::gui
