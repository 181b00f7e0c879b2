// Copying a whole database to another (SQLite to PostgreSQL for team mode,
// or back), table by table, through sql::Connection on both sides.

#include <deque>

#include "clearpost/store/store.h"
#include "sql.h"

namespace clearpost::store {
namespace {

// Every table, parents before children, so each row's references already
// exist when it arrives (posts.current_version_id is checked at commit).
constexpr const char* kTables[] = {
    "meta",           "organisation",    "approval_chain",   "users",           "social_accounts",
    "account_credentials", "media",       "consent_records",  "posts",           "post_versions",
    "version_targets", "version_media",  "approvals",        "post_consents",   "post_tags",       "targets",
    "publish_attempts", "metric_snapshots", "notices",       "publishing_pause", "audit_log",
    "settings",       "account_snapshots",
};

// Statements are cached by the address of their text, so text built here
// must stay put while the connections live: a deque never moves its strings.
class Texts {
public:
    const char* keep(std::string text) { return m_texts.emplace_back(std::move(text)).c_str(); }

private:
    std::deque<std::string> m_texts;
};

Result<std::int64_t> count_rows(sql::Connection& db, Texts& texts, const std::string& table) {
    CLEARPOST_ASSIGN(sql::Statement * st, db.prepare(texts.keep("SELECT count(*) FROM " + table)));
    CLEARPOST_ASSIGN(bool row, st->step());
    const std::int64_t n = row ? st->int64(0) : 0;
    st->reset();
    return n;
}

Result<std::int64_t> copy_table(sql::Connection& from, sql::Connection& to, Texts& texts, const std::string& table) {
    CLEARPOST_ASSIGN(sql::Statement * read, from.prepare(texts.keep("SELECT * FROM " + table + " ORDER BY 1")));
    sql::Statement* write = nullptr;
    std::int64_t rows = 0;
    while (true) {
        CLEARPOST_ASSIGN(bool row, read->step());
        if (!row) break;
        const int columns = read->column_count();
        if (!write) {
            std::string names, params;
            for (int c = 0; c < columns; ++c) {
                names += (c ? ", " : "") + read->column_name(c);
                params += (c ? ", ?" : "?") + std::to_string(c + 1);
            }
            CLEARPOST_ASSIGN(write, to.prepare(texts.keep("INSERT INTO " + table + "(" + names + ") VALUES (" +
                                                          params + ")")));
        }
        for (int c = 0; c < columns; ++c) {
            switch (read->kind(c)) {
            // Every nullable column of the schema is an integer (ids, times).
            case sql::Kind::Null: write->bind(c + 1, std::optional<std::int64_t>{}); break;
            case sql::Kind::Integer: write->bind(c + 1, read->int64(c)); break;
            case sql::Kind::Text: write->bind(c + 1, read->text(c)); break;
            case sql::Kind::Blob: write->bind_blob(c + 1, read->blob(c)); break;
            }
        }
        auto written = write->run();
        if (!written.ok()) {
            read->reset();
            return make_error(written.error().code, "copying " + table + ": " + written.error().message);
        }
        ++rows;
    }
    return rows;
}

}  // namespace

Result<std::vector<TableCopy>> copy_database(const std::string& from_location, const std::string& to_location) {
    CLEARPOST_ASSIGN(auto from, sql::connect(from_location, OpenMode::MustExist, MigrationPolicy::RequireCurrent));
    CLEARPOST_ASSIGN(auto to, sql::connect(to_location, OpenMode::CreateIfMissing, MigrationPolicy::Migrate));
    Texts texts;

    // The source is read in one snapshot while others may keep writing.
    CLEARPOST_CHECK(from->exec(from->dialect() == sql::Dialect::Postgres
                                   ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                                   : "BEGIN"));
    CLEARPOST_CHECK(to->begin());
    auto body = [&]() -> Result<std::vector<TableCopy>> {
        // A freshly set up database holds only its own id, which the copy
        // replaces with the source's (the audit key is named by it).
        for (const char* table : kTables) {
            CLEARPOST_ASSIGN(auto existing, count_rows(*to, texts, table));
            if (existing > 0 && std::string_view(table) != "meta") {
                return make_error(ErrorCode::Conflict, redact_uri(to_location) + " already holds Clearpost data (" +
                                                           table + "); copy into an empty database");
            }
        }
        CLEARPOST_CHECK(to->exec("DELETE FROM meta"));
        std::vector<TableCopy> copied;
        for (const char* table : kTables) {
            CLEARPOST_ASSIGN(auto rows, copy_table(*from, *to, texts, table));
            copied.push_back({table, rows});
        }
        for (const auto& c : copied) {
            CLEARPOST_ASSIGN(auto there, count_rows(*to, texts, c.table));
            CLEARPOST_ASSIGN(auto here, count_rows(*from, texts, c.table));
            if (there != c.rows || here != c.rows) {
                return make_error(ErrorCode::Storage, "the copy of " + c.table + " does not add up (" +
                                                          std::to_string(here) + " rows here, " +
                                                          std::to_string(there) + " there); nothing was kept");
            }
        }
        return copied;
    };
    auto result = body();
    (void)from->exec("COMMIT");
    if (!result.ok()) {
        (void)to->exec("ROLLBACK");
        return result;
    }
    CLEARPOST_CHECK(to->exec("COMMIT"));
    return result;
}

}  // namespace clearpost::store
