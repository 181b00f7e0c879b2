// File > Database...: the studio's saved choice and the check before it
// switches to a team database.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "clearpost/store/store.h"
#include "memory_keyring.h"
#include "presenters/database_choice.h"
#include "temp_dir.h"
#include "test_database.h"

using namespace clearpost;
using clearpost::testing::MemoryKeyring;
using clearpost::testing::TempDir;

TEST_CASE("the studio opens the database chosen last, kept without a password") {
    TempDir dir;
    const auto config = dir / "config";
    const auto embedded = dir / "data" / "clearpost.db";
    CHECK(gui::chosen_database(config, embedded) == embedded.string());

    const std::string team = "postgresql://anna@db.example.org/clearpost";
    REQUIRE(gui::choose_database(config, team).ok());
    CHECK(gui::chosen_database(config, embedded) == team);
    struct stat st {};
    REQUIRE(::stat((config / "studio-database").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);

    const auto with_password = gui::choose_database(config, "postgresql://anna:hunter2@db.example.org/clearpost");
    REQUIRE_FALSE(with_password.ok());
    CHECK_THAT(with_password.error().message, Catch::Contains("password"));
    CHECK(gui::chosen_database(config, embedded) == team);

    REQUIRE(gui::choose_database(config, "").ok());
    CHECK(gui::chosen_database(config, embedded) == embedded.string());
}

TEST_CASE("a team database address is checked before the studio switches to it") {
    MemoryKeyring keyring;
    auto file = gui::connect_team_database("/home/anna/clearpost.db", "pw", true, keyring);
    REQUIRE_FALSE(file.ok());
    CHECK_THAT(file.error().message, Catch::Contains("postgresql://"));

    auto inline_password = gui::connect_team_database("postgresql://anna:pw@db.example.org/c", "", true, keyring);
    REQUIRE_FALSE(inline_password.ok());
    CHECK_THAT(inline_password.error().message, Catch::Contains("Password field"));

    // Nothing listens on port 1: refused at once, and the password is not kept.
    auto dead = gui::connect_team_database("postgresql://anna@127.0.0.1:1/c?sslmode=disable&connect_timeout=2",
                                           "s3cret", true, keyring);
    REQUIRE_FALSE(dead.ok());
    CHECK_THAT(dead.error().message, !Catch::Contains("s3cret"));
    CHECK(keyring.entries.empty());
}

TEST_CASE("a reachable team database is opened with the typed password, kept only when asked", "[postgres]") {
    REQUIRE(testing::testing_postgres());  // run with CLEARPOST_TEST_POSTGRES (ctest sets it)
    TempDir dir;
    const auto uri = testing::test_database(dir);
    REQUIRE(store::open_store(uri, store::OpenMode::CreateIfMissing, store::MigrationPolicy::Migrate).ok());
    MemoryKeyring keyring;

    auto once = gui::connect_team_database(uri, "p@ss word", false, keyring);
    INFO((once.ok() ? "" : once.error().message));
    REQUIRE(once.ok());
    CHECK_THAT(*once, Catch::Contains("password=p%40ss%20word"));
    CHECK(keyring.entries.empty());

    auto kept = gui::connect_team_database(uri, "p@ss word", true, keyring);
    REQUIRE(kept.ok());
    REQUIRE(keyring.entries.size() == 1);
    CHECK(keyring.entries.begin()->second == "p@ss word");
    // Next time the field may stay empty: the keyring has it.
    auto stored = gui::connect_team_database(uri, "", false, keyring);
    REQUIRE(stored.ok());
    CHECK(*stored == *kept);

    // A database nobody set up is not switched to.
    auto empty = gui::connect_team_database(testing::test_database(dir), "", false, keyring);
    REQUIRE_FALSE(empty.ok());
    CHECK_THAT(empty.error().message, Catch::Contains("clearpostctl"));
}
