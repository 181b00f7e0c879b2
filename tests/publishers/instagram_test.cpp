// The Instagram plugin through the dispatcher against a stand-in of the
// Instagram API with Instagram Login and of the account's media host
// (instagram/standin.py on meta/graph_standin.py), which fetches every
// image_url as Meta does.

#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/network_fixture.h"

using namespace clearpost;
using model::State;
using nlohmann::json;

namespace {

const std::string kUser = "17841400000000001";

struct Instagram : testing::PublisherFixture {
    Instagram() : PublisherFixture("instagram", "clinic", CLEARPOST_STANDIN) {
        standin.control({{"add_token", "good-token"}, {"expires_at", now + 50 * 86400}, {"issued_at", now - 2 * 86400}});
        standin.control({{"media_host_auth", "Bearer dav-secret"}});
        connect(creds());
    }
    json creds() {
        return {{"access_token", "good-token"}, {"expires_at", now + 50 * 86400}, {"issued_at", now - 2 * 86400},
                {"client_id", "app-id"}, {"client_secret", "app-secret"}, {"api_url", standin.url},
                {"ig_user_id", kUser}, {"username", "clinic"},
                {"media_host", {{"kind", "put"}, {"upload_url", standin.url + "/_media/"},
                                {"public_url", standin.url + "/_media/"}, {"authorization", "Bearer dav-secret"}}}};
    }
    std::vector<json> posts() {
        std::vector<json> out;
        const json all = standin.state();
        for (const auto& [id, p] : all["posts"].items()) out.push_back(p);
        std::sort(out.begin(), out.end(), [](const json& a, const json& b) { return a["id"] < b["id"]; });
        return out;
    }
    int containers() { return static_cast<int>(standin.state()["containers"].size()); }
    int publishes() { return standin.requests("POST", "/v23.0/" + kUser + "/media_publish"); }
    void no_secrets_logged() {
        for (const char* s : {"good-token", "app-secret", "dav-secret"}) CHECK(logs.find(s) == std::string::npos);
    }
};

}  // namespace

TEST_CASE("the Instagram plugin declares Instagram's limits, sign-in and idempotency") {
    Instagram f;
    auto plugin = f.plugins.find("instagram");
    REQUIRE(plugin.ok());
    const auto caps = json::parse((*plugin)->capabilities());
    CHECK(caps["text"]["limit"] == 2200);
    CHECK(caps["text"]["max_hashtags"] == 30);
    CHECK(caps["media"]["max_images"] == 10);
    CHECK(caps["media"]["max_bytes"] == 8388608);
    CHECK(caps["media"]["types"] == json::array({"image/jpeg"}));
    CHECK(caps["threads"] == false);
    CHECK(caps["idempotency"] == "lookup");
    CHECK(caps["rate_limits"]["posts_per_day"] == 100);
    CHECK(caps["oauth"]["authorize_url"] == "https://www.instagram.com/oauth/authorize");
    CHECK(caps["oauth"]["token_url"] == "https://api.instagram.com/oauth/access_token");
    CHECK(caps["oauth"]["client_auth"] == "post");
    CHECK(caps["oauth"]["needs_client_secret"] == true);
    CHECK(caps["oauth"]["scopes"] == json::array({"instagram_business_basic", "instagram_business_content_publish",
                                                  "instagram_business_manage_insights"}));
}

