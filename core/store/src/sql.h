#pragma once
// What the store needs from a database: prepared statements with bound
// values, plain commands, and the few things only one database can do
// (checkpoints, online backup). The queries themselves live once, in
// sql_store.cpp, written in the SQL that SQLite and PostgreSQL share;
// sqlite_db.cpp and pg_db.cpp each implement this interface.
//
// Parameters are written ?1, ?2, ... and always bound, never spliced.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "clearpost/base/result.h"
#include "clearpost/store/store.h"

namespace clearpost::store::sql {

enum class Dialect { Sqlite, Postgres };

// What a column of the current row holds (for copying rows whose shape the
// code does not spell out).
enum class Kind { Null, Integer, Text, Blob };

struct Migration {
    int version;
    const char* sql;
};

class Statement {
public:
    virtual ~Statement() = default;

    virtual Statement& bind(int index, std::int64_t value) = 0;
    Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    virtual Statement& bind(int index, const std::string& value) = 0;
    Statement& bind(int index, const char* value) { return bind(index, std::string(value)); }
    virtual Statement& bind(int index, std::optional<std::int64_t> value) = 0;
    virtual Statement& bind_blob(int index, const std::vector<std::uint8_t>& value) = 0;

    // Ok(true) when a row is ready, Ok(false) when done.
    virtual Result<bool> step() = 0;
    // Runs to completion, for statements that return no rows.
    Result<void> run() {
        auto more = step();
        while (more.ok() && *more) more = step();
        reset();
        if (!more.ok()) return std::move(more).error();
        return ok();
    }
    // Ends the current execution and clears the bound values.
    virtual void reset() = 0;

    virtual std::int64_t int64(int column) const = 0;
    int int32(int column) const { return static_cast<int>(int64(column)); }
    virtual bool is_null(int column) const = 0;
    std::string text(int column) const { return std::string(view(column)); }
    // Valid until the next step() or reset(): for hot loops that only compare.
    virtual std::string_view view(int column) const = 0;
    std::optional<std::int64_t> optional_int64(int column) const {
        if (is_null(column)) return std::nullopt;
        return int64(column);
    }
    virtual std::vector<std::uint8_t> blob(int column) const = 0;

    virtual int column_count() const = 0;
    virtual std::string column_name(int column) const = 0;
    virtual Kind kind(int column) const = 0;
};

class Connection {
public:
    virtual ~Connection() = default;

    virtual Dialect dialect() const = 0;
    // A prepared statement, compiled once per connection and reset for reuse.
    // `sql` must be a string literal (the cache is keyed by its address).
    virtual Result<Statement*> prepare(const char* sql) = 0;
    // Runs SQL without parameters (DDL, BEGIN/COMMIT); may hold several statements.
    virtual Result<void> exec(const char* sql) = 0;
    // Rows changed by the last INSERT, UPDATE or DELETE.
    virtual std::int64_t changes() const = 0;
    // Starts a write transaction (SQLite: takes the write lock at once).
    virtual Result<void> begin() = 0;
    virtual Result<bool> has_table(const char* name) = 0;

    // Announcements to listening connections, delivered at commit (PostgreSQL
    // LISTEN/NOTIFY); SQLite drops them and its wait only sleeps.
    virtual Result<void> notify(const std::string& payload) = 0;
    virtual Result<void> listen() = 0;
    virtual Result<std::vector<std::string>> wait_for_notifications(int timeout_ms) = 0;

    virtual Result<void> defer_checkpoints() = 0;
    virtual Result<void> checkpoint() = 0;
    virtual Result<void> backup_to(const std::filesystem::path& destination) = 0;
};

// The schema version recorded in the database; 0 when it has none.
Result<int> read_schema_version(Connection& db);
// Applies migrations (from, up_to] in one transaction; a new database (from 0)
// also gets its schema_version table and a random database id.
Result<void> migrate(Connection& db, std::span<const Migration> migrations, int from, int up_to);
// The store over an open, migrated connection.
std::unique_ptr<Store> make_store(std::unique_ptr<Connection> db);

// A connection to `location` (file or postgresql:// URI), checked and
// migrated as store::open_store does.
Result<std::unique_ptr<Connection>> connect(const std::string& location, OpenMode mode, MigrationPolicy policy);
Result<std::unique_ptr<Connection>> connect_sqlite(const std::filesystem::path& path, OpenMode mode,
                                                   MigrationPolicy policy);
Result<std::unique_ptr<Connection>> connect_postgres(const std::string& uri, OpenMode mode, MigrationPolicy policy);

}  // namespace clearpost::store::sql
