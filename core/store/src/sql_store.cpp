// The store's queries, once, in the SQL that SQLite and PostgreSQL share
// (numbered parameters, RETURNING, ON CONFLICT, IS NOT DISTINCT FROM).
// What only one database can do lives behind sql::Connection.

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <unordered_map>
#include <utility>

#include "clearpost/crypto/crypto.h"
#include "clearpost/store/store.h"
#include "sql.h"

namespace clearpost::store {
namespace {

using model::State;
using sql::Connection;
using sql::Statement;

#define ASSIGN_STMT_ON(name, db, sql) CLEARPOST_ASSIGN(Statement * name, (db).prepare(sql))
#define ASSIGN_STMT(name, sql) ASSIGN_STMT_ON(name, *m_db, sql)

template <typename T>
Result<T> parse_enum(Result<T> parsed, const std::string& what) {
    if (!parsed.ok()) {
        return make_error(ErrorCode::Corrupt, "the database holds an unknown " + what + " (" +
                                                  parsed.error().message + ")");
    }
    return parsed;
}

// The rows of a (target or account id, fetched_at, metrics) query.
template <typename Snapshot>
Result<std::vector<Snapshot>> snapshots_from(sql::Statement* st) {
    std::vector<Snapshot> out;
    while (true) {
        CLEARPOST_ASSIGN(bool row, st->step());
        if (!row) break;
        out.push_back({st->int64(0), st->int64(1), st->text(2)});
    }
    return out;
}

class SqlStore final : public Store {
public:
    explicit SqlStore(std::unique_ptr<Connection> db) : m_db(std::move(db)) {}

    Result<void> transaction(const std::function<Result<void>()>& body) override {
        CLEARPOST_CHECK(m_db->begin());
        auto result = body();
        if (!result.ok()) {
            (void)m_db->exec("ROLLBACK");
            return result;
        }
        auto committed = m_db->exec("COMMIT");
        if (!committed.ok()) {
            (void)m_db->exec("ROLLBACK");
            return committed;
        }
        return ok();
    }

    Result<void> savepoint(const std::function<Result<void>()>& body) override {
        CLEARPOST_CHECK(m_db->exec("SAVEPOINT clearpost_row"));
        auto result = body();
        if (!result.ok()) {
            (void)m_db->exec("ROLLBACK TO clearpost_row");
            (void)m_db->exec("RELEASE clearpost_row");
            return result;
        }
        return m_db->exec("RELEASE clearpost_row");
    }

    Result<std::string> database_id() override {
        ASSIGN_STMT(st, "SELECT value FROM meta WHERE key = 'database_id'");
        CLEARPOST_ASSIGN(bool row, st->step());
        if (!row) return make_error(ErrorCode::Corrupt, "the database has no id; restore a backup");
        std::string id = st->text(0);
        st->reset();
        return id;
    }

    Result<int> schema_version() override { return sql::read_schema_version(*m_db); }

    Result<model::Organisation> organisation() override {
        ASSIGN_STMT(st, "SELECT name, default_zone, profile_json FROM organisation WHERE id = 1");
        CLEARPOST_ASSIGN(bool row, st->step());
        model::Organisation org;
        if (row) {
            org.name = st->text(0);
            org.default_zone = st->text(1);
            org.profile_json = st->text(2);
        }
        st->reset();
        return org;
    }

    Result<void> set_organisation(const model::Organisation& org) override {
        ASSIGN_STMT(st,
                    "INSERT INTO organisation(id, name, default_zone, profile_json) VALUES (1, ?1, ?2, ?3) "
                    "ON CONFLICT(id) DO UPDATE SET name = excluded.name, "
                    "default_zone = excluded.default_zone, profile_json = excluded.profile_json");
        return st->bind(1, org.name).bind(2, org.default_zone).bind(3, org.profile_json).run();
    }

    Result<std::vector<model::ApprovalStage>> approval_chain() override {
        ASSIGN_STMT(st, "SELECT stage, role FROM approval_chain ORDER BY stage");
        std::vector<model::ApprovalStage> chain;
        while (true) {
            CLEARPOST_ASSIGN(bool row, st->step());
            if (!row) break;
            CLEARPOST_ASSIGN(model::Role role, parse_enum(model::parse_role(st->text(1)), "role"));
            chain.push_back({st->int32(0), role});
        }
        return chain;
    }

    Result<void> set_approval_chain(const std::vector<model::ApprovalStage>& chain) override {
        CLEARPOST_CHECK(m_db->exec("DELETE FROM approval_chain"));
        ASSIGN_STMT(st, "INSERT INTO approval_chain(stage, role) VALUES (?1, ?2)");
        for (const auto& stage : chain)
            CLEARPOST_CHECK(st->bind(1, stage.stage).bind(2, std::string(to_string(stage.role))).run());
        return ok();
    }

    Result<Id> insert_user(const model::User& user) override {
        ASSIGN_STMT(st,
                    "INSERT INTO users(name, role, active, password_hash, created_at) "
                    "VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id");
        auto id = inserted_id(st->bind(1, user.name)
                                  .bind(2, std::string(to_string(user.role)))
                                  .bind(3, user.active ? 1 : 0)
                                  .bind(4, user.password_hash)
                                  .bind(5, user.created_at));
        if (!id.ok() && id.error().code == ErrorCode::Conflict) {
            return make_error(ErrorCode::Conflict,
                              "a user named '" + user.name + "' already exists; choose another name");
        }
        return id;
    }

    Result<std::optional<model::User>> find_user(const std::string& name) override {
        ASSIGN_STMT(st, "SELECT id, name, role, active, password_hash, created_at FROM users "
                        "WHERE name = ?1");
        st->bind(1, name);
        return read_user(*st);
    }

    Result<std::optional<model::User>> find_user(Id id) override {
        ASSIGN_STMT(st, "SELECT id, name, role, active, password_hash, created_at FROM users "
                        "WHERE id = ?1");
        st->bind(1, id);
        return read_user(*st);
    }

    Result<std::vector<model::User>> list_users() override {
        ASSIGN_STMT(st, "SELECT id, name, role, active, password_hash, created_at FROM users "
                        "ORDER BY name");
        std::vector<model::User> users;
        while (true) {
            CLEARPOST_ASSIGN(auto user, read_user_row(*st));
            if (!user) break;
            users.push_back(std::move(*user));
        }
        return users;
    }

    Result<Id> insert_account(const model::Account& account) override {
        ASSIGN_STMT(st, "INSERT INTO social_accounts(network, handle, status) VALUES (?1, ?2, ?3) RETURNING id");
        auto id = inserted_id(st->bind(1, account.network).bind(2, account.handle).bind(3, account.status));
        if (!id.ok() && id.error().code == ErrorCode::Conflict) {
            return make_error(ErrorCode::Conflict, "the account " + account.network + ":" +
                                                       account.handle + " already exists");
        }
        return id;
    }

    Result<std::optional<model::Account>> find_account(const std::string& network,
                                                       const std::string& handle) override {
        ASSIGN_STMT(st, "SELECT id, network, handle, status FROM social_accounts "
                        "WHERE network = ?1 AND handle = ?2");
        st->bind(1, network).bind(2, handle);
        CLEARPOST_ASSIGN(bool row, st->step());
        if (!row) return std::optional<model::Account>{};
        model::Account a{st->int64(0), st->text(1), st->text(2), st->text(3)};
        st->reset();
        return std::optional<model::Account>{std::move(a)};
    }

    Result<std::vector<model::Account>> list_accounts() override {
        ASSIGN_STMT(st, "SELECT id, network, handle, status FROM social_accounts "
                        "ORDER BY network, handle");
        std::vector<model::Account> accounts;
        while (true) {
            CLEARPOST_ASSIGN(bool row, st->step());
            if (!row) break;
            accounts.push_back({st->int64(0), st->text(1), st->text(2), st->text(3)});
        }
        return accounts;
    }

