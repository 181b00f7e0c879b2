#include "clearpost/store/store.h"

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <algorithm>
#include <atomic>
#include <iterator>
#include <map>
#include <thread>

#include "temp_dir.h"
#include "test_database.h"

using namespace clearpost;
using clearpost::testing::run_sql_directly;
using clearpost::testing::TempDir;
using clearpost::testing::test_database;
using clearpost::testing::testing_postgres;

namespace {

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

void run_sql(const std::string& db, const char* sql) { REQUIRE(run_sql_directly(db, sql) == ""); }

// A user, an account, a post with one version: what a target needs.
struct Seed {
    model::Id user = 0, account = 0, post = 0, version = 0;
};

Seed seed(store::Store& s) {
    Seed out;
    model::User u;
    u.name = "ann";
    u.password_hash = "x";
    out.user = *s.insert_user(u);
    out.account = *s.insert_account({0, "bluesky", "a.example", "connected"});
    out.post = *s.insert_post(out.user, 1);
    store::NewVersion v;
    v.post_id = out.post;
    v.number = 1;
    v.author_id = out.user;
    v.content.text = "t";
    v.content_hash = "h";
    out.version = *s.insert_version(v);
    return out;
}

model::Target target_at(const Seed& seed, UnixSeconds at, const std::string& key) {
    model::Target t;
    t.post_id = seed.post;
    t.version_id = seed.version;
    t.account_id = seed.account;
    t.scheduled_at = at;
    t.idempotency_key = key;
    return t;
}

std::unique_ptr<store::Store> create(const std::string& location) {
    auto s = store::open_store(location, store::OpenMode::CreateIfMissing, store::MigrationPolicy::Migrate);
    INFO((s.ok() ? "" : s.error().message));
    REQUIRE(s.ok());
    return std::move(*s);
}

std::unique_ptr<store::Store> create(const std::filesystem::path& path) { return create(path.string()); }

}  // namespace

TEST_CASE("a new database is migrated from empty to the latest schema") {
    TempDir dir;
    const auto location = testing_postgres() ? test_database(dir) : (dir / "sub" / "clearpost.db").string();
    auto s = create(location);
    CHECK(*s->schema_version() == store::latest_schema_version());
    CHECK(s->database_id()->size() == 32);
    // Opening again keeps the same id and version.
    const auto id = *s->database_id();
    s.reset();
    auto again = store::open_store(location, store::OpenMode::MustExist, store::MigrationPolicy::RequireCurrent);
    REQUIRE(again.ok());
    CHECK(*(*again)->database_id() == id);
}

TEST_CASE("the store runs in WAL mode with foreign keys and full sync", "[sqlite]") {
    TempDir dir;
    auto s = create(dir / "c.db");
    s.reset();
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open((dir / "c.db").c_str(), &raw) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &st, nullptr);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) == "wal");
    sqlite3_finalize(st);
    sqlite3_close(raw);
    // Foreign keys are enforced on the store's own connection.
    auto s2 = store::open_sqlite(dir / "c.db", store::OpenMode::MustExist,
                                 store::MigrationPolicy::RequireCurrent);
    auto bad = (*s2)->insert_post(4242, 0);  // no such user
    REQUIRE_FALSE(bad.ok());
}

TEST_CASE("a database from a newer Clearpost is refused and left untouched", "[sqlite]") {
    TempDir dir;
    const auto path = dir / "newer.db";
    create(path).reset();
    run_sql(path, "INSERT INTO schema_version(version, applied_at) VALUES (999, 0)");
    run_sql(path, "PRAGMA wal_checkpoint(TRUNCATE)");
    const auto before = read_file(path);
    auto s = store::open_sqlite(path, store::OpenMode::MustExist, store::MigrationPolicy::Migrate);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == ErrorCode::Incompatible);
    CHECK_THAT(s.error().message, Catch::Contains("999") && Catch::Contains("newer"));
    CHECK(read_file(path) == before);
}

TEST_CASE("a file that is not SQLite is refused and never overwritten", "[sqlite]") {
    TempDir dir;
    const auto path = dir / "notes.db";
    {
        std::ofstream out(path, std::ios::binary);
        out << "These are my meeting notes, not a database.\n";
    }
    const auto before = read_file(path);
    for (auto mode : {store::OpenMode::CreateIfMissing, store::OpenMode::MustExist}) {
        auto s = store::open_sqlite(path, mode, store::MigrationPolicy::Migrate);
        REQUIRE_FALSE(s.ok());
        CHECK(s.error().code == ErrorCode::Corrupt);
        CHECK_THAT(s.error().message, Catch::Contains("left untouched"));
    }
    CHECK(read_file(path) == before);
}

