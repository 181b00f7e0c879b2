#include "clearpost/security/vault.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "memory_keyring.h"
#include "temp_dir.h"

using namespace clearpost;
using clearpost::testing::TempDir;

namespace {

constexpr UnixSeconds kNow = 1'800'000'000;

using clearpost::testing::MemoryKeyring;

// Sets an environment variable for one test.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const std::string& value) : m_name(name) {
        if (const char* old = std::getenv(name)) m_old = old;
        ::setenv(name, value.c_str(), 1);
    }
    ~ScopedEnv() {
        if (m_old) ::setenv(m_name, m_old->c_str(), 1);
        else ::unsetenv(m_name);
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    const char* m_name;
    std::optional<std::string> m_old;
};

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

struct VaultFixture {
    VaultFixture() {
        ::unsetenv("CREDENTIALS_DIRECTORY");
        auto s = store::open_sqlite(dir / "c.db", store::OpenMode::CreateIfMissing, store::MigrationPolicy::Migrate);
        REQUIRE(s.ok());
        store = std::move(*s);
        for (const char* handle : {"@clinic", "@pharmacy"}) {
            auto id = store->insert_account({0, "mastodon", handle, "connected"});
            REQUIRE(id.ok());
            accounts.push_back(*id);
        }
    }

    security::Vault open(security::VaultUnlock unlock = {}) {
        auto v = security::Vault::open(*store, config(), std::move(unlock));
        INFO((v ? "" : v.error().message));
        REQUIRE(v.ok());
        return std::move(*v);
    }
    std::filesystem::path config() const { return dir / "config"; }
    std::string db_id() { return *store->database_id(); }
    std::filesystem::path kek_file() { return config() / "vault" / (db_id() + ".kek"); }
    std::filesystem::path legacy_file() { return config() / "vault" / (db_id() + ".key"); }
    std::string record() { return store->setting("vault.data_key")->value_or(""); }

    void store_some(security::Vault& v) {
        REQUIRE(v.put(accounts[0], R"({"access_token":"tok-clinic-1"})", kNow).ok());
        REQUIRE(v.put(accounts[1], R"({"access_token":"tok-pharmacy-2"})", kNow).ok());
        REQUIRE(v.put_named("smtp.password", "relay-pass-3").ok());
        REQUIRE(v.put_named("linkedin.client_secret", "app-secret-4").ok());
    }
    void expect_all(security::Vault& v) {
        CHECK(*v.get(accounts[0]) == R"({"access_token":"tok-clinic-1"})");
        CHECK(*v.get(accounts[1]) == R"({"access_token":"tok-pharmacy-2"})");
        CHECK(*v.get_named("smtp.password") == "relay-pass-3");
        CHECK(*v.get_named("linkedin.client_secret") == "app-secret-4");
    }

    TempDir dir;
    std::unique_ptr<store::Store> store;
    std::vector<model::Id> accounts;
};

security::VaultUnlock with_passphrase(const std::string& passphrase) {
    security::VaultUnlock unlock;
    unlock.passphrase = [passphrase]() -> Result<std::string> { return passphrase; };
    return unlock;
}

}  // namespace