    Result<std::optional<model::Account>> find_account(Id id) override {
        ASSIGN_STMT(st, "SELECT id, network, handle, status FROM social_accounts WHERE id = ?1");
        st->bind(1, id);
        CLEARPOST_ASSIGN(bool row, st->step());
        if (!row) return std::optional<model::Account>{};
        model::Account a{st->int64(0), st->text(1), st->text(2), st->text(3)};
        st->reset();
        return std::optional<model::Account>{std::move(a)};
    }

    Result<void> set_account_status(Id id, const std::string& status) override {
        ASSIGN_STMT(st, "UPDATE social_accounts SET status = ?2 WHERE id = ?1");
        return st->bind(1, id).bind(2, status).run();
    }

    Result<void> hold_account(Id id, UnixSeconds until, const std::string& reason) override {
        ASSIGN_STMT(st, "UPDATE social_accounts SET hold_until = CASE WHEN hold_until > ?2 THEN hold_until ELSE ?2 END, hold_reason = ?3 WHERE id = ?1");
        return st->bind(1, id).bind(2, until).bind(3, reason).run();
    }

    Result<std::pair<int, UnixSeconds>> attempts_since(Id account_id, UnixSeconds since) override {
        ASSIGN_STMT(st, "SELECT count(*), coalesce(min(a.started_at), 0) FROM publish_attempts a "
                        "JOIN targets t ON t.id = a.target_id WHERE a.started_at >= ?2 AND t.account_id = ?1");
        st->bind(1, account_id).bind(2, since);
        CLEARPOST_ASSIGN(bool row, st->step());
        std::pair<int, UnixSeconds> out{0, 0};
        if (row) out = {st->int32(0), st->int64(1)};
        st->reset();
        return out;
    }

    Result<std::optional<std::vector<std::uint8_t>>> sealed_credentials(Id account_id) override {
        ASSIGN_STMT(st, "SELECT sealed FROM account_credentials WHERE account_id = ?1");
        st->bind(1, account_id);
        CLEARPOST_ASSIGN(bool row, st->step());
        if (!row) return std::optional<std::vector<std::uint8_t>>{};
        auto blob = st->blob(0);
        st->reset();
        return std::optional<std::vector<std::uint8_t>>{std::move(blob)};
    }

    Result<void> set_sealed_credentials(Id account_id, const std::vector<std::uint8_t>& sealed,
                                        UnixSeconds now) override {
        ASSIGN_STMT(st, "INSERT INTO account_credentials(account_id, sealed, updated_at) VALUES (?1, ?2, ?3) "
                        "ON CONFLICT(account_id) DO UPDATE SET sealed = excluded.sealed, "
                        "updated_at = excluded.updated_at");
        return st->bind(1, account_id).bind_blob(2, sealed).bind(3, now).run();
    }

    Result<void> delete_sealed_credentials(Id account_id) override {
        ASSIGN_STMT(st, "DELETE FROM account_credentials WHERE account_id = ?1");
        return st->bind(1, account_id).run();
    }

    Result<Id> begin_attempt(Id target_id, const std::string& key, UnixSeconds now) override {
        ASSIGN_STMT(st, "INSERT INTO publish_attempts(target_id, started_at, idempotency_key) VALUES (?1, ?2, ?3) RETURNING id");
        CLEARPOST_ASSIGN(const Id attempt, inserted_id(st->bind(1, target_id).bind(2, now).bind(3, key)));
        ASSIGN_STMT(count, "UPDATE targets SET attempts = attempts + 1 WHERE id = ?1");
        CLEARPOST_CHECK(count->bind(1, target_id).run());
        return attempt;
    }

    Result<void> finish_attempt(Id attempt_id, const std::string& outcome, const std::string& error,
                                UnixSeconds now) override {
        ASSIGN_STMT(st, "UPDATE publish_attempts SET outcome = ?2, error = ?3, finished_at = ?4 WHERE id = ?1");
        return st->bind(1, attempt_id).bind(2, outcome).bind(3, error).bind(4, now).run();
    }

    Result<int> in_doubt_attempts(Id target_id) override {
        ASSIGN_STMT(st, "SELECT count(*) FROM publish_attempts WHERE target_id = ?1 AND outcome = 'in_doubt'");
        st->bind(1, target_id);
        CLEARPOST_ASSIGN(bool row, st->step());
        const int n = row ? st->int32(0) : 0;
        st->reset();
        return n;
    }

    Result<void> resolve_in_doubt_attempts(Id target_id, const std::string& outcome, UnixSeconds now) override {
        ASSIGN_STMT(st, "UPDATE publish_attempts SET outcome = ?2, finished_at = ?3 "
                        "WHERE target_id = ?1 AND outcome = 'in_doubt'");
        return st->bind(1, target_id).bind(2, outcome).bind(3, now).run();
    }

    Result<bool> finish_target(const TargetOutcome& o, const std::string& owner, UnixSeconds now) override {
        ASSIGN_STMT(st, "UPDATE targets SET state = ?2, remote_id = ?3, remote_url = ?4, last_error = ?5, "
                        "scheduled_at = coalesce(?6, scheduled_at), lease_owner = '', lease_expires_at = 0, "
                        "updated_at = ?7, metrics_due_at = ?9, "
                        "published_at = CASE WHEN ?2 = 'Published' THEN ?7 ELSE published_at END "
                        "WHERE id = ?1 AND state = 'Publishing' AND lease_owner = ?8");
        CLEARPOST_CHECK(st->bind(1, o.target_id)
                            .bind(2, std::string(to_string(o.state)))
                            .bind(3, o.remote_id)
                            .bind(4, o.remote_url)
                            .bind(5, o.last_error)
                            .bind(6, o.retry_at)
                            .bind(7, now)
                            .bind(8, owner)
                            .bind(9, o.state == model::State::Published ? o.metrics_at : std::nullopt)
                            .run());
        if (m_db->changes() != 1) return false;
        CLEARPOST_CHECK(announce("target", o.target_id, o.state));
        return true;
    }

    Result<std::optional<model::Target>> find_target(Id target_id) override {
        ASSIGN_STMT(st, "SELECT id, post_id, version_id, account_id, state, scheduled_at, lease_owner, "
                        "lease_expires_at, attempts, idempotency_key, last_error, remote_url, remote_id "
                        "FROM targets WHERE id = ?1");
        st->bind(1, target_id);
        CLEARPOST_ASSIGN(auto targets, read_targets(*st));
        if (targets.empty()) return std::optional<model::Target>{};
        return std::optional<model::Target>{std::move(targets.front())};
    }

    Result<std::vector<model::Target>> targets_in(const std::vector<model::State>& states,
                                                  std::size_t limit) override {
        // A fixed statement: the states travel as one bound, comma-joined value.
        ASSIGN_STMT(st, "SELECT id, post_id, version_id, account_id, state, scheduled_at, lease_owner, "
                        "lease_expires_at, attempts, idempotency_key, last_error, remote_url, remote_id "
                        "FROM targets WHERE ?1 LIKE ('%,' || state || ',%') "
                        "ORDER BY scheduled_at, id LIMIT ?2");
        std::string joined = ",";
        for (auto s : states) joined += std::string(to_string(s)) + ",";
        st->bind(1, joined).bind(2, static_cast<std::int64_t>(limit));
        return read_targets(*st);
    }

    Result<bool> add_notice(const Notice& n) override {
        ASSIGN_STMT(exists, "SELECT count(*) FROM notices WHERE acknowledged_at IS NULL AND kind = ?1 "
                            "AND account_id IS NOT DISTINCT FROM ?2 AND target_id IS NOT DISTINCT FROM ?3");
        exists->bind(1, n.kind).bind(2, n.account_id).bind(3, n.target_id);
        CLEARPOST_ASSIGN(bool row, exists->step());
        const bool duplicate = row && exists->int32(0) > 0;
        exists->reset();
        if (duplicate) return false;
        ASSIGN_STMT(st, "INSERT INTO notices(created_at, kind, account_id, target_id, message) "
                        "VALUES (?1, ?2, ?3, ?4, ?5)");
        CLEARPOST_CHECK(
            st->bind(1, n.created_at).bind(2, n.kind).bind(3, n.account_id).bind(4, n.target_id).bind(5, n.message).run());
        return true;
    }

