#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "clearpost/base/csv.h"
#include "clearpost/base/utf8.h"
#include "clearpost/transfer/transfer.h"

namespace clearpost::transfer {
namespace {

using nlohmann::json;
using model::Id;

constexpr int kExportVersion = 1;
constexpr const char* kExportFormat = "clearpost-export";

// Everything about the calendar, read once.
struct Calendar {
    model::Organisation organisation;
    std::vector<model::ApprovalStage> chain;
    std::vector<model::User> users;
    std::vector<model::Account> accounts;
    std::map<Id, std::string> user_names;
    std::map<Id, std::string> account_names;  // id -> "network:handle"
    std::map<Id, UnixSeconds> published_at;   // target id -> when it went out
    std::vector<workflow::PostDetail> posts;  // oldest first
};

Result<Calendar> read_calendar(store::Store& store) {
    Calendar c;
    CLEARPOST_ASSIGN(c.organisation, store.organisation());
    CLEARPOST_ASSIGN(c.chain, store.approval_chain());
    CLEARPOST_ASSIGN(c.users, store.list_users());
    CLEARPOST_ASSIGN(c.accounts, store.list_accounts());
    for (const auto& u : c.users) c.user_names[u.id] = u.name;
    for (const auto& a : c.accounts) c.account_names[a.id] = a.network + ":" + a.handle;
    CLEARPOST_ASSIGN(auto published, store.published_between(std::numeric_limits<UnixSeconds>::min(),
                                                             std::numeric_limits<UnixSeconds>::max()));
    for (const auto& p : published) c.published_at[p.target_id] = p.published_at;
    store::PostFilter all;
    all.limit = std::numeric_limits<std::int64_t>::max();
    CLEARPOST_ASSIGN(auto summaries, store.list_posts(all));
    std::sort(summaries.begin(), summaries.end(),
              [](const store::PostSummary& a, const store::PostSummary& b) { return a.post.id < b.post.id; });
    for (const auto& s : summaries) {
        workflow::PostDetail d;
        d.post = s.post;
        CLEARPOST_ASSIGN(d.versions, store.versions_of(s.post.id));
        CLEARPOST_ASSIGN(d.approvals, store.approvals_of_post(s.post.id));
        CLEARPOST_ASSIGN(d.targets, store.targets_of(s.post.id));
        CLEARPOST_ASSIGN(d.consents, store.consents_of_post(s.post.id));
        CLEARPOST_ASSIGN(d.tags, store.tags_of(s.post.id));
        c.posts.push_back(std::move(d));
    }
    return c;
}

std::string name_of(const std::map<Id, std::string>& names, Id id) {
    const auto found = names.find(id);
    return found == names.end() ? "#" + std::to_string(id) : found->second;
}

std::string optional_time(const std::optional<UnixSeconds>& t) { return t ? format_utc(*t) : std::string(); }

json optional_time_json(const std::optional<UnixSeconds>& t) { return t ? json(format_utc(*t)) : json(); }

Error bad_file(const std::string& what) {
    return make_error(ErrorCode::Invalid, "the file is not a Clearpost JSON export: " + what +
                                              "; restore only files written by clearpostctl export --format json");
}

// Strict readers for the restore: a field missing or of the wrong type names itself.
struct Reader {
    const json& j;
    std::string where;

