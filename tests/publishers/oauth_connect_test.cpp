// Connecting an OAuth network's account through the browser
// (publish::connect_with_oauth), end to end against the X stand-in: the
// organisation's app, the sign-in with PKCE on the loopback redirect, the
// plugin's authorize_complete, the sealed grant, and revocation on
// disconnect; and what is refused before or during it.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <ctime>
#include <thread>

#include "clearpost/publish/accounts.h"
#include "clearpost/publish/oauth_connect.h"
#include "support/network_fixture.h"

using namespace clearpost;
using clearpost::testing::PublisherFixture;
using nlohmann::json;

namespace {

// A port nobody listens on now, so the test does not need X's registered one.
std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t n = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n);
    ::close(fd);
    return ntohs(a.sin_port);
}

struct ConnectFixture : PublisherFixture {
    ConnectFixture() : PublisherFixture("x", "@clinic", CLEARPOST_STANDIN) {
        standin.control({{"oauth", {{"account", "1700000000000000001"}}}});
        app.client_id = "clearpost-x-app";
        app.authorize_url = standin.url + "/_oauth/authorize";
        app.token_url = standin.url + "/_oauth/token";
        app.revocation_url = standin.url + "/_oauth/revoke";
        app.api_url = standin.url;
        options.loopback.port = free_port();
        options.timeout = std::chrono::seconds(10);
        // The person's browser: the stand-in approves at once; follow its
        // redirect back to the listener, on a thread as a browser would.
        options.open_browser = [this](const std::string& url) -> Result<void> {
            opened = url;
            browser = std::jthread([url] {
                net::HttpClient web;
                net::HttpRequest page;
                page.url = url;
                auto answer = web.send(page);
                auto* response = std::get_if<net::HttpResponse>(&answer);
                if (!response || response->status != 302) return;
                net::HttpRequest back;
                back.url = response->headers["location"];
                web.send(back);
            });
            return ok();
        };
    }

    Result<void> connect_as(const model::User& who) {
        return publish::connect_with_oauth(*store, *vault, *audit, plugins, *host, http, who, "x", "@clinic", options, now);
    }

    publish::AppRegistration app;
    oauth::AuthorizeOptions options;
    std::string opened;
    std::jthread browser;
};

}  // namespace

TEST_CASE("an X account connects in the browser with the organisation's app and its post goes out") {
    ConnectFixture f;
    REQUIRE(publish::set_app_registration(*f.store, *f.vault, *f.audit, f.plugins, f.admin, "x", f.app, f.now).ok());
    REQUIRE(f.connect_as(f.admin).ok());
    CHECK_THAT(f.opened, Catch::StartsWith(f.standin.url + "/_oauth/authorize?"));
    CHECK_THAT(f.opened, Catch::Contains("code_challenge_method=S256"));
    CHECK_THAT(f.opened, Catch::Contains("client_id=clearpost-x-app"));
    CHECK_THAT(f.opened, Catch::Contains("offline.access"));
    const auto creds = f.credentials();
    CHECK(creds["user_id"] == "1700000000000000001");  // authorize_complete looked it up
    CHECK(creds["username"] == "clinic");
    // Two hours from the sign-in, by the machine's clock (the exchange's own).
    const auto expires = creds["expires_at"].get<std::int64_t>() - std::time(nullptr);
    CHECK(expires > 7100);
    CHECK(expires <= 7200);
    CHECK_FALSE(creds.value("refresh_token", "").empty());
    CHECK((*f.store->find_account(f.account.id))->status == "connected");
    bool audited = false;
    REQUIRE(f.store->each_audit([&](const model::AuditEntry& e) {
        audited = audited || (e.action == "account.connect" && e.detail == "x:@clinic signed in through the browser");
        return true;
    }).ok());
    CHECK(audited);
    const auto post = f.scheduled_post("Connected through the browser");
    CHECK(f.run().published == 1);
    CHECK(f.target_of(post).state == model::State::Published);

    // Disconnecting hands the grant back (RFC 7009) and forgets it.
    const std::string refresh = creds["refresh_token"];
    const auto done = publish::disconnect_account(*f.store, *f.vault, *f.audit, f.http, f.admin, "x", "@clinic", f.now);
    REQUIRE(done.ok());
    CHECK(done->revoked);
    const json state = f.standin.state();
    CHECK(state["oauth"]["revoked"] == json::array({refresh}));
    CHECK(f.vault->get(f.account.id).error().code == ErrorCode::NotFound);
}

TEST_CASE("the app registration is the organisation's admin's, and a network needing a secret gets one") {
    ConnectFixture f;
    CHECK(publish::set_app_registration(*f.store, *f.vault, *f.audit, f.plugins, f.author, "x", f.app, f.now).error().code ==
          ErrorCode::Forbidden);
    publish::AppRegistration no_secret{"app-1", "", "", "", "", ""};
    const auto linkedin = publish::set_app_registration(*f.store, *f.vault, *f.audit, f.plugins, f.admin, "linkedin",
                                                        no_secret, f.now);
    REQUIRE_FALSE(linkedin.ok());
    CHECK_THAT(linkedin.error().message, Catch::Contains("client secret"));
    CHECK(publish::set_app_registration(*f.store, *f.vault, *f.audit, f.plugins, f.admin, "mastodon", f.app, f.now)
              .error()
              .code == ErrorCode::Invalid);  // Mastodon registers itself per instance
    REQUIRE(publish::set_app_registration(*f.store, *f.vault, *f.audit, f.plugins, f.admin, "x", f.app, f.now).ok());
    const auto stored = publish::app_registration(*f.vault, "x");
    REQUIRE(stored.ok());
    REQUIRE(stored->has_value());
    CHECK((*stored)->client_id == "clearpost-x-app");
    CHECK((*stored)->api_url == f.standin.url);
}

TEST_CASE("a sign-in refused, for another account, without an app or by an author stores nothing") {
    ConnectFixture f;
    SECTION("no app registered yet: refused before the browser opens") {
        const auto r = f.connect_as(f.admin);
        REQUIRE_FALSE(r.ok());
        CHECK_THAT(r.error().message, Catch::Contains("clearpostctl app set x"));
        CHECK(f.opened.empty());
    }
    REQUIRE(publish::set_app_registration(*f.store, *f.vault, *f.audit, f.plugins, f.admin, "x", f.app, f.now).ok());
    SECTION("an author may not connect accounts") {
        CHECK(f.connect_as(f.author).error().code == ErrorCode::Forbidden);
        CHECK(f.opened.empty());
    }
    SECTION("the person denies access") {
        f.standin.control({{"oauth", {{"deny", true}}}});
        CHECK(f.connect_as(f.admin).error().code == ErrorCode::Forbidden);
    }
    SECTION("the browser was signed in as someone else") {
        f.standin.control({{"oauth", {{"account", "1700000000000000099"}}}});
        const auto r = f.connect_as(f.admin);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == ErrorCode::Forbidden);
        CHECK_THAT(r.error().message, Catch::Contains("@someone"));
    }
    CHECK(f.vault->get(f.account.id).error().code == ErrorCode::NotFound);
    bool connected = false;
    REQUIRE(f.store->each_audit([&](const model::AuditEntry& e) {
        connected = connected || e.action == "account.connect";
        return true;
    }).ok());
    CHECK_FALSE(connected);
}