    Result<std::vector<Notice>> open_notices() override {
        ASSIGN_STMT(st, "SELECT id, created_at, kind, account_id, target_id, message FROM notices "
                        "WHERE acknowledged_at IS NULL ORDER BY id");
        return read_notices(*st);
    }

    Result<std::optional<PauseState>> pause_state() override {
        ASSIGN_STMT(st, "SELECT paused_at, paused_by, reason FROM publishing_pause WHERE id = 1");
        CLEARPOST_ASSIGN(bool row, st->step());
        if (!row) return std::optional<PauseState>{};
        PauseState p{st->int64(0), st->text(1), st->text(2)};
        st->reset();
        return std::optional<PauseState>{std::move(p)};
    }

    Result<void> set_pause(const std::optional<PauseState>& pause) override {
        if (!pause) return m_db->exec("DELETE FROM publishing_pause");
        ASSIGN_STMT(st, "INSERT INTO publishing_pause(id, paused_at, paused_by, reason) VALUES (1, ?1, ?2, ?3) "
                        "ON CONFLICT(id) DO UPDATE SET paused_at = excluded.paused_at, "
                        "paused_by = excluded.paused_by, reason = excluded.reason");
        return st->bind(1, pause->paused_at).bind(2, pause->paused_by).bind(3, pause->reason).run();
    }

    Result<Id> insert_post(Id created_by, UnixSeconds now) override {
        ASSIGN_STMT(st, "INSERT INTO posts(state, created_by, created_at, updated_at) "
                        "VALUES ('Draft', ?1, ?2, ?2) RETURNING id");
        return inserted_id(st->bind(1, created_by).bind(2, now));
    }

    Result<std::optional<model::Post>> find_post(Id id) override {
        ASSIGN_STMT(st, "SELECT id, state, created_by, current_version_id, created_at, updated_at "
                        "FROM posts WHERE id = ?1");
        st->bind(1, id);
        CLEARPOST_ASSIGN(bool row, st->step());
        if (!row) return std::optional<model::Post>{};
        auto post = read_post(*st, 0);
        st->reset();
        if (!post.ok()) return std::move(post).error();
        return std::optional<model::Post>{std::move(*post)};
    }

    Result<void> update_post(Id id, State state, Id current_version_id, UnixSeconds now) override {
        ASSIGN_STMT(st, "UPDATE posts SET state = ?2, current_version_id = ?3, updated_at = ?4 "
                        "WHERE id = ?1");
        CLEARPOST_CHECK(st->bind(1, id)
                            .bind(2, std::string(to_string(state)))
                            .bind(3, current_version_id)
                            .bind(4, now)
                            .run());
        return announce("post", id, state);
    }

    Result<std::vector<PostSummary>> list_posts(const PostFilter& filter) override {
        ASSIGN_STMT(st,
                    "SELECT p.id, p.state, p.created_by, p.current_version_id, p.created_at, "
                    "p.updated_at, v.number, u.name, v.body, "
                    // A queued post moved in time (its approval kept) publishes at its targets' time.
                    "COALESCE((SELECT min(t.scheduled_at) FROM targets t WHERE t.post_id = p.id "
                    "AND t.version_id = v.id AND t.state IN ('Scheduled', 'Paused')), v.scheduled_at), v.zone "
                    "FROM posts p JOIN post_versions v ON v.id = p.current_version_id "
                    "JOIN users u ON u.id = v.author_id "
                    "WHERE (CAST(?1 AS TEXT) IS NULL OR p.state = ?1) ORDER BY p.updated_at DESC, p.id DESC "
                    "LIMIT ?2");
        if (filter.state) st->bind(1, std::string(to_string(*filter.state)));
        st->bind(2, static_cast<std::int64_t>(filter.limit));
        std::vector<PostSummary> posts;
        while (true) {
            CLEARPOST_ASSIGN(bool row, st->step());
            if (!row) break;
            PostSummary s;
            CLEARPOST_ASSIGN(s.post, read_post(*st, 0));
            s.version_number = st->int32(6);
            s.author = st->text(7);
            s.text = st->text(8);
            s.scheduled_at = st->optional_int64(9);
            s.zone = st->text(10);
            posts.push_back(std::move(s));
        }
        return posts;
    }

    Result<Id> insert_version(const NewVersion& v) override {
        return write_version(std::nullopt, v.post_id, v.number, v.author_id, v.content, v.content_hash, v.compliance,
                             v.created_at);
    }

    // A version with its targets and media; `id` none lets SQLite choose it.
    Result<Id> write_version(std::optional<Id> id, Id post_id, int number, Id author_id,
                             const model::VersionContent& content, const std::string& content_hash,
                             const model::ComplianceResult& compliance, UnixSeconds created_at) {
        ASSIGN_STMT(st,
                    "INSERT INTO post_versions(id, post_id, number, author_id, body, scheduled_at, zone, "
                    "content_hash, compliance_verdict, compliance_findings, created_at) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) RETURNING id");
        CLEARPOST_ASSIGN(const Id version_id, inserted_id(st->bind(1, id)
                            .bind(2, post_id)
                            .bind(3, number)
                            .bind(4, author_id)
                            .bind(5, content.text)
                            .bind(6, content.scheduled_at)
                            .bind(7, content.zone)
                            .bind(8, content_hash)
                            .bind(9, compliance.verdict)
                            .bind(10, compliance.findings_json)
                            .bind(11, created_at)
                            ));
        ASSIGN_STMT(target, "INSERT INTO version_targets(version_id, account_id, text_override) "
                            "VALUES (?1, ?2, ?3)");
        for (const auto& t : content.targets)
            CLEARPOST_CHECK(target->bind(1, version_id).bind(2, t.account_id).bind(3, t.text_override).run());
        ASSIGN_STMT(media, "INSERT INTO media(sha256, path, alt_text) VALUES (?1, ?2, ?3) RETURNING id");
        ASSIGN_STMT(link, "INSERT INTO version_media(version_id, position, media_id) "
                          "VALUES (?1, ?2, ?3)");
        int position = 0;
        for (const auto& m : content.media) {
            CLEARPOST_ASSIGN(const Id media_id, inserted_id(media->bind(1, m.sha256).bind(2, m.path).bind(3, m.alt_text)));
            CLEARPOST_CHECK(link->bind(1, version_id).bind(2, position++).bind(3, media_id).run());
        }
        return version_id;
    }

    Result<model::PostVersion> version(Id id) override {
        ASSIGN_STMT(st, "SELECT id, post_id, number, author_id, body, scheduled_at, zone, "
                        "content_hash, compliance_verdict, compliance_findings, created_at "
                        "FROM post_versions WHERE id = ?1");
        st->bind(1, id);
        CLEARPOST_ASSIGN(bool row, st->step());
        if (!row) return make_error(ErrorCode::NotFound, "version " + std::to_string(id) + " does not exist");
        model::PostVersion v = read_version(*st);
        st->reset();
        CLEARPOST_CHECK(load_version_parts(v));
        return v;
    }

    Result<std::vector<model::PostVersion>> versions_of(Id post_id) override {
        ASSIGN_STMT(st, "SELECT id, post_id, number, author_id, body, scheduled_at, zone, "
                        "content_hash, compliance_verdict, compliance_findings, created_at "
                        "FROM post_versions WHERE post_id = ?1 ORDER BY number");
        st->bind(1, post_id);
        std::vector<model::PostVersion> versions;
        while (true) {
            CLEARPOST_ASSIGN(bool row, st->step());
            if (!row) break;
            versions.push_back(read_version(*st));
        }
        for (auto& v : versions) CLEARPOST_CHECK(load_version_parts(v));
        return versions;
    }

