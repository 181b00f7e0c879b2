// The native-app OAuth flow of core/oauth against the real oidc-provider on
// loopback (started by oidc_test.sh): authorisation with PKCE and state
// through a stand-in browser, the loopback redirect, the code exchange,
// refresh with single-use rotation, code replay, revocation, transient
// failures, and single-flight refresh across threads and processes.
//
//   oidc_flow_test run ISSUER WORKDIR BROWSER_SCRIPT
//   oidc_flow_test refresh-child WORKDIR ACCOUNT REJECTED_ACCESS_TOKEN OUT_FILE   (used by `run`)

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "clearpost/crypto/crypto.h"
#include "clearpost/oauth/authorize.h"
#include "clearpost/oauth/pkce.h"
#include "clearpost/oauth/refresh.h"
#include "clearpost/store/store.h"

extern char** environ;

using namespace clearpost;
using namespace clearpost::oauth;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

int g_passed = 0;
int g_failed = 0;

void check(bool ok, const std::string& what) {
    if (ok) {
        ++g_passed;
        std::cout << "  ok   " << what << "\n";
    } else {
        ++g_failed;
        std::cout << "  FAIL " << what << "\n";
    }
    std::cout.flush();
}

[[noreturn]] void fatal(const std::string& what) {
    std::cout << "  FAIL " << what << " (cannot go on)\n";
    std::cout << g_passed << " passed, " << g_failed + 1 << " failed\n";
    std::exit(1);
}

template <typename T>
T need(Result<T> r, const std::string& what) {
    if (!r) fatal(what + ": " + r.error().message);
    return std::move(r).value();
}

void need(Result<void> r, const std::string& what) {
    if (!r) fatal(what + ": " + r.error().message);
}

TokenSet need_tokens(TokenResult r, const std::string& what) {
    if (auto* e = std::get_if<TokenError>(&r)) fatal(what + ": " + e->message);
    return std::get<TokenSet>(std::move(r));
}

std::string short_hash(const std::string& token) { return crypto::sha256_hex(token).substr(0, 12); }

struct Peer {
    std::string issuer;
    ClientConfig config;
};

net::HttpResponse http_call(const std::string& method, const std::string& url,
                            std::vector<std::pair<std::string, std::string>> headers = {}) {
    net::HttpClient http;
    net::HttpRequest request;
    request.method = method;
    request.url = url;
    request.headers = std::move(headers);
    auto answer = http.send(request);
    if (auto* f = std::get_if<net::HttpFailure>(&answer)) fatal(method + " " + url + ": " + f->message);
    return std::get<net::HttpResponse>(answer);
}

Peer discover(const std::string& issuer) {
    const auto answer = http_call("GET", issuer + "/.well-known/openid-configuration");
    const json doc = json::parse(answer.body, nullptr, false);
    if (answer.status != 200 || !doc.is_object()) fatal("discovery document of " + issuer);
    Peer p;
    p.issuer = issuer;
    p.config.authorization_endpoint = doc.value("authorization_endpoint", "");
    p.config.token_endpoint = doc.value("token_endpoint", "");
    p.config.revocation_endpoint = doc.value("revocation_endpoint", "");
    p.config.client_id = "clearpost-desktop";
    p.config.auth = ClientAuth::None;
    p.config.scopes = {"openid", "offline_access", "post:write"};
    // oidc-provider issues a refresh token (offline_access) only after explicit consent.
    p.config.extra_authorization_params = {{"prompt", "consent"}};
    return p;
}

int userinfo_status(const Peer& peer, const std::string& access_token) {
    return http_call("GET", peer.issuer + "/me", {{"Authorization", "Bearer " + access_token}}).status;
}

json counts(const Peer& peer) { return json::parse(http_call("GET", peer.issuer + "/_test/counts").body); }

int refresh_count(const Peer& peer) { return counts(peer).value("refresh_token", -1); }

void control(const Peer& peer, const std::string& what) {
    if (http_call("POST", peer.issuer + "/_test/" + what).status != 200) fatal("test control " + what);
}

struct Workdir {
    fs::path db;
    fs::path key_dir;
};

