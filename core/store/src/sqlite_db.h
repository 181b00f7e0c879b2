#pragma once
// The SQLite side of sql::Connection: RAII over the SQLite C API.

#include <sqlite3.h>

#include <map>
#include <memory>

#include "sql.h"

namespace clearpost::store::sqlite {

class Statement final : public sql::Statement {
public:
    Statement(sqlite3* db, sqlite3_stmt* stmt) : m_db(db), m_stmt(stmt) {}
    ~Statement() override;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    using sql::Statement::bind;
    sql::Statement& bind(int index, std::int64_t value) override;
    sql::Statement& bind(int index, const std::string& value) override;
    sql::Statement& bind(int index, std::optional<std::int64_t> value) override;
    sql::Statement& bind_blob(int index, const std::vector<std::uint8_t>& value) override;

    Result<bool> step() override;
    void reset() override;

    std::int64_t int64(int column) const override { return sqlite3_column_int64(m_stmt, column); }
    bool is_null(int column) const override { return sqlite3_column_type(m_stmt, column) == SQLITE_NULL; }
    std::string_view view(int column) const override;
    std::vector<std::uint8_t> blob(int column) const override;

    int column_count() const override { return sqlite3_column_count(m_stmt); }
    std::string column_name(int column) const override { return sqlite3_column_name(m_stmt, column); }
    sql::Kind kind(int column) const override {
        switch (sqlite3_column_type(m_stmt, column)) {
        case SQLITE_NULL: return sql::Kind::Null;
        case SQLITE_INTEGER: return sql::Kind::Integer;
        case SQLITE_BLOB: return sql::Kind::Blob;
        default: return sql::Kind::Text;
        }
    }

private:
    sqlite3* m_db;
    sqlite3_stmt* m_stmt;
};

class Connection final : public sql::Connection {
public:
    Connection() = default;
    explicit Connection(sqlite3* db) : m_db(db) {}
    ~Connection() override;
    Connection(Connection&& other) noexcept;
    Connection& operator=(Connection&& other) noexcept;

    sqlite3* get() const { return m_db; }
    Error error(const std::string& context) const;

    sql::Dialect dialect() const override { return sql::Dialect::Sqlite; }
    Result<sql::Statement*> prepare(const char* sql) override;
    Result<void> exec(const char* sql) override;
    std::int64_t changes() const override { return sqlite3_changes64(m_db); }
    Result<void> begin() override { return exec("BEGIN IMMEDIATE"); }
    Result<bool> has_table(const char* name) override;

    Result<void> notify(const std::string&) override { return ok(); }
    Result<void> listen() override { return ok(); }
    Result<std::vector<std::string>> wait_for_notifications(int timeout_ms) override {
        sqlite3_sleep(timeout_ms);
        return std::vector<std::string>{};
    }

    Result<void> defer_checkpoints() override { return exec("PRAGMA wal_autocheckpoint = 0"); }
    Result<void> checkpoint() override;
    Result<void> backup_to(const std::filesystem::path& destination) override;

private:
    void close();
    sqlite3* m_db = nullptr;
    std::map<const char*, std::unique_ptr<Statement>> m_cache;
};

// Maps a SQLite result code to an Error people can act on.
Error sqlite_error(sqlite3* db, int rc, const std::string& context);

}  // namespace clearpost::store::sqlite