TEST_CASE("one image goes to Instagram once, with its alt text, fetched from the media host and removed after") {
    Instagram f;
    const auto jpeg = f.image("exif_rotated.jpg", "Waiting room, portrait");
    const auto post = f.scheduled_post("Our new waiting room #health https://clinic.example/rooms", {jpeg});
    CHECK(f.run().published == 1);
    const auto t = f.target_of(post);
    CHECK(t.state == State::Published);
    const auto posts = f.posts();
    REQUIRE(posts.size() == 1);
    CHECK(posts[0]["caption"] == "Our new waiting room #health https://clinic.example/rooms");  // links stay text
    CHECK(posts[0]["image_sha256"] == jpeg.sha256);  // the approved, stripped image is what Instagram fetched
    CHECK(posts[0]["alt_text"] == "Waiting room, portrait");
    CHECK(t.remote_id == posts[0]["id"]);
    CHECK(t.remote_url == "https://www.instagram.com/p/" + posts[0]["id"].get<std::string>());
    const auto state = f.standin.state();
    CHECK(state["objects"].empty());
    REQUIRE(state["deleted_objects"].size() == 1);
    CHECK_THAT(state["deleted_objects"][0].get<std::string>(), Catch::StartsWith(jpeg.sha256 + "-"));
    CHECK_THAT(state["deleted_objects"][0].get<std::string>(), Catch::EndsWith(".jpg"));
    CHECK(f.standin.requests("GET", "/v23.0/" + kUser + "/content_publishing_limit") == 1);
    CHECK(f.publishes() == 1);
    CHECK(f.run().claimed == 0);
    f.no_secrets_logged();
}

TEST_CASE("two to ten images become a carousel whose children carry their alt text in order") {
    Instagram f;
    const auto a = f.image("exif_rotated.jpg", "Reception desk");
    const auto b = f.image("progressive.jpg", "Garden");
    const auto post = f.scheduled_post("Open day", {a, b});
    CHECK(f.run().published == 1);
    const auto posts = f.posts();
    REQUIRE(posts.size() == 1);
    CHECK(posts[0]["media_type"] == "CAROUSEL");
    REQUIRE(posts[0]["children"].size() == 2);
    CHECK(posts[0]["children"][0]["image_sha256"] == a.sha256);
    CHECK(posts[0]["children"][0]["alt_text"] == "Reception desk");
    CHECK(posts[0]["children"][1]["image_sha256"] == b.sha256);
    CHECK(posts[0]["children"][1]["alt_text"] == "Garden");
    CHECK(f.containers() == 3);
    CHECK(f.standin.state()["objects"].empty());
    CHECK(f.target_of(post).remote_id == posts[0]["id"]);
}

TEST_CASE("Instagram refuses text-only posts, other image types and posts with images but no media host") {
    Instagram f;
    const auto text_only = f.scheduled_post("Just words https://clinic.example");
    CHECK(f.run().failed == 1);
    CHECK(f.target_of(text_only).state == State::Failed);
    CHECK_THAT(f.target_of(text_only).last_error, Catch::Contains("Instagram takes no text-only posts"));
    CHECK(f.containers() == 0);

    const auto png = f.image("text.png", "A sign");
    json request = f.request_for("A PNG");
    request["post"]["media"] = {{{"path", png.path}, {"sha256", png.sha256}, {"mime", "image/png"}, {"bytes", 100}, {"alt", "A sign"}}};
    auto v = f.call(&ClearpostPublisherV1::validate, request);
    REQUIRE(v.status == CLEARPOST_OK);
    CHECK(json::parse(v.result_json)["problems"] ==
          json::array({"image 1 is image/png; Instagram takes JPEG images only; export the image as JPEG"}));

    request["post"]["media"][0]["mime"] = "image/jpeg";
    request["credentials"].erase("media_host");
    v = f.call(&ClearpostPublisherV1::validate, request);
    const auto problems = json::parse(v.result_json)["problems"];
    REQUIRE(problems.size() == 1);
    CHECK_THAT(problems[0].get<std::string>(), Catch::Contains("needs a media host: an admin sets one with clearpostctl account media-host instagram"));
    CHECK(f.call(&ClearpostPublisherV1::publish, request).status == CLEARPOST_ERR_INVALID);
    CHECK(f.containers() == 0);
}

TEST_CASE("a media host that refuses the credentials fails the post with a word about its settings") {
    Instagram f;
    f.standin.control({{"media_host_auth", "Bearer other"}});
    const auto post = f.scheduled_post("Refused upload", {f.image("plain.jpg", "A door")});
    CHECK(f.run().failed == 1);
    CHECK_THAT(f.target_of(post).last_error, Catch::Contains("check the media host settings"));
    CHECK(f.containers() == 0);
}