Workdir workdir_at(const fs::path& dir) { return {dir / "clearpost.db", dir / "config"}; }

// One database connection, vault, HTTP client and refresher: what one thread of
// the service has.
struct Session {
    std::unique_ptr<store::Store> store;
    std::optional<security::Vault> vault;
    net::HttpClient http;
    std::optional<Client> client;
    std::optional<Refresher> refresher;

    Session(const Workdir& w, const ClientConfig& config, store::OpenMode mode) {
        store = need(store::open_sqlite(w.db, mode, store::MigrationPolicy::Migrate), "open the database");
        vault.emplace(need(security::Vault::open(*store, w.key_dir), "open the vault"));
        client.emplace(config, http);
        const auto db_id = need(store->database_id(), "database id");
        refresher.emplace(*vault, *client, refresh_lock_dir(w.key_dir, db_id));
    }
};

AuthorizeOptions browser_options(const std::string& browser_script) {
    AuthorizeOptions options;
    options.timeout = std::chrono::seconds(60);
    options.open_browser = [browser_script](const std::string& url) { return spawn_detached({browser_script, url}); };
    return options;
}

// Child process: one refresh of ACCOUNT through its own connection; writes
// the resulting access token's hash (or the error) to OUT_FILE.
int refresh_child(const fs::path& dir, model::Id account, const std::string& rejected, const fs::path& out) {
    const std::string issuer = [&] {
        std::ifstream in(dir / "issuer");
        std::string s;
        std::getline(in, s);
        return s;
    }();
    const Peer peer = discover(issuer);
    Session s(workdir_at(dir), peer.config, store::OpenMode::MustExist);
    auto result = s.refresher->fresh_tokens(account, rejected);
    std::ofstream file(out);
    if (auto* e = std::get_if<TokenError>(&result)) {
        file << "error " << e->message << "\n";
        return 1;
    }
    file << short_hash(std::get<TokenSet>(result).access_token) << "\n";
    return 0;
}

pid_t spawn_self(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"/proc/self/exe"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> c;
    for (auto& a : argv) c.push_back(a.data());
    c.push_back(nullptr);
    pid_t pid = 0;
    if (::posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, c.data(), environ) != 0) fatal("spawn a child");
    return pid;
}

std::string read_line(const fs::path& file) {
    std::ifstream in(file);
    std::string s;
    std::getline(in, s);
    return s;
}

