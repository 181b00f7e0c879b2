// The Bluesky plugin's atproto OAuth session against the reference PDS
// (oauth_test.sh starts it): a sign-in through the test's browser, then the
// plugin renews the session with its single-use refresh token (DPoP-bound,
// the PDS's nonce taken), publishes with the renewed token, and a second
// use of the old refresh token is refused as a definite "sign in again"
// (AUTH), never as a passing failure.
//
//   oauth_session PDS_URL HANDLE PASSWORD BROWSER_JS PUBLISHERS_DIR

#include <spawn.h>
#include <sys/wait.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "clearpost/publish/host.h"
#include "clearpost/publish/oauth_connect.h"
#include "clearpost/publish/plugins.h"

extern char** environ;

using namespace clearpost;
using nlohmann::json;

namespace {

int g_failed = 0;

void check(bool ok, const std::string& what, const std::string& why = {}) {
    std::cout << (ok ? "  ok   " : "  FAIL ") << what << (ok || why.empty() ? "" : ": " + why) << "\n" << std::flush;
    if (!ok) ++g_failed;
}

[[noreturn]] void fatal(const std::string& what) {
    std::cout << "  FAIL " << what << " (cannot go on)\n";
    std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 6) {
        std::cerr << "usage: oauth_session PDS_URL HANDLE PASSWORD BROWSER_JS PUBLISHERS_DIR\n";
        return 2;
    }
    const std::string pds = argv[1], handle = argv[2], password = argv[3], browser = argv[4];
    ::setenv("OAUTH_HANDLE", handle.c_str(), 1);
    ::setenv("OAUTH_PASSWORD", password.c_str(), 1);
    net::HttpClient http;
    oauth::AuthorizeOptions options;
    pid_t browser_pid = -1;
    options.open_browser = [&](const std::string& url) -> Result<void> {
        const char* args[] = {"node", browser.c_str(), url.c_str(), nullptr};
        if (::posix_spawnp(&browser_pid, "node", nullptr, nullptr, const_cast<char* const*>(args), environ) != 0)
            return make_error(ErrorCode::Io, "cannot start node");
        return ok();
    };
    options.timeout = std::chrono::seconds(60);
    auto signed_in = publish::sign_in_to_bluesky(http, handle, pds, "", options);
    if (browser_pid > 0) ::waitpid(browser_pid, nullptr, 0);
    if (!signed_in) fatal("signing in: " + signed_in.error().message);
    const json first = json::parse(*signed_in);
    check(!first.value("dpop_key", "").empty() && !first.value("refresh_token", "").empty(),
          "the session carries its DPoP key and a refresh token");

    publish::PluginRegistry plugins;
    plugins.discover({argv[5]});
    auto plugin = plugins.find("bluesky");
    if (!plugin) fatal("loading bluesky.so: " + plugin.error().message);
    const auto& table = (*plugin)->table();
    publish::PluginHost host(http, publish::system_now_ms, {});
    const json account{{"network", "bluesky"}, {"handle", handle}};

    auto renewed = host.call(table.refresh_credentials, table.free_string,
                             json{{"account", account}, {"credentials", first}}.dump(), {});
    check(renewed.status == CLEARPOST_OK, "the session renews with its refresh token", renewed.message);
    const json second = json::parse(renewed.result_json, nullptr, false).value("credentials", json::object());
    check(second.value("access_token", "") != first.value("access_token", ""), "a new access token");
    check(second.value("refresh_token", "") != first.value("refresh_token", ""), "a new refresh token (rotated)");
    check(second.value("dpop_key", "") == first.value("dpop_key", ""), "the same DPoP key");

    auto published = host.call(table.publish, table.free_string,
                               json{{"account", account},
                                    {"credentials", second},
                                    {"post", {{"text", "After renewing the session"}, {"media", json::array()}}},
                                    {"idempotency_key", "0123456789abcdef0123456789abcdef"},
                                    {"scheduled_at_ms", publish::system_now_ms()}}
                                   .dump(),
                               {});
    check(published.status == CLEARPOST_OK, "a post goes out with the renewed token", published.message);

    auto reused = host.call(table.refresh_credentials, table.free_string,
                            json{{"account", account}, {"credentials", first}}.dump(), {});
    check(reused.status == CLEARPOST_ERR_AUTH, "the used-up refresh token is refused for good", reused.message);
    check(reused.message.find("invalid_grant") != std::string::npos, "with the server's invalid_grant", reused.message);
    std::cout << (g_failed == 0 ? "all passed\n" : "failures\n");
    return g_failed == 0 ? 0 : 1;
}
