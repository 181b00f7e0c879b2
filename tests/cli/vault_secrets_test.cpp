// No secret in plaintext at rest or in a log: tokens, app passwords, app
// secrets, a mail relay password, user passwords and the vault passphrase go
// in through the real code paths (clearpostctl account connect, app set,
// notify mail, user add, vault protect and rotate; the vault for the tokens
// of a browser sign-in), publishing and mailing are tried with logging on,
// and then the raw database file, its -wal file and every line clearpostctl
// printed are searched for each of them.

#include <sys/wait.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "clearpost/crypto/crypto.h"
#include "clearpost/security/vault.h"
#include "clearpost/store/store.h"
#include "temp_dir.h"

using namespace clearpost;
using clearpost::testing::TempDir;

namespace {

std::string quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

struct Outcome {
    int code = -1;
    std::string out;
    std::string err;
};

// Runs clearpostctl against one database, keeping everything it printed
// (both streams) in `log`.
class Ctl {
public:
    explicit Ctl(const TempDir& dir) : m_dir(dir) {}

    Outcome run(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {}) {
        std::string cmd = "env -i PATH=/usr/bin:/bin HOME=" + quote(m_dir.path().string()) +
                          " XDG_CONFIG_HOME=" + quote((m_dir / "config").string()) +
                          " XDG_DATA_HOME=" + quote((m_dir / "data").string()) + " TZ=UTC" +
                          " CLEARPOST_PUBLISHERS_DIR=" + quote(CLEARPOST_PUBLISHERS_DIR) +
                          " NO_PROXY=127.0.0.1 no_proxy=127.0.0.1";
        for (const auto& [k, v] : env) cmd += " " + k + "=" + quote(v);
        cmd += " setsid " + quote(CLEARPOSTCTL) + " --db " + quote((m_dir / "c.db").string());
        for (const auto& a : args) cmd += " " + quote(a);
        cmd += " </dev/null 2>" + quote((m_dir / "stderr").string());
        Outcome o;
        FILE* pipe = ::popen(cmd.c_str(), "r");
        REQUIRE(pipe != nullptr);
        std::array<char, 4096> buf{};
        std::size_t n = 0;
        while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) o.out.append(buf.data(), n);
        const int status = ::pclose(pipe);
        o.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        o.err = slurp(m_dir / "stderr");
        log += "$ clearpostctl";
        for (const auto& a : args) log += " " + a;
        log += "\n" + o.out + o.err;
        return o;
    }

    Outcome ok(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {}) {
        auto o = run(args, env);
        INFO("clearpostctl " << (args.empty() ? "" : args[0]) << " failed: " << o.err);
        REQUIRE(o.code == 0);
        return o;
    }

    std::string log;

private:
    const TempDir& m_dir;
};

std::string now_minute() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
    return buf;
}

}  // namespace

