#include "clearpost/security/audit.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "clearpost/security/users.h"
#include "temp_dir.h"

using namespace clearpost;
using clearpost::testing::TempDir;

namespace {

struct AuditFixture {
    AuditFixture() {
        auto s = store::open_sqlite(db_path(), store::OpenMode::CreateIfMissing,
                                    store::MigrationPolicy::Migrate);
        REQUIRE(s.ok());
        store = std::move(*s);
        auto log = security::AuditLog::open(*store, dir / "config");
        REQUIRE(log.ok());
        audit = std::make_unique<security::AuditLog>(std::move(*log));
        for (int i = 1; i <= 5; ++i) {
            REQUIRE(store->transaction([&] {
                return audit->append({"ann", "post.submit", "post " + std::to_string(i), "Draft -> InReview"},
                                     1000 + i);
            }).ok());
            REQUIRE(audit->anchor().ok());
        }
    }
    std::filesystem::path db_path() const { return dir / "c.db"; }

    // Tampering as an attacker with file access would: drop the guard
    // triggers, then change rows directly.
    void tamper(const std::string& sql) {
        sqlite3* raw = nullptr;
        REQUIRE(sqlite3_open(db_path().c_str(), &raw) == SQLITE_OK);
        const std::string all = "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; " + sql;
        char* err = nullptr;
        const int rc = sqlite3_exec(raw, all.c_str(), nullptr, nullptr, &err);
        INFO((err ? err : ""));
        sqlite3_free(err);
        sqlite3_close(raw);
        REQUIRE(rc == SQLITE_OK);
    }

    security::AuditVerification verify() {
        auto r = audit->verify();
        REQUIRE(r.ok());
        return *r;
    }

    TempDir dir;
    std::unique_ptr<store::Store> store;
    std::unique_ptr<security::AuditLog> audit;
};

}  // namespace

TEST_CASE("an untouched audit chain verifies") {
    AuditFixture f;
    auto r = f.verify();
    CHECK(r.intact);
    CHECK(r.entries == 5);
    CHECK(r.problem.empty());
}

TEST_CASE("an edited audit entry is named") {
    AuditFixture f;
    f.tamper("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3");
    auto r = f.verify();
    CHECK_FALSE(r.intact);
    CHECK(r.first_bad_seq == 3);
    CHECK_THAT(r.problem, Catch::Contains("entry 3") && Catch::Contains("altered"));
}

TEST_CASE("a deleted audit entry in the middle is named") {
    AuditFixture f;
    f.tamper("DELETE FROM audit_log WHERE seq = 2");
    auto r = f.verify();
    CHECK_FALSE(r.intact);
    CHECK(r.first_bad_seq == 2);
    CHECK_THAT(r.problem, Catch::Contains("entry 2 is missing"));
}

TEST_CASE("deleting the newest audit entries is caught by the anchor") {
    AuditFixture f;
    f.tamper("DELETE FROM audit_log WHERE seq >= 4");
    auto r = f.verify();
    CHECK_FALSE(r.intact);
    CHECK(r.first_bad_seq == 4);
    CHECK_THAT(r.problem, Catch::Contains("deleted"));
}

TEST_CASE("an inserted audit entry is caught") {
    AuditFixture f;
    // Shift 4 and 5 up and forge a new 4 with a plausible (but unkeyed) MAC.
    f.tamper("UPDATE audit_log SET seq = seq + 10 WHERE seq >= 4;"
             "UPDATE audit_log SET seq = seq - 9 WHERE seq >= 14;"
             "INSERT INTO audit_log SELECT 4, at, 'mallory', action, subject, detail, mac, mac "
             "FROM audit_log WHERE seq = 3;");
    auto r = f.verify();
    CHECK_FALSE(r.intact);
    CHECK(r.first_bad_seq == 4);
}

TEST_CASE("reordered audit entries are caught") {
    AuditFixture f;
    f.tamper("UPDATE audit_log SET seq = 100 WHERE seq = 2;"
             "UPDATE audit_log SET seq = 2 WHERE seq = 3;"
             "UPDATE audit_log SET seq = 3 WHERE seq = 100;");
    auto r = f.verify();
    CHECK_FALSE(r.intact);
    CHECK(r.first_bad_seq == 2);
}

TEST_CASE("a rewritten tail with recomputed links still fails without the key") {
    AuditFixture f;
    // The attacker replaces the last entry and relinks prev_mac correctly.
    f.tamper("UPDATE audit_log SET detail = 'Draft -> Approved' WHERE seq = 5");
    auto r = f.verify();
    CHECK_FALSE(r.intact);
    CHECK(r.first_bad_seq == 5);
}

TEST_CASE("the audit key is a private file created once") {
    AuditFixture f;
    struct stat st {};
    REQUIRE(::stat(f.audit->key_path().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    // Reopening reads the same key: the chain still verifies.
    auto reopened = security::AuditLog::open(*f.store, f.dir / "config");
    REQUIRE(reopened.ok());
    CHECK(reopened->verify()->intact);
}

TEST_CASE("a lost audit key is reported, not silently replaced") {
    AuditFixture f;
    std::filesystem::remove(f.audit->key_path());
    auto reopened = security::AuditLog::open(*f.store, f.dir / "config");
    REQUIRE_FALSE(reopened.ok());
    CHECK(reopened.error().code == ErrorCode::NotFound);
    CHECK_THAT(reopened.error().message, Catch::Contains("restore"));
    CHECK_FALSE(std::filesystem::exists(f.audit->key_path()));
}

TEST_CASE("a readable-by-others audit key is refused") {
    AuditFixture f;
    ::chmod(f.audit->key_path().c_str(), 0644);
    auto reopened = security::AuditLog::open(*f.store, f.dir / "config");
    REQUIRE_FALSE(reopened.ok());
    CHECK_THAT(reopened.error().message, Catch::Contains("chmod 600"));
}

TEST_CASE("a deleted anchor is reported") {
    AuditFixture f;
    std::filesystem::remove(f.audit->anchor_path());
    auto r = f.verify();
    CHECK_FALSE(r.intact);
    CHECK_THAT(r.problem, Catch::Contains("anchor"));
}
