// The PostgreSQL side of sql::Connection (team mode), on libpq.
//
// Statements are prepared on the server the first time they run, with the
// parameter types of the values bound then (bigint, text, bytea; a parameter
// left unbound, i.e. NULL, is typed by the server from the SQL, so the SQL
// must give it a type, e.g. CAST(?1 AS TEXT)); values travel as text and
// rows come back as text.
// A write transaction takes one advisory lock for the database, so writers
// take turns as they do under SQLite's single writer lock, and the same
// checks-then-writes inside Store::transaction stay correct. Claims run
// outside it: each is one UPDATE over rows taken FOR UPDATE SKIP LOCKED.

#include <libpq-fe.h>
#include <poll.h>

#include <charconv>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "clearpost/store/store.h"
#include "migrations.h"
#include "pg_migrations.h"
#include "sql.h"

namespace clearpost::store {
namespace pg {
namespace {

static_assert(kMigrations.back().version == sqlite::kMigrations.back().version,
              "each migration needs its PostgreSQL form in pg_migrations.h");

// Any constant will do: it names "the Clearpost write lock" within one database.
constexpr const char* kBeginWrite = "BEGIN; SELECT pg_advisory_xact_lock(4242019)";

constexpr Oid kInt8 = 20;
constexpr Oid kText = 25;
constexpr Oid kBytea = 17;

struct ResultDeleter {
    void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

// What went wrong, from the SQLSTATE, without the statement's values (the
// primary message names constraints and tables, never row contents).
Error pg_error(const PGresult* result, PGconn* conn, const std::string& context) {
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    std::string detail = primary ? primary : PQerrorMessage(conn);
    while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
    const std::string code = state ? state : "";
    if (PQstatus(conn) == CONNECTION_BAD || code.starts_with("08") || code == "57P01") {
        return make_error(ErrorCode::Storage, context + ": the connection to the PostgreSQL server was lost (" +
                                                  detail + "); check that the server is running and try again");
    }
    if (code.starts_with("23")) return make_error(ErrorCode::Conflict, context + ": " + detail);
    if (code == "55P03" || code == "40001" || code == "40P01") {
        return make_error(ErrorCode::Storage, context + ": the database is busy (another Clearpost process "
                                                        "holds a lock); try again");
    }
    if (code == "53100") return make_error(ErrorCode::Storage, context + ": the database server's disk is full");
    if (code == "42501") {
        return make_error(ErrorCode::Forbidden,
                          context + ": " + detail +
                              "; this database role may not do that (desk roles get their rights from "
                              "clearpostctl db grant, run by the service role)");
    }
    return make_error(ErrorCode::Storage, context + ": " + detail);
}

// "?1 … ?12" to "$1 … $12", outside quoted text; counts the parameters.
std::string to_dollar_params(const char* sql, int& count) {
    std::string out;
    count = 0;
    bool quoted = false;
    for (const char* p = sql; *p; ++p) {
        if (*p == '\'') quoted = !quoted;
        if (!quoted && *p == '?' && p[1] >= '0' && p[1] <= '9') {
            out += '$';
            int n = 0;
            while (p[1] >= '0' && p[1] <= '9') {
                n = n * 10 + (p[1] - '0');
                out += *++p;
            }
            count = std::max(count, n);
            continue;
        }
        out += *p;
    }
    return out;
}

class Connection;

class Statement final : public sql::Statement {
public:
    Statement(Connection& conn, std::string name, std::string text, int params)
        : m_conn(conn), m_name(std::move(name)), m_text(std::move(text)), m_values(params), m_types(params, 0) {}

    using sql::Statement::bind;
    sql::Statement& bind(int index, std::int64_t value) override { return set(index, std::to_string(value), kInt8); }
    sql::Statement& bind(int index, const std::string& value) override { return set(index, value, kText); }
    sql::Statement& bind(int index, std::optional<std::int64_t> value) override {
        if (value) return bind(index, *value);
        // Still typed: the statement may be prepared with this call's types.
        m_values.at(index - 1).reset();
        m_types.at(index - 1) = kInt8;
        return *this;
    }
    sql::Statement& bind_blob(int index, const std::vector<std::uint8_t>& value) override {
        static constexpr char kHex[] = "0123456789abcdef";
        std::string hex = "\\x";
        hex.reserve(2 + value.size() * 2);
        for (auto b : value) {
            hex += kHex[b >> 4];
            hex += kHex[b & 15];
        }
        return set(index, std::move(hex), kBytea);
    }

    Result<bool> step() override;
    void reset() override {
        m_result.reset();
        m_row = -1;
        for (auto& v : m_values) v.reset();
    }

