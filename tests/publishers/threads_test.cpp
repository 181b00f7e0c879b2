// The Threads plugin through the dispatcher against a stand-in of the
// Threads API and of the account's media host (threads/standin.py on
// meta/graph_standin.py), which fetches every image_url as Meta does.

#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/network_fixture.h"

using namespace clearpost;
using model::State;
using nlohmann::json;

namespace {

const std::string kUser = "17841400000000001";

struct Threads : testing::PublisherFixture {
    Threads() : PublisherFixture("threads", "clinic", CLEARPOST_STANDIN) {
        standin.control({{"add_token", "good-token"}, {"expires_at", now + 50 * 86400}, {"issued_at", now - 2 * 86400}});
        connect(creds());
    }
    json creds() {
        return {{"access_token", "good-token"}, {"expires_at", now + 50 * 86400}, {"issued_at", now - 2 * 86400},
                {"client_id", "app-id"}, {"client_secret", "app-secret"}, {"api_url", standin.url},
                {"threads_user_id", kUser}, {"username", "clinic"},
                {"media_host", {{"kind", "put"}, {"upload_url", standin.url + "/_media/"}, {"public_url", standin.url + "/_media/"}}}};
    }
    // Oldest first.
    std::vector<json> posts() {
        std::vector<json> out;
        const json all = standin.state();
        for (const auto& [id, p] : all["posts"].items()) out.push_back(p);
        std::sort(out.begin(), out.end(), [](const json& a, const json& b) { return a["id"] < b["id"]; });
        return out;
    }
    int containers() { return static_cast<int>(standin.state()["containers"].size()); }
    int publishes() { return standin.requests("POST", "/v1.0/" + kUser + "/threads_publish"); }
};

std::string repeat(const std::string& s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
}

std::string long_text() {
    std::string text;
    for (int i = 0; i < 150; ++i) text += "word" + std::to_string(i) + " ";
    return text + "end";  // 1,043 characters: three parts
}

}  // namespace

TEST_CASE("the Threads plugin declares Threads' limits, counting, sign-in and idempotency") {
    Threads f;
    auto plugin = f.plugins.find("threads");
    REQUIRE(plugin.ok());
    const auto caps = json::parse((*plugin)->capabilities());
    CHECK(caps["text"]["limit"] == 500);
    CHECK(caps["text"]["counting"] == "threads");
    CHECK(caps["text"]["max_links"] == 5);
    CHECK(caps["media"]["max_images"] == 20);
    CHECK(caps["media"]["types"] == json::array({"image/jpeg", "image/png"}));
    CHECK(caps["threads"] == true);
    CHECK(caps["idempotency"] == "lookup");
    CHECK(caps["rate_limits"]["posts_per_day"] == 250);
    CHECK(caps["oauth"]["authorize_url"] == "https://threads.net/oauth/authorize");
    CHECK(caps["oauth"]["token_url"] == "https://graph.threads.net/oauth/access_token");
    CHECK(caps["oauth"]["scopes"][0] == "threads_basic");
    CHECK(caps["oauth"]["needs_client_secret"] == true);
}

TEST_CASE("a text post with a link goes to Threads once, the link as its preview") {
    Threads f;
    const auto post = f.scheduled_post("Flu shots Saturday https://clinic.example/flu and https://clinic.example/map");
    CHECK(f.run().published == 1);
    const auto t = f.target_of(post);
    CHECK(t.state == State::Published);
    const auto posts = f.posts();
    REQUIRE(posts.size() == 1);
    CHECK(posts[0]["media_type"] == "TEXT");
    CHECK(posts[0]["text"] == "Flu shots Saturday https://clinic.example/flu and https://clinic.example/map");
    CHECK(posts[0]["link_preview"] == "https://clinic.example/flu");
    CHECK(t.remote_id == posts[0]["id"]);
    CHECK(t.remote_url == "https://www.threads.net/@clinic/post/" + posts[0]["id"].get<std::string>());
    CHECK(f.publishes() == 1);
    CHECK(f.standin.requests("GET", "/v1.0/" + kUser + "/threads_publishing_limit") == 1);
    CHECK(f.run().claimed == 0);
    CHECK(f.logs.find("good-token") == std::string::npos);
    CHECK(f.logs.find("app-secret") == std::string::npos);
}