TEST_CASE("a damaged SQLite file is refused and left as it was", "[sqlite]") {
    TempDir dir;
    const auto path = dir / "damaged.db";
    create(path).reset();
    run_sql(path, "PRAGMA wal_checkpoint(TRUNCATE)");
    auto bytes = read_file(path);
    // Keep the header, scramble the schema page.
    for (std::size_t i = 100; i < 4096 && i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7);
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << bytes;
    }
    auto s = store::open_sqlite(path, store::OpenMode::MustExist, store::MigrationPolicy::Migrate);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == ErrorCode::Corrupt);
    CHECK(read_file(path) == bytes);
}

TEST_CASE("an SQLite file of another program is not taken over", "[sqlite]") {
    TempDir dir;
    const auto path = dir / "other.db";
    run_sql(path, "CREATE TABLE recipes(name TEXT)");
    auto s = store::open_sqlite(path, store::OpenMode::CreateIfMissing, store::MigrationPolicy::Migrate);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == ErrorCode::Incompatible);
}

TEST_CASE("a missing database is reported with the command that creates it", "[sqlite]") {
    TempDir dir;
    auto s = store::open_sqlite(dir / "none.db", store::OpenMode::MustExist,
                                store::MigrationPolicy::RequireCurrent);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == ErrorCode::NotFound);
    CHECK_THAT(s.error().message, Catch::Contains("clearpostctl init"));
    CHECK_FALSE(std::filesystem::exists(dir / "none.db"));
}

TEST_CASE("post versions and the audit log refuse updates") {
    TempDir dir;
    const auto path = test_database(dir);
    auto s = create(path);
    model::User u;
    u.name = "ann";
    u.password_hash = "x";
    const auto uid = *s->insert_user(u);
    const auto pid = *s->insert_post(uid, 1);
    store::NewVersion v;
    v.post_id = pid;
    v.number = 1;
    v.author_id = uid;
    v.content.text = "hello";
    v.content_hash = model::content_hash(v.content);
    REQUIRE(s->insert_version(v).ok());
    REQUIRE(s->append_audit({1, 1, "a", "b", "c", "d", std::string(64, '0'), std::string(64, '1')}).ok());
    s.reset();
    CHECK_THAT(run_sql_directly(path, "UPDATE post_versions SET body = 'x'"), Catch::Contains("immutable"));
    CHECK_THAT(run_sql_directly(path, "UPDATE audit_log SET actor = 'x'"), Catch::Contains("append-only"));
    CHECK_THAT(run_sql_directly(path, "DELETE FROM audit_log"), Catch::Contains("append-only"));
}

TEST_CASE("claims hand each due target to one owner until its lease expires") {
    TempDir dir;
    auto s = create(test_database(dir));
    const auto seeded = seed(*s);
    for (int i = 0; i < 5; ++i)  // due at 1000, 1100, ... 1400
        REQUIRE(s->insert_target(target_at(seeded, 1000 + i * 100, "k" + std::to_string(i))).ok());
    auto first = *s->claim_due("a", 1250, 60, 10);
    REQUIRE(first.size() == 3);
    for (const auto& t : first) {
        CHECK(t.state == model::State::Publishing);
        CHECK(t.lease_owner == "a");
        CHECK(t.lease_expires_at == 1310);
    }
    CHECK(s->claim_due("b", 1250, 60, 10)->empty());       // held by a
    CHECK(s->claim_due("b", 1300, 60, 10)->size() == 1);  // only the one that became due
    auto taken_over = *s->claim_due("c", 1310, 60, 10);   // a's leases expired; b's did not
    REQUIRE(taken_over.size() == 3);
    for (const auto& t : taken_over) CHECK(t.scheduled_at <= 1200);
    CHECK(s->calendar(1000, 1300)->size() == 3);
    CHECK(s->calendar(0, 5000)->size() == 5);
}

