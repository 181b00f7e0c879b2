#include "sqlite_db.h"

#include <utility>

namespace clearpost::store::sqlite {

Error sqlite_error(sqlite3* db, int rc, const std::string& context) {
    const std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    switch (rc & 0xFF) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
        return make_error(ErrorCode::Corrupt,
                          context + ": the database file is damaged or not a Clearpost database (" +
                              detail + "); restore it from a backup");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return make_error(ErrorCode::Storage,
                          context + ": the database is busy (another Clearpost process holds a "
                                    "lock); try again");
    case SQLITE_FULL:
        return make_error(ErrorCode::Storage, context + ": the disk is full; free space and retry");
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
        return make_error(ErrorCode::Io, context + ": " + detail +
                                             "; check that the file and its folder are writable");
    case SQLITE_CONSTRAINT:
        return make_error(ErrorCode::Conflict, context + ": " + detail);
    default:
        return make_error(ErrorCode::Storage, context + ": " + detail);
    }
}

Statement::~Statement() { sqlite3_finalize(m_stmt); }

Statement& Statement::bind(int index, std::int64_t value) {
    sqlite3_bind_int64(m_stmt, index, value);
    return *this;
}

Statement& Statement::bind(int index, const std::string& value) {
    sqlite3_bind_text(m_stmt, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    return *this;
}

Statement& Statement::bind(int index, std::optional<std::int64_t> value) {
    if (value) return bind(index, *value);
    sqlite3_bind_null(m_stmt, index);
    return *this;
}

Statement& Statement::bind_blob(int index, const std::vector<std::uint8_t>& value) {
    sqlite3_bind_blob(m_stmt, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    return *this;
}

std::vector<std::uint8_t> Statement::blob(int column) const {
    const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(m_stmt, column));
    const int n = sqlite3_column_bytes(m_stmt, column);
    return p ? std::vector<std::uint8_t>(p, p + n) : std::vector<std::uint8_t>();
}

Result<bool> Statement::step() {
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    Error err = sqlite_error(m_db, rc, "database statement failed");
    reset();
    return err;
}

Result<void> Statement::run() {
    auto more = step();
    while (more.ok() && *more) more = step();
    reset();
    if (!more.ok()) return std::move(more).error();
    return ok();
}

void Statement::reset() {
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

std::string Statement::text(int column) const {
    const auto* p = sqlite3_column_text(m_stmt, column);
    const int n = sqlite3_column_bytes(m_stmt, column);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
}

std::string_view Statement::view(int column) const {
    const auto* p = sqlite3_column_text(m_stmt, column);
    const int n = sqlite3_column_bytes(m_stmt, column);
    return p ? std::string_view(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n))
             : std::string_view();
}

std::optional<std::int64_t> Statement::optional_int64(int column) const {
    if (is_null(column)) return std::nullopt;
    return int64(column);
}

Connection::~Connection() { close(); }

Connection::Connection(Connection&& other) noexcept
    : m_db(std::exchange(other.m_db, nullptr)), m_cache(std::move(other.m_cache)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
    if (this != &other) {
        close();
        m_db = std::exchange(other.m_db, nullptr);
        m_cache = std::move(other.m_cache);
    }
    return *this;
}

void Connection::close() {
    m_cache.clear();  // statements first: sqlite3_close refuses open statements
    if (m_db) sqlite3_close(m_db);
    m_db = nullptr;
}

Result<Statement*> Connection::prepare(const char* sql) {
    auto it = m_cache.find(sql);
    if (it != m_cache.end()) {
        it->second->reset();
        return it->second.get();
    }
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(m_db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(m_db, rc, "preparing a database statement");
    auto owned = std::make_unique<Statement>(m_db, stmt);
    Statement* raw = owned.get();
    m_cache.emplace(sql, std::move(owned));
    return raw;
}

Result<void> Connection::exec(const char* sql) {
    char* message = nullptr;
    const int rc = sqlite3_exec(m_db, sql, nullptr, nullptr, &message);
    if (message) sqlite3_free(message);
    if (rc != SQLITE_OK) return sqlite_error(m_db, rc, "database command failed");
    return ok();
}

Error Connection::error(const std::string& context) const {
    return sqlite_error(m_db, sqlite3_errcode(m_db), context);
}

}  // namespace clearpost::store::sqlite