TEST_CASE("emoji count as their UTF-8 bytes: 500 by that count is one post, 501 is two") {
    Threads f;
    const std::string exactly = repeat("🩺", 100) + " " + repeat("a", 99);  // 400 + 1 + 99
    f.scheduled_post(exactly);
    CHECK(f.run().published == 1);
    REQUIRE(f.posts().size() == 1);
    CHECK(f.posts()[0]["text"] == exactly);
    f.scheduled_post(exactly + " b");
    CHECK(f.run().published == 1);
    const auto posts = f.posts();
    REQUIRE(posts.size() == 3);
    CHECK(posts[1]["text"] == exactly);
    CHECK(posts[2]["text"] == "b");
    CHECK(posts[2]["reply_to_id"] == posts[1]["id"]);
}

TEST_CASE("a long text becomes a reply chain and a sixth link starts a new part") {
    Threads f;
    SECTION("length") {
        const auto post = f.scheduled_post(long_text());
        CHECK(f.run().published == 1);
        const auto posts = f.posts();
        REQUIRE(posts.size() == 3);
        CHECK(posts[0]["reply_to_id"].is_null());
        CHECK(posts[1]["reply_to_id"] == posts[0]["id"]);
        CHECK(posts[2]["reply_to_id"] == posts[1]["id"]);
        CHECK(f.target_of(post).remote_id == posts[0]["id"]);
        CHECK(posts[0]["text"].get<std::string>() + " " + posts[1]["text"].get<std::string>() + " " +
                  posts[2]["text"].get<std::string>() ==
              long_text());
        CHECK(f.publishes() == 3);
    }
    SECTION("links") {
        std::string text = "Resources:";
        for (int i = 1; i <= 6; ++i) text += " https://clinic.example/" + std::to_string(i);
        f.scheduled_post(text);
        CHECK(f.run().published == 1);
        const auto posts = f.posts();
        REQUIRE(posts.size() == 2);
        CHECK(posts[0]["text"] == "Resources: https://clinic.example/1 https://clinic.example/2 https://clinic.example/3 "
                                  "https://clinic.example/4 https://clinic.example/5");
        CHECK(posts[1]["text"] == "https://clinic.example/6");
    }
}

TEST_CASE("images go to Threads with their alt text, one as an image post, several as a carousel") {
    Threads f;
    const auto jpeg = f.image("exif_rotated.jpg", "Waiting room");
    const auto png = f.image("text.png", "Opening hours sign");
    SECTION("one image") {
        f.scheduled_post("New waiting room", {png});
        CHECK(f.run().published == 1);
        const auto posts = f.posts();
        REQUIRE(posts.size() == 1);
        CHECK(posts[0]["media_type"] == "IMAGE");
        CHECK(posts[0]["image_sha256"] == png.sha256);
        CHECK(posts[0]["image_type"] == "image/png");
        CHECK(posts[0]["alt_text"] == "Opening hours sign");
    }
    SECTION("a carousel") {
        f.scheduled_post("Open day", {jpeg, png});
        CHECK(f.run().published == 1);
        const auto posts = f.posts();
        REQUIRE(posts.size() == 1);
        CHECK(posts[0]["media_type"] == "CAROUSEL");
        REQUIRE(posts[0]["children"].size() == 2);
        CHECK(posts[0]["children"][0]["image_sha256"] == jpeg.sha256);
        CHECK(posts[0]["children"][0]["alt_text"] == "Waiting room");
        CHECK(posts[0]["children"][1]["image_sha256"] == png.sha256);
        CHECK(posts[0]["children"][1]["alt_text"] == "Opening hours sign");
        CHECK(f.containers() == 3);
    }
    const auto state = f.standin.state();
    CHECK(state["objects"].empty());
    CHECK_FALSE(state["deleted_objects"].empty());
}