TEST_CASE("shards split accounts between workers and a held account waits everywhere") {
    TempDir dir;
    auto s = create(test_database(dir));
    const auto seeded = seed(*s);
    Seed other = seeded;
    other.account = *s->insert_account({0, "bluesky", "b.example", "connected"});
    REQUIRE(s->insert_target(target_at(seeded, 100, "a1")).ok());
    REQUIRE(s->insert_target(target_at(seeded, 150, "a2")).ok());
    REQUIRE(s->insert_target(target_at(other, 120, "b1")).ok());
    const store::ClaimShard of_a{static_cast<int>(seeded.account % 2), 2};
    const store::ClaimShard of_b{static_cast<int>(other.account % 2), 2};
    REQUIRE(of_a.index != of_b.index);
    CHECK(**s->next_due_at(of_a) == 100);
    CHECK(**s->next_due_at(of_b) == 120);
    CHECK(**s->next_due_at() == 100);

    // A network asked account a to wait until 500: none of its targets is
    // claimable before, in any shard, and the next due time says so.
    REQUIRE(s->hold_account(seeded.account, 500, "slow down").ok());
    CHECK(s->claim_due("w", 400, 60, 10, of_a)->empty());
    CHECK(**s->next_due_at(of_a) == 500);
    auto b = *s->claim_due("w", 400, 60, 10);
    REQUIRE(b.size() == 1);
    CHECK(b[0].account_id == other.account);
    // A shorter hold never shortens a longer one.
    REQUIRE(s->hold_account(seeded.account, 450, "again").ok());
    CHECK(s->claim_due("w", 499, 60, 10, of_a)->empty());
    CHECK(s->claim_due("w", 500, 60, 10, of_a)->size() == 2);
    // Only leases left: due when the earliest expires.
    CHECK(**s->next_due_at() == 460);

    REQUIRE(s->set_pause(store::PauseState{1, "ann", "crisis"}).ok());
    CHECK_FALSE(s->next_due_at()->has_value());
}

TEST_CASE("an account's attempts are counted over a window for its rate budget") {
    TempDir dir;
    auto s = create(test_database(dir));
    const auto seeded = seed(*s);
    const auto t = *s->insert_target(target_at(seeded, 100, "k"));
    for (UnixSeconds at : {100, 200, 300}) REQUIRE(s->begin_attempt(t, "k", at).ok());
    CHECK(*s->attempts_since(seeded.account, 150) == std::pair<int, UnixSeconds>{2, 200});
    CHECK(s->attempts_since(seeded.account, 301)->first == 0);
    CHECK(s->attempts_since(seeded.account + 1, 0)->first == 0);
}