TEST_CASE("an S3 media host gets a signed PUT at the bucket's address and a DELETE after") {
    Instagram f;
    json creds = f.creds();
    creds["media_host"] = {{"kind", "s3"}, {"endpoint", "https://s3.eu-west-1.amazonaws.com/clinic-media"},
                           {"public_url", f.standin.url + "/_media/"}, {"region", "eu-west-1"},
                           {"access_key", "AKIAEXAMPLE"}, {"secret_key", "s3-secret-key"}};
    f.connect(creds);
    std::vector<net::HttpRequest> s3;
    f.inject = [&](const net::HttpRequest& r) -> std::optional<net::HttpResult> {
        if (r.url.rfind("https://s3.eu-west-1.amazonaws.com/clinic-media/", 0) != 0) return std::nullopt;
        s3.push_back(r);
        // The bucket is played by the stand-in's media host, which Instagram fetches from.
        net::HttpRequest local = r;
        local.url = f.standin.url + "/_media/" + r.url.substr(r.url.rfind('/') + 1);
        local.headers.emplace_back("Authorization", "Bearer dav-secret");
        return f.standin.forward(local);
    };
    const auto jpeg = f.image("plain.jpg", "A door");
    f.scheduled_post("Signed", {jpeg});
    CHECK(f.run().published == 1);
    REQUIRE(s3.size() == 2);
    CHECK(s3[0].method == "PUT");
    CHECK_THAT(s3[0].url, Catch::StartsWith("https://s3.eu-west-1.amazonaws.com/clinic-media/" + jpeg.sha256 + "-"));
    CHECK(testing::header(s3[0], "Content-Type") == "image/jpeg");
    CHECK(testing::header(s3[0], "Authorization").empty());  // the host signs it
    CHECK(s3[0].aws.provider == "aws:amz:eu-west-1:s3");
    CHECK(s3[0].aws.credentials == "AKIAEXAMPLE:s3-secret-key");
    CHECK(s3[1].method == "DELETE");
    CHECK(s3[1].url == s3[0].url);
    CHECK(f.posts()[0]["image_sha256"] == jpeg.sha256);
    CHECK(f.logs.find("s3-secret-key") == std::string::npos);
}

TEST_CASE("a token Instagram calls expired is refreshed and the post goes out, the new token kept") {
    Instagram f;
    f.standin.control({{"fail_next", {{"/v23.0/" + kUser + "/content_publishing_limit",
                                       {{400, {{"error", {{"message", "Error validating access token: Session has expired"},
                                                          {"type", "OAuthException"}, {"code", 190}, {"error_subcode", 463}}}}}}}}}});
    const auto post = f.scheduled_post("After a refresh", {f.image("plain.jpg", "A door")});
    CHECK(f.run().published == 1);
    CHECK(f.target_of(post).state == State::Published);
    CHECK(f.posts().size() == 1);
    const auto creds = f.credentials();
    CHECK(creds["access_token"] == "long-lived-1");
    CHECK(creds["expires_at"] == f.now + 60 * 86400);
    CHECK(creds["issued_at"] == f.now);
    CHECK(creds["ig_user_id"] == kUser);
    CHECK(f.standin.requests("GET", "/refresh_access_token") == 1);
    CHECK(f.store->open_notices()->empty());
    f.no_secrets_logged();
}

TEST_CASE("a revoked Instagram token needs reauthorisation with exactly one notice and no retry storm") {
    Instagram f;
    f.standin.control({{"revoke", "good-token"}});
    const auto p1 = f.scheduled_post("First", {f.image("plain.jpg", "A door")});
    const auto p2 = f.scheduled_post("Second", {f.image("plain.jpg", "A door")});
    CHECK(f.run().needs_attention == 2);
    CHECK(f.target_of(p1).state == State::NeedsAttention);
    CHECK(f.target_of(p2).state == State::NeedsAttention);
    CHECK_THAT(f.target_of(p1).last_error, Catch::Contains("Instagram error 190/460"));
    CHECK((*f.store->find_account(f.account.id))->status == "needs_reauthorization");
    const auto notices = *f.store->open_notices();
    REQUIRE(notices.size() == 1);
    CHECK(notices[0].kind == "needs_reauthorization");
    CHECK(f.standin.requests("GET", "/v23.0/" + kUser + "/content_publishing_limit") == 1);  // the second never tried
    CHECK(f.standin.requests("GET", "/refresh_access_token") == 1);
    f.now += 3600;
    CHECK(f.run().claimed == 0);
    CHECK(f.containers() == 0);
}

