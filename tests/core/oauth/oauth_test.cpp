#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "clearpost/oauth/authorize.h"
#include "clearpost/oauth/client.h"
#include "clearpost/oauth/dpop.h"
#include "clearpost/oauth/loopback.h"
#include "clearpost/oauth/pkce.h"
#include "clearpost/oauth/refresh.h"
#include "clearpost/store/store.h"
#include "temp_dir.h"

using namespace clearpost;
using namespace clearpost::oauth;
using clearpost::testing::TempDir;

namespace {

constexpr UnixSeconds kNow = 1'760'000'000;

net::HttpResponse answer(int status, std::string body, std::map<std::string, std::string> headers = {}) {
    net::HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    return r;
}

TokenError error_of(const TokenResult& r) {
    REQUIRE(std::holds_alternative<TokenError>(r));
    return std::get<TokenError>(r);
}

TokenSet tokens_of(const TokenResult& r) {
    if (auto* e = std::get_if<TokenError>(&r)) FAIL(e->message);
    return std::get<TokenSet>(r);
}

std::string param(const std::string& url_or_query, const std::string& name) {
    const auto q = url_or_query.find('?');
    auto params = parse_query(q == std::string::npos ? url_or_query : url_or_query.substr(q + 1));
    REQUIRE(params);
    for (const auto& [k, v] : *params)
        if (k == name) return v;
    return {};
}

ClientConfig test_config() {
    ClientConfig c;
    c.authorization_endpoint = "https://auth.example.org/authorize";
    c.token_endpoint = "https://auth.example.org/token";
    c.revocation_endpoint = "https://auth.example.org/revoke";
    c.client_id = "desktop app";
    c.scopes = {"openid", "offline_access", "post:write"};
    return c;
}

// Loopback requests must not go through a proxy from the environment.
void no_proxy_for_loopback() {
    ::setenv("NO_PROXY", "127.0.0.1,localhost", 1);
    ::setenv("no_proxy", "127.0.0.1,localhost", 1);
}

net::HttpResult get(const std::string& url) {
    net::HttpClient http;
    net::HttpRequest request;
    request.url = url;
    return http.send(request);
}

}  // namespace

