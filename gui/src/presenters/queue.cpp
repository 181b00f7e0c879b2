#include "queue.h"

#include <map>

namespace clearpost::gui {
namespace {

using model::State;

bool pending(State s) {
    return s == State::Scheduled || s == State::RetryWait || s == State::Paused || s == State::Failed ||
           s == State::NeedsAttention;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

std::string with_detail(std::string what, const std::string& detail) {
    if (!detail.empty()) what += ": " + detail;
    return what;
}

constexpr UnixSeconds kHistoryDays = 30;

}  // namespace

std::string local_minutes(UnixSeconds at, const schedule::TimeZone* zone) {
    if (zone) {
        if (auto local = schedule::utc_to_local(at, *zone)) {
            std::string text = schedule::format_local_datetime(local->local).substr(0, 16) + " " + local->abbreviation;
            text[10] = ' ';
            return text;
        }
    }
    return format_utc(at);
}

std::string plain_reason(const model::Target& t, bool paused, UnixSeconds now, const schedule::TimeZone* zone) {
    switch (t.state) {
    case State::Scheduled:
        if (paused) return "Held: all publishing is paused";
        return t.scheduled_at <= now ? "Due now; publishes when the dispatcher next runs"
                                     : "Publishes at " + local_minutes(t.scheduled_at, zone);
    case State::Paused: return "This post is paused; resume it to publish";
    case State::Publishing: return "Being published now";
    case State::RetryWait: {
        const std::string when = local_minutes(t.scheduled_at, zone);
        return with_detail(paused ? "Held by the pause; then trying again (was due " + when + ")"
                                  : "Trying again at " + when,
                           t.last_error);
    }
    case State::Published: return "Published";
    case State::Failed: return with_detail("Failed", t.last_error) + ". Fix the cause, then retry, or cancel the post";
    case State::NeedsAttention:
        return t.last_error.empty() ? "Needs a person: check the account, then retry or cancel the post"
                                    : "Needs a person: " + t.last_error;
    case State::Cancelled: return with_detail("Cancelled", t.last_error);
    case State::Removed: return with_detail("Taken down", t.last_error);
    default: return std::string(model::to_string(t.state));
    }
}

bool may_retry(const model::User& user, State state) {
    return user.role != model::Role::Author && (state == State::Failed || state == State::NeedsAttention);
}

bool may_cancel(const model::User& user, State state, model::Id post_created_by) {
    return pending(state) && (user.role != model::Role::Author || post_created_by == user.id);
}

Result<QueuePage> load_queue(store::Store& store, const model::User& user, QueueView view, UnixSeconds now) {
    QueuePage page;
    CLEARPOST_ASSIGN(auto org, store.organisation());
    page.zone = org.default_zone;
    schedule::TzDatabase zones;
    auto found = zones.find(org.default_zone);
    const schedule::TimeZone* zone = found ? &*found : nullptr;
    CLEARPOST_ASSIGN(page.pause, store.pause_state());
    if (page.pause) page.paused_since = local_minutes(page.pause->paused_at, zone);

    std::map<model::Id, std::string> accounts;
    CLEARPOST_ASSIGN(auto all_accounts, store.list_accounts());
    for (const auto& a : all_accounts) accounts[a.id] = a.network + ":" + a.handle;

    if (view == QueueView::Published) {
        CLEARPOST_ASSIGN(auto published, store.published_between(now - kHistoryDays * 86400, now + 1));
        page.truncated = published.size() > kQueueRowLimit;
        // Newest first: the store gives them oldest first.
        for (auto it = published.rbegin(); it != published.rend() && page.rows.size() < kQueueRowLimit; ++it) {
            QueueRow row;
            row.target_id = it->target_id;
            row.post_id = it->post_id;
            row.state = it->state;
            row.account = it->network + ":" + it->handle;
            row.when = local_minutes(it->published_at, zone);
            row.reason = it->state == State::Removed ? "Published, since taken down" : "Published";
            row.text = first_line(it->text);
            row.remote_url = it->remote_url;
            page.rows.push_back(std::move(row));
        }
        return page;
    }

    CLEARPOST_ASSIGN(auto targets,
                     store.targets_in({State::Scheduled, State::Paused, State::Publishing, State::RetryWait,
                                         State::Failed, State::NeedsAttention},
                                        kQueueRowLimit + 1));
    page.truncated = targets.size() > kQueueRowLimit;
    if (page.truncated) targets.resize(kQueueRowLimit);
    // Many targets share a version and a post: read each once.
    std::map<model::Id, model::VersionContent> versions;
    std::map<model::Id, model::Id> creators;
    for (const auto& t : targets) {
        QueueRow row;
        row.target_id = t.id;
        row.post_id = t.post_id;
        row.state = t.state;
        auto account = accounts.find(t.account_id);
        row.account = account != accounts.end() ? account->second : "account " + std::to_string(t.account_id);
        row.when = local_minutes(t.scheduled_at, zone);
        row.reason = plain_reason(t, page.pause.has_value(), now, zone);
        auto version = versions.find(t.version_id);
        if (version == versions.end()) {
            CLEARPOST_ASSIGN(auto read, store.version(t.version_id));
            version = versions.emplace(t.version_id, std::move(read.content)).first;
        }
        row.text = first_line(version->second.text);
        for (const auto& spec : version->second.targets)
            if (spec.account_id == t.account_id && !spec.text_override.empty()) row.text = first_line(spec.text_override);
        if (!creators.contains(t.post_id)) {
            CLEARPOST_ASSIGN(auto post, store.find_post(t.post_id));
            creators[t.post_id] = post ? post->created_by : 0;
        }
        row.remote_url = t.remote_url;
        row.can_retry = may_retry(user, t.state);
        row.can_cancel = may_cancel(user, t.state, creators[t.post_id]);
        page.rows.push_back(std::move(row));
    }
    return page;
}

}  // namespace clearpost::gui