TEST_CASE("a Threads token called expired is refreshed with th_refresh_token and the post goes out") {
    Threads f;
    f.standin.control({{"fail_next", {{"/v1.0/" + kUser + "/threads_publishing_limit",
                                       {{400, {{"error", {{"message", "Error validating access token: Session has expired"},
                                                          {"type", "OAuthException"}, {"code", 190}, {"error_subcode", 463}}}}}}}}}});
    const auto post = f.scheduled_post("After a refresh");
    CHECK(f.run().published == 1);
    CHECK(f.target_of(post).state == State::Published);
    const auto creds = f.credentials();
    CHECK(creds["access_token"] == "long-lived-1");
    CHECK(creds["expires_at"] == f.now + 60 * 86400);
    CHECK(f.standin.requests("GET", "/refresh_access_token") == 1);
    CHECK(f.store->open_notices()->empty());
}

TEST_CASE("a revoked Threads token needs reauthorisation with exactly one notice and no retry storm") {
    Threads f;
    f.standin.control({{"revoke", "good-token"}});
    const auto p1 = f.scheduled_post("First");
    const auto p2 = f.scheduled_post("Second");
    CHECK(f.run().needs_attention == 2);
    CHECK(f.target_of(p1).state == State::NeedsAttention);
    CHECK(f.target_of(p2).state == State::NeedsAttention);
    CHECK((*f.store->find_account(f.account.id))->status == "needs_reauthorization");
    const auto notices = *f.store->open_notices();
    REQUIRE(notices.size() == 1);
    CHECK(notices[0].kind == "needs_reauthorization");
    CHECK(f.standin.requests("GET", "/v1.0/" + kUser + "/threads_publishing_limit") == 1);
    f.now += 3600;
    CHECK(f.run().claimed == 0);
    CHECK(f.posts().empty());
}

TEST_CASE("a throttled Threads app waits the Graph hour and the account's other posts are held") {
    Threads f;
    f.standin.control({{"throttle_minutes", 1}});
    const auto first = f.scheduled_post("One");
    const auto second = f.scheduled_post("Two");
    CHECK(f.run().retrying == 2);
    CHECK(f.target_of(first).scheduled_at == f.now + 3600);  // X-App-Usage gives no time: the rolling hour
    CHECK_THAT(f.target_of(first).last_error, Catch::Contains("Threads error 4"));
    CHECK(f.target_of(second).scheduled_at >= f.now + 3600);
    CHECK(f.standin.requests("GET", "/v1.0/" + kUser + "/threads_publishing_limit") == 1);
    f.standin.control({{"throttle_minutes", 0}});
    f.now += 3601;
    CHECK(f.run().published == 2);
}

TEST_CASE("a lost answer on the second part of a chain is settled from the notes without a duplicate") {
    Threads f;
    const auto post = f.scheduled_post(long_text());
    int publishes = 0;
    f.inject = [&](const net::HttpRequest& r) -> std::optional<net::HttpResult> {
        if (r.method == "POST" && r.url.find("/threads_publish") != std::string::npos && ++publishes == 2) {
            f.standin.forward(r);
            return net::HttpFailure{net::Failure::InDoubt, "connection reset after sending"};
        }
        return std::nullopt;
    };
    CHECK(f.run().retrying == 1);
    REQUIRE(f.posts().size() == 2);
    f.now += 10;
    CHECK(f.run().published == 1);  // lookup: part 3 missing, so the same key completes the chain
    const auto posts = f.posts();
    REQUIRE(posts.size() == 3);
    CHECK(posts[1]["reply_to_id"] == posts[0]["id"]);
    CHECK(posts[2]["reply_to_id"] == posts[1]["id"]);
    CHECK(f.target_of(post).remote_id == posts[0]["id"]);
    CHECK(f.publishes() == 3);  // no part twice
    CHECK(f.containers() == 3);
}

