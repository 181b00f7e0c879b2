#include "post_loader.h"

#include <chrono>

#include "clearpost/schedule/time_zone.h"
#include "presenters/queue.h"

namespace clearpost::gui {

Result<PostList> load_posts(const std::string& db) {
    CLEARPOST_ASSIGN(auto store, store::open_store(db, store::OpenMode::MustExist,
                                                   store::MigrationPolicy::RequireCurrent));
    CLEARPOST_ASSIGN(auto org, store->organisation());
    CLEARPOST_ASSIGN(auto posts, store->list_posts({}));
    schedule::TzDatabase zones;
    auto zone = zones.find(org.default_zone);
    PostList list;
    list.zone = org.default_zone;
    for (const auto& p : posts) {
        PostRow row;
        row.id = p.post.id;
        row.state = std::string(model::to_string(p.post.state));
        row.version = p.version_number;
        row.author = p.author;
        // "2030-11-02 09:00 EDT": minutes are what people schedule in.
        if (p.scheduled_at) row.when = local_minutes(*p.scheduled_at, zone ? &*zone : nullptr);
        row.text = p.text.substr(0, p.text.find('\n'));
        list.rows.push_back(std::move(row));
    }
    return list;
}

void ChangeListener::start(std::string db, Changed changed) {
    if (!store::is_postgres_uri(db)) return;
    m_worker = std::jthread([db = std::move(db), changed = std::move(changed)](std::stop_token stop) {
        std::unique_ptr<store::Store> store;
        while (!stop.stop_requested()) {
            if (!store) {
                auto opened = store::open_store(db, store::OpenMode::MustExist, store::MigrationPolicy::RequireCurrent);
                if (opened && (*opened)->listen()) {
                    store = std::move(*opened);
                } else {
                    for (int i = 0; i < 30 && !stop.stop_requested(); ++i)
                        std::this_thread::sleep_for(std::chrono::milliseconds(100));
                    continue;
                }
            }
            // Short waits, so that closing the window is never held up.
            auto changes = store->wait_for_changes(250);
            if (!changes) {
                store.reset();
                continue;
            }
            if (!changes->empty() && !stop.stop_requested()) changed(std::move(*changes));
        }
    });
}

void PostLoader::start(std::string db, Done done) {
    // Replacing the jthread joins the previous load first; loads are short.
    m_worker = std::jthread([db = std::move(db), done = std::move(done)](std::stop_token stop) {
        auto result = load_posts(db);
        if (!stop.stop_requested()) done(std::move(result));
    });
}

}  // namespace clearpost::gui