    Result<Id> insert_approval(const model::Approval& a) override {
        ASSIGN_STMT(st,
                    "INSERT INTO approvals(post_id, version_id, stage, decision, comment, approver_id, "
                    "version_hash, override_justification, decided_at) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id");
        return inserted_id(st->bind(1, a.post_id)
                            .bind(2, a.version_id)
                            .bind(3, a.stage)
                            .bind(4, a.decision)
                            .bind(5, a.comment)
                            .bind(6, a.approver_id)
                            .bind(7, a.version_hash)
                            .bind(8, a.override_justification)
                            .bind(9, a.decided_at)
                            );
    }

    Result<std::vector<model::Approval>> approvals_of_version(Id version_id) override {
        ASSIGN_STMT(st, "SELECT id, post_id, version_id, stage, decision, comment, approver_id, "
                        "version_hash, override_justification, decided_at FROM approvals "
                        "WHERE version_id = ?1 ORDER BY stage, id");
        st->bind(1, version_id);
        return read_approvals(*st);
    }

    Result<std::vector<model::Approval>> approvals_of_post(Id post_id) override {
        ASSIGN_STMT(st, "SELECT id, post_id, version_id, stage, decision, comment, approver_id, "
                        "version_hash, override_justification, decided_at FROM approvals "
                        "WHERE post_id = ?1 ORDER BY id");
        st->bind(1, post_id);
        return read_approvals(*st);
    }

    Result<Id> insert_consent(const model::Consent& c) override {
        ASSIGN_STMT(st, "INSERT INTO consent_records(subject, scope, expires_at, document_ref, "
                        "recorded_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id");
        return inserted_id(st->bind(1, c.subject)
                            .bind(2, c.scope)
                            .bind(3, c.expires_at)
                            .bind(4, c.document_ref)
                            .bind(5, c.recorded_by)
                            .bind(6, c.created_at)
                            );
    }

    Result<void> link_consent(Id post_id, Id consent_id) override {
        ASSIGN_STMT(st, "INSERT INTO post_consents(post_id, consent_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING");
        return st->bind(1, post_id).bind(2, consent_id).run();
    }

    Result<std::vector<model::Consent>> consents_of_post(Id post_id) override {
        ASSIGN_STMT(st, "SELECT c.id, c.subject, c.scope, c.expires_at, c.document_ref, "
                        "c.recorded_by, c.created_at FROM consent_records c "
                        "JOIN post_consents pc ON pc.consent_id = c.id WHERE pc.post_id = ?1 "
                        "ORDER BY c.id");
        st->bind(1, post_id);
        std::vector<model::Consent> out;
        while (true) {
            CLEARPOST_ASSIGN(bool row, st->step());
            if (!row) break;
            out.push_back({st->int64(0), st->text(1), st->text(2), st->int64(3), st->text(4),
                           st->int64(5), st->int64(6)});
        }
        return out;
    }

    Result<void> set_post_tags(Id post_id, const std::vector<std::string>& tags) override {
        ASSIGN_STMT(remove, "DELETE FROM post_tags WHERE post_id = ?1");
        CLEARPOST_CHECK(remove->bind(1, post_id).run());
        ASSIGN_STMT(insert, "INSERT INTO post_tags(post_id, tag) VALUES (?1, ?2) ON CONFLICT DO NOTHING");
        for (const auto& tag : tags) CLEARPOST_CHECK(insert->bind(1, post_id).bind(2, tag).run());
        return ok();
    }

    Result<std::vector<std::string>> tags_of(Id post_id) override {
        ASSIGN_STMT(st, "SELECT tag FROM post_tags WHERE post_id = ?1 ORDER BY tag");
        st->bind(1, post_id);
        std::vector<std::string> out;
        while (true) {
            CLEARPOST_ASSIGN(bool row, st->step());
            if (!row) break;
            out.push_back(st->text(0));
        }
        return out;
    }

    Result<Id> insert_target(const model::Target& t) override {
        ASSIGN_STMT(st, "INSERT INTO targets(post_id, version_id, account_id, state, scheduled_at, "
                        "idempotency_key, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5) RETURNING id");
        return inserted_id(st->bind(1, t.post_id)
                            .bind(2, t.version_id)
                            .bind(3, t.account_id)
                            .bind(4, std::string(to_string(t.state)))
                            .bind(5, t.scheduled_at)
                            .bind(6, t.idempotency_key)
                            );
    }

    Result<std::vector<model::Target>> targets_of(Id post_id) override {
        ASSIGN_STMT(st, "SELECT id, post_id, version_id, account_id, state, scheduled_at, lease_owner, "
                        "lease_expires_at, attempts, idempotency_key, last_error, remote_url, remote_id "
                        "FROM targets WHERE post_id = ?1 ORDER BY id");
        st->bind(1, post_id);
        return read_targets(*st);
    }

    Result<void> set_target_state(Id target_id, State state, const std::string& last_error,
                                  UnixSeconds now) override {
        // A post taken down has nothing more to measure.
        ASSIGN_STMT(st, "UPDATE targets SET state = ?2, last_error = ?3, updated_at = ?4, "
                        "lease_owner = '', lease_expires_at = 0, "
                        "metrics_due_at = CASE WHEN ?2 = 'Removed' THEN NULL ELSE metrics_due_at END WHERE id = ?1");
        CLEARPOST_CHECK(st->bind(1, target_id)
                            .bind(2, std::string(to_string(state)))
                            .bind(3, last_error)
                            .bind(4, now)
                            .run());
        return announce("target", target_id, state);
    }

    Result<void> set_target_schedule(Id target_id, UnixSeconds at, UnixSeconds now) override {
        ASSIGN_STMT(st, "UPDATE targets SET scheduled_at = ?2, updated_at = ?3 WHERE id = ?1");
        return st->bind(1, target_id).bind(2, at).bind(3, now).run();
    }

    Result<std::vector<model::Target>> claim_due(const std::string& owner, UnixSeconds now, int lease_seconds,
                                                 int limit, ClaimShard shard) override {
        // One statement is one transaction. SQLite: the SELECT and the UPDATE
        // see the same snapshot under its single writer lock. PostgreSQL:
        // rows another claimer holds are skipped, and a row it has just
        // claimed is checked again after its commit, so nothing is claimed twice.
#define CLEARPOST_CLAIM_SQL(lock)                                                                    \
    "UPDATE targets SET state = 'Publishing', lease_owner = ?1, lease_expires_at = ?2 + ?3, updated_at = ?2 " \
    "WHERE id IN (SELECT t.id FROM targets t JOIN social_accounts a ON a.id = t.account_id "           \
    "  WHERE t.state IN ('Scheduled', 'RetryWait', 'Publishing') "                                    \
    "    AND t.scheduled_at <= ?2 "                                                                   \
    "    AND (t.state <> 'Publishing' OR t.lease_expires_at <= ?2) "                                 \
    "    AND a.hold_until <= ?2 AND t.account_id % ?6 = ?5 "                                          \
    "    AND NOT EXISTS (SELECT 1 FROM publishing_pause) "                                            \
    "  ORDER BY t.scheduled_at LIMIT ?4" lock ") "                                                    \
    "RETURNING id, post_id, version_id, account_id, state, scheduled_at, lease_owner, "              \
    "lease_expires_at, attempts, idempotency_key, last_error, remote_url, remote_id"
        static constexpr const char* kClaimSqlite = CLEARPOST_CLAIM_SQL("");
        static constexpr const char* kClaimPostgres = CLEARPOST_CLAIM_SQL(" FOR UPDATE OF t SKIP LOCKED");
#undef CLEARPOST_CLAIM_SQL
        ASSIGN_STMT(st, m_db->dialect() == sql::Dialect::Sqlite ? kClaimSqlite : kClaimPostgres);
        st->bind(1, owner).bind(2, now).bind(3, lease_seconds).bind(4, limit).bind(5, shard.index).bind(6, std::max(shard.count, 1));
        return read_targets(*st);
    }