TEST_CASE("the S256 challenge matches the RFC 7636 appendix B example") {
    CHECK(s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") ==
          "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    // The appendix's octets give its verifier.
    const crypto::Bytes octets{116, 24, 223, 180, 151, 153, 224, 37,  79,  250, 96,  125, 216, 173, 187, 186,
                               22,  212, 37,  77,  105, 214, 191, 240, 91,  88,  5,   88,  83,  132, 141, 121};
    CHECK(base64url(octets) == "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
}

TEST_CASE("fresh PKCE verifiers are valid, random and carry their own challenge") {
    const Pkce a = make_pkce();
    const Pkce b = make_pkce();
    CHECK(a.verifier.size() == 43);
    CHECK(is_valid_verifier(a.verifier));
    CHECK(a.challenge == s256_challenge(a.verifier));
    CHECK(a.verifier != b.verifier);
    CHECK_FALSE(is_valid_verifier("too-short"));
    CHECK_FALSE(is_valid_verifier(std::string(43, '+')));
    CHECK(make_state() != make_state());
    CHECK(make_state().size() == 22);
}

TEST_CASE("base64 matches the RFC 4648 test vectors") {
    CHECK(base64("") == "");
    CHECK(base64("f") == "Zg==");
    CHECK(base64("fo") == "Zm8=");
    CHECK(base64("foo") == "Zm9v");
    CHECK(base64("foob") == "Zm9vYg==");
    CHECK(base64("fooba") == "Zm9vYmE=");
    CHECK(base64("foobar") == "Zm9vYmFy");
}

TEST_CASE("the authorisation URL carries PKCE, state and the loopback redirect, percent-encoded") {
    auto config = test_config();
    config.extra_authorization_params = {{"prompt", "consent"}};
    const auto url = build_authorization_url(config, "http://127.0.0.1:49152/callback", "st&te", "chal");
    CHECK(url.rfind("https://auth.example.org/authorize?response_type=code&client_id=desktop%20app&", 0) == 0);
    CHECK(url.find("redirect_uri=http%3A%2F%2F127.0.0.1%3A49152%2Fcallback") != std::string::npos);
    CHECK(url.find("scope=openid%20offline_access%20post%3Awrite") != std::string::npos);
    CHECK(param(url, "state") == "st&te");
    CHECK(param(url, "code_challenge") == "chal");
    CHECK(param(url, "code_challenge_method") == "S256");
    CHECK(param(url, "prompt") == "consent");
    config.authorization_endpoint = "https://auth.example.org/authorize?tenant=a";
    CHECK(build_authorization_url(config, "r", "s", "c").rfind("https://auth.example.org/authorize?tenant=a&", 0) ==
          0);
}

TEST_CASE("form encoding round-trips and a broken escape is refused") {
    const std::vector<std::pair<std::string, std::string>> fields{{"a b", "x+y=z&é"}, {"empty", ""}};
    const auto encoded = form_encode(fields);
    CHECK(encoded == "a+b=x%2By%3Dz%26%C3%A9&empty=");
    CHECK(parse_query(encoded) == fields);
    CHECK_FALSE(parse_query("a=%zz"));
    CHECK_FALSE(parse_query("a=%4"));
}

TEST_CASE("a token answer is read with its expiry, refresh token and scope") {
    const auto r = parse_token_response(
        answer(200, R"({"access_token":"at1","token_type":"Bearer","expires_in":3600,"refresh_token":"rt1","scope":"a b"})"),
        kNow, {});
    const auto& t = tokens_of(r);
    CHECK(t.access_token == "at1");
    CHECK(t.token_type == "Bearer");
    CHECK(t.refresh_token == "rt1");
    CHECK(t.scope == "a b");
    CHECK(t.expires_at == kNow + 3600);
    // Some servers send the lifetime as text, some none at all.
    CHECK(tokens_of(parse_token_response(answer(200, R"({"access_token":"a","expires_in":"60"})"), kNow, {})).expires_at ==
          kNow + 60);
    CHECK_FALSE(tokens_of(parse_token_response(answer(200, R"({"access_token":"a"})"), kNow, {})).expires_at);
}

TEST_CASE("invalid_grant is a definite reauthorisation and transient failures never are") {
    SECTION("invalid_grant") {
        const auto& e = error_of(parse_token_response(
            answer(400, R"({"error":"invalid_grant","error_description":"grant request is invalid"})"), kNow, {}));
        CHECK(e.kind == TokenFailure::Reauthorise);
        CHECK(e.error == "invalid_grant");
        CHECK(e.description == "grant request is invalid");
        CHECK(e.to_error().code == ErrorCode::Unauthenticated);
        CHECK(e.message.find("reconnect the account") != std::string::npos);
    }
    SECTION("a server error after the request arrived is transient and in doubt") {
        const auto& e = error_of(parse_token_response(answer(500, "<html>oops</html>"), kNow, {}));
        CHECK(e.kind == TokenFailure::Transient);
        CHECK(e.in_doubt);
        CHECK(e.to_error().code == ErrorCode::Io);
    }
    SECTION("503 and temporarily_unavailable are transient") {
        CHECK(error_of(parse_token_response(answer(503, ""), kNow, {})).kind == TokenFailure::Transient);
        CHECK_FALSE(error_of(parse_token_response(answer(503, ""), kNow, {})).in_doubt);
        CHECK(error_of(parse_token_response(answer(400, R"({"error":"temporarily_unavailable"})"), kNow, {})).kind ==
              TokenFailure::Transient);
    }
    SECTION("429 is transient and keeps Retry-After") {
        const auto& e = error_of(parse_token_response(answer(429, "", {{"retry-after", "30"}}), kNow, {}));
        CHECK(e.kind == TokenFailure::Transient);
        CHECK(e.retry_after_seconds == 30);
    }
    SECTION("no answer at all is transient; in doubt only once the request left") {
        const auto& not_sent =
            error_of(parse_token_response(net::HttpFailure{net::Failure::NotSent, "connect refused"}, kNow, {}));
        CHECK(not_sent.kind == TokenFailure::Transient);
        CHECK_FALSE(not_sent.in_doubt);
        const auto& timed_out =
            error_of(parse_token_response(net::HttpFailure{net::Failure::InDoubt, "timeout"}, kNow, {}));
        CHECK(timed_out.kind == TokenFailure::Transient);
        CHECK(timed_out.in_doubt);
    }
    SECTION("a 200 without an access token is transient and in doubt, not a dead account") {
        const auto& e = error_of(parse_token_response(answer(200, "not json"), kNow, {}));
        CHECK(e.kind == TokenFailure::Transient);
        CHECK(e.in_doubt);
    }
    SECTION("a refused client or request asks for the settings, not for reconnecting") {
        const auto& e = error_of(parse_token_response(answer(401, R"({"error":"invalid_client"})"), kNow, {}));
        CHECK(e.kind == TokenFailure::Rejected);
        CHECK(e.to_error().code == ErrorCode::Invalid);
        CHECK(error_of(parse_token_response(answer(400, "<html>bad</html>"), kNow, {})).kind == TokenFailure::Rejected);
        const auto& nested = error_of(parse_token_response(
            answer(400, R"({"error":{"message":"Invalid OAuth access token.","type":"OAuthException","code":190}})"),
            kNow, {}));
        CHECK(nested.kind == TokenFailure::Rejected);
        CHECK(nested.error == "OAuthException");
        CHECK(nested.description == "Invalid OAuth access token.");
    }
    SECTION("tokens the server echoes are redacted from messages") {
        const auto& e = error_of(parse_token_response(
            answer(400, R"({"error":"invalid_grant","error_description":"refresh token rt-secret-1 was used"})"), kNow,
            {"rt-secret-1"}));
        CHECK(e.message.find("rt-secret-1") == std::string::npos);
        CHECK(e.description.find("[redacted]") != std::string::npos);
    }
}

TEST_CASE("token requests are form-encoded with the client authentication configured") {
    net::HttpClient http;
    std::vector<net::HttpRequest> sent;
    http.set_fault_injector([&](const net::HttpRequest& r) -> std::optional<net::HttpResult> {
        sent.push_back(r);
        return answer(200, R"({"access_token":"at2","token_type":"Bearer","expires_in":60})");
    });
    auto config = test_config();

    SECTION("a public client sends its id and the PKCE verifier, no secret") {
        Client client(config, http, [] { return kNow; });
        tokens_of(client.exchange_code("the code", "http://127.0.0.1:5/callback", "verifier"));
        REQUIRE(sent.size() == 1);
        CHECK(sent[0].method == "POST");
        CHECK(sent[0].url == config.token_endpoint);
        CHECK(param(sent[0].body, "grant_type") == "authorization_code");
        CHECK(param(sent[0].body, "code") == "the code");
        CHECK(param(sent[0].body, "redirect_uri") == "http://127.0.0.1:5/callback");
        CHECK(param(sent[0].body, "code_verifier") == "verifier");
        CHECK(param(sent[0].body, "client_id") == "desktop app");
        CHECK(sent[0].body.find("client_secret") == std::string::npos);
        CHECK(std::find(sent[0].headers.begin(), sent[0].headers.end(),
                        std::pair<std::string, std::string>{"Content-Type", "application/x-www-form-urlencoded"}) !=
              sent[0].headers.end());
        CHECK(std::find(sent[0].secrets.begin(), sent[0].secrets.end(), "the code") != sent[0].secrets.end());
    }
    SECTION("client_secret_post puts the secret in the body") {
        config.auth = ClientAuth::SecretPost;
        config.client_secret = "s3cret";
        Client client(config, http, [] { return kNow; });
        tokens_of(client.refresh("rt"));
        REQUIRE(sent.size() == 1);
        CHECK(param(sent[0].body, "client_secret") == "s3cret");
        CHECK(param(sent[0].body, "grant_type") == "refresh_token");
        CHECK(param(sent[0].body, "refresh_token") == "rt");
    }
    SECTION("client_secret_basic sends HTTP Basic over the form-encoded id and secret") {
        config.auth = ClientAuth::SecretBasic;
        config.client_secret = "s3cret";
        Client client(config, http, [] { return kNow; });
        tokens_of(client.refresh("rt"));
        REQUIRE(sent.size() == 1);
        CHECK(std::find(sent[0].headers.begin(), sent[0].headers.end(),
                        std::pair<std::string, std::string>{"Authorization", "Basic " + base64("desktop+app:s3cret")}) !=
              sent[0].headers.end());
        CHECK(sent[0].body.find("client_secret") == std::string::npos);
        CHECK(sent[0].body.find("client_id") == std::string::npos);
    }
    SECTION("a refresh answer without a new refresh token keeps the old one") {
        Client client(config, http, [] { return kNow; });
        CHECK(tokens_of(client.refresh("rt-old")).refresh_token == "rt-old");
    }
    SECTION("revocation sends the token and its hint; 200 is success") {
        Client client(config, http, [] { return kNow; });
        CHECK_FALSE(client.revoke("rt", "refresh_token"));
        REQUIRE(sent.size() == 1);
        CHECK(sent[0].url == config.revocation_endpoint);
        CHECK(param(sent[0].body, "token") == "rt");
        CHECK(param(sent[0].body, "token_type_hint") == "refresh_token");
    }
}

TEST_CASE("revocation failures are classified and a network without revocation says so") {
    net::HttpClient http;
    http.set_fault_injector([](const net::HttpRequest&) -> std::optional<net::HttpResult> { return answer(503, ""); });
    auto config = test_config();
    Client client(config, http, [] { return kNow; });
    auto e = client.revoke("rt", "refresh_token");
    REQUIRE(e);
    CHECK(e->kind == TokenFailure::Transient);
    config.revocation_endpoint.clear();
    Client without(config, http, [] { return kNow; });
    e = without.revoke("rt", "refresh_token");
    REQUIRE(e);
    CHECK(e->kind == TokenFailure::Rejected);
}

TEST_CASE("the loopback listener binds 127.0.0.1 and answers only its redirect path, once") {
    no_proxy_for_loopback();
    auto listener = LoopbackListener::open({});
    REQUIRE(listener);
    REQUIRE(listener->port() != 0);
    const std::string base = "http://127.0.0.1:" + std::to_string(listener->port());
    CHECK(listener->redirect_uri() == base + "/callback");

    net::HttpResult wrong_path, right;
    std::thread browser([&] {
        wrong_path = get(base + "/favicon.ico");
        right = get(base + "/callback?code=c%2B1&state=s1");
    });
    auto code = listener->wait_for_code("s1", std::chrono::seconds(60));
    browser.join();
    REQUIRE(code);
    CHECK(*code == "c+1");
    REQUIRE(std::holds_alternative<net::HttpResponse>(wrong_path));
    CHECK(std::get<net::HttpResponse>(wrong_path).status == 404);
    REQUIRE(std::holds_alternative<net::HttpResponse>(right));
    const auto& page = std::get<net::HttpResponse>(right);
    CHECK(page.status == 200);
    CHECK(page.body.find("You can close this tab") != std::string::npos);
    CHECK(page.headers.at("cache-control") == "no-store");
    // Closed after the one request: nothing listens any more.
    CHECK_FALSE(listener->is_open());
    const auto after = get(base + "/callback?code=x&state=s1");
    REQUIRE(std::holds_alternative<net::HttpFailure>(after));
    CHECK(std::get<net::HttpFailure>(after).kind == net::Failure::NotSent);
}

TEST_CASE("the loopback listener refuses an answer with another state and ends the sign-in") {
    no_proxy_for_loopback();
    auto listener = LoopbackListener::open({});
    REQUIRE(listener);
    const std::string base = "http://127.0.0.1:" + std::to_string(listener->port());
    net::HttpResult forged;
    std::thread browser([&] { forged = get(base + "/callback?code=stolen&state=not-yours"); });
    auto code = listener->wait_for_code("expected", std::chrono::seconds(60));
    browser.join();
    REQUIRE_FALSE(code);
    CHECK(code.error().code == ErrorCode::Tampered);
    REQUIRE(std::holds_alternative<net::HttpResponse>(forged));
    CHECK(std::get<net::HttpResponse>(forged).status == 400);
    CHECK_FALSE(listener->is_open());
}

TEST_CASE("the loopback listener reports a refusal, a missing code, and a missing state") {
    no_proxy_for_loopback();
    auto run = [](const std::string& query) {
        auto listener = LoopbackListener::open({});
        REQUIRE(listener);
        const std::string url = listener->redirect_uri() + query;
        std::thread browser([url] { (void)get(url); });
        auto code = listener->wait_for_code("s", std::chrono::seconds(60));
        browser.join();
        REQUIRE_FALSE(code);
        return code.error().code;
    };
    CHECK(run("?error=access_denied&state=s") == ErrorCode::Forbidden);
    CHECK(run("?error=invalid_scope&state=s") == ErrorCode::Invalid);
    CHECK(run("?state=s") == ErrorCode::Invalid);
    CHECK(run("?code=abc") == ErrorCode::Tampered);
}

TEST_CASE("a stop request ends the wait for the browser within a second, and closes the listener") {
    auto listener = LoopbackListener::open({});
    REQUIRE(listener);
    std::stop_source stop;
    std::thread closer([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        stop.request_stop();
    });
    const auto started = std::chrono::steady_clock::now();
    auto cancelled = listener->wait_for_code("s", std::chrono::minutes(5), stop.get_token());
    closer.join();
    REQUIRE_FALSE(cancelled);
    CHECK(cancelled.error().code == ErrorCode::Io);
    CHECK(cancelled.error().message.find("cancelled") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(3));
    CHECK_FALSE(listener->is_open());
}

TEST_CASE("the loopback listener gives up when the time is up and can use a fixed port") {
    auto first = LoopbackListener::open({});
    REQUIRE(first);
    const auto port = first->port();
    auto timed_out = first->wait_for_code("s", std::chrono::milliseconds(0));
    REQUIRE_FALSE(timed_out);
    CHECK(timed_out.error().code == ErrorCode::Io);
    CHECK_FALSE(first->is_open());

    // The port a network requires (registered redirect URI), and refused while taken.
    auto fixed = LoopbackListener::open({port, "/oauth/done"});
    REQUIRE(fixed);
    CHECK(fixed->redirect_uri() == "http://127.0.0.1:" + std::to_string(port) + "/oauth/done");
    auto taken = LoopbackListener::open({port, "/oauth/done"});
    REQUIRE_FALSE(taken);
    CHECK(taken.error().code == ErrorCode::Io);
    CHECK(LoopbackListener::open({0, "no-slash"}).error().code == ErrorCode::Invalid);
}

TEST_CASE("authorize opens the browser on the request URL and exchanges the code with the verifier") {
    no_proxy_for_loopback();
    net::HttpClient http;
    std::vector<net::HttpRequest> token_requests;
    http.set_fault_injector([&](const net::HttpRequest& r) -> std::optional<net::HttpResult> {
        if (r.url.find("127.0.0.1") != std::string::npos) return std::nullopt;  // the browser's redirect
        token_requests.push_back(r);
        return answer(200, R"({"access_token":"at","token_type":"Bearer","refresh_token":"rt","expires_in":600})");
    });
    Client client(test_config(), http, [] { return kNow; });
    std::thread browser;
    std::string opened;
    bool forge = false;
    AuthorizeOptions options;
    options.timeout = std::chrono::seconds(60);
    options.open_browser = [&](const std::string& url) -> Result<void> {
        opened = url;
        const std::string state = forge ? "forged" : param(url, "state");
        const std::string redirect = param(url, "redirect_uri") + "?code=the-code&state=" + percent_encode(state);
        browser = std::thread([redirect] { (void)get(redirect); });
        return ok();
    };

    SECTION("the right state gets tokens") {
        auto tokens = authorize(client, options);
        browser.join();
        REQUIRE(tokens);
        CHECK(tokens->refresh_token == "rt");
        CHECK(param(opened, "code_challenge_method") == "S256");
        REQUIRE(token_requests.size() == 1);
        const std::string verifier = param(token_requests[0].body, "code_verifier");
        CHECK(s256_challenge(verifier) == param(opened, "code_challenge"));
        CHECK(param(token_requests[0].body, "code") == "the-code");
        CHECK(param(token_requests[0].body, "redirect_uri") == param(opened, "redirect_uri"));
    }
    SECTION("a wrong state stops before any token request") {
        forge = true;
        auto tokens = authorize(client, options);
        browser.join();
        REQUIRE_FALSE(tokens);
        CHECK(tokens.error().code == ErrorCode::Tampered);
        CHECK(token_requests.empty());
    }
    SECTION("a browser that cannot open stops the flow") {
        options.open_browser = [](const std::string&) -> Result<void> {
            return make_error(ErrorCode::NotFound, "no browser");
        };
        auto tokens = authorize(client, options);
        REQUIRE_FALSE(tokens);
        CHECK(tokens.error().code == ErrorCode::NotFound);
    }
}

namespace {

// A database, its vault and one connected account, per test.
struct VaultFixture {
    TempDir dir;
    std::unique_ptr<store::Store> store;
    std::optional<security::Vault> vault;
    model::Id account = 0;

    VaultFixture() {
        auto s = store::open_sqlite(dir / "clearpost.db", store::OpenMode::CreateIfMissing,
                                    store::MigrationPolicy::Migrate);
        REQUIRE(s);
        store = std::move(*s);
        auto v = security::Vault::open(*store, dir / "config");
        REQUIRE(v);
        vault.emplace(std::move(*v));
        auto id = store->insert_account({0, "x", "@clinic", "connected"});
        REQUIRE(id);
        account = *id;
    }
    std::filesystem::path locks() { return refresh_lock_dir(dir / "config", *store->database_id()); }
};

}  // namespace

TEST_CASE("a refresh is sent only when the tokens are about to expire, and its result is sealed in the vault") {
    VaultFixture f;
    UnixSeconds now = kNow;
    net::HttpClient http;
    int requests = 0;
    net::HttpResult next = answer(200, R"({"access_token":"at2","token_type":"Bearer","refresh_token":"rt2","expires_in":3600})");
    http.set_fault_injector([&](const net::HttpRequest&) -> std::optional<net::HttpResult> {
        ++requests;
        return next;
    });
    Client client(test_config(), http, [&] { return now; });
    Refresher refresher(*f.vault, client, f.locks(), [&] { return now; });
    REQUIRE(f.vault->put(f.account, R"({"handle":"@clinic"})", now));
    REQUIRE(refresher.store(f.account, TokenSet{"at1", "Bearer", "rt1", "", now + 3600}));

    SECTION("fresh tokens are returned as stored") {
        CHECK(tokens_of(refresher.fresh_tokens(f.account)).access_token == "at1");
        CHECK(requests == 0);
    }
    SECTION("expiring tokens are refreshed and the rotated refresh token is stored") {
        now += 3600 - 60;
        CHECK(tokens_of(refresher.fresh_tokens(f.account)).access_token == "at2");
        CHECK(requests == 1);
        auto stored = tokens_from(*f.vault->get(f.account));
        REQUIRE(stored);
        CHECK(stored->refresh_token == "rt2");
        CHECK(stored->expires_at == now + 3600);
        CHECK(f.vault->get(f.account)->find("\"handle\":\"@clinic\"") != std::string::npos);  // the plugin's fields stay
    }
    SECTION("a rejected access token is refreshed once; a caller with an older one gets the stored one") {
        CHECK(tokens_of(refresher.fresh_tokens(f.account, "at1")).access_token == "at2");
        CHECK(tokens_of(refresher.fresh_tokens(f.account, "at1")).access_token == "at2");
        CHECK(requests == 1);
    }
    SECTION("invalid_grant asks for reconnecting and leaves the stored tokens alone") {
        next = answer(400, R"({"error":"invalid_grant"})");
        CHECK(error_of(refresher.fresh_tokens(f.account, "at1")).kind == TokenFailure::Reauthorise);
        CHECK(tokens_from(*f.vault->get(f.account))->refresh_token == "rt1");
    }
    SECTION("a timeout or an outage is transient and leaves the stored tokens alone") {
        next = net::HttpFailure{net::Failure::InDoubt, "timed out"};
        CHECK(error_of(refresher.fresh_tokens(f.account, "at1")).kind == TokenFailure::Transient);
        next = answer(502, "bad gateway");
        CHECK(error_of(refresher.fresh_tokens(f.account, "at1")).kind == TokenFailure::Transient);
        CHECK(tokens_from(*f.vault->get(f.account))->refresh_token == "rt1");
        CHECK(tokens_from(*f.vault->get(f.account))->access_token == "at1");
    }
}

TEST_CASE("an account without stored tokens needs reconnecting") {
    VaultFixture f;
    net::HttpClient http;
    Client client(test_config(), http, [] { return kNow; });
    Refresher refresher(*f.vault, client, f.locks(), [] { return kNow; });
    CHECK(error_of(refresher.fresh_tokens(f.account)).kind == TokenFailure::Reauthorise);
    REQUIRE(f.vault->put(f.account, R"({"handle":"@clinic"})", kNow));
    CHECK(error_of(refresher.fresh_tokens(f.account)).kind == TokenFailure::Reauthorise);
}

TEST_CASE("the refresh lock of an account excludes a second holder until released") {
    TempDir dir;
    auto first = AccountLock::acquire(dir / "locks", 7, std::chrono::milliseconds(0));
    REQUIRE(first);
    auto second = AccountLock::acquire(dir / "locks", 7, std::chrono::milliseconds(0));
    REQUIRE_FALSE(second);
    CHECK(second.error().code == ErrorCode::Conflict);
    CHECK(AccountLock::acquire(dir / "locks", 8, std::chrono::milliseconds(0)));  // other accounts are free
    { auto released = std::move(*first); }
    CHECK(AccountLock::acquire(dir / "locks", 7, std::chrono::milliseconds(0)));
}

TEST_CASE("two threads refreshing one account send exactly one refresh request") {
    VaultFixture f;
    const auto db = f.dir / "clearpost.db";
    const auto locks = f.locks();
    {
        net::HttpClient http;
        Client client(test_config(), http, [] { return kNow; });
        Refresher refresher(*f.vault, client, locks, [] { return kNow; });
        REQUIRE(refresher.store(f.account, TokenSet{"at1", "Bearer", "rt1", "", kNow + 3600}));
    }
    std::atomic<int> requests{0};
    std::mutex mutex;
    std::vector<std::string> results;
    auto worker = [&] {
        // One connection, vault and HTTP client per thread, as in the service.
        // Catch2 assertions are not thread-safe: failures become results.
        auto fail = [&](const std::string& what) {
            std::lock_guard<std::mutex> guard(mutex);
            results.push_back("error: " + what);
        };
        auto s = store::open_sqlite(db, store::OpenMode::MustExist, store::MigrationPolicy::RequireCurrent);
        if (!s) return fail(s.error().message);
        auto v = security::Vault::open(**s, f.dir / "config");
        if (!v) return fail(v.error().message);
        net::HttpClient http;
        http.set_fault_injector([&](const net::HttpRequest& r) -> std::optional<net::HttpResult> {
            const int n = ++requests;
            if (param(r.body, "refresh_token") != "rt1") return answer(400, R"({"error":"invalid_grant"})");
            return answer(200, R"({"access_token":"at-)" + std::to_string(n) +
                                   R"(","token_type":"Bearer","refresh_token":"rt-new","expires_in":3600})");
        });
        Client client(test_config(), http, [] { return kNow; });
        Refresher refresher(*v, client, locks, [] { return kNow; });
        auto r = refresher.fresh_tokens(f.account, "at1");
        std::lock_guard<std::mutex> guard(mutex);
        if (auto* t = std::get_if<TokenSet>(&r)) results.push_back(t->access_token);
        else results.push_back("error: " + std::get<TokenError>(r).message);
    };
    std::thread a(worker), b(worker);
    a.join();
    b.join();
    CHECK(requests == 1);
    REQUIRE(results.size() == 2);
    CHECK(results[0] == "at-1");
    CHECK(results[1] == "at-1");
}