TEST_CASE("a throttled account waits until Instagram's estimated regain time and its other posts are held") {
    Instagram f;
    f.standin.control({{"throttle_minutes", 30}});
    const auto first = f.scheduled_post("One", {f.image("plain.jpg", "A door")});
    const auto second = f.scheduled_post("Two", {f.image("plain.jpg", "A door")});
    CHECK(f.run().retrying == 2);
    const auto t = f.target_of(first);
    CHECK(t.state == State::RetryWait);
    CHECK(t.scheduled_at == f.now + 1800);
    CHECK_THAT(t.last_error, Catch::Contains("Instagram error 80002"));
    CHECK(f.target_of(second).scheduled_at >= f.now + 1800);
    CHECK(f.standin.requests("GET", "/v23.0/" + kUser + "/content_publishing_limit") == 1);  // the second waited without a request
    f.standin.control({{"throttle_minutes", 0}});
    f.now += 1799;
    CHECK(f.run().claimed == 0);
    f.now += 2;
    CHECK(f.run().published == 2);
    CHECK(f.posts().size() == 2);
}

TEST_CASE("a used-up publishing quota holds the post until the oldest post leaves the 24-hour window") {
    Instagram f;
    f.standin.control({{"quota_total", 1}});
    f.scheduled_post("One", {f.image("plain.jpg", "A door")});
    CHECK(f.run().published == 1);
    const auto second = f.scheduled_post("Two", {f.image("plain.jpg", "A door")});
    CHECK(f.run().retrying == 1);
    const auto t = f.target_of(second);
    CHECK_THAT(t.last_error, Catch::Contains("Instagram allows 1 published posts per 24 hours"));
    CHECK(t.scheduled_at <= f.now + 86400);
    CHECK(t.scheduled_at >= f.now + 86400 - 5);
    CHECK(f.containers() == 1);  // nothing made for the second
}

TEST_CASE("a lost answer to media_publish is settled from the noted container, never by a second post") {
    Instagram f;
    const auto post = f.scheduled_post("Clinic closed Monday", {f.image("plain.jpg", "A door")});
    bool lose = true;
    f.inject = [&](const net::HttpRequest& r) -> std::optional<net::HttpResult> {
        if (lose && r.method == "POST" && r.url.find("/media_publish") != std::string::npos) {
            lose = false;
            f.standin.forward(r);
            return net::HttpFailure{net::Failure::InDoubt, "connection reset after sending"};
        }
        return std::nullopt;
    };
    CHECK(f.run().retrying == 1);
    REQUIRE(f.posts().size() == 1);
    f.now += 10;
    CHECK(f.run().published == 1);
    const auto t = f.target_of(post);
    CHECK(t.state == State::Published);
    CHECK(t.remote_id == f.posts()[0]["id"]);
    CHECK(f.posts().size() == 1);
    CHECK(f.publishes() == 1);  // found by the container's PUBLISHED status, not sent again
    CHECK(f.containers() == 1);
    CHECK(*f.store->in_doubt_attempts(t.id) == 0);
}

TEST_CASE("Instagram has no duplicate error, so a retry after a failed publish publishes the same container") {
    Instagram f;
    f.standin.control({{"fail_next", {{"/v23.0/" + kUser + "/media_publish", {503}}}}});
    const auto post = f.scheduled_post("Flu shots Saturday", {f.image("plain.jpg", "A door")});
    CHECK(f.run().retrying == 1);
    CHECK(f.posts().empty());
    f.now = f.target_of(post).scheduled_at;
    CHECK(f.run().published == 1);
    CHECK(f.posts().size() == 1);
    CHECK(f.containers() == 1);  // the noted container, FINISHED, was published; no second one made
    CHECK(f.publishes() == 2);
}

