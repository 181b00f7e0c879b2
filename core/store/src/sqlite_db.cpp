#include "sqlite_db.h"

#include <cstring>
#include <fstream>
#include <utility>

#include "clearpost/store/store.h"
#include "migrations.h"

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

sql::Statement& Statement::bind(int index, std::int64_t value) {
    sqlite3_bind_int64(m_stmt, index, value);
    return *this;
}

sql::Statement& Statement::bind(int index, const std::string& value) {
    sqlite3_bind_text(m_stmt, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    return *this;
}

sql::Statement& Statement::bind(int index, std::optional<std::int64_t> value) {
    if (value) return bind(index, *value);
    sqlite3_bind_null(m_stmt, index);
    return *this;
}

sql::Statement& Statement::bind_blob(int index, const std::vector<std::uint8_t>& value) {
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

void Statement::reset() {
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

std::string_view Statement::view(int column) const {
    const auto* p = sqlite3_column_text(m_stmt, column);
    const int n = sqlite3_column_bytes(m_stmt, column);
    return p ? std::string_view(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n))
             : std::string_view();
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

Result<sql::Statement*> Connection::prepare(const char* sql) {
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

Result<bool> Connection::has_table(const char* name) {
    CLEARPOST_ASSIGN(sql::Statement * st, prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1"));
    st->bind(1, name);
    CLEARPOST_ASSIGN(bool row, st->step());
    const bool found = row && st->int64(0) > 0;
    st->reset();
    return found;
}

Result<void> Connection::checkpoint() {
    // PASSIVE never waits for readers or writers of other processes.
    const int rc = sqlite3_wal_checkpoint_v2(m_db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) return sqlite_error(m_db, rc, "checkpointing");
    return ok();
}

Result<void> Connection::backup_to(const std::filesystem::path& destination) {
    std::error_code ec;
    if (std::filesystem::exists(destination, ec)) {
        return make_error(ErrorCode::Conflict, destination.string() + " already exists; choose a new backup file");
    }
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(destination.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    Connection dest(raw);
    if (rc != SQLITE_OK) return sqlite_error(raw, rc, "creating the backup file");
    sqlite3_backup* backup = sqlite3_backup_init(dest.get(), "main", m_db, "main");
    if (!backup) return dest.error("starting the backup");
    // Copy in steps so writers in other processes are not starved; a step
    // that finds the source changed restarts transparently.
    do {
        rc = sqlite3_backup_step(backup, 256);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(20);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE) {
        auto err = sqlite_error(dest.get(), rc, "copying the database");
        dest = Connection();
        std::filesystem::remove(destination, ec);
        return err;
    }
    return ok();
}

}  // namespace clearpost::store::sqlite

namespace clearpost::store {
namespace {

using sqlite::Connection;

// Busy timeout: writers hold short transactions, so waiting a few seconds
// for another process beats failing.
constexpr int kBusyTimeoutMs = 5000;

Result<bool> looks_like_sqlite(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return make_error(ErrorCode::Io, "cannot read " + path.string() +
                                             "; check the file's permissions");
    }
    char header[16] = {};
    in.read(header, sizeof header);
    if (in.gcount() == 0) return false;  // empty file: nothing to protect, treat as new
    if (in.gcount() < 16 || std::memcmp(header, "SQLite format 3", 16) != 0) {
        return make_error(ErrorCode::Corrupt,
                          path.string() + " is not a Clearpost database (not an SQLite file); "
                                          "it was left untouched — check the --db path");
    }
    return true;
}

Result<void> apply_pragmas(Connection& db) {
    sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
    // FULL: a committed queue state survives power loss, not only a crash.
    CLEARPOST_CHECK(db.exec("PRAGMA journal_mode = WAL"));
    CLEARPOST_CHECK(db.exec("PRAGMA synchronous = FULL"));
    CLEARPOST_CHECK(db.exec("PRAGMA foreign_keys = ON"));
    return ok();
}

}  // namespace

int latest_schema_version() noexcept { return sqlite::kMigrations.back().version; }

Result<void> create_sqlite_at_version(const std::filesystem::path& path, int version) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    Connection db(raw);
    if (rc != SQLITE_OK) return sqlite::sqlite_error(raw, rc, "creating " + path.string());
    CLEARPOST_CHECK(apply_pragmas(db));
    return sql::migrate(db, sqlite::kMigrations, 0, version);
}

Result<std::unique_ptr<sql::Connection>> sql::connect_sqlite(const std::filesystem::path& path, OpenMode mode,
                                                            MigrationPolicy policy) {
    std::error_code ec;
    const bool exists = std::filesystem::exists(path, ec);
    if (!exists && mode == OpenMode::MustExist) {
        return make_error(ErrorCode::NotFound, "no database at " + path.string() +
                                                   "; create one with: clearpostctl init --admin NAME");
    }
    bool has_content = false;
    if (exists) {
        CLEARPOST_ASSIGN(has_content, looks_like_sqlite(path));
    } else if (path.has_parent_path()) {
        std::filesystem::create_directories(path.parent_path(), ec);
        if (ec) {
            return make_error(ErrorCode::Io, "cannot create the folder " +
                                                 path.parent_path().string() + ": " + ec.message());
        }
    }
    if (has_content == false && exists && mode == OpenMode::MustExist) {
        return make_error(ErrorCode::NotFound, path.string() + " is empty; create a database with: "
                                                               "clearpostctl init --admin NAME");
    }

    sqlite3* raw = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | (exists ? 0 : SQLITE_OPEN_CREATE) |
                      SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    auto db = std::make_unique<sqlite::Connection>(raw);
    if (rc != SQLITE_OK) return sqlite::sqlite_error(raw, rc, "opening " + path.string());

    // Read before writing anything: a damaged or newer database must be left
    // exactly as it is. Reading the schema touches every page header SQLite
    // needs, so a damaged file fails here.
    auto version = sql::read_schema_version(*db);
    if (!version.ok()) {
        return make_error(version.error().code == ErrorCode::Storage ? ErrorCode::Corrupt
                                                                      : version.error().code,
                          path.string() + " cannot be read as a Clearpost database (" +
                              version.error().message + "); it was left untouched");
    }
    const int latest = latest_schema_version();
    if (*version > latest) {
        return make_error(ErrorCode::Incompatible,
                          path.string() + " has schema version " + std::to_string(*version) +
                              ", newer than this program's " + std::to_string(latest) +
                              "; install a newer Clearpost. The database was left untouched");
    }
    if (*version == 0 && has_content) {
        // An SQLite file without our schema_version table is someone else's.
        CLEARPOST_ASSIGN(sql::Statement * count, db->prepare("SELECT count(*) FROM sqlite_master"));
        CLEARPOST_ASSIGN(bool row, count->step());
        const bool empty = row && count->int64(0) == 0;
        count->reset();
        if (!empty) {
            return make_error(ErrorCode::Incompatible,
                              path.string() + " is an SQLite file but not a Clearpost "
                                              "database; it was left untouched");
        }
    }
    if (*version < latest && *version > 0 && policy == MigrationPolicy::RequireCurrent) {
        return make_error(ErrorCode::Incompatible,
                          path.string() + " has schema version " + std::to_string(*version) +
                              "; this program needs " + std::to_string(latest) +
                              ". Back it up, then run: clearpostctl db migrate");
    }
    if (*version == 0 && mode == OpenMode::MustExist) {
        return make_error(ErrorCode::NotFound, path.string() + " holds no Clearpost data yet; "
                                                               "create it with: clearpostctl init");
    }

    CLEARPOST_CHECK(apply_pragmas(*db));
    if (*version < latest) CLEARPOST_CHECK(sql::migrate(*db, sqlite::kMigrations, *version, latest));
    return std::unique_ptr<sql::Connection>(std::move(db));
}

Result<std::unique_ptr<Store>> open_sqlite(const std::filesystem::path& path, OpenMode mode,
                                           MigrationPolicy policy) {
    CLEARPOST_ASSIGN(auto db, sql::connect_sqlite(path, mode, policy));
    return sql::make_store(std::move(db));
}

}  // namespace clearpost::store