TEST_CASE("metrics snapshots are appended on their schedule, never overwritten") {
    TempDir dir;
    auto s = create(test_database(dir));
    const auto seeded = seed(*s);
    const auto t = *s->insert_target(target_at(seeded, 100, "k"));
    CHECK(s->metrics_due(10'000, 10)->empty());  // not published: nothing to measure
    REQUIRE(s->claim_due("w", 100, 60, 10)->size() == 1);
    store::TargetOutcome published;
    published.target_id = t;
    published.remote_id = "at://post";
    published.metrics_at = 3700;
    REQUIRE(*s->finish_target(published, "w", 100));
    CHECK(s->metrics_due(3699, 10)->empty());
    auto due = *s->metrics_due(3700, 10);
    REQUIRE(due.size() == 1);
    CHECK(due[0].remote_id == "at://post");
    CHECK(due[0].published_at == 100);
    CHECK(due[0].fetches == 0);

    REQUIRE(s->add_metric_snapshot({t, 3700, R"({"likes":1})"}).ok());
    REQUIRE(s->advance_metrics(t, true, 21700).ok());
    REQUIRE(s->advance_metrics(t, false, 30000).ok());  // a failed fetch moves the next one
    CHECK(s->metrics_due(29999, 10)->empty());
    CHECK(s->metrics_due(30000, 10)->at(0).fetches == 1);
    REQUIRE(s->add_metric_snapshot({t, 30000, R"({"likes":4})"}).ok());
    REQUIRE(s->advance_metrics(t, true, std::nullopt).ok());
    CHECK(s->metrics_due(1'000'000'000, 10)->empty());  // schedule finished
    auto history = *s->metric_snapshots(t);
    REQUIRE(history.size() == 2);
    CHECK(history[0].metrics_json == R"({"likes":1})");
    CHECK(history[1].fetched_at == 30000);
}

TEST_CASE("notices are e-mailed once and settings keep their last value") {
    TempDir dir;
    auto s = create(test_database(dir));
    const auto seeded = seed(*s);
    REQUIRE(*s->add_notice({0, 10, "publish_failed", seeded.account, std::nullopt, "Post 1: refused"}));
    auto pending = *s->notices_to_email();
    REQUIRE(pending.size() == 1);
    REQUIRE(s->mark_notice_emailed(pending[0].id, 20).ok());
    CHECK(s->notices_to_email()->empty());
    CHECK(s->open_notices()->size() == 1);  // sent, but still open for the studio

    CHECK_FALSE(s->setting("smtp")->has_value());
    REQUIRE(s->set_setting("smtp", "a").ok());
    REQUIRE(s->set_setting("smtp", "b").ok());
    CHECK(**s->setting("smtp") == "b");
}

TEST_CASE("an online backup is a complete, openable copy", "[sqlite]") {
    TempDir dir;
    auto s = create(dir / "c.db");
    model::User u;
    u.name = "ann";
    u.password_hash = "x";
    REQUIRE(s->insert_user(u).ok());
    REQUIRE(s->backup_to(dir / "copy.db").ok());
    auto copy = store::open_sqlite(dir / "copy.db", store::OpenMode::MustExist,
                                   store::MigrationPolicy::RequireCurrent);
    REQUIRE(copy.ok());
    CHECK((*copy)->list_users()->size() == 1);
    CHECK(*(*copy)->database_id() == *s->database_id());
    auto again = s->backup_to(dir / "copy.db");
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == ErrorCode::Conflict);
}

TEST_CASE("an older database is refused until migrated, then keeps its data", "[sqlite]") {
    TempDir dir;
    const auto path = dir / "old.db";
    REQUIRE(store::create_sqlite_at_version(path, 1).ok());
    run_sql(path, "INSERT INTO users(name, role, password_hash, created_at) VALUES ('ann', 'admin', 'x', 0)");
    auto strict = store::open_sqlite(path, store::OpenMode::MustExist, store::MigrationPolicy::RequireCurrent);
    REQUIRE_FALSE(strict.ok());
    CHECK(strict.error().code == ErrorCode::Incompatible);
    CHECK_THAT(strict.error().message, Catch::Contains("clearpostctl db migrate"));
    auto migrated = store::open_sqlite(path, store::OpenMode::MustExist, store::MigrationPolicy::Migrate);
    REQUIRE(migrated.ok());
    CHECK(*(*migrated)->schema_version() == store::latest_schema_version());
    CHECK((*migrated)->list_users()->at(0).name == "ann");
    CHECK_FALSE((*migrated)->pause_state()->has_value());  // a table of migration 2
}

TEST_CASE("the emergency pause stops every claim until it is lifted") {
    TempDir dir;
    auto s = create(test_database(dir));
    REQUIRE(s->insert_target(target_at(seed(*s), 100, "k")).ok());
    REQUIRE(s->set_pause(store::PauseState{50, "ann", "crisis"}).ok());
    CHECK(s->claim_due("w", 200, 60, 10)->empty());
    CHECK((*s->pause_state())->reason == "crisis");
    REQUIRE(s->set_pause(std::nullopt).ok());
    CHECK(s->claim_due("w", 200, 60, 10)->size() == 1);
}

TEST_CASE("an online backup taken while another connection writes is consistent", "[sqlite]") {
    TempDir dir;
    const auto path = dir / "busy.db";
    create(path).reset();
    std::atomic<bool> stop{false};
    std::atomic<int> written{0};
    // One connection per thread, as in the application.
    std::thread writer([&] {
        auto w = store::open_sqlite(path, store::OpenMode::MustExist, store::MigrationPolicy::RequireCurrent);
        if (!w.ok()) return;  // Catch2 assertions are for the main thread; the count check below fails instead
        for (int i = 0; !stop || i < 50; ++i) {
            model::User u;
            u.name = "user" + std::to_string(i);
            u.password_hash = "x";
            if ((*w)->insert_user(u).ok()) ++written;
            if (i > 5000) break;
        }
    });
    for (int spins = 0; written < 20 && spins < 10000000; ++spins) std::this_thread::yield();
    auto reader = store::open_sqlite(path, store::OpenMode::MustExist, store::MigrationPolicy::RequireCurrent);
    REQUIRE(reader.ok());
    REQUIRE((*reader)->backup_to(dir / "copy.db").ok());
    stop = true;
    writer.join();
    auto copy = store::open_sqlite(dir / "copy.db", store::OpenMode::MustExist, store::MigrationPolicy::RequireCurrent);
    REQUIRE(copy.ok());
    const auto users = (*copy)->list_users()->size();
    CHECK(users >= 20);
    CHECK(users <= static_cast<std::size_t>(written.load()));
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open((dir / "copy.db").c_str(), &raw) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(raw, "PRAGMA integrity_check", -1, &st, nullptr);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) == "ok");
    sqlite3_finalize(st);
    sqlite3_close(raw);
}

TEST_CASE("workers claiming at once on their own connections never get the same target") {
    TempDir dir;
    const auto location = test_database(dir);
    auto s = create(location);
    const auto seeded = seed(*s);
    constexpr int kTargets = 400;
    REQUIRE(s->transaction([&]() -> Result<void> {
                 for (int i = 0; i < kTargets; ++i) {
                     auto id = s->insert_target(target_at(seeded, 100 + i, "k" + std::to_string(i)));
                     if (!id.ok()) return std::move(id).error();
                 }
                 return ok();
             }).ok());
    // One connection per thread, as in the service; claims in small batches
    // so that the workers really do run into each other.
    std::vector<std::vector<model::Id>> claimed(4);
    std::atomic<int> failures{0};
    std::vector<std::thread> workers;
    for (std::size_t w = 0; w < claimed.size(); ++w) {
        workers.emplace_back([&, w] {
            auto mine = store::open_store(location, store::OpenMode::MustExist, store::MigrationPolicy::RequireCurrent);
            if (!mine.ok()) {
                ++failures;
                return;
            }
            while (true) {
                auto got = (*mine)->claim_due("worker" + std::to_string(w), 10000, 600, 7);
                if (!got.ok()) {
                    ++failures;
                    return;
                }
                if (got->empty()) return;
                for (const auto& t : *got) claimed[w].push_back(t.id);
            }
        });
    }
    for (auto& t : workers) t.join();
    CHECK(failures == 0);
    std::vector<model::Id> all;
    for (const auto& c : claimed) all.insert(all.end(), c.begin(), c.end());
    std::sort(all.begin(), all.end());
    CHECK(all.size() == kTargets);
    CHECK(std::adjacent_find(all.begin(), all.end()) == all.end());
}

TEST_CASE("a PostgreSQL database that is newer or someone else's is refused and left untouched", "[postgres]") {
    TempDir dir;
    const auto newer = test_database(dir);
    create(newer).reset();
    run_sql(newer, "INSERT INTO schema_version(version, applied_at) VALUES (999, 0)");
    auto s = store::open_store(newer, store::OpenMode::MustExist, store::MigrationPolicy::Migrate);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == ErrorCode::Incompatible);
    CHECK_THAT(s.error().message, Catch::Contains("999") && Catch::Contains("newer"));

    const auto other = test_database(dir);
    run_sql(other, "CREATE TABLE recipes(name TEXT)");
    auto taken = store::open_store(other, store::OpenMode::CreateIfMissing, store::MigrationPolicy::Migrate);
    REQUIRE_FALSE(taken.ok());
    CHECK(taken.error().code == ErrorCode::Incompatible);
    CHECK_THAT(run_sql_directly(other, "SELECT * FROM schema_version"), Catch::Contains("does not exist"));

    auto empty = store::open_store(test_database(dir), store::OpenMode::MustExist,
                                   store::MigrationPolicy::RequireCurrent);
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.error().code == ErrorCode::NotFound);
    CHECK_THAT(empty.error().message, Catch::Contains("clearpostctl"));

    // Copies of a server database are the server's business.
    auto backup = create(test_database(dir))->backup_to(dir / "copy.db");
    REQUIRE_FALSE(backup.ok());
    CHECK_THAT(backup.error().message, Catch::Contains("pg_dump"));
    CHECK_FALSE(std::filesystem::exists(dir / "copy.db"));
}