TEST_CASE("a lost answer on a whole post is found by its container, and a 503 retry publishes the same container") {
    Threads f;
    SECTION("lost answer") {
        bool lose = true;
        f.inject = [&](const net::HttpRequest& r) -> std::optional<net::HttpResult> {
            if (lose && r.method == "POST" && r.url.find("/threads_publish") != std::string::npos) {
                lose = false;
                f.standin.forward(r);
                return net::HttpFailure{net::Failure::InDoubt, "connection reset after sending"};
            }
            return std::nullopt;
        };
        const auto post = f.scheduled_post("Clinic closed Monday");
        CHECK(f.run().retrying == 1);
        f.now += 10;
        CHECK(f.run().published == 1);
        CHECK(f.target_of(post).remote_id == f.posts()[0]["id"]);
        CHECK(f.publishes() == 1);
    }
    SECTION("503") {
        bool down = true;
        f.inject = [&](const net::HttpRequest& r) -> std::optional<net::HttpResult> {
            if (down && r.method == "POST" && r.url.ends_with("/threads_publish")) {
                down = false;
                net::HttpResponse unavailable;
                unavailable.status = 503;
                unavailable.body = R"({"error":{"message":"Service temporarily unavailable","code":2,"is_transient":true}})";
                return unavailable;
            }
            return std::nullopt;
        };
        const auto post = f.scheduled_post("Clinic closed Monday");
        CHECK(f.run().retrying == 1);
        CHECK(f.posts().empty());
        f.now = f.target_of(post).scheduled_at;
        CHECK(f.run().published == 1);
        CHECK(f.publishes() == 1);  // the 503 never reached Threads; the retry published the noted container
    }
    CHECK(f.posts().size() == 1);
    CHECK(f.containers() == 1);
}

TEST_CASE("authorize_complete keeps a long-lived Threads token for the right account and refuses another") {
    Threads f;
    const json base{{"account", {{"network", "threads"}, {"handle", "clinic"}}},
                    {"credentials", {{"access_token", "short-token"}, {"client_id", "app-id"},
                                     {"client_secret", "app-secret"}, {"api_url", f.standin.url}}}};
    SECTION("the account's own sign-in") {
        f.standin.control({{"add_token", "short-token"}, {"expires_at", f.now + 3600}});
        const auto r = f.call(&ClearpostPublisherV1::authorize_complete, base);
        REQUIRE(r.status == CLEARPOST_OK);
        const auto out = json::parse(r.result_json);
        CHECK(out["account"]["display"] == "@clinic");
        CHECK(out["credentials"]["access_token"] == "long-lived-1");
        CHECK(out["credentials"]["threads_user_id"] == kUser);
        CHECK(out["credentials"]["expires_at"] == f.now + 60 * 86400);
    }
    SECTION("another account signed in") {
        f.standin.control({{"add_token", "short-token"}, {"expires_at", f.now + 3600}, {"account", "otherclinic"}});
        const auto r = f.call(&ClearpostPublisherV1::authorize_complete, base);
        CHECK(r.status == CLEARPOST_ERR_AUTH);
        CHECK_THAT(r.message, Catch::Contains("signed in @otherclinic, not @clinic"));
        CHECK(f.standin.requests("GET", "/access_token") == 0);
    }
}

TEST_CASE("a takedown deletes every part of a Threads chain and a second removal is harmless") {
    Threads f;
    const auto post = f.scheduled_post(long_text());
    CHECK(f.run().published == 1);
    REQUIRE(f.posts().size() == 3);
    const auto t = f.target_of(post);
    REQUIRE(f.dispatcher().take_down(f.admin, t.id, "names a patient").ok());
    CHECK(f.target_of(post).state == State::Removed);
    CHECK(f.posts().empty());
    const json request{{"credentials", f.credentials()}, {"remote_id", t.remote_id}};
    CHECK(f.call(&ClearpostPublisherV1::remove, request).status == CLEARPOST_OK);
}

TEST_CASE("Threads metrics snapshots carry what the insights report and nothing else") {
    Threads f;
    const auto post = f.scheduled_post("Measured");
    const auto published_at = f.now;
    CHECK(f.run().published == 1);
    const auto t = f.target_of(post);
    f.standin.control({{"counts", {{t.remote_id, {{"views", 310}, {"likes", 9}, {"replies", 2}, {"reposts", 1}, {"quotes", 0}}}}}});
    f.now = published_at + 3600;
    REQUIRE(f.dispatcher().collect_metrics(25)->metrics_snapshots == 1);
    const auto history = *f.store->metric_snapshots(t.id);
    REQUIRE(history.size() == 1);
    CHECK(json::parse(history[0].metrics_json) ==
          json{{"views", 310}, {"likes", 9}, {"replies", 2}, {"reposts", 1}, {"quotes", 0}});
}