TEST_CASE("a new vault wraps its data key with a private key file and opens again") {
    VaultFixture f;
    {
        auto v = f.open();
        f.store_some(v);
    }
    struct stat st {};
    REQUIRE(::stat(f.kek_file().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK_THAT(f.record(), Catch::StartsWith("v=1;protection=key-file;kek="));
    CHECK_FALSE(std::filesystem::exists(f.legacy_file()));
    auto again = f.open();
    f.expect_all(again);
    auto status = security::Vault::status(*f.store, f.config());
    REQUIRE(status.ok());
    CHECK(status->protection == security::KeyProtection::KeyFile);
    CHECK_THAT(status->key_source, Catch::Contains(f.kek_file().string()));
    CHECK(status->account_entries == 2);
    CHECK(status->named_entries == 2);
}

TEST_CASE("a passphrase-protected vault opens with its passphrase and refuses a wrong one") {
    VaultFixture f;
    {
        auto v = f.open();
        f.store_some(v);
        REQUIRE(v.protect({security::KeyProtection::Passphrase, "correct horse battery staple", {}}).ok());
        f.expect_all(v);
    }
    CHECK_THAT(f.record(), Catch::Contains("protection=passphrase") && Catch::Contains("n=32768;r=8;p=1;salt="));
    const std::string before = f.record();

    auto wrong = security::Vault::open(*f.store, f.config(), with_passphrase("correct horse battery stapler"));
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().code == ErrorCode::Unauthenticated);
    CHECK_THAT(wrong.error().message, Catch::Contains("wrong vault passphrase"));

    auto none = security::Vault::open(*f.store, f.config());
    REQUIRE_FALSE(none.ok());
    CHECK_THAT(none.error().message, Catch::Contains("protected by a passphrase"));

    CHECK(f.record() == before);  // nothing was overwritten by the failed attempts
    auto right = f.open(with_passphrase("correct horse battery staple"));
    f.expect_all(right);
    auto status = security::Vault::status(*f.store, f.config());
    REQUIRE(status.ok());
    CHECK(status->protection == security::KeyProtection::Passphrase);
    CHECK(status->scrypt == "N=32768 r=8 p=1");
    // The key file that protected it before is reported, not silently kept.
    REQUIRE(status->leftover_key_files.size() == 1);
    CHECK(status->leftover_key_files[0] == f.kek_file());
}

TEST_CASE("a short passphrase is refused and the vault stays as it was") {
    VaultFixture f;
    auto v = f.open();
    f.store_some(v);
    const std::string before = f.record();
    auto r = v.protect({security::KeyProtection::Passphrase, "short", {}});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::Invalid);
    CHECK(f.record() == before);
    f.expect_all(v);
}

TEST_CASE("a keyring-protected vault opens with the key from the keyring") {
    VaultFixture f;
    auto keyring = std::make_shared<MemoryKeyring>();
    security::VaultUnlock unlock;
    unlock.keyring = keyring;
    {
        auto v = f.open(unlock);
        f.store_some(v);
        REQUIRE(v.protect({security::KeyProtection::Keyring, "", {}}).ok());
    }
    CHECK_THAT(f.record(), Catch::Contains("protection=keyring"));
    REQUIRE(keyring->entries.size() == 1);
    CHECK(keyring->entries.begin()->first.starts_with(f.db_id() + "/"));
    {
        auto v = f.open(unlock);
        f.expect_all(v);
    }
    // Without its entry the vault does not open, and says where the key was.
    keyring->entries.clear();
    auto missing = security::Vault::open(*f.store, f.config(), unlock);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == ErrorCode::NotFound);
    CHECK_THAT(missing.error().message, Catch::Contains("desktop keyring has no vault key"));
}

TEST_CASE("the vault key is kept in the real desktop keyring when a Secret Service runs", "[keyring]") {
    auto keyring = security::system_keyring();
    std::string why;
    if (!keyring->available(why)) {
        WARN("skipped: no Secret Service to test against (" + why +
             "); the keyring test runs under tests/core/security/with_keyring.sh");
        return;
    }
    VaultFixture f;
    security::VaultUnlock unlock;
    unlock.keyring = keyring;
    {
        auto v = f.open(unlock);
        f.store_some(v);
        auto protected_ = v.protect({security::KeyProtection::Keyring, "", {}});
        INFO((protected_ ? "" : protected_.error().message));
        REQUIRE(protected_.ok());
    }
    // The key file is no longer needed: it can go, and the vault still opens.
    std::filesystem::remove(f.kek_file());
    auto v = f.open(unlock);
    f.expect_all(v);
}