    Result<const json*> get(const char* key, json::value_t type) const {
        if (!j.is_object() || !j.contains(key)) return bad_file(where + " has no \"" + key + "\"");
        const json& v = j[key];
        const bool number_ok = type == json::value_t::number_integer && v.is_number_integer();
        if (v.type() != type && !number_ok) return bad_file(where + "'s \"" + key + "\" has the wrong type");
        return &v;
    }
    Result<std::string> str(const char* key) const {
        CLEARPOST_ASSIGN(const json* v, get(key, json::value_t::string));
        return v->get<std::string>();
    }
    Result<std::int64_t> num(const char* key) const {
        CLEARPOST_ASSIGN(const json* v, get(key, json::value_t::number_integer));
        return v->get<std::int64_t>();
    }
    Result<bool> boolean(const char* key) const {
        CLEARPOST_ASSIGN(const json* v, get(key, json::value_t::boolean));
        return v->get<bool>();
    }
    Result<UnixSeconds> time(const char* key) const {
        CLEARPOST_ASSIGN(auto s, str(key));
        auto t = parse_utc(s);
        if (!t.ok()) return bad_file(where + "'s \"" + key + "\" is not a UTC time");
        return *t;
    }
    Result<std::optional<UnixSeconds>> optional_time(const char* key) const {
        if (j.contains(key) && j[key].is_null()) return std::optional<UnixSeconds>{};
        CLEARPOST_ASSIGN(auto t, time(key));
        return std::optional<UnixSeconds>{t};
    }
    Result<const json*> list(const char* key) const { return get(key, json::value_t::array); }
};

}  // namespace

Result<std::string> export_csv(store::Store& store, const model::User& actor) {
    if (!actor.active) return make_error(ErrorCode::Forbidden, "user " + actor.name + " is disabled");
    CLEARPOST_ASSIGN(auto c, read_calendar(store));
    std::vector<std::vector<std::string>> table{{"post_id", "post_state", "version", "current", "author",
                                                 "version_created_at", "scheduled_at", "zone", "text", "accounts",
                                                 "content_hash", "compliance_verdict", "compliance_findings",
                                                 "approvals", "targets", "tags"}};
    for (const auto& p : c.posts) {
        // The post's tags, on each of its rows (import reads them back).
        std::string tags;
        for (const auto& t : p.tags) tags += (tags.empty() ? "" : " ") + t;
        for (const auto& v : p.versions) {
            std::string accounts;
            for (const auto& t : v.content.targets)
                accounts += (accounts.empty() ? "" : " ") + name_of(c.account_names, t.account_id);
            std::string approvals;
            for (const auto& a : p.approvals) {
                if (a.version_id != v.id) continue;
                if (!approvals.empty()) approvals += " | ";
                approvals += "stage " + std::to_string(a.stage) + " " + a.decision + " by " +
                             name_of(c.user_names, a.approver_id) + " at " + format_utc(a.decided_at);
                if (!a.override_justification.empty()) approvals += " (block overridden: " + a.override_justification + ")";
                if (!a.comment.empty()) approvals += ": " + a.comment;
            }
            std::string targets;
            for (const auto& t : p.targets) {
                if (t.version_id != v.id) continue;
                if (!targets.empty()) targets += " | ";
                targets += name_of(c.account_names, t.account_id) + " " + std::string(model::to_string(t.state));
                if (!t.remote_url.empty()) targets += " " + t.remote_url;
                if (!t.last_error.empty()) targets += " (" + t.last_error + ")";
            }
            const json findings = json::parse(v.compliance.findings_json, nullptr, false);
            table.push_back({std::to_string(p.post.id), std::string(model::to_string(p.post.state)),
                             std::to_string(v.number), v.id == p.post.current_version_id ? "yes" : "no",
                             name_of(c.user_names, v.author_id), format_utc(v.created_at),
                             optional_time(v.content.scheduled_at), v.content.zone, v.content.text, accounts,
                             v.content_hash, v.compliance.verdict,
                             findings.is_array() ? std::to_string(findings.size()) : std::string(), approvals,
                             targets, tags});
        }
    }
    return to_csv(table, ByteOrderMark::Write);
}

Result<std::string> export_json(store::Store& store, const model::User& actor, UnixSeconds now) {
    if (actor.role != model::Role::Admin || !actor.active) {
        return make_error(ErrorCode::Forbidden, "only an admin may write a JSON export: it holds the users' "
                                                "password hashes. Ask an admin, or use --format csv");
    }
    CLEARPOST_ASSIGN(auto c, read_calendar(store));
    json doc;
    doc["format"] = kExportFormat;
    doc["version"] = kExportVersion;
    doc["exported_at"] = format_utc(now);
    json profile = json::parse(c.organisation.profile_json, nullptr, false);
    if (profile.is_discarded()) profile = json::object();
    doc["organisation"] = {{"name", c.organisation.name},
                           {"default_zone", c.organisation.default_zone},
                           {"profile", profile}};
    doc["approval_chain"] = json::array();
    for (const auto& s : c.chain)
        doc["approval_chain"].push_back({{"stage", s.stage}, {"role", std::string(model::to_string(s.role))}});
    doc["users"] = json::array();
    for (const auto& u : c.users) {
        doc["users"].push_back({{"name", u.name},
                                {"role", std::string(model::to_string(u.role))},
                                {"active", u.active},
                                {"password_hash", u.password_hash},
                                {"created_at", format_utc(u.created_at)}});
    }
    doc["accounts"] = json::array();
    for (const auto& a : c.accounts)
        doc["accounts"].push_back({{"id", a.id}, {"network", a.network}, {"handle", a.handle}, {"status", a.status}});
    std::map<Id, model::Consent> consents;
    doc["posts"] = json::array();
    for (const auto& p : c.posts) {
        json post{{"id", p.post.id},
                  {"state", std::string(model::to_string(p.post.state))},
                  {"created_by", name_of(c.user_names, p.post.created_by)},
                  {"current_version_id", p.post.current_version_id},
                  {"created_at", format_utc(p.post.created_at)},
                  {"updated_at", format_utc(p.post.updated_at)},
                  {"tags", p.tags},
                  {"consents", json::array()},
                  {"versions", json::array()},
                  {"approvals", json::array()},
                  {"targets", json::array()}};
        for (const auto& k : p.consents) {
            consents[k.id] = k;
            post["consents"].push_back(k.id);
        }
        for (const auto& v : p.versions) {
            json targets = json::array();
            for (const auto& t : v.content.targets)
                targets.push_back({{"account", name_of(c.account_names, t.account_id)},
                                   {"account_id", t.account_id},
                                   {"text_override", t.text_override}});
            json media = json::array();
            for (const auto& m : v.content.media)
                media.push_back({{"sha256", m.sha256}, {"path", m.path}, {"alt_text", m.alt_text}});
            json findings = json::parse(v.compliance.findings_json, nullptr, false);
            if (findings.is_discarded()) findings = v.compliance.findings_json;
            post["versions"].push_back({{"id", v.id},
                                        {"number", v.number},
                                        {"author", name_of(c.user_names, v.author_id)},
                                        {"created_at", format_utc(v.created_at)},
                                        {"text", v.content.text},
                                        {"targets", targets},
                                        {"media", media},
                                        {"scheduled_at", optional_time_json(v.content.scheduled_at)},
                                        {"zone", v.content.zone},
                                        {"content_hash", v.content_hash},
                                        {"compliance", {{"verdict", v.compliance.verdict}, {"findings", findings}}}});
        }
        for (const auto& a : p.approvals) {
            post["approvals"].push_back({{"id", a.id},
                                         {"version_id", a.version_id},
                                         {"stage", a.stage},
                                         {"decision", a.decision},
                                         {"comment", a.comment},
                                         {"approver", name_of(c.user_names, a.approver_id)},
                                         {"version_hash", a.version_hash},
                                         {"override_justification", a.override_justification},
                                         {"decided_at", format_utc(a.decided_at)}});
        }
        for (const auto& t : p.targets) {
            const auto published = c.published_at.find(t.id);
            post["targets"].push_back(
                {{"id", t.id},
                 {"version_id", t.version_id},
                 {"account", name_of(c.account_names, t.account_id)},
                 {"account_id", t.account_id},
                 {"state", std::string(model::to_string(t.state))},
                 {"scheduled_at", format_utc(t.scheduled_at)},
                 {"lease_owner", t.lease_owner},
                 {"lease_expires_at", t.lease_expires_at},
                 {"attempts", t.attempts},
                 {"idempotency_key", t.idempotency_key},
                 {"last_error", t.last_error},
                 {"remote_id", t.remote_id},
                 {"remote_url", t.remote_url},
                 {"published_at", published == c.published_at.end() ? json() : json(format_utc(published->second))}});
        }
        doc["posts"].push_back(std::move(post));
    }
    doc["consents"] = json::array();
    for (const auto& [id, k] : consents) {
        doc["consents"].push_back({{"id", k.id},
                                   {"subject", k.subject},
                                   {"scope", k.scope},
                                   {"expires_at", format_utc(k.expires_at)},
                                   {"document_ref", k.document_ref},
                                   {"recorded_by", name_of(c.user_names, k.recorded_by)},
                                   {"created_at", format_utc(k.created_at)}});
    }
    return doc.dump(2) + "\n";
}

Result<RestoreSummary> restore_json(store::Store& store, security::AuditLog& audit, const model::User& actor,
                                    std::string_view bytes, UnixSeconds now) {
    if (actor.role != model::Role::Admin || !actor.active) {
        return make_error(ErrorCode::Forbidden, "only an admin may restore an export");
    }
    if (!is_valid_utf8(bytes)) return bad_file("it is not valid UTF-8");
    const json doc = json::parse(bytes, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return bad_file("it is not JSON");
    if (doc.value("format", "") != kExportFormat) return bad_file("its \"format\" is not \"clearpost-export\"");
    if (!doc.value("version", json()).is_number_integer() || doc["version"].get<int>() != kExportVersion) {
        return make_error(ErrorCode::Incompatible, "the export is of a format version this program does not know (" +
                                                       doc.value("version", json()).dump() +
                                                       "); restore it with the Clearpost that wrote it or a newer one");
    }
    store::PostFilter one;
    one.limit = 1;
    CLEARPOST_ASSIGN(auto existing, store.list_posts(one));
    if (!existing.empty()) {
        return make_error(ErrorCode::Conflict, "this database already has posts; a restore goes only into a new "
                                               "database (clearpostctl --db NEW_FILE init, then restore there)");
    }

    RestoreSummary summary;
    CLEARPOST_CHECK(store.transaction([&]() -> Result<void> {
        const Reader root{doc, "the export"};
        // Organisation and approval chain.
        CLEARPOST_ASSIGN(const json* org_json, root.get("organisation", json::value_t::object));
        const Reader org{*org_json, "the organisation"};
        model::Organisation organisation;
        CLEARPOST_ASSIGN(organisation.name, org.str("name"));
        CLEARPOST_ASSIGN(organisation.default_zone, org.str("default_zone"));
        CLEARPOST_ASSIGN(const json* profile, org.get("profile", json::value_t::object));
        organisation.profile_json = profile->dump();
        CLEARPOST_CHECK(store.set_organisation(organisation));
        CLEARPOST_ASSIGN(const json* chain_json, root.list("approval_chain"));
        std::vector<model::ApprovalStage> chain;
        for (const auto& s : *chain_json) {
            const Reader r{s, "an approval stage"};
            model::ApprovalStage stage;
            CLEARPOST_ASSIGN(auto number, r.num("stage"));
            stage.stage = static_cast<int>(number);
            CLEARPOST_ASSIGN(auto role, r.str("role"));
            CLEARPOST_ASSIGN(stage.role, model::parse_role(role));
            chain.push_back(stage);
        }
        CLEARPOST_CHECK(store.set_approval_chain(chain));

        // Users by name: the ones already here stay as they are.
        std::map<std::string, Id> users;
        CLEARPOST_ASSIGN(const json* users_json, root.list("users"));
        for (const auto& u : *users_json) {
            const Reader r{u, "a user"};
            model::User user;
            CLEARPOST_ASSIGN(user.name, r.str("name"));
            CLEARPOST_ASSIGN(auto found, store.find_user(user.name));
            if (found) {
                users[user.name] = found->id;
                continue;
            }
            CLEARPOST_ASSIGN(auto role, r.str("role"));
            CLEARPOST_ASSIGN(user.role, model::parse_role(role));
            CLEARPOST_ASSIGN(user.active, r.boolean("active"));
            CLEARPOST_ASSIGN(user.password_hash, r.str("password_hash"));
            CLEARPOST_ASSIGN(user.created_at, r.time("created_at"));
            CLEARPOST_ASSIGN(users[user.name], store.insert_user(user));
            ++summary.users_created;
        }
        const auto user_id = [&](const Reader& r, const char* key) -> Result<Id> {
            CLEARPOST_ASSIGN(auto name, r.str(key));
            const auto found = users.find(name);
            if (found == users.end()) return bad_file(r.where + " names user '" + name + "', who is not in its users");
            return found->second;
        };

        // Accounts keep their ids: the versions' content hashes cover them.
        CLEARPOST_ASSIGN(const json* accounts_json, root.list("accounts"));
        for (const auto& a : *accounts_json) {
            const Reader r{a, "an account"};
            model::Account account;
            CLEARPOST_ASSIGN(account.id, r.num("id"));
            CLEARPOST_ASSIGN(account.network, r.str("network"));
            CLEARPOST_ASSIGN(account.handle, r.str("handle"));
            CLEARPOST_ASSIGN(account.status, r.str("status"));
            CLEARPOST_ASSIGN(auto same_id, store.find_account(account.id));
            if (same_id) {
                if (same_id->network == account.network && same_id->handle == account.handle) continue;
                return make_error(ErrorCode::Conflict,
                                  "account " + std::to_string(account.id) + " is " + same_id->network + ":" +
                                      same_id->handle + " here but " + account.network + ":" + account.handle +
                                      " in the export; restore into a new database without accounts");
            }
            CLEARPOST_ASSIGN(auto same_name, store.find_account(account.network, account.handle));
            if (same_name) {
                return make_error(ErrorCode::Conflict,
                                  account.network + ":" + account.handle + " already exists here under another id; "
                                                                           "restore into a new database without accounts");
            }
            CLEARPOST_CHECK(store.restore_account(account));
            ++summary.accounts_created;
        }

        CLEARPOST_ASSIGN(const json* consents_json, root.list("consents"));
        for (const auto& k : *consents_json) {
            const Reader r{k, "a consent record"};
            model::Consent consent;
            CLEARPOST_ASSIGN(consent.id, r.num("id"));
            CLEARPOST_ASSIGN(consent.subject, r.str("subject"));
            CLEARPOST_ASSIGN(consent.scope, r.str("scope"));
            CLEARPOST_ASSIGN(consent.expires_at, r.time("expires_at"));
            CLEARPOST_ASSIGN(consent.document_ref, r.str("document_ref"));
            CLEARPOST_ASSIGN(consent.recorded_by, user_id(r, "recorded_by"));
            CLEARPOST_ASSIGN(consent.created_at, r.time("created_at"));
            CLEARPOST_CHECK(store.restore_consent(consent));
        }

        CLEARPOST_ASSIGN(const json* posts_json, root.list("posts"));
        for (const auto& p : *posts_json) {
            const Reader r{p, "a post"};
            model::Post post;
            CLEARPOST_ASSIGN(post.id, r.num("id"));
            const std::string where = "post " + std::to_string(post.id);
            const Reader pr{p, where};
            CLEARPOST_ASSIGN(auto state, pr.str("state"));
            CLEARPOST_ASSIGN(post.state, model::parse_state(state));
            CLEARPOST_ASSIGN(post.created_by, user_id(pr, "created_by"));
            CLEARPOST_ASSIGN(post.current_version_id, pr.num("current_version_id"));
            CLEARPOST_ASSIGN(post.created_at, pr.time("created_at"));
            CLEARPOST_ASSIGN(post.updated_at, pr.time("updated_at"));
            CLEARPOST_CHECK(store.restore_post(post));
            ++summary.posts;

            CLEARPOST_ASSIGN(const json* versions, pr.list("versions"));
            for (const auto& vj : *versions) {
                const Reader vr{vj, where + "'s version"};
                model::PostVersion v;
                v.post_id = post.id;
                CLEARPOST_ASSIGN(v.id, vr.num("id"));
                CLEARPOST_ASSIGN(auto number, vr.num("number"));
                v.number = static_cast<int>(number);
                CLEARPOST_ASSIGN(v.author_id, user_id(vr, "author"));
                CLEARPOST_ASSIGN(v.created_at, vr.time("created_at"));
                CLEARPOST_ASSIGN(v.content.text, vr.str("text"));
                CLEARPOST_ASSIGN(v.content.scheduled_at, vr.optional_time("scheduled_at"));
                CLEARPOST_ASSIGN(v.content.zone, vr.str("zone"));
                CLEARPOST_ASSIGN(v.content_hash, vr.str("content_hash"));
                CLEARPOST_ASSIGN(const json* targets, vr.list("targets"));
                for (const auto& tj : *targets) {
                    const Reader tr{tj, where + "'s version target"};
                    model::TargetSpec spec;
                    CLEARPOST_ASSIGN(spec.account_id, tr.num("account_id"));
                    CLEARPOST_ASSIGN(spec.text_override, tr.str("text_override"));
                    v.content.targets.push_back(spec);
                }
                CLEARPOST_ASSIGN(const json* media, vr.list("media"));
                for (const auto& mj : *media) {
                    const Reader mr{mj, where + "'s image"};
                    model::MediaRef m;
                    CLEARPOST_ASSIGN(m.sha256, mr.str("sha256"));
                    CLEARPOST_ASSIGN(m.path, mr.str("path"));
                    CLEARPOST_ASSIGN(m.alt_text, mr.str("alt_text"));
                    v.content.media.push_back(m);
                }
                CLEARPOST_ASSIGN(const json* compliance, vr.get("compliance", json::value_t::object));
                const Reader cr{*compliance, where + "'s compliance"};
                CLEARPOST_ASSIGN(v.compliance.verdict, cr.str("verdict"));
                if (!compliance->contains("findings")) return bad_file(cr.where + " has no \"findings\"");
                const json& findings = (*compliance)["findings"];
                v.compliance.findings_json = findings.is_string() ? findings.get<std::string>() : findings.dump();
                // An edited export must not restore as approved content.
                if (model::content_hash(v.content) != v.content_hash) {
                    return make_error(ErrorCode::Tampered,
                                      "version " + std::to_string(v.number) + " of post " + std::to_string(post.id) +
                                          " does not match its content hash: the export was changed after it was "
                                          "written. Restore an unchanged copy");
                }
                CLEARPOST_CHECK(store.restore_version(v));
                ++summary.versions;
            }
            // Tags came with schema 5; an older export has none.
            if (p.contains("tags")) {
                CLEARPOST_ASSIGN(const json* tags_json, pr.list("tags"));
                std::vector<std::string> tags;
                for (const auto& t : *tags_json) {
                    if (!t.is_string()) return bad_file(where + "'s tags are not text");
                    tags.push_back(t.get<std::string>());
                }
                auto normalised = workflow::normalise_tags(tags);
                if (!normalised.ok()) return bad_file(where + "'s tags: " + normalised.error().message);
                CLEARPOST_CHECK(store.set_post_tags(post.id, *normalised));
                summary.tags += normalised->size();
            }
            CLEARPOST_ASSIGN(const json* consent_ids, pr.list("consents"));
            for (const auto& k : *consent_ids) {
                if (!k.is_number_integer()) return bad_file(where + "'s consents are not ids");
                CLEARPOST_CHECK(store.link_consent(post.id, k.get<Id>()));
            }
            CLEARPOST_ASSIGN(const json* approvals, pr.list("approvals"));
            for (const auto& aj : *approvals) {
                const Reader ar{aj, where + "'s approval"};
                model::Approval a;
                a.post_id = post.id;
                CLEARPOST_ASSIGN(a.id, ar.num("id"));
                CLEARPOST_ASSIGN(a.version_id, ar.num("version_id"));
                CLEARPOST_ASSIGN(auto stage, ar.num("stage"));
                a.stage = static_cast<int>(stage);
                CLEARPOST_ASSIGN(a.decision, ar.str("decision"));
                CLEARPOST_ASSIGN(a.comment, ar.str("comment"));
                CLEARPOST_ASSIGN(a.approver_id, user_id(ar, "approver"));
                CLEARPOST_ASSIGN(a.version_hash, ar.str("version_hash"));
                CLEARPOST_ASSIGN(a.override_justification, ar.str("override_justification"));
                CLEARPOST_ASSIGN(a.decided_at, ar.time("decided_at"));
                CLEARPOST_CHECK(store.restore_approval(a));
                ++summary.approvals;
            }
            CLEARPOST_ASSIGN(const json* targets, pr.list("targets"));
            for (const auto& tj : *targets) {
                const Reader tr{tj, where + "'s target"};
                model::Target t;
                t.post_id = post.id;
                CLEARPOST_ASSIGN(t.id, tr.num("id"));
                CLEARPOST_ASSIGN(t.version_id, tr.num("version_id"));
                CLEARPOST_ASSIGN(t.account_id, tr.num("account_id"));
                CLEARPOST_ASSIGN(auto tstate, tr.str("state"));
                CLEARPOST_ASSIGN(t.state, model::parse_state(tstate));
                CLEARPOST_ASSIGN(t.scheduled_at, tr.time("scheduled_at"));
                CLEARPOST_ASSIGN(t.lease_owner, tr.str("lease_owner"));
                CLEARPOST_ASSIGN(t.lease_expires_at, tr.num("lease_expires_at"));
                CLEARPOST_ASSIGN(auto attempts, tr.num("attempts"));
                t.attempts = static_cast<int>(attempts);
                CLEARPOST_ASSIGN(t.idempotency_key, tr.str("idempotency_key"));
                CLEARPOST_ASSIGN(t.last_error, tr.str("last_error"));
                CLEARPOST_ASSIGN(t.remote_id, tr.str("remote_id"));
                CLEARPOST_ASSIGN(t.remote_url, tr.str("remote_url"));
                CLEARPOST_ASSIGN(auto published_at, tr.optional_time("published_at"));
                CLEARPOST_CHECK(store.restore_target(t, published_at));
                ++summary.targets;
            }
        }
        return audit.append({actor.name, "export.restore", "database",
                             "posts " + std::to_string(summary.posts) + ", versions " +
                                 std::to_string(summary.versions) + ", approvals " +
                                 std::to_string(summary.approvals) + ", targets " + std::to_string(summary.targets) +
                                 ", users created " + std::to_string(summary.users_created) +
                                 ", accounts created " + std::to_string(summary.accounts_created) + ", tags " +
                                 std::to_string(summary.tags)},
                            now);
    }));
    CLEARPOST_CHECK(audit.anchor());
    return summary;
}

}  // namespace clearpost::transfer
