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
    void start(std::filesystem::path db, Done done);

private:
    std::jthread m_worker;
};

Result<PostList> load_posts(const std::filesystem::path& db);

}  // namespace clearpost::gui