namespace {

std::string base64url_decode(std::string text) {
    std::replace(text.begin(), text.end(), '-', '+');
    std::replace(text.begin(), text.end(), '_', '/');
    static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (char c : text) {
        buffer = buffer << 6 | static_cast<unsigned>(kAlphabet.find(c));
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>(buffer >> bits & 0xFF));
        }
    }
    return out;
}

struct Jwt {
    nlohmann::json header, claims;
    std::string signing_input;
    crypto::Bytes signature;
};

Jwt split_jwt(const std::string& jwt) {
    const auto first = jwt.find('.'), second = jwt.rfind('.');
    REQUIRE(first != std::string::npos);
    REQUIRE(second != first);
    const std::string sig = base64url_decode(jwt.substr(second + 1));
    return {nlohmann::json::parse(base64url_decode(jwt.substr(0, first))),
            nlohmann::json::parse(base64url_decode(jwt.substr(first + 1, second - first - 1))), jwt.substr(0, second),
            crypto::Bytes(sig.begin(), sig.end())};
}

}  // namespace

TEST_CASE("a DPoP proof is an ES256 JWT over the method, the URL without its query, the nonce and the token hash") {
    const auto key = *crypto::generate_es256_key();
    const auto proof = dpop_proof(key, {"POST", "http://localhost:2583/xrpc/com.atproto.repo.putRecord?x=1#f", kNow,
                                        "nonce-1", "the-access-token"});
    REQUIRE(proof.ok());
    const Jwt jwt = split_jwt(*proof);
    CHECK(jwt.header["typ"] == "dpop+jwt");
    CHECK(jwt.header["alg"] == "ES256");
    CHECK(jwt.header["jwk"]["kty"] == "EC");
    CHECK(jwt.header["jwk"]["crv"] == "P-256");
    CHECK_FALSE(jwt.header["jwk"].contains("d"));  // never the private part
    CHECK(jwt.claims["htm"] == "POST");
    CHECK(jwt.claims["htu"] == "http://localhost:2583/xrpc/com.atproto.repo.putRecord");
    CHECK(jwt.claims["iat"] == kNow);
    CHECK(jwt.claims["nonce"] == "nonce-1");
    CHECK(jwt.claims["ath"] == base64url(crypto::sha256("the-access-token")));
    CHECK(jwt.claims["jti"].get<std::string>().size() >= 22);
    // The signature verifies with the key the header carries.
    const std::string x = base64url_decode(jwt.header["jwk"]["x"]), y = base64url_decode(jwt.header["jwk"]["y"]);
    const crypto::EcPublicKey pub{crypto::Bytes(x.begin(), x.end()), crypto::Bytes(y.begin(), y.end())};
    CHECK(*crypto::es256_verify(pub, jwt.signing_input, jwt.signature));
    // Each proof is fresh.
    CHECK(split_jwt(*dpop_proof(key, {"POST", "http://a/b", kNow, "", ""})).claims["jti"] !=
          split_jwt(*dpop_proof(key, {"POST", "http://a/b", kNow, "", ""})).claims["jti"]);
}