TEST_CASE("a legacy raw key file still opens and is wrapped on first open") {
    VaultFixture f;
    // A vault as earlier Clearpost versions left it: the raw data key in
    // <database id>.key and entries sealed with it, no key record.
    const crypto::Bytes data_key = crypto::random_bytes(32);
    std::filesystem::create_directories(f.config() / "vault");
    {
        std::ofstream out(f.legacy_file());
        out << crypto::to_hex(data_key) << "\n";
    }
    std::filesystem::permissions(f.legacy_file(), std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    auto sealed = crypto::seal(data_key, "legacy-token-5", "clearpost account " + std::to_string(f.accounts[0]));
    REQUIRE(sealed.ok());
    REQUIRE(f.store->set_sealed_credentials(f.accounts[0], *sealed, kNow).ok());
    auto named = crypto::seal(data_key, "legacy-relay-6", "clearpost secret smtp.password");
    REQUIRE(named.ok());
    REQUIRE(f.store->set_setting("sealed:smtp.password", crypto::to_hex(*named)).ok());

    auto status = security::Vault::status(*f.store, f.config());
    REQUIRE(status.ok());
    CHECK(status->legacy);
    CHECK(f.record().empty());

    {
        auto v = f.open();
        CHECK(*v.get(f.accounts[0]) == "legacy-token-5");
        CHECK(*v.get_named("smtp.password") == "legacy-relay-6");
    }
    CHECK_THAT(f.record(), Catch::StartsWith("v=1;protection=key-file"));
    CHECK(std::filesystem::exists(f.kek_file()));
    // Opening again goes through the wrapped record.
    auto v = f.open();
    CHECK(*v.get(f.accounts[0]) == "legacy-token-5");
    status = security::Vault::status(*f.store, f.config());
    REQUIRE(status.ok());
    CHECK_FALSE(status->legacy);
    REQUIRE(status->leftover_key_files.size() == 1);
    CHECK(status->leftover_key_files[0] == f.legacy_file());
}

TEST_CASE("a vault key file readable by others is refused and nothing is changed") {
    VaultFixture f;
    {
        auto v = f.open();
        f.store_some(v);
    }
    const std::string before = f.record();
    const std::string key_before = slurp(f.kek_file());
    ::chmod(f.kek_file().c_str(), 0644);
    auto r = security::Vault::open(*f.store, f.config());
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("readable by others") && Catch::Contains("chmod 600"));
    CHECK(f.record() == before);
    CHECK(slurp(f.kek_file()) == key_before);
    ::chmod(f.kek_file().c_str(), 0600);
    auto v = f.open();
    f.expect_all(v);
}

TEST_CASE("a missing vault key file is named and no new key replaces it") {
    VaultFixture f;
    {
        auto v = f.open();
        f.store_some(v);
    }
    const std::string before = f.record();
    std::filesystem::rename(f.kek_file(), f.dir / "aside.kek");
    auto r = security::Vault::open(*f.store, f.config());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::NotFound);
    CHECK_THAT(r.error().message, Catch::Contains(f.kek_file().string()) && Catch::Contains("restore"));
    CHECK(f.record() == before);
    CHECK_FALSE(std::filesystem::exists(f.kek_file()));
    std::filesystem::rename(f.dir / "aside.kek", f.kek_file());
    auto v = f.open();
    f.expect_all(v);
}