TEST_CASE("authorize_complete keeps a long-lived token for the right account and refuses another") {
    Instagram f;
    const json base{{"account", {{"network", "instagram"}, {"handle", "@clinic"}}},
                    {"credentials", {{"access_token", "short-token"}, {"client_id", "app-id"},
                                     {"client_secret", "app-secret"}, {"api_url", f.standin.url}}}};
    SECTION("the account's own sign-in") {
        f.standin.control({{"add_token", "short-token"}, {"expires_at", f.now + 3600}, {"issued_at", f.now}});
        const auto r = f.call(&ClearpostPublisherV1::authorize_complete, base);
        REQUIRE(r.status == CLEARPOST_OK);
        const auto out = json::parse(r.result_json);
        CHECK(out["account"]["display"] == "@clinic");
        CHECK(out["credentials"]["access_token"] == "long-lived-1");
        CHECK(out["credentials"]["expires_at"] == f.now + 60 * 86400);
        CHECK(out["credentials"]["ig_user_id"] == kUser);
        CHECK(out["credentials"]["username"] == "clinic");
        CHECK(out["credentials"]["client_secret"] == "app-secret");
    }
    SECTION("another account signed in") {
        f.standin.control({{"add_token", "short-token"}, {"expires_at", f.now + 3600}, {"account", "otherclinic"}});
        const auto r = f.call(&ClearpostPublisherV1::authorize_complete, base);
        CHECK(r.status == CLEARPOST_ERR_AUTH);
        CHECK_THAT(r.message, Catch::Contains("signed in @otherclinic, not @clinic"));
        CHECK(f.standin.requests("GET", "/access_token") == 0);  // no long-lived token made for it
    }
}

TEST_CASE("a takedown of an Instagram post says to delete it in the app, and the post stays Published") {
    Instagram f;
    const auto post = f.scheduled_post("To be removed", {f.image("plain.jpg", "A door")});
    CHECK(f.run().published == 1);
    const auto t = f.target_of(post);
    const auto done = f.dispatcher().take_down(f.admin, t.id, "names a patient");
    REQUIRE_FALSE(done.ok());
    CHECK_THAT(done.error().message, Catch::Contains("Instagram's API cannot delete posts; delete post " + t.remote_id +
                                                     " in the Instagram app"));
    CHECK(f.target_of(post).state == State::Published);
    CHECK(f.posts().size() == 1);
}

TEST_CASE("Instagram metrics snapshots carry what the insights report, renamed, and nothing else") {
    Instagram f;
    const auto post = f.scheduled_post("Measured", {f.image("plain.jpg", "A door")});
    const auto published_at = f.now;
    CHECK(f.run().published == 1);
    const auto t = f.target_of(post);
    f.standin.control({{"counts", {{t.remote_id, {{"likes", 12}, {"comments", 3}, {"saved", 2}, {"shares", 1},
                                                  {"reach", 140}, {"views", 0}, {"total_interactions", 18}}}}}});
    f.now = published_at + 3600;
    REQUIRE(f.dispatcher().collect_metrics(25)->metrics_snapshots == 1);
    const auto history = *f.store->metric_snapshots(t.id);
    REQUIRE(history.size() == 1);
    CHECK(json::parse(history[0].metrics_json) ==
          json{{"likes", 12}, {"replies", 3}, {"saves", 2}, {"reposts", 1}, {"reach", 140}, {"views", 0}});
}

