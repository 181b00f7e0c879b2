#include "clearpost/workflow/admin.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <deque>
#include <set>
#include <sstream>
#include <tuple>

#include "clearpost/crypto/crypto.h"
#include "clearpost/security/users.h"
#include "transact.h"

namespace clearpost::workflow {
namespace {

constexpr std::array<std::string_view, 7> kNetworks{"bluesky", "mastodon", "x",      "linkedin",
                                                    "facebook", "instagram", "threads"};

Result<void> check_user_name(const std::string& name) {
    const bool ok_chars = !name.empty() && name.size() <= 64 &&
                          std::all_of(name.begin(), name.end(), [](unsigned char c) {
                              return std::isalnum(c) || c == '.' || c == '_' || c == '-' || c == '@';
                          });
    if (!ok_chars) {
        return make_error(ErrorCode::Invalid,
                          "'" + name + "' is not a valid user name; use 1-64 letters, digits, . _ - @");
    }
    return ok();
}

}  // namespace

bool is_known_network(const std::string& network) {
    return std::find(kNetworks.begin(), kNetworks.end(), network) != kNetworks.end();
}

Admin::Admin(store::Store& store, security::AuditLog& audit, Clock clock)
    : m_store(store), m_audit(audit), m_clock(std::move(clock)) {}

Result<void> Admin::in_transaction(const std::function<Result<void>()>& body) {
    return transact(m_store, m_audit, body);
}

Result<void> require_admin(const model::User& actor, const std::string& what) {
    if (actor.role != model::Role::Admin) {
        return make_error(ErrorCode::Forbidden, "only an admin can " + what + "; you are " +
                                                    std::string(model::to_string(actor.role)));
    }
    return ok();
}

Result<AuditTrail> audit_trail(const model::User& actor, store::Store& store, security::AuditLog& audit,
                               std::size_t limit) {
    if (actor.role != model::Role::Admin && actor.role != model::Role::PrivacyOfficer) {
        return make_error(ErrorCode::Forbidden, "only an admin or a privacy officer can read the audit log; you are " +
                                                    std::string(model::to_string(actor.role)));
    }
    AuditTrail trail;
    CLEARPOST_ASSIGN(trail.verification, audit.verify());
    std::deque<model::AuditEntry> newest;
    CLEARPOST_CHECK(store.each_audit([&](const model::AuditEntry& e) {
        ++trail.total;
        newest.push_back(e);
        if (newest.size() > limit) newest.pop_front();
        return true;
    }));
    trail.entries.assign(newest.rbegin(), newest.rend());
    return trail;
}

Result<model::User> Admin::initialise(const std::string& org_name, const std::string& zone,
                                      const std::string& admin_name, const std::string& password) {
    CLEARPOST_CHECK(check_user_name(admin_name));
    CLEARPOST_CHECK(security::check_password_strength(password));
    model::User admin;
    admin.name = admin_name;
    admin.role = model::Role::Admin;
    CLEARPOST_ASSIGN(admin.password_hash, crypto::hash_password(password));
    CLEARPOST_CHECK(in_transaction([&]() -> Result<void> {
        CLEARPOST_ASSIGN(auto users, m_store.list_users());
        if (!users.empty()) {
            return make_error(ErrorCode::Conflict,
                              "this database is already initialised; add users with clearpostctl user add");
        }
        const UnixSeconds now = m_clock();
        admin.created_at = now;
        CLEARPOST_CHECK(m_store.set_organisation({org_name, zone}));
        CLEARPOST_CHECK(m_store.set_approval_chain({{1, model::Role::Approver}}));
        CLEARPOST_ASSIGN(admin.id, m_store.insert_user(admin));
        CLEARPOST_CHECK(m_audit.append({"system", "org.init", "organisation", "zone " + zone}, now));
        return m_audit.append({"system", "user.add", "user " + admin_name, "role admin"}, now);
    }));
    return admin;
}

Result<model::User> Admin::add_user(const model::User& actor, const std::string& name, model::Role role,
                                    const std::string& password) {
    CLEARPOST_CHECK(require_admin(actor, "add users"));
    CLEARPOST_CHECK(check_user_name(name));
    CLEARPOST_CHECK(security::check_password_strength(password));
    model::User user;
    user.name = name;
    user.role = role;
    CLEARPOST_ASSIGN(user.password_hash, crypto::hash_password(password));
    CLEARPOST_CHECK(in_transaction([&]() -> Result<void> {
        user.created_at = m_clock();
        CLEARPOST_ASSIGN(user.id, m_store.insert_user(user));
        return m_audit.append({actor.name, "user.add", "user " + name,
                               "role " + std::string(model::to_string(role))},
                              user.created_at);
    }));
    return user;
}

Result<model::Account> Admin::add_account(const model::User& actor, const std::string& network,
                                          const std::string& handle) {
    CLEARPOST_CHECK(require_admin(actor, "add social accounts"));
    if (!is_known_network(network)) {
        return make_error(ErrorCode::Invalid, "unknown network '" + network +
                                                  "'; use bluesky, mastodon, x, linkedin, facebook, "
                                                  "instagram or threads");
    }
    if (handle.empty()) return make_error(ErrorCode::Invalid, "the account handle is empty");
    model::Account account{0, network, handle, "connected"};
    CLEARPOST_CHECK(in_transaction([&]() -> Result<void> {
        CLEARPOST_ASSIGN(account.id, m_store.insert_account(account));
        return m_audit.append({actor.name, "account.add", "account " + std::to_string(account.id),
                               network + ":" + handle},
                              m_clock());
    }));
    return account;
}

Result<void> Admin::set_approval_chain(const model::User& actor,
                                       const std::vector<model::ApprovalStage>& chain) {
    CLEARPOST_CHECK(require_admin(actor, "change the approval chain"));
    if (chain.empty()) {
        return make_error(ErrorCode::Invalid, "the approval chain needs at least one stage");
    }
    std::string detail;
    for (std::size_t i = 0; i < chain.size(); ++i) {
        if (chain[i].stage != static_cast<int>(i) + 1) {
            return make_error(ErrorCode::Invalid, "approval stages must be numbered 1, 2, 3 ...");
        }
        if (chain[i].role == model::Role::Author) {
            return make_error(ErrorCode::Invalid, "authors cannot sign an approval stage");
        }
        detail += (i ? ", " : "") + std::string(model::to_string(chain[i].role));
    }
    return in_transaction([&]() -> Result<void> {
        CLEARPOST_CHECK(m_store.set_approval_chain(chain));
        return m_audit.append({actor.name, "org.approval_chain", "organisation", detail}, m_clock());
    });
}

Result<void> Admin::set_org_profile(const model::User& actor, const std::string& profile_json) {
    CLEARPOST_CHECK(require_admin(actor, "change the organisation profile"));
    return in_transaction([&]() -> Result<void> {
        CLEARPOST_ASSIGN(auto org, m_store.organisation());
        org.profile_json = profile_json;
        CLEARPOST_CHECK(m_store.set_organisation(org));
        return m_audit.append({actor.name, "org.profile", "organisation",
                               "sha256 " + crypto::sha256_hex(profile_json)},
                              m_clock());
    });
}

namespace {
constexpr const char* kReschedulePolicy = "policy.reschedule_keeps_approval";
}  // namespace

Result<bool> reschedule_keeps_approval(store::Store& store) {
    CLEARPOST_ASSIGN(auto value, store.setting(kReschedulePolicy));
    return value && *value == "yes";
}

Result<void> Admin::set_reschedule_keeps_approval(const model::User& actor, bool keep) {
    CLEARPOST_CHECK(require_admin(actor, "change the rescheduling policy"));
    return in_transaction([&]() -> Result<void> {
        CLEARPOST_CHECK(m_store.set_setting(kReschedulePolicy, keep ? "yes" : "no"));
        return m_audit.append({actor.name, "org.policy", "organisation",
                               keep ? "a queued post moved in time keeps its approval"
                                    : "a queued post moved in time goes back for review"},
                              m_clock());
    });
}

namespace {

constexpr const char* kQueueSlots = "queue.slots";

bool slot_before(const schedule::WeeklySlot& a, const schedule::WeeklySlot& b) {
    return std::tuple(a.weekday, a.hour, a.minute) < std::tuple(b.weekday, b.hour, b.minute);
}

}  // namespace

Result<std::vector<schedule::WeeklySlot>> queue_slots(store::Store& store) {
    CLEARPOST_ASSIGN(auto value, store.setting(kQueueSlots));
    std::vector<schedule::WeeklySlot> slots;
    if (!value) return slots;
    std::istringstream in(*value);
    for (std::string item; std::getline(in, item, ',');) {
        while (!item.empty() && item.front() == ' ') item.erase(item.begin());
        if (item.empty()) continue;
        auto slot = schedule::parse_weekly_slot(item);
        if (!slot) {
            return make_error(ErrorCode::Corrupt, "the stored queue slots are unreadable (" + slot.error().message +
                                                      "); an admin sets them again with clearpostctl org queue-slots");
        }
        slots.push_back(*slot);
    }
    return slots;
}

Result<void> Admin::set_queue_slots(const model::User& actor, std::vector<schedule::WeeklySlot> slots) {
    CLEARPOST_CHECK(require_admin(actor, "change the queue slots"));
    for (const auto& s : slots) {
        if (s.hour < 0 || s.hour > 23 || s.minute < 0 || s.minute > 59 || static_cast<int>(s.weekday) < 0 ||
            static_cast<int>(s.weekday) > 6)
            return make_error(ErrorCode::Invalid, "a queue slot needs a weekday and a time between 00:00 and 23:59");
    }
    std::sort(slots.begin(), slots.end(), slot_before);
    slots.erase(std::unique(slots.begin(), slots.end(),
                            [](const auto& a, const auto& b) { return !slot_before(a, b) && !slot_before(b, a); }),
                slots.end());
    std::string value;
    for (const auto& s : slots) value += (value.empty() ? "" : ", ") + schedule::format_weekly_slot(s);
    return in_transaction([&]() -> Result<void> {
        CLEARPOST_CHECK(m_store.set_setting(kQueueSlots, value));
        return m_audit.append({actor.name, "org.queue_slots", "organisation",
                               value.empty() ? "no queue slots" : "queue slots " + value},
                              m_clock());
    });
}

Result<std::optional<UnixSeconds>> next_free_slot(store::Store& store, const schedule::TimeZone& zone,
                                                  UnixSeconds after) {
    CLEARPOST_ASSIGN(auto slots, queue_slots(store));
    if (slots.empty()) return std::optional<UnixSeconds>();
    constexpr std::size_t kLookAhead = 500;
    CLEARPOST_ASSIGN(auto candidates, schedule::next_queue_slots(slots, zone, after, kLookAhead,
                                                                 schedule::SlotDst::Skip));
    if (candidates.empty()) return std::optional<UnixSeconds>();
    std::set<UnixSeconds> taken;
    CLEARPOST_ASSIGN(auto items, store.calendar(candidates.front(), candidates.back() + 1));
    for (const auto& item : items)
        if (item.state != model::State::Cancelled && item.state != model::State::Failed) taken.insert(item.scheduled_at);
    for (auto state : {model::State::Draft, model::State::InReview, model::State::ChangesRequested,
                       model::State::Approved}) {
        store::PostFilter filter;
        filter.state = state;
        filter.limit = 10000;
        CLEARPOST_ASSIGN(auto posts, store.list_posts(filter));
        for (const auto& p : posts)
            if (p.scheduled_at) taken.insert(*p.scheduled_at);
    }
    for (UnixSeconds at : candidates)
        if (!taken.contains(at)) return std::optional<UnixSeconds>(at);
    return std::optional<UnixSeconds>();
}

namespace {
constexpr const char* kMetricsRetention = "metrics.retention_days";
}  // namespace

Result<std::optional<int>> metrics_retention(store::Store& store) {
    CLEARPOST_ASSIGN(auto value, store.setting(kMetricsRetention));
    if (!value || *value == "keep") return std::optional<int>();
    try {
        return std::optional<int>(std::stoi(*value));
    } catch (const std::exception&) {
        return make_error(ErrorCode::Corrupt, "the stored metrics retention '" + *value +
                                                  "' is not a number of days; an admin sets it again");
    }
}

Result<void> Admin::set_metrics_retention(const model::User& actor, std::optional<int> days) {
    CLEARPOST_CHECK(require_admin(actor, "change how long metrics are kept"));
    if (days && (*days < 30 || *days > 36500)) {
        return make_error(ErrorCode::Invalid, "keep metrics for 30 to 36500 days, or keep everything");
    }
    return in_transaction([&]() -> Result<void> {
        CLEARPOST_CHECK(m_store.set_setting(kMetricsRetention, days ? std::to_string(*days) : "keep"));
        return m_audit.append({actor.name, "org.metrics_retention", "organisation",
                               days ? "metrics snapshots kept " + std::to_string(*days) +
                                          " days (each post's newest always)"
                                    : "every metrics snapshot kept"},
                              m_clock());
    });
}

Result<std::size_t> apply_metrics_retention(store::Store& store, security::AuditLog& audit,
                                            const std::string& actor_name, UnixSeconds now) {
    CLEARPOST_ASSIGN(auto days, metrics_retention(store));
    if (!days) return std::size_t{0};
    const UnixSeconds before = now - static_cast<UnixSeconds>(*days) * 86400;
    std::size_t removed = 0;
    CLEARPOST_CHECK(transact(store, audit, [&]() -> Result<void> {
        CLEARPOST_ASSIGN(removed, store.prune_metric_snapshots(before));
        if (removed == 0) return ok();
        return audit.append({actor_name, "metrics.prune", "organisation",
                             std::to_string(removed) + " snapshots fetched before " + format_utc(before) +
                                 " deleted (retention " + std::to_string(*days) + " days)"},
                            now);
    }));
    return removed;
}

Result<void> Admin::pause_publishing(const model::User& actor, const std::string& reason) {
    if (reason.empty()) {
        return make_error(ErrorCode::Invalid, "say why publishing is paused (--reason), so others know when to resume");
    }
    return in_transaction([&]() -> Result<void> {
        const UnixSeconds now = m_clock();
        CLEARPOST_CHECK(m_store.set_pause(store::PauseState{now, actor.name, reason}));
        return m_audit.append({actor.name, "publishing.pause", "organisation", "reason: " + reason}, now);
    });
}

Result<void> Admin::resume_publishing(const model::User& actor) {
    if (actor.role == model::Role::Author) {
        return make_error(ErrorCode::Forbidden, "an approver, privacy officer or admin must resume publishing");
    }
    return in_transaction([&]() -> Result<void> {
        CLEARPOST_ASSIGN(auto pause, m_store.pause_state());
        if (!pause) return make_error(ErrorCode::Conflict, "publishing is not paused");
        CLEARPOST_CHECK(m_store.set_pause(std::nullopt));
        return m_audit.append({actor.name, "publishing.resume", "organisation", "paused since " + format_utc(pause->paused_at)},
                              m_clock());
    });
}

}  // namespace clearpost::workflow