TEST_CASE("account metrics are the followers_count of the user's insights, the only count Threads gives there") {
    Threads f;
    auto plugin = f.plugins.find("threads");
    REQUIRE(plugin.ok());
    CHECK(json::parse((*plugin)->capabilities())["account_metrics"] == true);
    REQUIRE((*plugin)->table().fetch_account_metrics != nullptr);
    f.standin.control({{"followers", 1520}});
    std::vector<net::HttpRequest> sent;
    f.inject = [&](const net::HttpRequest& r) -> std::optional<net::HttpResult> {
        sent.push_back(r);
        return std::nullopt;
    };
    const std::string edge = "/v1.0/" + kUser + "/threads_insights";

    SECTION("the follower total Threads reports, read again on each call; none when it gives none") {
        const auto first = f.call(&ClearpostPublisherV1::fetch_account_metrics, f.account_request());
        REQUIRE(first.status == CLEARPOST_OK);
        CHECK(json::parse(first.result_json) == json{{"metrics", {{"followers", 1520}}}});
        f.standin.control({{"followers", 1544}});
        const auto second = f.call(&ClearpostPublisherV1::fetch_account_metrics, f.account_request());
        REQUIRE(second.status == CLEARPOST_OK);
        CHECK(json::parse(second.result_json) == json{{"metrics", {{"followers", 1544}}}});
        f.standin.control({{"followers", nullptr}});  // an insight without data is left out of "data"
        const auto none = f.call(&ClearpostPublisherV1::fetch_account_metrics, f.account_request());
        REQUIRE(none.status == CLEARPOST_OK);
        CHECK(json::parse(none.result_json) == json{{"metrics", json::object()}});
        REQUIRE(sent.size() == 3);
        for (const auto& r : sent) {
            CHECK(r.method == "GET");
            // The token as the documented access_token parameter, as every call here sends it.
            CHECK(r.url == f.standin.url + edge + "?metric=followers_count&access_token=good-token");
        }
        CHECK(f.standin.requests("GET", edge) == 3);
    }
    SECTION("a token near its end is renewed by the host and the new one reads; one Threads calls expired is AUTH") {
        json ending = f.creds();
        ending["expires_at"] = f.now + 3 * 86400;
        f.connect(ending);
        REQUIRE(*f.dispatcher().renew_ending_tokens(7 * 86400) == 1);
        CHECK(f.credentials()["access_token"] == "long-lived-1");
        const auto counted = f.call(&ClearpostPublisherV1::fetch_account_metrics, f.account_request());
        REQUIRE(counted.status == CLEARPOST_OK);
        CHECK(json::parse(counted.result_json)["metrics"]["followers"] == 1520);
        CHECK_THAT(sent.back().url, Catch::EndsWith("&access_token=long-lived-1"));
        f.standin.control({{"fail_next", {{edge, {{400, {{"error", {{"message", "Error validating access token: Session has expired"},
                                                                     {"type", "OAuthException"}, {"code", 190},
                                                                     {"error_subcode", 463}}}}}}}}}});
        const auto refused = f.call(&ClearpostPublisherV1::fetch_account_metrics, f.account_request());
        CHECK(refused.status == CLEARPOST_ERR_AUTH);
        CHECK_THAT(refused.message, Catch::Contains("Threads error 190/463"));
        CHECK(f.standin.requests("GET", "/refresh_access_token") == 1);  // the host's renewal only
        CHECK(f.logs.find("long-lived-1") == std::string::npos);
    }
    SECTION("a revoked token is AUTH") {
        f.standin.control({{"revoke", "good-token"}});
        const auto refused = f.call(&ClearpostPublisherV1::fetch_account_metrics, f.account_request());
        CHECK(refused.status == CLEARPOST_ERR_AUTH);
        CHECK_THAT(refused.message, Catch::Contains("Threads error 190/460"));
        CHECK(refused.message.find("good-token") == std::string::npos);
    }
    SECTION("a throttled app waits the Graph hour") {
        f.standin.control({{"throttle_minutes", 1}});
        const auto limited = f.call(&ClearpostPublisherV1::fetch_account_metrics, f.account_request());
        CHECK(limited.status == CLEARPOST_ERR_RATE_LIMITED);
        CHECK_THAT(limited.message, Catch::Contains("Threads error 4"));
        CHECK(limited.retry_after_ms == 3600 * 1000);  // X-App-Usage gives no time: the rolling hour
    }
    for (const char* secret : {"good-token", "app-secret"}) CHECK(f.logs.find(secret) == std::string::npos);
}
