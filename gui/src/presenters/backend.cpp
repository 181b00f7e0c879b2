#include "backend.h"

#include "clearpost/app/compliance.h"
#include "clearpost/media/library.h"
#include "clearpost/workflow/admin.h"
#include "clearpost/schedule/time_zone.h"
#include "composer.h"

namespace clearpost::gui {

struct Backend::Session {
    std::unique_ptr<store::Store> store;
    std::unique_ptr<security::AuditLog> audit;
    std::optional<compliance::Engine> engine;
    std::unique_ptr<workflow::Workflow> flow;
};

namespace {

Result<void> open_session(const BackendPaths& paths, std::unique_ptr<store::Store>& store,
                          std::unique_ptr<security::AuditLog>& audit, std::optional<compliance::Engine>& engine,
                          std::unique_ptr<workflow::Workflow>& flow) {
    CLEARPOST_ASSIGN(store, store::open_store(paths.database, store::OpenMode::MustExist,
                                              store::MigrationPolicy::RequireCurrent));
    CLEARPOST_ASSIGN(auto log, security::AuditLog::open(*store, paths.key_dir));
    audit = std::make_unique<security::AuditLog>(std::move(log));
    // A missing rule pack stops the studio rather than letting posts through unchecked.
    CLEARPOST_ASSIGN(auto loaded, app::load_engine(*store, paths.assets));
    engine.emplace(std::move(loaded));
    CLEARPOST_ASSIGN(auto check, app::compliance_check(*store, *engine));
    flow = std::make_unique<workflow::Workflow>(*store, *audit, system_now, std::move(check));
    return ok();
}

}  // namespace

Backend::Backend(BackendPaths paths, Dispatch dispatch)
    : m_paths(std::move(paths)),
      m_media_dir(app::media_dir(m_paths.database)),
      m_dispatch(std::move(dispatch)),
      m_worker([this](std::stop_token stop) { loop(stop); }) {}

Backend::~Backend() {
    m_worker.request_stop();
    m_wake.notify_all();
    m_worker.join();
    // The session's connection is closed here, after the worker stopped.
}

void Backend::post(Job job) {
    {
        std::lock_guard lock(m_mutex);
        m_jobs.push_back(std::move(job));
    }
    m_wake.notify_one();
}

void Backend::loop(std::stop_token stop) {
    std::optional<Error> open_error;
    while (true) {
        Job job;
        {
            std::unique_lock lock(m_mutex);
            if (!m_wake.wait(lock, stop, [this] { return !m_jobs.empty(); })) return;
            job = std::move(m_jobs.front());
            m_jobs.pop_front();
        }
        if (!m_session && !open_error) {
            auto session = std::make_unique<Session>();
            auto opened = open_session(m_paths, session->store, session->audit, session->engine, session->flow);
            if (opened) {
                m_session = std::move(session);
            } else {
                open_error = opened.error();
            }
        }
        if (m_session) {
            Services services{*m_session->store, *m_session->audit, *m_session->flow, *m_session->engine, m_paths.key_dir,
                              m_media_dir};
            job(&services, nullptr);
        } else {
            job(nullptr, &*open_error);
        }
    }
}

Result<StudioSetup> load_setup(Services& services) {
    CLEARPOST_ASSIGN(auto org, services.store.organisation());
    CLEARPOST_ASSIGN(auto accounts, services.store.list_accounts());
    schedule::TzDatabase zones;
    return StudioSetup{std::move(org), services.engine, std::move(accounts), zone_names(zones.root())};
}

namespace {

Result<SavedPost> saved_state(Services& services, model::Id id) {
    CLEARPOST_ASSIGN(auto detail, services.flow.detail(id));
    SavedPost saved;
    saved.post_id = id;
    saved.version = detail.versions.back().number;
    saved.state = detail.post.state;
    saved.verdict = detail.versions.back().compliance.verdict;
    return saved;
}

}  // namespace

Result<SavedPost> save_post(Services& services, const model::User& actor, std::optional<model::Id> post_id,
                            const model::VersionContent& content, AfterSave after,
                            const std::optional<std::string>& tags) {
    std::optional<std::vector<std::string>> tag_list;
    if (tags) {
        CLEARPOST_ASSIGN(tag_list, workflow::normalise_tags(workflow::split_tags(*tags)));
    }
    model::Id id = 0;
    if (!post_id) {
        CLEARPOST_ASSIGN(id, services.flow.create_post(actor, content));
    } else {
        id = *post_id;
        CLEARPOST_ASSIGN(auto detail, services.flow.detail(id));
        // Saving the same content again would only add an identical version
        // and send an approved post back to Draft.
        if (detail.versions.empty() ||
            model::content_hash(detail.versions.back().content) != model::content_hash(content)) {
            CLEARPOST_CHECK(services.flow.edit_post(actor, id, content));
        }
    }
    if (tag_list) CLEARPOST_CHECK(services.flow.set_tags(actor, id, *tag_list));
    if (after == AfterSave::Submit) CLEARPOST_CHECK(services.flow.submit(actor, id));
    return saved_state(services, id);
}

namespace {

AttachedImage attached(const media::StoredImage& stored, model::MediaRef ref) {
    AttachedImage image;
    image.ref = std::move(ref);
    image.caption = image_caption(media::to_string(stored.info.type), stored.info.width, stored.info.height,
                                  stored.bytes);
    image.orientation = stored.info.orientation;
    return image;
}

}  // namespace

Result<AttachedImage> attach_image(Services& services, const std::filesystem::path& source) {
    CLEARPOST_ASSIGN(auto stored, media::import_image(source, services.media_dir));
    auto image = attached(stored, {stored.sha256, stored.path.string(), ""});
    image.note = stripped_note(stored.removed);
    return image;
}

Result<AttachedImage> reload_image(const model::MediaRef& ref) {
    CLEARPOST_ASSIGN(auto stored, media::load_stored(ref.path, ref.sha256));
    return attached(stored, ref);
}

Result<ConsentLinked> link_consent(Services& services, const model::User& actor, std::optional<model::Id> post_id,
                                   const model::VersionContent& content, model::Consent consent) {
    model::Id id = 0;
    if (post_id) {
        id = *post_id;
    } else {
        CLEARPOST_ASSIGN(auto saved, save_post(services, actor, std::nullopt, content, AfterSave::KeepDraft));
        id = saved.post_id;
    }
    CLEARPOST_CHECK(services.flow.link_consent(actor, id, std::move(consent)));
    ConsentLinked linked;
    CLEARPOST_ASSIGN(linked.saved, saved_state(services, id));
    CLEARPOST_ASSIGN(linked.consents, services.store.consents_of_post(id));
    return linked;
}

Result<UnixSeconds> next_slot(Services& services) {
    CLEARPOST_ASSIGN(auto org, services.store.organisation());
    schedule::TzDatabase zones;
    CLEARPOST_ASSIGN(auto zone, zones.find(org.default_zone));
    CLEARPOST_ASSIGN(auto slot, workflow::next_free_slot(services.store, zone, system_now()));
    if (!slot) {
        CLEARPOST_ASSIGN(auto slots, workflow::queue_slots(services.store));
        return make_error(ErrorCode::NotFound,
                          slots.empty() ? "The organisation has no queue slots yet; an administrator sets them "
                                          "(clearpostctl org queue-slots \"Mon 09:00\" ...)."
                                        : "Every queue slot of the next months is taken; choose a time instead.");
    }
    return *slot;
}

Result<Inbox> load_inbox(Services& services, const model::User& user) {
    store::PostFilter filter;
    filter.state = model::State::InReview;
    CLEARPOST_ASSIGN(auto posts, services.store.list_posts(filter));
    CLEARPOST_ASSIGN(auto users, services.store.list_users());
    std::vector<workflow::PostDetail> details;
    details.reserve(posts.size());
    for (const auto& p : posts) {
        CLEARPOST_ASSIGN(auto d, services.flow.detail(p.post.id));
        details.push_back(std::move(d));
    }
    Inbox inbox;
    inbox.entries = inbox_entries(user, details, users);
    for (const auto& e : inbox.entries)
        for (auto& d : details)
            if (d.post.id == e.post_id) inbox.details.push_back(d);
    return inbox;
}

}  // namespace clearpost::gui