    std::int64_t int64(int column) const override {
        const auto text = view(column);
        std::int64_t value = 0;
        std::from_chars(text.data(), text.data() + text.size(), value);
        return value;
    }
    bool is_null(int column) const override { return PQgetisnull(m_result.get(), m_row, column) != 0; }
    std::string_view view(int column) const override {
        return {PQgetvalue(m_result.get(), m_row, column),
                static_cast<std::size_t>(PQgetlength(m_result.get(), m_row, column))};
    }
    std::vector<std::uint8_t> blob(int column) const override {
        // bytea comes back as text in hex form: \x0a1b...
        const auto text = view(column);
        std::vector<std::uint8_t> out;
        if (text.size() < 2) return out;
        out.reserve((text.size() - 2) / 2);
        for (std::size_t i = 2; i + 1 < text.size(); i += 2) {
            std::uint8_t b = 0;
            std::from_chars(text.data() + i, text.data() + i + 2, b, 16);
            out.push_back(b);
        }
        return out;
    }

    int column_count() const override { return PQnfields(m_result.get()); }
    std::string column_name(int column) const override { return PQfname(m_result.get(), column); }
    sql::Kind kind(int column) const override {
        if (is_null(column)) return sql::Kind::Null;
        switch (PQftype(m_result.get(), column)) {
        case 20: case 21: case 23: return sql::Kind::Integer;  // int8, int2, int4
        case kBytea: return sql::Kind::Blob;
        default: return sql::Kind::Text;
        }
    }

    void forget_prepared() { m_prepared = false; }

private:
    sql::Statement& set(int index, std::string value, Oid type) {
        m_values.at(index - 1) = std::move(value);
        m_types.at(index - 1) = type;
        return *this;
    }

    Connection& m_conn;
    std::string m_name;
    std::string m_text;
    std::vector<std::optional<std::string>> m_values;
    std::vector<Oid> m_types;
    bool m_prepared = false;
    ResultPtr m_result;
    int m_row = -1;
};

class Connection final : public sql::Connection {
public:
    explicit Connection(PGconn* conn) : m_conn(conn) {}
    ~Connection() override {
        m_cache.clear();
        PQfinish(m_conn);
    }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    PGconn* get() const { return m_conn; }

    sql::Dialect dialect() const override { return sql::Dialect::Postgres; }

    Result<sql::Statement*> prepare(const char* sql) override {
        auto it = m_cache.find(sql);
        if (it != m_cache.end()) {
            it->second->reset();
            return it->second.get();
        }
        int params = 0;
        std::string text = to_dollar_params(sql, params);
        auto owned = std::make_unique<Statement>(*this, "clearpost_" + std::to_string(m_cache.size() + 1),
                                                 std::move(text), params);
        Statement* raw = owned.get();
        m_cache.emplace(sql, std::move(owned));
        return raw;
    }

    Result<void> exec(const char* sql) override {
        CLEARPOST_CHECK(reconnect_if_lost());
        ResultPtr result(PQexec(m_conn, sql));
        return check(result.get(), "database command failed");
    }

    std::int64_t changes() const override { return m_changes; }
    Result<void> begin() override {
        auto begun = exec(kBeginWrite);
        // The lock can time out after BEGIN took effect: leave no aborted transaction behind.
        if (!begun.ok()) (void)exec("ROLLBACK");
        return begun;
    }

    Result<bool> has_table(const char* name) override {
        CLEARPOST_ASSIGN(sql::Statement * st, prepare("SELECT count(*) FROM pg_catalog.pg_tables "
                                                      "WHERE schemaname = current_schema() AND tablename = ?1"));
        st->bind(1, name);
        CLEARPOST_ASSIGN(bool row, st->step());
        const bool found = row && st->int64(0) > 0;
        st->reset();
        return found;
    }

    Result<void> notify(const std::string& payload) override {
        CLEARPOST_ASSIGN(sql::Statement * st, prepare("SELECT pg_notify('clearpost_changes', ?1)"));
        return st->bind(1, payload).run();
    }

    Result<void> listen() override {
        CLEARPOST_CHECK(exec("LISTEN clearpost_changes"));
        m_listening = true;
        return ok();
    }

    Result<std::vector<std::string>> wait_for_notifications(int timeout_ms) override {
        CLEARPOST_CHECK(reconnect_if_lost());
        std::vector<std::string> out;
        auto drain = [&]() -> Result<void> {
            if (PQconsumeInput(m_conn) == 0) return pg_error(nullptr, m_conn, "waiting for changes");
            while (PGnotify* n = PQnotifies(m_conn)) {
                out.emplace_back(n->extra);
                PQfreemem(n);
            }
            return ok();
        };
        CLEARPOST_CHECK(drain());
        if (!out.empty()) return out;
        pollfd fd{PQsocket(m_conn), POLLIN, 0};
        if (::poll(&fd, 1, timeout_ms) > 0) CLEARPOST_CHECK(drain());
        return out;
    }