    Result<std::vector<Id>> accounts_due_before(UnixSeconds until, ClaimShard shard) override {
        ASSIGN_STMT(st, "SELECT DISTINCT account_id FROM targets WHERE state IN ('Scheduled', 'RetryWait') "
                        "AND scheduled_at < ?1 AND account_id % ?3 = ?2 ORDER BY account_id");
        st->bind(1, until).bind(2, shard.index).bind(3, std::max(shard.count, 1));
        std::vector<Id> out;
        while (true) {
            CLEARPOST_ASSIGN(bool row, st->step());
            if (!row) break;
            out.push_back(st->int64(0));
        }
        return out;
    }

    Result<void> release_claims(const std::string& owner) override {
        ASSIGN_STMT(st, "UPDATE targets SET state = CASE WHEN attempts > 0 THEN 'RetryWait' ELSE 'Scheduled' END, "
                        "lease_owner = '', lease_expires_at = 0 WHERE state = 'Publishing' AND lease_owner = ?1");
        return st->bind(1, owner).run();
    }

    Result<std::optional<UnixSeconds>> next_due_at(ClaimShard shard) override {
        // A Publishing target becomes claimable when its lease expires.
        ASSIGN_STMT(st,
                    "SELECT min(CASE WHEN t.state = 'Publishing' AND t.lease_expires_at > a.hold_until THEN t.lease_expires_at "
                    "                WHEN t.state <> 'Publishing' AND t.scheduled_at > a.hold_until THEN t.scheduled_at "
                    "                ELSE a.hold_until END) "
                    "FROM targets t JOIN social_accounts a ON a.id = t.account_id "
                    "WHERE t.state IN ('Scheduled', 'RetryWait', 'Publishing') AND t.account_id % ?2 = ?1 "
                    "  AND NOT EXISTS (SELECT 1 FROM publishing_pause)");
        st->bind(1, shard.index).bind(2, std::max(shard.count, 1));
        CLEARPOST_ASSIGN(bool row, st->step());
        std::optional<UnixSeconds> due = row ? st->optional_int64(0) : std::nullopt;
        st->reset();
        return due;
    }

    Result<std::vector<MetricsDue>> metrics_due(UnixSeconds now, std::size_t limit, ClaimShard shard) override {
        ASSIGN_STMT(st, "SELECT id, account_id, remote_id, coalesce(published_at, 0), metrics_fetches FROM targets "
                        "WHERE metrics_due_at IS NOT NULL AND metrics_due_at <= ?1 AND account_id % ?4 = ?3 "
                        "ORDER BY metrics_due_at LIMIT ?2");
        st->bind(1, now).bind(2, static_cast<std::int64_t>(limit)).bind(3, shard.index).bind(4, std::max(shard.count, 1));
        std::vector<MetricsDue> out;
        while (true) {
            CLEARPOST_ASSIGN(bool row, st->step());
            if (!row) break;
            out.push_back({st->int64(0), st->int64(1), st->text(2), st->int64(3), st->int32(4)});
        }
        return out;
    }

    Result<void> add_metric_snapshot(const MetricSnapshot& snapshot) override {
        ASSIGN_STMT(st, "INSERT INTO metric_snapshots(target_id, fetched_at, metrics) VALUES (?1, ?2, ?3)");
        return st->bind(1, snapshot.target_id).bind(2, snapshot.fetched_at).bind(3, snapshot.metrics_json).run();
    }

    Result<void> advance_metrics(Id target_id, bool counted, std::optional<UnixSeconds> next_due) override {
        ASSIGN_STMT(st, "UPDATE targets SET metrics_fetches = metrics_fetches + ?2, metrics_due_at = ?3 "
                        "WHERE id = ?1 AND metrics_due_at IS NOT NULL");
        return st->bind(1, target_id).bind(2, counted ? 1 : 0).bind(3, next_due).run();
    }

    Result<std::size_t> prune_metric_snapshots(UnixSeconds before) override {
        ASSIGN_STMT(posts, "DELETE FROM metric_snapshots WHERE fetched_at < ?1 AND id NOT IN "
                           "(SELECT MAX(id) FROM metric_snapshots GROUP BY target_id) RETURNING id");
        ASSIGN_STMT(accounts, "DELETE FROM account_snapshots WHERE fetched_at < ?1 AND id NOT IN "
                              "(SELECT MAX(id) FROM account_snapshots GROUP BY account_id) RETURNING id");
        std::size_t removed = 0;
        for (sql::Statement* st : {posts, accounts}) {
            st->bind(1, before);
            while (true) {
                CLEARPOST_ASSIGN(bool row, st->step());
                if (!row) break;
                ++removed;
            }
        }
        return removed;
    }

    Result<std::vector<Id>> accounts_to_sample(UnixSeconds since, ClaimShard shard) override {
        ASSIGN_STMT(st, "SELECT a.id FROM social_accounts a WHERE a.status = 'connected' AND a.id % ?3 = ?2 "
                        "AND NOT EXISTS (SELECT 1 FROM account_snapshots s WHERE s.account_id = a.id "
                        "  AND s.fetched_at >= ?1) ORDER BY a.id");
        st->bind(1, since).bind(2, shard.index).bind(3, std::max(shard.count, 1));
        std::vector<Id> out;
        while (true) {
            CLEARPOST_ASSIGN(bool row, st->step());
            if (!row) break;
            out.push_back(st->int64(0));
        }
        return out;
    }

    Result<void> add_account_snapshot(const AccountSnapshot& snapshot) override {
        ASSIGN_STMT(st, "INSERT INTO account_snapshots(account_id, fetched_at, metrics) VALUES (?1, ?2, ?3)");
        return st->bind(1, snapshot.account_id).bind(2, snapshot.fetched_at).bind(3, snapshot.metrics_json).run();
    }

    Result<std::vector<AccountSnapshot>> account_snapshots(UnixSeconds from, UnixSeconds to,
                                                           std::optional<Id> account) override {
        ASSIGN_STMT(st, "SELECT account_id, fetched_at, metrics FROM account_snapshots "
                        "WHERE fetched_at >= ?1 AND fetched_at < ?2 AND (?3 IS NULL OR account_id = ?3) "
                        "ORDER BY account_id, fetched_at, id");
        st->bind(1, from).bind(2, to).bind(3, account);
        return snapshots_from<AccountSnapshot>(st);
    }

    Result<std::vector<AccountSnapshot>> latest_account_snapshots(UnixSeconds before) override {
        ASSIGN_STMT(st, "SELECT s.account_id, s.fetched_at, s.metrics FROM social_accounts a "
                        "JOIN account_snapshots s ON s.id = (SELECT id FROM account_snapshots "
                        "  WHERE account_id = a.id AND fetched_at < ?1 ORDER BY fetched_at DESC, id DESC LIMIT 1) "
                        "ORDER BY a.id");
        st->bind(1, before);
        return snapshots_from<AccountSnapshot>(st);
    }

    Result<std::vector<MetricSnapshot>> metric_snapshots(Id target_id) override {
        ASSIGN_STMT(st, "SELECT target_id, fetched_at, metrics FROM metric_snapshots WHERE target_id = ?1 "
                        "ORDER BY fetched_at, id");
        st->bind(1, target_id);
        return snapshots_from<MetricSnapshot>(st);
    }