TEST_CASE("account metrics are the IG User's followers_count, follows_count and media_count, as Instagram reports them") {
    Instagram f;
    auto plugin = f.plugins.find("instagram");
    REQUIRE(plugin.ok());
    CHECK(json::parse((*plugin)->capabilities())["account_metrics"] == true);
    REQUIRE((*plugin)->table().fetch_account_metrics != nullptr);
    f.standin.control({{"followers", 1520}, {"following", 80}, {"posts", 312}});
    std::vector<net::HttpRequest> sent;
    f.inject = [&](const net::HttpRequest& r) -> std::optional<net::HttpResult> {
        sent.push_back(r);
        return std::nullopt;
    };
    const std::string node = "/v23.0/" + kUser;

    SECTION("the counts Instagram reports, read again on each call; a count it leaves out stays out") {
        const auto first = f.call(&ClearpostPublisherV1::fetch_account_metrics, f.account_request());
        REQUIRE(first.status == CLEARPOST_OK);
        CHECK(json::parse(first.result_json) == json{{"metrics", {{"followers", 1520}, {"following", 80}, {"posts", 312}}}});
        f.standin.control({{"followers", 1531}, {"posts", nullptr}});  // Graph leaves media_count out
        const auto second = f.call(&ClearpostPublisherV1::fetch_account_metrics, f.account_request());
        REQUIRE(second.status == CLEARPOST_OK);
        CHECK(json::parse(second.result_json) == json{{"metrics", {{"followers", 1531}, {"following", 80}}}});
        REQUIRE(sent.size() == 2);
        for (const auto& r : sent) {
            CHECK(r.method == "GET");
            // The token as the documented access_token parameter, as every call here sends it.
            CHECK(r.url == f.standin.url + node + "?fields=followers_count%2Cfollows_count%2Cmedia_count&access_token=good-token");
        }
        CHECK(f.standin.requests("GET", node) == 2);
    }
    SECTION("a token near its end is renewed by the host and the new one reads; one Instagram calls expired is AUTH") {
        json ending = f.creds();
        ending["expires_at"] = f.now + 3 * 86400;
        f.connect(ending);
        REQUIRE(*f.dispatcher().renew_ending_tokens(7 * 86400) == 1);
        CHECK(f.credentials()["access_token"] == "long-lived-1");
        CHECK(f.credentials()["expires_at"] == f.now + 60 * 86400);
        const auto counted = f.call(&ClearpostPublisherV1::fetch_account_metrics, f.account_request());
        REQUIRE(counted.status == CLEARPOST_OK);
        CHECK(json::parse(counted.result_json)["metrics"]["followers"] == 1520);
        CHECK_THAT(sent.back().url, Catch::EndsWith("&access_token=long-lived-1"));
        f.standin.control({{"fail_next", {{node, {{400, {{"error", {{"message", "Error validating access token: Session has expired"},
                                                                     {"type", "OAuthException"}, {"code", 190},
                                                                     {"error_subcode", 463}}}}}}}}}});
        const auto refused = f.call(&ClearpostPublisherV1::fetch_account_metrics, f.account_request());
        CHECK(refused.status == CLEARPOST_ERR_AUTH);
        CHECK_THAT(refused.message, Catch::Contains("Instagram error 190/463"));
        CHECK(f.standin.requests("GET", "/refresh_access_token") == 1);  // the host's renewal only
        CHECK(f.logs.find("long-lived-1") == std::string::npos);
    }
    SECTION("a revoked token is AUTH") {
        f.standin.control({{"revoke", "good-token"}});
        const auto refused = f.call(&ClearpostPublisherV1::fetch_account_metrics, f.account_request());
        CHECK(refused.status == CLEARPOST_ERR_AUTH);
        CHECK_THAT(refused.message, Catch::Contains("Instagram error 190/460"));
        CHECK(refused.message.find("good-token") == std::string::npos);
    }
    SECTION("a throttled account waits until Instagram's estimated regain time") {
        f.standin.control({{"throttle_minutes", 30}});
        const auto limited = f.call(&ClearpostPublisherV1::fetch_account_metrics, f.account_request());
        CHECK(limited.status == CLEARPOST_ERR_RATE_LIMITED);
        CHECK_THAT(limited.message, Catch::Contains("Instagram error 80002"));
        CHECK(limited.retry_after_ms == 30 * 60000);
    }
    f.no_secrets_logged();
}