TEST_CASE("restored rows keep their ids and new rows are numbered after them", "[postgres]") {
    TempDir dir;
    auto s = create(test_database(dir));
    REQUIRE(s->transaction([&]() -> Result<void> {
                 return s->restore_account({41, "bluesky", "a.example", "connected"});
             }).ok());
    const auto next = s->insert_account({0, "mastodon", "@b@example.org", "connected"});
    REQUIRE(next.ok());
    CHECK(*next == 42);
    CHECK((*s->find_account(41))->handle == "a.example");
}

TEST_CASE("a connection error names the server but never the password") {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    auto s = store::open_store("postgresql://ann:s3cret-pw@127.0.0.1:1/clearpost?sslmode=disable&connect_timeout=2",
                               store::OpenMode::MustExist, store::MigrationPolicy::RequireCurrent);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == ErrorCode::Storage);
    CHECK_THAT(s.error().message, Catch::Contains("127.0.0.1") && Catch::Contains("ann:***@"));
    CHECK_THAT(s.error().message, !Catch::Contains("s3cret-pw"));
    CHECK(store::redact_uri("postgresql:///db?host=/run&password=hunter2&user=x") ==
          "postgresql:///db?host=/run&password=***&user=x");
    CHECK(store::redact_uri("/home/ann/clearpost.db") == "/home/ann/clearpost.db");
    CHECK(store::uri_without_password("postgresql://ann:s3cret@db:5432/c?sslmode=require") ==
          "postgresql://ann@db:5432/c?sslmode=require");
    CHECK(store::uri_without_password("postgresql:///c?password=a&user=x&sslpassword=k") ==
          "postgresql:///c?user=x&sslpassword=k");
    CHECK(store::uri_without_password("postgresql:///c?user=x&password=a") == "postgresql:///c?user=x");
    CHECK(store::uri_without_password("postgresql://db/c?host=/run/pg@x") == "postgresql://db/c?host=/run/pg@x");
}

