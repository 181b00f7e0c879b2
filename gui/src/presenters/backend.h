#pragma once
// The studio's one worker thread and the use cases it runs. Widget-free: the
// GUI injects a dispatcher that hops back to its own thread (CallAfter), the
// unit tests one that runs the continuation in place.
//
// The worker owns its own store connection (SQLite connections are per
// thread), audit log and workflow, opened on its first job. Jobs run one at a
// time in the order they were posted; their results are handed to the
// dispatcher, never to the caller's thread directly. Destroying the Backend
// stops the worker after the running job and drops the jobs not yet started.

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "clearpost/base/result.h"
#include "clearpost/compliance/engine.h"
#include "clearpost/model/model.h"
#include "clearpost/security/audit.h"
#include "clearpost/store/store.h"
#include "clearpost/workflow/workflow.h"
#include "review.h"

namespace clearpost::gui {

// What a job may use. Valid only on the worker thread, during the job.
struct Services {
    store::Store& store;
    security::AuditLog& audit;
    workflow::Workflow& flow;
    const compliance::Engine& engine;
    const std::filesystem::path& key_dir;  // the audit key's and the vault's folder
    const std::filesystem::path& media_dir;  // where attached images are stored (app::media_dir)
};

struct BackendPaths {
    std::string database;  // a file, or a postgresql:// URI (team mode)
    std::filesystem::path key_dir;  // where the audit key lives (security::default_config_dir())
    std::filesystem::path assets;   // dictionaries and rule packs (app::assets_dir())
};

class Backend {
public:
    using Dispatch = std::function<void(std::function<void()>)>;

    Backend(BackendPaths paths, Dispatch dispatch);
    ~Backend();
    Backend(const Backend&) = delete;
    Backend& operator=(const Backend&) = delete;

    // Runs `work` on the worker, then `done` with its result through the
    // dispatcher. When the database cannot be opened, `done` gets that error.
    template <typename T>
    void run(std::function<Result<T>(Services&)> work, std::function<void(Result<T>)> done) {
        // `done` is moved, never copied, on the worker: whatever it holds for
        // the GUI (a weak window reference) is made and dropped on the GUI thread.
        post([work = std::move(work), done = std::move(done), this](Services* services, const Error* error) mutable {
            auto result = services ? work(*services) : Result<T>(*error);
            m_dispatch([done = std::move(done), result = std::move(result)]() mutable { done(std::move(result)); });
        });
    }

private:
    struct Session;
    using Job = std::function<void(Services*, const Error*)>;
    void post(Job job);
    void loop(std::stop_token stop);

    BackendPaths m_paths;
    std::filesystem::path m_media_dir;
    Dispatch m_dispatch;
    std::mutex m_mutex;
    std::condition_variable_any m_wake;
    std::deque<Job> m_jobs;
    std::unique_ptr<Session> m_session;  // worker thread only
    std::jthread m_worker;               // last: starts after everything above exists
};

// What the composer and inbox need once, at start.
struct StudioSetup {
    model::Organisation organisation;
    compliance::Engine engine;  // the same rules the workflow checks with
    std::vector<model::Account> accounts;
    std::vector<std::string> zones;  // IANA names, sorted
};
Result<StudioSetup> load_setup(Services& services);

struct SavedPost {
    model::Id post_id = 0;
    int version = 0;
    model::State state = model::State::Draft;
    std::string verdict;
};

// Saves `content` as a new post, or as a new version of `post_id` when it
// changed, then submits it for approval when `submit` says so. `tags` (as
// typed: comma or space separated), when given, become the post's tags;
// they are not content, so tags alone make no new version. Bad tags are
// refused before anything is written.
enum class AfterSave { KeepDraft, Submit };
Result<SavedPost> save_post(Services& services, const model::User& actor, std::optional<model::Id> post_id,
                            const model::VersionContent& content, AfterSave after,
                            const std::optional<std::string>& tags = std::nullopt);

// An image the composer attached: stripped of its metadata and stored in
// the media folder (the original file is only read). What the thumbnail
// shows is the stored file's bytes.
struct AttachedImage {
    model::MediaRef ref;  // alt text empty: the person writes it next
    std::string caption;  // image_caption()
    std::string note;     // stripped_note() just after import; empty when reloaded
    int orientation = 1;  // EXIF orientation kept in the stored file, for the thumbnail
};
Result<AttachedImage> attach_image(Services& services, const std::filesystem::path& source);
// An image a saved version names, checked against its hash.
Result<AttachedImage> reload_image(const model::MediaRef& ref);

// Links `consent` to the post, saving `content` first as a new draft when
// there is no post yet (`post_id` empty). Returns the post id, its linked
// consents and the saved state (the draft is re-checked with the consent).
struct ConsentLinked {
    SavedPost saved;
    std::vector<model::Consent> consents;
};
Result<ConsentLinked> link_consent(Services& services, const model::User& actor, std::optional<model::Id> post_id,
                                   const model::VersionContent& content, model::Consent consent);

// The organisation's next queue slot after now that no post takes, in its
// zone; NotFound (with what to do) when it has no slots or none is free.
Result<UnixSeconds> next_slot(Services& services);

// The posts waiting for `user`, oldest first, and the detail of each.
struct Inbox {
    std::vector<InboxEntry> entries;
    std::vector<workflow::PostDetail> details;  // same order as entries
};
Result<Inbox> load_inbox(Services& services, const model::User& user);

}  // namespace clearpost::gui