int run(const std::string& issuer, const fs::path& dir, const std::string& browser_script) {
    const Peer peer = discover(issuer);
    { std::ofstream(dir / "issuer") << issuer << "\n"; }
    const Workdir w = workdir_at(dir);
    Session s(w, peer.config, store::OpenMode::CreateIfMissing);
    auto add_account = [&](const std::string& handle) {
        return need(s.store->insert_account({0, "oidc-test", handle, "connected"}), "add account " + handle);
    };

    std::cout << "== connect: authorisation request, sign-in and consent, loopback redirect, code exchange\n";
    const model::Id first = add_account("first");
    const TokenSet t1 = need(authorize(*s.client, browser_options(browser_script)), "authorize");
    check(!t1.access_token.empty() && !t1.refresh_token.empty(), "the code exchange gave an access and a refresh token");
    check(t1.expires_at.has_value(), "the access token's expiry is known");
    check(userinfo_status(peer, t1.access_token) == 200, "the access token works (userinfo 200)");
    need(s.refresher->store(first, t1), "store the first tokens");

    std::cout << "== refresh with single-use rotation\n";
    int before = refresh_count(peer);
    const TokenSet t2 = need_tokens(s.refresher->fresh_tokens(first, t1.access_token), "refresh");
    check(refresh_count(peer) == before + 1, "one refresh request was sent");
    check(t2.access_token != t1.access_token, "a new access token came back");
    check(!t2.refresh_token.empty() && t2.refresh_token != t1.refresh_token, "the refresh token was rotated");
    const auto stored = need(tokens_from(need(s.vault->get(first), "read the vault")), "stored tokens");
    check(stored.refresh_token == t2.refresh_token && stored.access_token == t2.access_token,
          "the rotated tokens are sealed in the vault");
    check(userinfo_status(peer, t2.access_token) == 200, "the new access token works");
    before = refresh_count(peer);
    const TokenSet again = need_tokens(s.refresher->fresh_tokens(first, t1.access_token), "refresh again");
    check(refresh_count(peer) == before && again.access_token == t2.access_token,
          "a caller holding the old access token gets the stored one, without a request");

    std::cout << "== the used-up refresh token is refused for good\n";
    auto reused = s.client->refresh(t1.refresh_token);
    const auto* reuse_error = std::get_if<TokenError>(&reused);
    check(reuse_error && reuse_error->kind == TokenFailure::Reauthorise && reuse_error->error == "invalid_grant",
          "the old refresh token gives a definite invalid_grant (reauthorise)");

    std::cout << "== code replay\n";
    {
        auto listener = need(LoopbackListener::open({}), "open a listener");
        const Pkce pkce = make_pkce();
        const std::string state = make_state();
        const auto url = build_authorization_url(peer.config, listener.redirect_uri(), state, pkce.challenge);
        need(spawn_detached({browser_script, url}), "start the browser");
        const std::string code = need(listener.wait_for_code(state, std::chrono::seconds(60)), "redirect");
        const TokenSet once = need_tokens(s.client->exchange_code(code, listener.redirect_uri(), pkce.verifier),
                                          "first code exchange");
        auto twice = s.client->exchange_code(code, listener.redirect_uri(), pkce.verifier);
        const auto* e = std::get_if<TokenError>(&twice);
        check(e && e->kind == TokenFailure::Reauthorise && e->error == "invalid_grant",
              "the same code a second time is refused (invalid_grant)");
        auto after_replay = s.client->refresh(once.refresh_token);
        const auto* r = std::get_if<TokenError>(&after_replay);
        check(r && r->kind == TokenFailure::Reauthorise,
              "the replay revoked the grant: its refresh token is refused too (RFC 6749 4.1.2)");
    }

    std::cout << "== a wrong PKCE verifier is refused\n";
    {
        auto listener = need(LoopbackListener::open({}), "open a listener");
        const Pkce pkce = make_pkce();
        const std::string state = make_state();
        need(spawn_detached({browser_script, build_authorization_url(peer.config, listener.redirect_uri(), state,
                                                                     pkce.challenge)}),
             "start the browser");
        const std::string code = need(listener.wait_for_code(state, std::chrono::seconds(60)), "redirect");
        auto wrong = s.client->exchange_code(code, listener.redirect_uri(), make_pkce().verifier);
        const auto* e = std::get_if<TokenError>(&wrong);
        check(e && e->kind == TokenFailure::Reauthorise, "a code with another verifier gives no tokens");
    }

    std::cout << "== revocation (RFC 7009)\n";
    {
        const TokenSet t = need(authorize(*s.client, browser_options(browser_script)), "authorize");
        check(!s.client->revoke(t.access_token, "access_token").has_value(), "revoking the access token is accepted");
        check(userinfo_status(peer, t.access_token) == 401, "the revoked access token is refused (userinfo 401)");
        check(!s.client->revoke(t.refresh_token, "refresh_token").has_value(), "revoking the refresh token is accepted");
        auto refreshed = s.client->refresh(t.refresh_token);
        const auto* e = std::get_if<TokenError>(&refreshed);
        check(e && e->kind == TokenFailure::Reauthorise, "the revoked refresh token gives invalid_grant");
        check(!s.client->revoke(t.refresh_token, "refresh_token").has_value(),
              "revoking it again is still accepted (RFC 7009 2.2)");
    }

    std::cout << "== transient failures never cost the refresh token\n";
    {
        const model::Id account = add_account("transient");
        const TokenSet t = need(authorize(*s.client, browser_options(browser_script)), "authorize");
        need(s.refresher->store(account, t), "store tokens");
        control(peer, "fail-next-token?status=503");
        auto failed = s.refresher->fresh_tokens(account, t.access_token);
        const auto* e = std::get_if<TokenError>(&failed);
        check(e && e->kind == TokenFailure::Transient, "a 503 from the token endpoint is transient");
        const auto kept = need(tokens_from(need(s.vault->get(account), "read the vault")), "stored tokens");
        check(kept.refresh_token == t.refresh_token, "the stored refresh token is unchanged");

        // Nothing listens on a port a closed listener just gave back.
        auto closed = need(LoopbackListener::open({}), "find a closed port");
        const auto port = closed.port();
        closed.close();
        auto config = peer.config;
        config.token_endpoint = "http://127.0.0.1:" + std::to_string(port) + "/token";
        net::HttpClient http;
        Client unreachable(config, http);
        auto down = unreachable.refresh(t.refresh_token);
        const auto* d = std::get_if<TokenError>(&down);
        check(d && d->kind == TokenFailure::Transient && !d->in_doubt,
              "an unreachable token endpoint is transient and not in doubt");

        const TokenSet later = need_tokens(s.refresher->fresh_tokens(account, t.access_token), "refresh after the outage");
        check(later.access_token != t.access_token, "after the outage the same refresh token still works");
    }

    std::cout << "== single flight: two threads refresh one account\n";
    {
        const model::Id account = add_account("threads");
        const TokenSet t = need(authorize(*s.client, browser_options(browser_script)), "authorize");
        need(s.refresher->store(account, t), "store tokens");
        // Each refresh waits at the provider, so the second caller arrives while
        // the first still holds the lock.
        control(peer, "token-delay?ms=700");
        before = refresh_count(peer);
        std::string results[2];
        auto worker = [&](int i) {
            Session mine(w, peer.config, store::OpenMode::MustExist);
            auto r = mine.refresher->fresh_tokens(account, t.access_token);
            results[i] = std::holds_alternative<TokenSet>(r) ? short_hash(std::get<TokenSet>(r).access_token)
                                                             : "error " + std::get<TokenError>(r).message;
        };
        std::thread a(worker, 0), b(worker, 1);
        a.join();
        b.join();
        control(peer, "token-delay?ms=0");
        check(refresh_count(peer) == before + 1, "exactly one refresh request reached the provider");
        check(results[0] == results[1] && results[0].rfind("error", 0) != 0,
              "both threads got the same new access token (" + results[0] + ", " + results[1] + ")");
    }

    std::cout << "== single flight: two processes refresh one account\n";
    {
        const model::Id account = add_account("processes");
        const TokenSet t = need(authorize(*s.client, browser_options(browser_script)), "authorize");
        need(s.refresher->store(account, t), "store tokens");
        control(peer, "token-delay?ms=700");
        before = refresh_count(peer);
        const auto out_a = dir / "child-a.out";
        const auto out_b = dir / "child-b.out";
        const pid_t pa = spawn_self({"refresh-child", dir.string(), std::to_string(account), t.access_token, out_a.string()});
        const pid_t pb = spawn_self({"refresh-child", dir.string(), std::to_string(account), t.access_token, out_b.string()});
        int sa = 0, sb = 0;
        ::waitpid(pa, &sa, 0);
        ::waitpid(pb, &sb, 0);
        control(peer, "token-delay?ms=0");
        check(WIFEXITED(sa) && WEXITSTATUS(sa) == 0 && WIFEXITED(sb) && WEXITSTATUS(sb) == 0,
              "both processes got tokens (" + read_line(out_a) + ", " + read_line(out_b) + ")");
        check(refresh_count(peer) == before + 1, "exactly one refresh request reached the provider");
        check(read_line(out_a) == read_line(out_b), "both processes use the same new access token");
        const auto now_stored = need(tokens_from(need(s.vault->get(account), "read the vault")), "stored tokens");
        check(short_hash(now_stored.access_token) == read_line(out_a), "and it is the one sealed in the vault");
    }

    std::cout << g_passed << " passed, " << g_failed << " failed\n";
    return g_failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() == 4 && args[0] == "run") return run(args[1], args[2], args[3]);
    if (args.size() == 5 && args[0] == "refresh-child")
        return refresh_child(args[1], std::stoll(args[2]), args[3], args[4]);
    std::cerr << "usage: oidc_flow_test run ISSUER WORKDIR BROWSER_SCRIPT\n";
    return 2;
}
