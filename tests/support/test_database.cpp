#include "test_database.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <stdexcept>

namespace clearpost::testing {
namespace {

const char* server_uri() { return std::getenv("CLEARPOST_TEST_POSTGRES"); }

std::string run_on_postgres(const std::string& uri, const std::string& sql) {
    PGconn* conn = PQconnectdb(uri.c_str());
    std::string error;
    if (PQstatus(conn) != CONNECTION_OK) {
        error = PQerrorMessage(conn);
    } else {
        PGresult* r = PQexec(conn, sql.c_str());
        const auto status = PQresultStatus(r);
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) error = PQresultErrorMessage(r);
        PQclear(r);
    }
    PQfinish(conn);
    return error;
}

}  // namespace

bool testing_postgres() {
    const char* uri = server_uri();
    return uri && *uri;
}

std::string test_database(const TempDir& dir, const std::string& name) {
    if (!testing_postgres()) return (dir / name).string();
    // A schema per test: cheap to make, and the cluster is thrown away after
    // the run. The name is unique across the parallel test processes.
    static std::atomic<int> counter{0};
    const std::string schema = "t" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
    const std::string base = server_uri();
    const std::string error = run_on_postgres(base, "CREATE SCHEMA " + schema);
    if (!error.empty()) throw std::runtime_error("cannot create a test schema: " + error);
    // search_path=<schema> through the connection's options (URI-encoded "=").
    return base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema;
}

std::string run_sql_directly(const std::string& location, const std::string& sql) {
    if (location.starts_with("postgresql://")) return run_on_postgres(location, sql);
    sqlite3* db = nullptr;
    std::string error;
    if (sqlite3_open(location.c_str(), &db) != SQLITE_OK) {
        error = sqlite3_errmsg(db);
    } else {
        char* message = nullptr;
        if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK)
            error = message ? message : "failed";
        sqlite3_free(message);
    }
    sqlite3_close(db);
    return error;
}

}  // namespace clearpost::testing