TEST_CASE("rotation re-encrypts every entry and the old ciphertexts no longer open") {
    VaultFixture f;
    auto v = f.open();
    f.store_some(v);
    auto other_process = f.open();  // another process's vault, opened before the rotation
    const auto old_account = *f.store->sealed_credentials(f.accounts[0]);
    const auto old_named = *f.store->setting("sealed:smtp.password");
    const std::string old_record = f.record();

    auto report = v.rotate(kNow + 60);
    INFO((report ? "" : report.error().message));
    REQUIRE(report.ok());
    CHECK(report->account_entries == 2);
    CHECK(report->named_entries == 2);
    CHECK(f.record() != old_record);
    CHECK(*f.store->sealed_credentials(f.accounts[0]) != old_account);
    CHECK(*f.store->setting("sealed:smtp.password") != old_named);
    f.expect_all(v);
    f.expect_all(other_process);  // follows the new key, wrapped as before
    auto reopened = f.open();
    f.expect_all(reopened);

    // Entries sealed with the old data key do not open any more.
    REQUIRE(f.store->set_sealed_credentials(f.accounts[0], *old_account, kNow).ok());
    REQUIRE(f.store->set_setting("sealed:smtp.password", *old_named).ok());
    auto stale = reopened.get(f.accounts[0]);
    REQUIRE_FALSE(stale.ok());
    CHECK(stale.error().code == ErrorCode::Tampered);
    CHECK_FALSE(reopened.get_named("smtp.password").ok());
}

TEST_CASE("a rotation that meets an entry it cannot open changes nothing") {
    VaultFixture f;
    auto v = f.open();
    f.store_some(v);
    // An entry sealed under another key (e.g. copied from elsewhere).
    auto foreign = crypto::seal(crypto::random_bytes(32), "x", "clearpost secret other");
    REQUIRE(foreign.ok());
    REQUIRE(f.store->set_setting("sealed:other", crypto::to_hex(*foreign)).ok());
    const std::string record = f.record();
    const auto account = *f.store->sealed_credentials(f.accounts[0]);
    auto r = v.rotate(kNow);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("'other'") && Catch::Contains("nothing was rotated"));
    CHECK(f.record() == record);
    CHECK(*f.store->sealed_credentials(f.accounts[0]) == account);
    f.expect_all(v);
}

TEST_CASE("the service reads the vault key from its systemd credential") {
    VaultFixture f;
    {
        auto v = f.open();
        f.store_some(v);
    }
    // LoadCredential=clearpost-vault-key:... puts a copy in $CREDENTIALS_DIRECTORY.
    const auto creds = f.dir / "credentials";
    std::filesystem::create_directories(creds);
    std::filesystem::copy_file(f.kek_file(), creds / "clearpost-vault-key");
    ::chmod((creds / "clearpost-vault-key").c_str(), 0400);
    std::filesystem::rename(f.kek_file(), f.dir / "aside.kek");  // the service has no key file
    ScopedEnv env("CREDENTIALS_DIRECTORY", creds.string());
    {
        auto v = f.open();
        f.expect_all(v);
        auto status = security::Vault::status(*f.store, f.config());
        REQUIRE(status.ok());
        CHECK_THAT(status->key_source, Catch::Contains("systemd credential clearpost-vault-key"));
    }
    // A credential holding another key is refused by name.
    {
        std::filesystem::permissions(creds / "clearpost-vault-key", std::filesystem::perms::owner_all);
        std::ofstream out(creds / "clearpost-vault-key", std::ios::trunc);
        out << "0011223344556677 " << crypto::to_hex(crypto::random_bytes(32)) << "\n";
    }
    ::chmod((creds / "clearpost-vault-key").c_str(), 0400);
    auto r = security::Vault::open(*f.store, f.config());
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("systemd credential") && Catch::Contains("another vault key"));
}

TEST_CASE("changing to a new key file keeps the old one aside and opens with the new one") {
    VaultFixture f;
    auto v = f.open();
    f.store_some(v);
    const std::string old_key = slurp(f.kek_file());
    REQUIRE(v.protect({security::KeyProtection::KeyFile, "", {}}).ok());
    CHECK(slurp(f.kek_file()) != old_key);
    auto status = security::Vault::status(*f.store, f.config());
    REQUIRE(status.ok());
    REQUIRE(status->leftover_key_files.size() == 1);
    CHECK(slurp(status->leftover_key_files[0]) == old_key);
    auto again = f.open();
    f.expect_all(again);
}