TEST_CASE("a SQLite database copied to PostgreSQL and back keeps every row, id and byte", "[postgres]") {
    TempDir dir;
    const auto file = (dir / "desk.db").string();
    auto s = create(file);
    const auto seeded = seed(*s);
    const auto target = *s->insert_target(target_at(seeded, 100, "k1"));
    const std::vector<std::uint8_t> sealed{0, 1, 2, 0xfe, 0xff, 0x5c, 0x78};
    REQUIRE(s->set_sealed_credentials(seeded.account, sealed, 5).ok());
    REQUIRE(s->add_metric_snapshot({target, 200, R"({"likes":3})"}).ok());
    REQUIRE(*s->add_notice({0, 10, "publish_failed", std::nullopt, std::nullopt, "Post 1: refused"}));
    REQUIRE(s->append_audit({1, 1, "ann", "post.create", "post 1", "v1", std::string(64, '0'), std::string(64, '1')}).ok());
    REQUIRE(s->set_setting("smtp", "relay").ok());
    REQUIRE(s->set_post_tags(seeded.post, {"campaign-a", "flu"}).ok());
    const auto id = *s->database_id();
    const auto version = *s->version(seeded.version);
    s.reset();

    const auto server = test_database(dir);
    auto copied = store::copy_database(file, server);
    INFO((copied.ok() ? "" : copied.error().message));
    REQUIRE(copied.ok());
    std::map<std::string, std::int64_t> rows;
    for (const auto& t : *copied) rows[t.table] = t.rows;
    CHECK(rows["users"] == 1);
    CHECK(rows["targets"] == 1);
    CHECK(rows["audit_log"] == 1);
    CHECK(rows["meta"] == 1);
    CHECK(rows["post_tags"] == 2);

    auto check = [&](store::Store& db) {
        CHECK(*db.database_id() == id);
        CHECK(db.list_users()->at(0).name == "ann");
        CHECK(**db.sealed_credentials(seeded.account) == sealed);
        auto v = *db.version(seeded.version);
        CHECK(v.content_hash == version.content_hash);
        CHECK(v.content.text == version.content.text);
        CHECK((*db.find_target(target))->idempotency_key == "k1");
        CHECK(db.metric_snapshots(target)->at(0).metrics_json == R"({"likes":3})");
        auto notices = *db.open_notices();
        REQUIRE(notices.size() == 1);
        CHECK_FALSE(notices[0].account_id.has_value());
        CHECK((*db.last_audit())->mac == std::string(64, '1'));
        CHECK(**db.setting("smtp") == "relay");
        CHECK(*db.tags_of(seeded.post) == std::vector<std::string>{"campaign-a", "flu"});
        // New rows are numbered after the copied ones.
        CHECK(*db.insert_account({0, "mastodon", "@c@example.org", "connected"}) > seeded.account);
    };
    auto there = store::open_store(server, store::OpenMode::MustExist, store::MigrationPolicy::RequireCurrent);
    REQUIRE(there.ok());
    check(**there);

    // Into a database that already holds data: refused, nothing changed.
    auto again = store::copy_database(file, server);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == ErrorCode::Conflict);
    CHECK((*there)->list_accounts()->size() == 2);

    // And back out of team mode, into a new file.
    const auto back = (dir / "back.db").string();
    REQUIRE(store::copy_database(server, back).ok());
    auto returned = store::open_store(back, store::OpenMode::MustExist, store::MigrationPolicy::RequireCurrent);
    REQUIRE(returned.ok());
    CHECK((*returned)->list_accounts()->size() == 2);
    CHECK(**(*returned)->sealed_credentials(seeded.account) == sealed);
    CHECK((*returned)->tags_of(seeded.post)->size() == 2);
}

