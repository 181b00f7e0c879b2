#pragma once
// Minimal RAII over the SQLite C API: a connection and prepared statements.
// Values are always bound, never spliced into SQL text.

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clearpost/base/result.h"

namespace clearpost::store::sqlite {

class Statement {
public:
    Statement(sqlite3* db, sqlite3_stmt* stmt) : m_db(db), m_stmt(stmt) {}
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement& bind(int index, const std::string& value);
    Statement& bind(int index, const char* value) { return bind(index, std::string(value)); }
    Statement& bind(int index, std::optional<std::int64_t> value);
    Statement& bind_blob(int index, const std::vector<std::uint8_t>& value);

    // Ok(true) when a row is ready, Ok(false) when done.
    Result<bool> step();
    // Runs to completion, for statements that return no rows.
    Result<void> run();
    void reset();

    std::int64_t int64(int column) const { return sqlite3_column_int64(m_stmt, column); }
    int int32(int column) const { return sqlite3_column_int(m_stmt, column); }
    bool is_null(int column) const { return sqlite3_column_type(m_stmt, column) == SQLITE_NULL; }
    std::string text(int column) const;
    // Valid until the next step() or reset(): for hot loops that only compare.
    std::string_view view(int column) const;
    std::optional<std::int64_t> optional_int64(int column) const;
    std::vector<std::uint8_t> blob(int column) const;

private:
    sqlite3* m_db;
    sqlite3_stmt* m_stmt;
};

class Connection {
public:
    Connection() = default;
    explicit Connection(sqlite3* db) : m_db(db) {}
    ~Connection();
    Connection(Connection&& other) noexcept;
    Connection& operator=(Connection&& other) noexcept;

    sqlite3* get() const { return m_db; }

    // A prepared statement, compiled once per connection and reset for reuse.
    // The returned reference is valid until the next call with the same SQL.
    Result<Statement*> prepare(const char* sql);
    // Runs SQL without parameters (pragmas, DDL, BEGIN/COMMIT).
    Result<void> exec(const char* sql);
    Error error(const std::string& context) const;

private:
    void close();
    sqlite3* m_db = nullptr;
    std::map<const char*, std::unique_ptr<Statement>> m_cache;
};

// Maps a SQLite result code to an Error people can act on.
Error sqlite_error(sqlite3* db, int rc, const std::string& context);

}  // namespace clearpost::store::sqlite