TEST_CASE("no token, secret or password used appears in plaintext in the database, its WAL or the logs") {
    TempDir dir;
    Ctl ctl(dir);
    // Every secret is distinctive, so a hit can only be a leak.
    const std::map<std::string, std::string> secrets{
        {"admin password", "adm1n-pw-Q7xv-long-enough"},
        {"approver password", "appr0ver-pw-K2mz-long-enough"},
        {"Mastodon access token", "mastodon-token-ZX81-hT9q3LwB"},
        {"Bluesky app password", "bsky-app-pw-4kd9-x2vq-77hh"},
        {"mail relay password", "smtp-relay-pw-Vb6n-q0Pz"},
        {"vault passphrase", "vault-passphrase-Lr5s horse staple"},
        {"LinkedIn app secret", "linkedin-app-secret-WEp3Jq0"},
        {"OAuth refresh token", "oauth-refresh-token-8YhG2mK"},
        {"OAuth access token", "oauth-access-token-c4Tn7Rb"},
    };
    const auto& s = secrets;
    auto as = [&](const std::string& user) {
        return std::map<std::string, std::string>{
            {"CLEARPOST_PASSWORD", user == "ada" ? s.at("admin password") : s.at("approver password")}};
    };
    auto with = [](std::map<std::string, std::string> env, const std::string& k, const std::string& v) {
        env[k] = v;
        return env;
    };

    ctl.ok({"init", "--admin", "ada", "--org", "Harbor Clinics", "--zone", "UTC"}, as("ada"));
    // Held open for the whole test, so the -wal file stays on disk to be searched.
    auto held = store::open_sqlite(dir / "c.db", store::OpenMode::MustExist, store::MigrationPolicy::RequireCurrent);
    REQUIRE(held.ok());
    auto& db = **held;

    ctl.ok({"--as", "ada", "user", "add", "bob", "--role", "approver"},
           with(as("ada"), "CLEARPOST_NEW_PASSWORD", s.at("approver password")));
    ctl.ok({"--as", "ada", "account", "add", "mastodon", "clinic"}, as("ada"));
    ctl.ok({"--as", "ada", "account", "add", "bluesky", "clinic.example"}, as("ada"));
    ctl.ok({"--as", "ada", "account", "add", "linkedin", "harbor-clinics"}, as("ada"));
    // Servers on loopback ports nobody listens on: the requests are tried and fail.
    ctl.ok({"--as", "ada", "account", "connect", "mastodon", "clinic", "--service", "http://127.0.0.1:9"},
           with(as("ada"), "CLEARPOST_ACCOUNT_SECRET", s.at("Mastodon access token")));
    ctl.ok({"--as", "ada", "account", "connect", "bluesky", "clinic.example", "--service", "http://127.0.0.1:9"},
           with(as("ada"), "CLEARPOST_ACCOUNT_SECRET", s.at("Bluesky app password")));
    // LinkedIn signs in through the browser, and only with the organisation's
    // app: without one it is refused before anything is asked or stored.
    const auto refused = ctl.run({"--as", "ada", "account", "connect", "linkedin", "harbor-clinics"},
                                 with(as("ada"), "CLEARPOST_ACCOUNT_SECRET", s.at("Bluesky app password")));
    CHECK(refused.code == 2);
    CHECK_THAT(refused.err, Catch::Contains("clearpostctl app set linkedin"));
    ctl.ok({"--as", "ada", "notify", "mail", "--relay", "smtp://127.0.0.1:9", "--from", "clearpost@harbor.example",
            "--to", "comms@harbor.example", "--user", "relay-login-name"},
           with(as("ada"), "CLEARPOST_SMTP_PASSWORD", s.at("mail relay password")));

    // The vault's key under a passphrase, read from a 0600 file.
    const auto passphrase_file = dir / "vault-passphrase";
    {
        std::ofstream out(passphrase_file);
        out << s.at("vault passphrase") << "\n";
    }
    std::filesystem::permissions(passphrase_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    ctl.ok({"--as", "ada", "vault", "protect", "--passphrase-file", passphrase_file.string()}, as("ada"));
    auto unlocked = [&](std::map<std::string, std::string> env) {
        env["CLEARPOST_VAULT_PASSPHRASE_FILE"] = passphrase_file.string();
        return env;
    };

    // The organisation's LinkedIn app, through its command.
    ctl.ok({"--as", "ada", "app", "set", "linkedin", "--client-id", "harbor-app"},
           unlocked(with(as("ada"), "CLEARPOST_APP_SECRET", s.at("LinkedIn app secret"))));
    // The tokens a browser sign-in stores go through the vault itself (the
    // sign-in needs a person at a browser).
    {
        security::VaultUnlock unlock;
        unlock.passphrase = [&]() -> Result<std::string> { return s.at("vault passphrase"); };
        auto vault = security::Vault::open(db, dir / "config" / "clearpost", unlock);
        INFO((vault ? "" : vault.error().message));
        REQUIRE(vault.ok());
        auto linkedin = db.find_account("linkedin", "harbor-clinics");
        REQUIRE(linkedin.ok());
        REQUIRE(linkedin->has_value());
        const nlohmann::json tokens{{"access_token", s.at("OAuth access token")},
                                    {"refresh_token", s.at("OAuth refresh token")},
                                    {"token_type", "Bearer"},
                                    {"expires_at", 4102444800}};
        REQUIRE(vault->put((*linkedin)->id, tokens.dump(), 1'800'000'000).ok());
        auto back = vault->get((*linkedin)->id);
        REQUIRE(back.ok());
        CHECK_THAT(*back, Catch::Contains(s.at("OAuth refresh token")));
    }

    ctl.ok({"--as", "ada", "vault", "rotate"}, unlocked(as("ada")));
    auto status = ctl.ok({"--as", "ada", "--json", "vault", "status"}, as("ada"));
    auto st = nlohmann::json::parse(status.out);
    CHECK(st["protection"] == "passphrase");
    CHECK(st["account_entries"] == 3);
    CHECK(st["named_entries"] == 2);

    // Publishing and mailing, tried with logging on: both fail (nothing
    // listens) and say so in their logs.
    for (const std::string target : {"mastodon:clinic", "bluesky:clinic.example"}) {
        auto created = ctl.ok({"--as", "ada", "--json", "post", "new", "--text", "Flu clinic on Saturday", "--target",
                               target, "--at", now_minute(), "--zone", "UTC"},
                              as("ada"));
        const auto id = std::to_string(nlohmann::json::parse(created.out)["id"].get<long>());
        ctl.ok({"--as", "ada", "post", "submit", id}, as("ada"));
        ctl.ok({"--as", "bob", "post", "approve", id}, as("bob"));
        ctl.ok({"--as", "ada", "post", "schedule", id}, as("ada"));
    }
    auto run = ctl.run({"run", "--once"}, unlocked({}));
    CHECK(run.code == 0);
    CHECK_THAT(run.err, Catch::Contains("level="));  // the service logged what it did
    auto mail = ctl.run({"--as", "ada", "notify", "test"}, unlocked(as("ada")));
    CHECK(mail.code != 0);  // nothing listens on the relay's port
    // A wrong passphrase is refused and changes nothing.
    const auto bad_file = dir / "wrong-passphrase";
    {
        std::ofstream out(bad_file);
        out << "not the vault passphrase at all\n";
    }
    std::filesystem::permissions(bad_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    auto wrong = ctl.run({"--as", "ada", "vault", "rotate"}, with(as("ada"), "CLEARPOST_VAULT_PASSPHRASE_FILE", bad_file.string()));
    CHECK(wrong.code == 1);
    CHECK_THAT(wrong.err, Catch::Contains("wrong vault passphrase"));

    const auto wal = dir / "c.db-wal";
    REQUIRE(std::filesystem::exists(wal));
    const std::string raw_db = slurp(dir / "c.db");
    const std::string raw_wal = slurp(wal);
    const std::string raw_shm = slurp(dir / "c.db-shm");
    // The search sees what is stored: names that are not secret are found.
    CHECK((raw_db + raw_wal).find("relay-login-name") != std::string::npos);
    CHECK((raw_db + raw_wal).find("harbor-clinics") != std::string::npos);
    CHECK(ctl.log.find("mastodon:clinic") != std::string::npos);

    for (const auto& [what, secret] : secrets) {
        const std::string hex = crypto::to_hex(crypto::Bytes(secret.begin(), secret.end()));
        INFO(what);
        CHECK(raw_db.find(secret) == std::string::npos);
        CHECK(raw_wal.find(secret) == std::string::npos);
        CHECK(raw_shm.find(secret) == std::string::npos);
        CHECK(ctl.log.find(secret) == std::string::npos);
        CHECK(raw_db.find(hex) == std::string::npos);
        CHECK(raw_wal.find(hex) == std::string::npos);
    }
}

TEST_CASE("vault commands refuse unsafe or incomplete input and change nothing") {
    TempDir dir;
    Ctl ctl(dir);
    const std::map<std::string, std::string> ada{{"CLEARPOST_PASSWORD", "ada has a long password"}};
    ctl.ok({"init", "--admin", "ada", "--zone", "UTC"}, ada);
    ctl.ok({"--as", "ada", "account", "add", "mastodon", "clinic"}, ada);
    auto env = ada;
    env["CLEARPOST_ACCOUNT_SECRET"] = "mastodon-token-for-refusals";
    ctl.ok({"--as", "ada", "account", "connect", "mastodon", "clinic", "--service", "http://127.0.0.1:9"}, env);
    const std::string before = ctl.ok({"--as", "ada", "--json", "vault", "status"}, ada).out;
    CHECK(nlohmann::json::parse(before)["protection"] == "key-file");

    // No protection named, or two at once: usage errors.
    auto none = ctl.run({"--as", "ada", "vault", "protect"}, ada);
    CHECK(none.code == 2);
    CHECK_THAT(none.err, Catch::Contains("--passphrase-file FILE"));
    CHECK(ctl.run({"--as", "ada", "vault", "protect", "--key-file", "--keyring"}, ada).code == 2);

    // A passphrase file others can read is refused before it is used.
    const auto open_file = dir / "passphrase";
    {
        std::ofstream out(open_file);
        out << "a passphrase everyone can read\n";
    }
    std::filesystem::permissions(open_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                                                std::filesystem::perms::others_read);
    auto readable = ctl.run({"--as", "ada", "vault", "protect", "--passphrase-file", open_file.string()}, ada);
    CHECK(readable.code == 1);
    CHECK_THAT(readable.err, Catch::Contains("readable by others") && Catch::Contains("chmod 600"));

    // Only an admin changes the vault.
    env = ada;
    env["CLEARPOST_NEW_PASSWORD"] = "bob has a long password";
    ctl.ok({"--as", "ada", "user", "add", "bob", "--role", "approver"}, env);
    auto forbidden = ctl.run({"--as", "bob", "vault", "rotate"}, {{"CLEARPOST_PASSWORD", "bob has a long password"}});
    CHECK(forbidden.code == 1);

    CHECK(ctl.ok({"--as", "ada", "--json", "vault", "status"}, ada).out == before);
    CHECK(ctl.log.find("mastodon-token-for-refusals") == std::string::npos);
}