    Result<std::vector<PublishedTarget>> published_between(UnixSeconds from, UnixSeconds to) override {
        // The text is what went out to this account: its override, else the
        // version's. The newest snapshot is found through snapshots_by_target.
        // published_at has no index, so this reads every target row (about
        // 0.25 s for 500,000): reports are occasional, and an index would
        // need a migration that every database must go through first.
        ASSIGN_STMT(st, "SELECT t.id, t.post_id, t.version_id, coalesce(nullif(vt.text_override, ''), v.body), "
                        "a.network, a.handle, t.state, coalesce(v.scheduled_at, t.scheduled_at), t.published_at, "
                        "t.remote_url, s.fetched_at, s.metrics "
                        "FROM targets t "
                        "JOIN post_versions v ON v.id = t.version_id "
                        "JOIN social_accounts a ON a.id = t.account_id "
                        "LEFT JOIN version_targets vt ON vt.version_id = t.version_id AND vt.account_id = t.account_id "
                        "LEFT JOIN metric_snapshots s ON s.id = (SELECT id FROM metric_snapshots "
                        "  WHERE target_id = t.id ORDER BY fetched_at DESC, id DESC LIMIT 1) "
                        "WHERE t.published_at >= ?1 AND t.published_at < ?2 "
                        "ORDER BY t.published_at, t.id");
        st->bind(1, from).bind(2, to);
        std::vector<PublishedTarget> out;
        while (true) {
            CLEARPOST_ASSIGN(bool row, st->step());
            if (!row) break;
            PublishedTarget p;
            p.target_id = st->int64(0);
            p.post_id = st->int64(1);
            p.version_id = st->int64(2);
            p.text = st->text(3);
            p.network = st->text(4);
            p.handle = st->text(5);
            CLEARPOST_ASSIGN(p.state, parse_enum(model::parse_state(st->view(6)), "state"));
            p.scheduled_at = st->int64(7);
            p.published_at = st->int64(8);
            p.remote_url = st->text(9);
            if (!st->is_null(10)) p.latest = MetricSnapshot{p.target_id, st->int64(10), st->text(11)};
            out.push_back(std::move(p));
        }
        return out;
    }

    Result<std::vector<MetricSnapshot>> snapshots_of_published_between(UnixSeconds from, UnixSeconds to) override {
        ASSIGN_STMT(st, "SELECT s.target_id, s.fetched_at, s.metrics FROM targets t "
                        "JOIN metric_snapshots s ON s.target_id = t.id "
                        "WHERE t.published_at >= ?1 AND t.published_at < ?2 "
                        "ORDER BY t.published_at, t.id, s.fetched_at, s.id");
        st->bind(1, from).bind(2, to);
        return snapshots_from<MetricSnapshot>(st);
    }

    Result<std::vector<TaggedTarget>> tagged_published_between(UnixSeconds from, UnixSeconds to) override {
        // Tagged posts are few next to targets: walk the tags in order
        // (post_tags_by_tag covers tag and post) and find each post's
        // targets through targets_by_post, rather than reading every target.
        ASSIGN_STMT(st, "SELECT pt.tag, pt.post_id, t.id FROM post_tags pt "
                        "JOIN targets t ON t.post_id = pt.post_id "
                        "WHERE t.published_at >= ?1 AND t.published_at < ?2 "
                        "ORDER BY pt.tag, pt.post_id, t.id");
        st->bind(1, from).bind(2, to);
        std::vector<TaggedTarget> out;
        while (true) {
            CLEARPOST_ASSIGN(bool row, st->step());
            if (!row) break;
            out.push_back({st->text(0), st->int64(1), st->int64(2)});
        }
        return out;
    }

    Result<std::vector<VersionCheck>> versions_created_between(UnixSeconds from, UnixSeconds to) override {
        ASSIGN_STMT(st, "SELECT post_id, created_at, compliance_verdict, compliance_findings FROM post_versions "
                        "WHERE created_at >= ?1 AND created_at < ?2 ORDER BY created_at, id");
        st->bind(1, from).bind(2, to);
        std::vector<VersionCheck> out;
        while (true) {
            CLEARPOST_ASSIGN(bool row, st->step());
            if (!row) break;
            out.push_back({st->int64(0), st->int64(1), st->text(2), st->text(3)});
        }
        return out;
    }

    Result<std::vector<ApprovalTiming>> approvals_between(UnixSeconds from, UnixSeconds to) override {
        // The audit log is read in order, pairing each final approval with
        // the post's newest submission before it. Submissions before `from`
        // count (a post submitted last month may be approved this month), so
        // this reads every submit and approve entry up to `to`: one pass over
        // the log, without an index.
        ASSIGN_STMT(st, "SELECT subject, action, at FROM audit_log "
                        "WHERE action IN ('post.submit', 'post.approve') AND at < ?1 ORDER BY seq");
        st->bind(1, to);
        std::unordered_map<std::string, UnixSeconds> submitted;
        std::vector<ApprovalTiming> out;
        while (true) {
            CLEARPOST_ASSIGN(bool row, st->step());
            if (!row) break;
            std::string subject = st->text(0);
            const UnixSeconds at = st->int64(2);
            if (st->view(1) == "post.submit") {
                submitted[std::move(subject)] = at;
                continue;
            }
            auto found = submitted.find(subject);
            if (found == submitted.end()) continue;
            if (at >= from) {
                Id post_id = 0;
                // Subjects are written as "post N" by the workflow.
                if (subject.rfind("post ", 0) == 0) post_id = std::strtoll(subject.c_str() + 5, nullptr, 10);
                out.push_back({post_id, found->second, at});
            }
            submitted.erase(found);
        }
        return out;
    }

    Result<std::vector<Notice>> notices_to_email() override {
        ASSIGN_STMT(st, "SELECT id, created_at, kind, account_id, target_id, message FROM notices "
                        "WHERE acknowledged_at IS NULL AND emailed_at IS NULL ORDER BY id");
        return read_notices(*st);
    }

    Result<void> mark_notice_emailed(Id notice_id, UnixSeconds now) override {
        ASSIGN_STMT(st, "UPDATE notices SET emailed_at = ?2 WHERE id = ?1");
        return st->bind(1, notice_id).bind(2, now).run();
    }

    Result<std::optional<std::string>> setting(const std::string& key) override {
        ASSIGN_STMT(st, "SELECT value FROM settings WHERE key = ?1");
        st->bind(1, key);
        CLEARPOST_ASSIGN(bool row, st->step());
        std::optional<std::string> value = row ? std::optional<std::string>(st->text(0)) : std::nullopt;
        st->reset();
        return value;
    }