TEST_CASE("a state change reaches a listening connection at commit, not before", "[postgres]") {
    TempDir dir;
    const auto location = test_database(dir);
    auto writer = create(location);
    const auto seeded = seed(*writer);
    auto opened = store::open_store(location, store::OpenMode::MustExist, store::MigrationPolicy::RequireCurrent);
    REQUIRE(opened.ok());
    auto& listener = **opened;
    REQUIRE(listener.listen().ok());
    CHECK(listener.wait_for_changes(50)->empty());

    bool heard_early = true;
    REQUIRE(writer->transaction([&]() -> Result<void> {
                     CLEARPOST_CHECK(writer->update_post(seeded.post, model::State::InReview, seeded.version, 5));
                     CLEARPOST_ASSIGN(auto early, listener.wait_for_changes(100));
                     heard_early = !early.empty();
                     return ok();
                 }).ok());
    CHECK_FALSE(heard_early);
    auto heard = listener.wait_for_changes(1000);  // delivered at the commit: well within the second
    REQUIRE(heard.ok());
    REQUIRE(heard->size() == 1);
    CHECK(heard->at(0).kind == "post");
    CHECK(heard->at(0).id == seeded.post);
    CHECK(heard->at(0).state == "InReview");

    const auto target = *writer->insert_target(target_at(seeded, 100, "k"));
    REQUIRE(writer->set_target_state(target, model::State::Published, "", 200).ok());
    heard = listener.wait_for_changes(1000);
    REQUIRE(heard.ok());
    REQUIRE(heard->size() == 1);
    CHECK(heard->at(0).kind == "target");
    CHECK(heard->at(0).id == target);
    CHECK(heard->at(0).state == "Published");
}

TEST_CASE("an account's refresh lock holds across connections to one PostgreSQL database", "[postgres]") {
    TempDir dir;
    const auto location = test_database(dir);
    auto first = create(location);
    auto second = store::open_store(location, store::OpenMode::MustExist, store::MigrationPolicy::RequireCurrent);
    REQUIRE(second.ok());
    REQUIRE(first->lock_account(7, std::chrono::milliseconds(0)).ok());
    const auto refused = (*second)->lock_account(7, std::chrono::milliseconds(300));
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == ErrorCode::Conflict);
    CHECK((*second)->lock_account(8, std::chrono::milliseconds(0)).ok());  // another account is free
    REQUIRE(first->unlock_account(7).ok());
    CHECK((*second)->lock_account(7, std::chrono::milliseconds(0)).ok());
    // A connection that ends drops its locks, as a process that dies would.
    second->reset();
    CHECK(first->lock_account(7, std::chrono::milliseconds(2000)).ok());
}

TEST_CASE("a schema 4 database migrates to tags and keeps its posts", "[sqlite]") {
    TempDir dir;
    const auto path = dir / "v4.db";
    REQUIRE(store::create_sqlite_at_version(path, 4).ok());
    run_sql(path, "INSERT INTO users(id, name, role, password_hash, created_at) VALUES (1, 'ann', 'author', 'x', 0)");
    run_sql(path, "INSERT INTO posts(id, state, created_by, current_version_id, created_at, updated_at) "
                  "VALUES (7, 'Draft', 1, 70, 5, 5)");
    run_sql(path, "INSERT INTO post_versions(id, post_id, number, author_id, body, zone, content_hash, "
                  "compliance_verdict, compliance_findings, created_at) VALUES (70, 7, 1, 1, 'hello', 'UTC', 'h', "
                  "'pass', '[]', 5)");
    CHECK(run_sql_directly(path.string(), "SELECT * FROM post_tags") != "");  // not there yet

    auto strict = store::open_sqlite(path, store::OpenMode::MustExist, store::MigrationPolicy::RequireCurrent);
    REQUIRE_FALSE(strict.ok());
    CHECK(strict.error().code == ErrorCode::Incompatible);
    auto migrated = store::open_sqlite(path, store::OpenMode::MustExist, store::MigrationPolicy::Migrate);
    REQUIRE(migrated.ok());
    auto& s = **migrated;
    CHECK(*s.schema_version() == store::latest_schema_version());
    CHECK(s.version(70)->content.text == "hello");
    CHECK(s.tags_of(7)->empty());
    REQUIRE(s.set_post_tags(7, {"flu", "vaccines"}).ok());
    CHECK(*s.tags_of(7) == std::vector<std::string>{"flu", "vaccines"});
    // A tag belongs to an existing post.
    CHECK_FALSE(s.set_post_tags(8, {"flu"}).ok());
}