    // The server writes its own log and checkpoints; copies are pg_dump's job.
    Result<void> defer_checkpoints() override { return ok(); }
    Result<void> checkpoint() override { return ok(); }
    Result<void> backup_to(const std::filesystem::path&) override {
        return make_error(ErrorCode::Invalid,
                          "a PostgreSQL database is backed up on its server: use pg_dump (or the server's "
                          "own backups); `clearpostctl db backup` copies SQLite files only");
    }

    Result<void> check(const PGresult* result, const std::string& context) {
        const auto status = PQresultStatus(result);
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
            const char* tuples = PQcmdTuples(const_cast<PGresult*>(result));
            m_changes = (tuples && *tuples) ? std::strtoll(tuples, nullptr, 10) : 0;
            return ok();
        }
        return pg_error(result, m_conn, context);
    }

    // A server restart or network cut leaves the connection dead; outside a
    // transaction one new connection is tried (its statements are prepared again).
    Result<void> reconnect_if_lost() {
        if (PQstatus(m_conn) == CONNECTION_OK) return ok();
        PQreset(m_conn);
        if (PQstatus(m_conn) != CONNECTION_OK) return pg_error(nullptr, m_conn, "reconnecting to the database");
        for (auto& [sql, st] : m_cache) st->forget_prepared();
        if (m_listening) {
            ResultPtr listened(PQexec(m_conn, "LISTEN clearpost_changes"));
            CLEARPOST_CHECK(check(listened.get(), "listening for changes again"));
        }
        return ok();
    }

private:
    PGconn* m_conn;
    std::map<const char*, std::unique_ptr<Statement>> m_cache;
    std::int64_t m_changes = 0;
    bool m_listening = false;
};

Result<bool> Statement::step() {
    if (!m_result) {
        CLEARPOST_CHECK(m_conn.reconnect_if_lost());
        PGconn* conn = m_conn.get();
        if (!m_prepared) {
            ResultPtr prepared(PQprepare(conn, m_name.c_str(), m_text.c_str(), static_cast<int>(m_types.size()),
                                         m_types.data()));
            auto checked = m_conn.check(prepared.get(), "preparing a database statement");
            if (!checked.ok()) {
                reset();
                return std::move(checked).error();
            }
            m_prepared = true;
        }
        std::vector<const char*> values;
        values.reserve(m_values.size());
        for (const auto& v : m_values) values.push_back(v ? v->c_str() : nullptr);
        m_result.reset(PQexecPrepared(conn, m_name.c_str(), static_cast<int>(values.size()), values.data(),
                                      nullptr, nullptr, 0));
        auto checked = m_conn.check(m_result.get(), "database statement failed");
        if (!checked.ok()) {
            reset();
            return std::move(checked).error();
        }
        m_row = -1;
    }
    ++m_row;
    return m_row < PQntuples(m_result.get());
}

void ignore_notice(void*, const char*) {}

}  // namespace
}  // namespace pg

bool is_postgres_uri(std::string_view location) {
    return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

namespace {

// Where the password of postgresql://user:password@host sits: [first, last).
std::optional<std::pair<std::size_t, std::size_t>> userinfo_password(std::string_view uri) {
    const auto scheme = uri.find("://");
    if (scheme == std::string_view::npos) return std::nullopt;
    const auto at = uri.find('@', scheme + 3);
    const auto slash = uri.find('/', scheme + 3);
    if (at == std::string_view::npos || (slash != std::string_view::npos && at > slash)) return std::nullopt;
    const auto colon = uri.find(':', scheme + 3);
    if (colon == std::string_view::npos || colon > at) return std::nullopt;
    return std::pair{colon + 1, at};
}

}  // namespace

std::string redact_uri(std::string_view uri) {
    std::string out(uri);
    // postgresql://user:password@host → postgresql://user:***@host
    if (auto span = userinfo_password(out)) out.replace(span->first, span->second - span->first, "***");
    // …?password=secret&… → …?password=***&… (and sslpassword=, the key's)
    for (auto p = out.find("password="); p != std::string::npos; p = out.find("password=", p + 1)) {
        const auto end = out.find('&', p);
        out.replace(p + 9, (end == std::string::npos ? out.size() : end) - p - 9, "***");
    }
    return out;
}

std::string uri_without_password(std::string_view uri) {
    std::string out(uri);
    if (auto span = userinfo_password(out)) out.erase(span->first - 1, span->second - span->first + 1);
    for (auto p = out.find("password="); p != std::string::npos; p = out.find("password=", p)) {
        if (p == 0 || (out[p - 1] != '?' && out[p - 1] != '&')) {  // sslpassword= stays
            p += 9;
            continue;
        }
        const auto end = out.find('&', p);
        if (end == std::string::npos) {
            out.erase(p - 1);  // with its ? or &
        } else {
            out.erase(p, end + 1 - p);
        }
    }
    return out;
}

Result<std::unique_ptr<sql::Connection>> sql::connect_postgres(const std::string& uri, OpenMode mode,
                                                              MigrationPolicy policy) {
    const std::string where = redact_uri(uri);
    // verify-full unless the URI says otherwise: TLS with the server's
    // certificate and name checked. (Unix sockets do not use TLS.)
    const char* keywords[] = {"sslmode", "connect_timeout", "application_name", "dbname", nullptr};
    const char* values[] = {"verify-full", "10", "clearpost", uri.c_str(), nullptr};
    PGconn* raw = PQconnectdbParams(keywords, values, 1);
    if (!raw) return make_error(ErrorCode::Storage, "out of memory connecting to " + where);
    auto db = std::make_unique<pg::Connection>(raw);
    if (PQstatus(raw) != CONNECTION_OK) {
        std::string detail = PQerrorMessage(raw);
        while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
        if (detail.find("password") != std::string::npos) {
            return make_error(ErrorCode::Unauthenticated,
                              "cannot connect to the PostgreSQL database " + where + " (" + detail +
                                  "); keep the role's password in the desktop keyring with clearpostctl --db URI "
                                  "db login, or give the service the credential clearpost-db-password");
        }
        return make_error(ErrorCode::Storage, "cannot connect to the PostgreSQL database " + where + " (" + detail +
                                                  "); check the URI, that the server is running, and its TLS "
                                                  "certificate (sslmode=verify-full is the default)");
    }
    PQsetNoticeProcessor(raw, pg::ignore_notice, nullptr);
    // Waiting for another writer is bounded, as SQLite's busy timeout is.
    CLEARPOST_CHECK(db->exec("SET lock_timeout = '5s'"));

    CLEARPOST_ASSIGN(int version, sql::read_schema_version(*db));
    const int latest = latest_schema_version();
    if (version > latest) {
        return make_error(ErrorCode::Incompatible,
                          where + " has schema version " + std::to_string(version) + ", newer than this program's " +
                              std::to_string(latest) + "; install a newer Clearpost. The database was left untouched");
    }
    if (version == 0) {
        CLEARPOST_ASSIGN(sql::Statement * count, db->prepare("SELECT count(*) FROM pg_catalog.pg_tables "
                                                             "WHERE schemaname = current_schema()"));
        CLEARPOST_ASSIGN(bool row, count->step());
        const bool empty = row && count->int64(0) == 0;
        count->reset();
        if (!empty) {
            return make_error(ErrorCode::Incompatible, where + " already holds other tables and is not a Clearpost "
                                                               "database; it was left untouched. Use an empty one");
        }
        if (mode == OpenMode::MustExist) {
            return make_error(ErrorCode::NotFound,
                              where + " holds no Clearpost data yet; create it with: clearpostctl --db URI init");
        }
    }
    if (version < latest && version > 0 && policy == MigrationPolicy::RequireCurrent) {
        return make_error(ErrorCode::Incompatible, where + " has schema version " + std::to_string(version) +
                                                       "; this program needs " + std::to_string(latest) +
                                                       ". Back it up, then run: clearpostctl db migrate");
    }
    if (version < latest) CLEARPOST_CHECK(sql::migrate(*db, pg::kMigrations, version, latest));
    return std::unique_ptr<sql::Connection>(std::move(db));
}

Result<std::unique_ptr<sql::Connection>> sql::connect(const std::string& location, OpenMode mode,
                                                      MigrationPolicy policy) {
    if (is_postgres_uri(location)) return connect_postgres(location, mode, policy);
    return connect_sqlite(location, mode, policy);
}

Result<std::unique_ptr<Store>> open_postgres(const std::string& uri, OpenMode mode, MigrationPolicy policy) {
    CLEARPOST_ASSIGN(auto db, sql::connect_postgres(uri, mode, policy));
    return sql::make_store(std::move(db));
}

Result<std::unique_ptr<Store>> open_store(const std::string& location, OpenMode mode, MigrationPolicy policy) {
    CLEARPOST_ASSIGN(auto db, sql::connect(location, mode, policy));
    return sql::make_store(std::move(db));
}

}  // namespace clearpost::store