    Result<void> set_setting(const std::string& key, const std::string& value) override {
        ASSIGN_STMT(st, "INSERT INTO settings(key, value) VALUES (?1, ?2) "
                        "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
        return st->bind(1, key).bind(2, value).run();
    }

    // Two-key advisory locks (class 4242020, the account id): apart from the
    // one-key lock write transactions take.
    Result<void> lock_account(Id account, std::chrono::milliseconds wait) override {
        if (m_db->dialect() != sql::Dialect::Postgres) return ok();
        const auto deadline = std::chrono::steady_clock::now() + wait;
        while (true) {
            ASSIGN_STMT(st, "SELECT CASE WHEN pg_try_advisory_lock(4242020, CAST(?1 AS INTEGER)) THEN 1 ELSE 0 END");
            st->bind(1, account);
            CLEARPOST_ASSIGN(bool row, st->step());
            const bool taken = row && st->int64(0) == 1;
            st->reset();
            if (taken) return ok();
            if (std::chrono::steady_clock::now() >= deadline) {
                return make_error(ErrorCode::Conflict, "another machine is refreshing account " + std::to_string(account) +
                                                           "'s credentials; try again shortly");
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }

    Result<void> unlock_account(Id account) override {
        if (m_db->dialect() != sql::Dialect::Postgres) return ok();
        ASSIGN_STMT(st, "SELECT CASE WHEN pg_advisory_unlock(4242020, CAST(?1 AS INTEGER)) THEN 1 ELSE 0 END");
        st->bind(1, account);
        CLEARPOST_ASSIGN(bool row, st->step());
        (void)row;
        st->reset();
        return ok();
    }

    Result<void> delete_setting(const std::string& key) override {
        ASSIGN_STMT(st, "DELETE FROM settings WHERE key = ?1");
        return st->bind(1, key).run();
    }

    Result<std::vector<std::pair<std::string, std::string>>> settings_with_prefix(
        const std::string& prefix) override {
        ASSIGN_STMT(st, "SELECT key, value FROM settings WHERE substr(key, 1, length(?1)) = ?1 ORDER BY key");
        st->bind(1, prefix);
        std::vector<std::pair<std::string, std::string>> found;
        while (true) {
            CLEARPOST_ASSIGN(bool row, st->step());
            if (!row) break;
            found.emplace_back(st->text(0), st->text(1));
        }
        st->reset();
        return found;
    }

    Result<std::vector<CalendarItem>> calendar(UnixSeconds from, UnixSeconds to) override {
        ASSIGN_STMT(st, "SELECT id, post_id, state, scheduled_at, account_id FROM targets "
                        "WHERE scheduled_at >= ?1 AND scheduled_at < ?2 ORDER BY scheduled_at, id");
        st->bind(1, from).bind(2, to);
        std::vector<CalendarItem> items;
        items.reserve(1024);
        while (true) {
            CLEARPOST_ASSIGN(bool row, st->step());
            if (!row) break;
            CalendarItem item;
            item.target_id = st->int64(0);
            item.post_id = st->int64(1);
            CLEARPOST_ASSIGN(item.state, parse_enum(model::parse_state(st->view(2)), "state"));
            item.scheduled_at = st->int64(3);
            item.account_id = st->int64(4);
            items.push_back(std::move(item));
        }
        return items;
    }

    Result<void> append_audit(const model::AuditEntry& e) override {
        ASSIGN_STMT(st, "INSERT INTO audit_log(seq, at, actor, action, subject, detail, prev_mac, mac) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
        return st->bind(1, e.seq)
            .bind(2, e.at)
            .bind(3, e.actor)
            .bind(4, e.action)
            .bind(5, e.subject)
            .bind(6, e.detail)
            .bind(7, e.prev_mac)
            .bind(8, e.mac)
            .run();
    }

    Result<std::optional<model::AuditEntry>> last_audit() override {
        ASSIGN_STMT(st, "SELECT seq, at, actor, action, subject, detail, prev_mac, mac "
                        "FROM audit_log ORDER BY seq DESC LIMIT 1");
        CLEARPOST_ASSIGN(bool row, st->step());
        if (!row) return std::optional<model::AuditEntry>{};
        auto entry = read_audit(*st);
        st->reset();
        return std::optional<model::AuditEntry>{std::move(entry)};
    }

    Result<void> each_audit(const std::function<bool(const model::AuditEntry&)>& visit) override {
        ASSIGN_STMT(st, "SELECT seq, at, actor, action, subject, detail, prev_mac, mac "
                        "FROM audit_log ORDER BY seq");
        while (true) {
            CLEARPOST_ASSIGN(bool row, st->step());
            if (!row) break;
            if (!visit(read_audit(*st))) {
                st->reset();
                break;
            }
        }
        return ok();
    }

    bool keeps_audit_anchor() const override { return m_db->dialect() == sql::Dialect::Postgres; }

    Result<std::optional<AuditAnchor>> audit_anchor() override {
        ASSIGN_STMT(st, "SELECT seq, mac FROM audit_anchor WHERE id = 1");
        CLEARPOST_ASSIGN(bool row, st->step());
        if (!row) return std::optional<AuditAnchor>{};
        AuditAnchor anchor{st->int64(0), st->text(1)};
        st->reset();
        return std::optional<AuditAnchor>{std::move(anchor)};
    }

    Result<void> grant_desk_role(const std::string& role) override {
        if (m_db->dialect() != sql::Dialect::Postgres) {
            return make_error(ErrorCode::Invalid, "database roles exist only on a PostgreSQL (team) database");
        }
        ASSIGN_STMT(st, "SELECT clearpost_grant_desk(?1)");
        st->bind(1, role);
        CLEARPOST_CHECK(st->step());
        st->reset();
        return ok();
    }

    Result<void> listen() override { return m_db->listen(); }

    Result<std::vector<Change>> wait_for_changes(int timeout_ms) override {
        CLEARPOST_ASSIGN(auto payloads, m_db->wait_for_notifications(timeout_ms));
        std::vector<Change> changes;
        for (const auto& p : payloads) {
            // "<kind> <id> <state>", written by announce() below.
            const auto a = p.find(' ');
            const auto b = p.find(' ', a == std::string::npos ? a : a + 1);
            if (a == std::string::npos || b == std::string::npos) continue;
            changes.push_back({p.substr(0, a), std::strtoll(p.c_str() + a + 1, nullptr, 10), p.substr(b + 1)});
        }
        return changes;
    }

    Result<void> defer_checkpoints() override { return m_db->defer_checkpoints(); }
    Result<void> checkpoint() override { return m_db->checkpoint(); }
    Result<void> backup_to(const std::filesystem::path& destination) override {
        return m_db->backup_to(destination);
    }

    Result<void> restore_account(const model::Account& a) override {
        ASSIGN_STMT(st, "INSERT INTO social_accounts(id, network, handle, status) VALUES (?1, ?2, ?3, ?4)");
        return st->bind(1, a.id).bind(2, a.network).bind(3, a.handle).bind(4, a.status).run();
    }

    Result<void> restore_consent(const model::Consent& c) override {
        ASSIGN_STMT(st, "INSERT INTO consent_records(id, subject, scope, expires_at, document_ref, "
                        "recorded_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        return st->bind(1, c.id)
            .bind(2, c.subject)
            .bind(3, c.scope)
            .bind(4, c.expires_at)
            .bind(5, c.document_ref)
            .bind(6, c.recorded_by)
            .bind(7, c.created_at)
            .run();
    }

    Result<void> restore_post(const model::Post& p) override {
        // current_version_id is checked at commit (DEFERRABLE), after its version is in.
        ASSIGN_STMT(st, "INSERT INTO posts(id, state, created_by, current_version_id, created_at, updated_at) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        return st->bind(1, p.id)
            .bind(2, std::string(to_string(p.state)))
            .bind(3, p.created_by)
            .bind(4, p.current_version_id)
            .bind(5, p.created_at)
            .bind(6, p.updated_at)
            .run();
    }

    Result<void> restore_version(const model::PostVersion& v) override {
        auto written = write_version(v.id, v.post_id, v.number, v.author_id, v.content, v.content_hash,
                                     v.compliance, v.created_at);
        if (!written) return std::move(written).error();
        return ok();
    }

    Result<void> restore_approval(const model::Approval& a) override {
        ASSIGN_STMT(st,
                    "INSERT INTO approvals(id, post_id, version_id, stage, decision, comment, approver_id, "
                    "version_hash, override_justification, decided_at) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
        return st->bind(1, a.id)
            .bind(2, a.post_id)
            .bind(3, a.version_id)
            .bind(4, a.stage)
            .bind(5, a.decision)
            .bind(6, a.comment)
            .bind(7, a.approver_id)
            .bind(8, a.version_hash)
            .bind(9, a.override_justification)
            .bind(10, a.decided_at)
            .run();
    }

    Result<void> restore_target(const model::Target& t, std::optional<UnixSeconds> published_at) override {
        // updated_at is not exported; the last known change is the best stand-in.
        ASSIGN_STMT(st, "INSERT INTO targets(id, post_id, version_id, account_id, state, scheduled_at, "
                        "lease_owner, lease_expires_at, attempts, idempotency_key, last_error, remote_url, "
                        "remote_id, published_at, updated_at) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
                        "COALESCE(?14, ?6))");
        return st->bind(1, t.id)
            .bind(2, t.post_id)
            .bind(3, t.version_id)
            .bind(4, t.account_id)
            .bind(5, std::string(to_string(t.state)))
            .bind(6, t.scheduled_at)
            .bind(7, t.lease_owner)
            .bind(8, t.lease_expires_at)
            .bind(9, t.attempts)
            .bind(10, t.idempotency_key)
            .bind(11, t.last_error)
            .bind(12, t.remote_url)
            .bind(13, t.remote_id)
            .bind(14, published_at)
            .run();
    }

private:
    Result<void> announce(const char* kind, Id id, State state) {
        return m_db->notify(std::string(kind) + " " + std::to_string(id) + " " + std::string(to_string(state)));
    }

    // Runs an INSERT … RETURNING id and gives the new row's id.
    static Result<Id> inserted_id(Statement& st) {
        CLEARPOST_ASSIGN(bool row, st.step());
        const Id id = row ? st.int64(0) : 0;
        st.reset();
        if (!row) return make_error(ErrorCode::Storage, "the database gave no id for a new row");
        return id;
    }

    static Result<std::optional<model::User>> read_user_row(Statement& st) {
        CLEARPOST_ASSIGN(bool row, st.step());
        if (!row) return std::optional<model::User>{};
        model::User u;
        u.id = st.int64(0);
        u.name = st.text(1);
        CLEARPOST_ASSIGN(u.role, parse_enum(model::parse_role(st.text(2)), "role"));
        u.active = st.int32(3) != 0;
        u.password_hash = st.text(4);
        u.created_at = st.int64(5);
        return std::optional<model::User>{std::move(u)};
    }

    static Result<std::optional<model::User>> read_user(Statement& st) {
        auto user = read_user_row(st);
        st.reset();
        return user;
    }

    static Result<model::Post> read_post(Statement& st, int first) {
        model::Post p;
        p.id = st.int64(first);
        CLEARPOST_ASSIGN(p.state, parse_enum(model::parse_state(st.text(first + 1)), "state"));
        p.created_by = st.int64(first + 2);
        p.current_version_id = st.is_null(first + 3) ? 0 : st.int64(first + 3);
        p.created_at = st.int64(first + 4);
        p.updated_at = st.int64(first + 5);
        return p;
    }

    static model::PostVersion read_version(Statement& st) {
        model::PostVersion v;
        v.id = st.int64(0);
        v.post_id = st.int64(1);
        v.number = st.int32(2);
        v.author_id = st.int64(3);
        v.content.text = st.text(4);
        v.content.scheduled_at = st.optional_int64(5);
        v.content.zone = st.text(6);
        v.content_hash = st.text(7);
        v.compliance.verdict = st.text(8);
        v.compliance.findings_json = st.text(9);
        v.created_at = st.int64(10);
        return v;
    }

    Result<void> load_version_parts(model::PostVersion& v) {
        ASSIGN_STMT(targets, "SELECT account_id, text_override FROM version_targets "
                             "WHERE version_id = ?1 ORDER BY account_id");
        targets->bind(1, v.id);
        while (true) {
            CLEARPOST_ASSIGN(bool row, targets->step());
            if (!row) break;
            v.content.targets.push_back({targets->int64(0), targets->text(1)});
        }
        ASSIGN_STMT(media, "SELECT m.sha256, m.path, m.alt_text FROM version_media vm "
                           "JOIN media m ON m.id = vm.media_id WHERE vm.version_id = ?1 "
                           "ORDER BY vm.position");
        media->bind(1, v.id);
        while (true) {
            CLEARPOST_ASSIGN(bool row, media->step());
            if (!row) break;
            v.content.media.push_back({media->text(0), media->text(1), media->text(2)});
        }
        return ok();
    }

    static Result<std::vector<model::Approval>> read_approvals(Statement& st) {
        std::vector<model::Approval> out;
        while (true) {
            CLEARPOST_ASSIGN(bool row, st.step());
            if (!row) break;
            model::Approval a;
            a.id = st.int64(0);
            a.post_id = st.int64(1);
            a.version_id = st.int64(2);
            a.stage = st.int32(3);
            a.decision = st.text(4);
            a.comment = st.text(5);
            a.approver_id = st.int64(6);
            a.version_hash = st.text(7);
            a.override_justification = st.text(8);
            a.decided_at = st.int64(9);
            out.push_back(std::move(a));
        }
        return out;
    }

    static Result<std::vector<model::Target>> read_targets(Statement& st) {
        std::vector<model::Target> out;
        while (true) {
            CLEARPOST_ASSIGN(bool row, st.step());
            if (!row) break;
            model::Target t;
            t.id = st.int64(0);
            t.post_id = st.int64(1);
            t.version_id = st.int64(2);
            t.account_id = st.int64(3);
            CLEARPOST_ASSIGN(t.state, parse_enum(model::parse_state(st.text(4)), "state"));
            t.scheduled_at = st.int64(5);
            t.lease_owner = st.text(6);
            t.lease_expires_at = st.int64(7);
            t.attempts = st.int32(8);
            t.idempotency_key = st.text(9);
            t.last_error = st.text(10);
            t.remote_url = st.text(11);
            t.remote_id = st.text(12);
            out.push_back(std::move(t));
        }
        return out;
    }

    static Result<std::vector<Notice>> read_notices(Statement& st) {
        std::vector<Notice> out;
        while (true) {
            CLEARPOST_ASSIGN(bool row, st.step());
            if (!row) break;
            out.push_back({st.int64(0), st.int64(1), st.text(2), st.optional_int64(3), st.optional_int64(4),
                           st.text(5)});
        }
        return out;
    }

    static model::AuditEntry read_audit(Statement& st) {
        return {st.int64(0), st.int64(1), st.text(2), st.text(3),
                st.text(4),  st.text(5),  st.text(6), st.text(7)};
    }

    std::unique_ptr<Connection> m_db;
};

}  // namespace

namespace sql {

Result<int> read_schema_version(Connection& db) {
    CLEARPOST_ASSIGN(bool exists, db.has_table("schema_version"));
    if (!exists) return 0;
    ASSIGN_STMT_ON(st, db, "SELECT coalesce(max(version), 0) FROM schema_version");
    CLEARPOST_ASSIGN(bool row, st->step());
    const int version = row ? st->int32(0) : 0;
    st->reset();
    return version;
}

Result<void> migrate(Connection& db, std::span<const Migration> migrations, int from, int up_to) {
    CLEARPOST_CHECK(db.begin());
    auto body = [&]() -> Result<void> {
        // Another process may have migrated while we waited for the lock.
        CLEARPOST_ASSIGN(int current, read_schema_version(db));
        if (current != from) return ok();
        if (current == 0) {
            CLEARPOST_CHECK(db.exec(db.dialect() == Dialect::Sqlite
                                        ? "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, "
                                          "applied_at INTEGER NOT NULL) STRICT"
                                        : "CREATE TABLE schema_version (version BIGINT PRIMARY KEY, "
                                          "applied_at BIGINT NOT NULL)"));
        }
        for (const auto& m : migrations) {
            if (m.version <= current || m.version > up_to) continue;
            CLEARPOST_CHECK(db.exec(m.sql));
            ASSIGN_STMT_ON(st, db, "INSERT INTO schema_version(version, applied_at) VALUES (?1, ?2)");
            CLEARPOST_CHECK(st->bind(1, m.version).bind(2, system_now()).run());
        }
        if (current == 0) {
            ASSIGN_STMT_ON(id, db, "INSERT INTO meta(key, value) VALUES ('database_id', ?1)");
            CLEARPOST_CHECK(id->bind(1, crypto::to_hex(crypto::random_bytes(16))).run());
        }
        return ok();
    };
    auto result = body();
    if (!result.ok()) {
        (void)db.exec("ROLLBACK");
        return result;
    }
    return db.exec("COMMIT");
}

std::unique_ptr<Store> make_store(std::unique_ptr<Connection> db) {
    return std::make_unique<SqlStore>(std::move(db));
}

}  // namespace sql
}  // namespace clearpost::store
