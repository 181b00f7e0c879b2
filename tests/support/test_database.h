#pragma once
// The database a test runs on. The store, workflow and dispatcher suites run
// twice under ctest: on SQLite, and with CLEARPOST_TEST_POSTGRES naming a
// throwaway PostgreSQL server (tests tagged [sqlite] are skipped there, and
// tests tagged [postgres] only run there).

#include <string>

#include "temp_dir.h"

namespace clearpost::testing {

bool testing_postgres();

// A new, empty database for one test: a file in `dir` (SQLite), or a fresh
// schema on the test server, named by a postgresql:// URI. Pass the result to
// store::open_store; open it again (another connection) with the same string.
std::string test_database(const TempDir& dir, const std::string& name = "clearpost.db");

// Runs SQL on `location` behind the store's back, as someone with direct
// access to the database would; returns the database's error text, or "".
std::string run_sql_directly(const std::string& location, const std::string& sql);

}  // namespace clearpost::testing