TEST_CASE("tags replace as a set and per-tag rows cover only published targets") {
    TempDir dir;
    auto s = create(test_database(dir));
    const auto seeded = seed(*s);
    REQUIRE(s->set_post_tags(seeded.post, {"b", "a"}).ok());
    CHECK(*s->tags_of(seeded.post) == std::vector<std::string>{"a", "b"});
    REQUIRE(s->set_post_tags(seeded.post, {"c"}).ok());
    CHECK(*s->tags_of(seeded.post) == std::vector<std::string>{"c"});
    REQUIRE(s->set_post_tags(seeded.post, {"a", "c"}).ok());

    const auto published = *s->insert_target(target_at(seeded, 100, "k1"));
    REQUIRE(s->insert_target(target_at(seeded, 100, "k2")).ok());  // never goes out
    auto claimed = *s->claim_due("w", 100, 60, 1);
    REQUIRE(claimed.size() == 1);
    store::TargetOutcome out;
    out.target_id = claimed[0].id;
    out.state = model::State::Published;
    REQUIRE(*s->finish_target(out, "w", 150));
    const auto went = claimed[0].id;
    (void)published;

    auto rows = *s->tagged_published_between(100, 200);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].tag == "a");
    CHECK(rows[1].tag == "c");
    CHECK(rows[0].post_id == seeded.post);
    CHECK(rows[0].target_id == went);
    CHECK(s->tagged_published_between(150 + 1, 300)->empty());
}

TEST_CASE("account samples: who is due today, a period's history, where it starts, retention keeps the newest") {
    TempDir dir;
    auto s = create(test_database(dir));
    const auto seeded = seed(*s);
    const auto other = *s->insert_account({0, "mastodon", "b.example", "connected"});
    const auto lapsed = *s->insert_account({0, "x", "c.example", "needs_reauthorization"});
    const UnixSeconds day = 86400;
    const UnixSeconds today = 20000 * day;
    (void)lapsed;

    // Connected accounts without a sample since the day began, by id.
    CHECK(*s->accounts_to_sample(today) == std::vector<model::Id>{seeded.account, other});
    REQUIRE(s->add_account_snapshot({seeded.account, today - 2 * day, R"({"followers":100})"}).ok());
    REQUIRE(s->add_account_snapshot({seeded.account, today - day + 5, R"({"followers":110})"}).ok());
    REQUIRE(s->add_account_snapshot({seeded.account, today + 60, R"({"followers":120})"}).ok());
    REQUIRE(s->add_account_snapshot({other, today - day, R"({"followers":7})"}).ok());
    CHECK(*s->accounts_to_sample(today) == std::vector<model::Id>{other});
    CHECK(*s->accounts_to_sample(today, {1, 2}) == std::vector<model::Id>(other % 2 == 1 ? 1 : 0, other));

    // A period: by account, then time; one account alone.
    const auto period = *s->account_snapshots(today - day, today + day);
    REQUIRE(period.size() == 3);
    CHECK(period[0].account_id == seeded.account);
    CHECK(period[0].metrics_json == R"({"followers":110})");
    CHECK(period[1].fetched_at == today + 60);
    CHECK(period[2].account_id == other);
    const auto one = *s->account_snapshots(0, today + day, other);
    REQUIRE(one.size() == 1);
    CHECK(one[0].metrics_json == R"({"followers":7})");

    // Where a chart of [today, ...) starts: each account's newest before it.
    const auto start = *s->latest_account_snapshots(today);
    REQUIRE(start.size() == 2);
    CHECK(start[0].fetched_at == today - day + 5);
    CHECK(start[1].fetched_at == today - day);

    // Retention: everything before today goes except each account's newest.
    CHECK(*s->prune_metric_snapshots(today) == 2);
    const auto kept = *s->account_snapshots(0, today + day);
    REQUIRE(kept.size() == 2);
    CHECK(kept[0].metrics_json == R"({"followers":120})");
    CHECK(kept[1].metrics_json == R"({"followers":7})");
}

TEST_CASE("a schema 5 database migrates to account samples and keeps its accounts", "[sqlite]") {
    TempDir dir;
    const auto path = dir / "v5.db";
    REQUIRE(store::create_sqlite_at_version(path, 5).ok());
    run_sql(path, "INSERT INTO social_accounts(id, network, handle, status) VALUES (3, 'x', 'clinic', 'connected')");
    CHECK(run_sql_directly(path.string(), "SELECT * FROM account_snapshots") != "");  // not there yet
    auto migrated = store::open_sqlite(path, store::OpenMode::MustExist, store::MigrationPolicy::Migrate);
    REQUIRE(migrated.ok());
    auto& s = **migrated;
    CHECK(*s.schema_version() == 6);
    CHECK(*s.accounts_to_sample(0) == std::vector<model::Id>{3});
    REQUIRE(s.add_account_snapshot({3, 10, R"({"followers":1})"}).ok());
    CHECK(s.account_snapshots(0, 20)->size() == 1);
    // A sample belongs to an existing account.
    CHECK_FALSE(s.add_account_snapshot({4, 10, "{}"}).ok());
}