TEST_CASE("DPoP requests take the server's nonce and are sent once more when it asks for one") {
    const auto key = *crypto::generate_es256_key();
    net::HttpClient http;
    std::vector<net::HttpRequest> sent;
    int nonce_asks = 1;
    http.set_fault_injector([&](const net::HttpRequest& r) -> std::optional<net::HttpResult> {
        sent.push_back(r);
        net::HttpResponse response;
        response.headers["dpop-nonce"] = "n" + std::to_string(sent.size());
        if (nonce_asks-- > 0) {
            response.status = r.url.find("/token") != std::string::npos ? 400 : 401;
            if (response.status == 400) response.body = R"({"error":"use_dpop_nonce"})";
            else response.headers["www-authenticate"] = R"(DPoP error="use_dpop_nonce")";
        } else {
            response.status = 200;
            response.body = "{}";
        }
        return response;
    });
    DpopNonces nonces;
    auto header = [](const net::HttpRequest& r, const std::string& name) {
        for (const auto& [k, v] : r.headers)
            if (k == name) return v;
        return std::string();
    };
    SECTION("an authorisation server: 400 use_dpop_nonce") {
        net::HttpRequest r;
        r.method = "POST";
        r.url = "http://localhost:9/oauth/token";
        auto result = dpop_send(http, r, key, {}, nonces, [] { return kNow; });
        REQUIRE(std::get<net::HttpResponse>(result).status == 200);
        REQUIRE(sent.size() == 2);
        CHECK_FALSE(split_jwt(header(sent[0], "DPoP")).claims.contains("nonce"));
        CHECK(split_jwt(header(sent[1], "DPoP")).claims["nonce"] == "n1");
        CHECK(header(sent[1], "Authorization").empty());
        CHECK(nonces.get("http://localhost:9") == "n2");  // the latest is kept for the next request
    }
    SECTION("a resource server: 401 with WWW-Authenticate, a bound token") {
        net::HttpRequest r;
        r.method = "GET";
        r.url = "http://localhost:9/xrpc/x?y=1";
        auto result = dpop_send(http, r, key, "tok-123456", nonces, [] { return kNow; });
        REQUIRE(std::get<net::HttpResponse>(result).status == 200);
        REQUIRE(sent.size() == 2);
        CHECK(header(sent[1], "Authorization") == "DPoP tok-123456");
        const auto claims = split_jwt(header(sent[1], "DPoP")).claims;
        CHECK(claims["nonce"] == "n1");
        CHECK(claims["htm"] == "GET");
        CHECK(claims["htu"] == "http://localhost:9/xrpc/x");
        CHECK(claims["ath"] == base64url(crypto::sha256("tok-123456")));
    }
    SECTION("a server that keeps asking is not asked forever") {
        nonce_asks = 100;
        net::HttpRequest r;
        r.method = "POST";
        r.url = "http://localhost:9/oauth/token";
        auto result = dpop_send(http, r, key, {}, nonces, [] { return kNow; });
        CHECK(std::get<net::HttpResponse>(result).status == 400);
        CHECK(sent.size() == 2);
    }
}
