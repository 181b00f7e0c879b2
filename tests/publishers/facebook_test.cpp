// The dispatcher with the real Facebook Pages plugin against a stand-in for
// Meta's Graph API on 127.0.0.1 (facebook/standin.py, which follows
// developers.facebook.com), with the HTTP client's fault-injection hook for
// lost answers.

#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "support/network_fixture.h"

using namespace clearpost;
using clearpost::testing::PublisherFixture;
using model::State;
using nlohmann::json;

namespace {

const std::string kPage = "1000000001";  // Riverside Clinic in the stand-in
const std::string kFeed = "/v26.0/" + kPage + "/feed";
const std::string kPhotos = "/v26.0/" + kPage + "/photos";

struct FacebookFixture : PublisherFixture {
    FacebookFixture() : PublisherFixture("facebook", "Riverside Clinic", CLEARPOST_STANDIN) {
        connect({{"page_id", kPage},
                 {"page_access_token", "page-token-1"},
                 {"user_access_token", "user-long-1"},
                 {"client_id", "clearpost-app"},
                 {"client_secret", "app-secret"},
                 {"api_url", standin.url + "/v26.0"}});
    }

    // The Page's posts in the order they were made.
    std::vector<json> posts() {
        std::vector<json> out;
        const json all = standin.state();  // kept: a range-for over state()["..."] would dangle
        for (const auto& [id, p] : all["posts"].items()) out.push_back(p);
        std::sort(out.begin(), out.end(), [](const json& a, const json& b) { return a["seq"] < b["seq"]; });
        return out;
    }

    // The stand-in's clock follows the test's.
    void advance(UnixSeconds seconds) {
        now += seconds;
        standin.control({{"clock", now}});
    }

    // authorize_complete as the core calls it after the browser sign-in.
    publish::OpCall authorize(const std::string& handle, const std::string& short_token = "short-user-1") {
        standin.control({{"add_token", short_token}, {"expires_at", now + 7200}, {"account", {{"user", "u-1001"}}}});
        return call(&ClearpostPublisherV1::authorize_complete,
                     {{"account", {{"network", "facebook"}, {"handle", handle}}},
                      {"credentials",
                       {{"access_token", short_token},
                        {"token_type", "bearer"},
                        {"expires_at", now + 7200},
                        {"client_id", "clearpost-app"},
                        {"client_secret", "app-secret"},
                        {"api_url", standin.url + "/v26.0"}}}});
    }
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("the Facebook plugin declares the Page limits, its sign-in and lookup idempotency") {
    FacebookFixture f;
    auto plugin = f.plugins.find("facebook");
    REQUIRE(plugin.ok());
    const auto caps = json::parse((*plugin)->capabilities());
    CHECK(caps["network"] == "facebook");
    CHECK(caps["text"]["limit"] == 63206);
    CHECK(caps["text"]["counting"] == "code_points");
    CHECK(caps["media"]["max_images"] == 10);
    CHECK(caps["media"]["max_bytes"] == 10000000);
    CHECK(caps["media"]["alt_text"] == true);
    CHECK(caps["media"]["types"] == json{"image/jpeg", "image/png"});
    CHECK(caps["threads"] == false);
    CHECK(caps["metrics"] == true);
    CHECK(caps["idempotency"] == "lookup");
    CHECK_FALSE(caps.contains("rate_limits"));
    const json oauth = caps["oauth"];
    CHECK(oauth["authorize_url"] == "https://www.facebook.com/v26.0/dialog/oauth");
    CHECK(oauth["token_url"] == "https://graph.facebook.com/v26.0/oauth/access_token");
    CHECK(oauth["scopes"] == json{"pages_manage_posts", "pages_read_engagement", "pages_show_list", "read_insights"});
    CHECK(oauth["client_auth"] == "post");
    CHECK(oauth["needs_client_secret"] == true);
    CHECK(oauth["redirect_port"] == 0);
    CHECK(oauth["redirect_path"] == "/callback");
}

TEST_CASE("validation counts code points and refuses images Facebook does not take") {
    FacebookFixture f;
    json request = f.request_for(std::string(63206, 'a'));
    CHECK(json::parse(f.call(&ClearpostPublisherV1::validate, request).result_json)["problems"].empty());
    std::string long_text;
    for (int i = 0; i < 63207; ++i) long_text += "\xC3\xA9";  // é: two bytes, one character
    request = f.request_for(long_text);
    auto problems = json::parse(f.call(&ClearpostPublisherV1::validate, request).result_json)["problems"];
    REQUIRE(problems.size() == 1);
    CHECK(problems[0] == "the text is 63,207 characters and a Facebook post takes at most 63,206; shorten it");
    request = f.request_for("A picture");
    request["post"]["media"] = {{{"path", "x.webp"}, {"mime", "image/webp"}, {"bytes", 100}, {"alt", "A door"}},
                                {{"path", "y.jpg"}, {"mime", "image/jpeg"}, {"bytes", 10000001}, {"alt", ""}}};
    problems = json::parse(f.call(&ClearpostPublisherV1::validate, request).result_json)["problems"];
    REQUIRE(problems.size() == 2);
    CHECK(problems[0] == "image 1 is image/webp; Clearpost sends Facebook JPEG and PNG images");
    CHECK(contains(problems[1].get<std::string>(), "image 2 is 10,000,001 bytes"));
    const auto refused = f.call(&ClearpostPublisherV1::publish, request);
    CHECK(refused.status == CLEARPOST_ERR_INVALID);
    CHECK(f.standin.state()["requests"].empty());  // refused before anything was sent
}

TEST_CASE("a text post goes to the Page feed once, with its permalink, and no token reaches the logs") {
    FacebookFixture f;
    const auto post = f.scheduled_post("Flu shots Saturday at the clinic");
    CHECK(f.run().published == 1);
    const auto t = f.target_of(post);
    CHECK(t.state == State::Published);
    const auto posts = f.posts();
    REQUIRE(posts.size() == 1);
    CHECK(posts[0]["message"] == "Flu shots Saturday at the clinic");
    CHECK(posts[0]["link"].is_null());
    CHECK(t.remote_id == posts[0]["id"]);
    CHECK(t.remote_url == "https://www.facebook.com/" + kPage + "/posts/" + posts[0]["id"].get<std::string>().substr(11));
    CHECK(f.run().claimed == 0);
    CHECK(f.standin.requests("POST", kFeed) == 1);
    CHECK(f.standin.requests("GET", "/v26.0/" + t.remote_id) == 1);  // the permalink
    CHECK_FALSE(contains(f.logs, "page-token-1"));
    CHECK_FALSE(contains(f.logs, "user-long-1"));
    CHECK_FALSE(contains(f.logs, "app-secret"));
}

TEST_CASE("the first address in the text goes as the post's link, without trailing punctuation") {
    FacebookFixture f;
    const auto post = f.scheduled_post("Our flu guide (https://clinic.example/flu?lang=en). Also https://clinic.example/other");
    CHECK(f.run().published == 1);
    const auto posts = f.posts();
    REQUIRE(posts.size() == 1);
    CHECK(posts[0]["link"] == "https://clinic.example/flu?lang=en");
    CHECK(posts[0]["message"] == "Our flu guide (https://clinic.example/flu?lang=en). Also https://clinic.example/other");
    CHECK(f.target_of(post).remote_id == posts[0]["id"]);
}

TEST_CASE("one image becomes a photo post with the text as caption and its alt text") {
    FacebookFixture f;
    const auto jpeg = f.image("exif_rotated.jpg", "Waiting room with blue chairs");
    const auto post = f.scheduled_post("Our new waiting room", {jpeg});
    CHECK(f.run().published == 1);
    const auto state = f.standin.state();
    const auto posts = f.posts();
    REQUIRE(posts.size() == 1);
    REQUIRE(posts[0]["photos"].size() == 1);
    const json photo = state["photos"][posts[0]["photos"][0].get<std::string>()];
    CHECK(photo["published"] == true);
    CHECK(photo["caption"] == "Our new waiting room");
    CHECK(photo["alt_text_custom"] == "Waiting room with blue chairs");
    CHECK(photo["_sha256"] == jpeg.sha256);  // the stripped, approved bytes
    CHECK(photo["_type"] == "image/jpeg");
    CHECK(posts[0]["message"] == "Our new waiting room");
    CHECK(f.target_of(post).remote_id == posts[0]["id"]);
    CHECK(f.standin.requests("POST", kPhotos) == 1);
    CHECK(f.standin.requests("POST", kFeed) == 0);
}

TEST_CASE("several images are uploaded unpublished, each with its alt text, and attached to one post in order") {
    FacebookFixture f;
    const auto jpeg = f.image("exif_rotated.jpg", "Waiting room, portrait");
    const auto png = f.image("text.png", "Reception desk");
    const auto plain = f.image("plain.jpg", "Clinic door");
    const auto post = f.scheduled_post("Tour of the new clinic https://clinic.example/tour", {jpeg, png, plain});
    CHECK(f.run().published == 1);
    const auto state = f.standin.state();
    const auto posts = f.posts();
    REQUIRE(posts.size() == 1);
    CHECK(posts[0]["message"] == "Tour of the new clinic https://clinic.example/tour");
    CHECK(posts[0]["link"].is_null());  // a post with photos carries no link preview
    REQUIRE(posts[0]["photos"].size() == 3);
    const std::vector<std::pair<std::string, std::string>> expected{
        {jpeg.sha256, "Waiting room, portrait"}, {png.sha256, "Reception desk"}, {plain.sha256, "Clinic door"}};
    for (std::size_t i = 0; i < 3; ++i) {
        const json photo = state["photos"][posts[0]["photos"][i].get<std::string>()];
        CHECK(photo["published"] == false);
        CHECK(photo["_sha256"] == expected[i].first);
        CHECK(photo["alt_text_custom"] == expected[i].second);
    }
    CHECK(state["photos"][posts[0]["photos"][1].get<std::string>()]["_type"] == "image/png");
    CHECK(f.target_of(post).remote_id == posts[0]["id"]);
    CHECK(f.standin.requests("POST", kPhotos) == 3);
    CHECK(f.standin.requests("POST", kFeed) == 1);
}

TEST_CASE("a refused Page token is made again from the user token and the post goes out") {
    FacebookFixture f;
    f.standin.control({{"expire", "page-token-1"}});
    const auto post = f.scheduled_post("After a new Page token");
    CHECK(f.run().published == 1);
    CHECK(f.target_of(post).state == State::Published);
    CHECK(f.posts().size() == 1);
    const auto creds = f.credentials();
    const std::string fresh = f.standin.state()["page_tokens"]["user-long-1|" + kPage];
    CHECK(fresh != "page-token-1");
    CHECK(creds["page_access_token"] == fresh);
    CHECK(creds["user_access_token"] == "user-long-1");
    CHECK(creds["page_id"] == kPage);
    CHECK_FALSE(creds.contains("expires_at"));
    CHECK(f.standin.requests("POST", kFeed) == 2);  // refused once, then made
    CHECK(f.standin.requests("GET", "/v26.0/" + kPage) == 1);
    CHECK((*f.store->find_account(f.account.id))->status == "connected");
    CHECK(f.store->open_notices()->empty());
    CHECK_FALSE(contains(f.logs, fresh));
}

TEST_CASE("an expired user token keeps a Page token that still works") {
    FacebookFixture f;
    f.standin.control({{"expire", "user-long-1"}});
    json request{{"account", {{"network", "facebook"}, {"handle", "Riverside Clinic"}}}, {"credentials", f.credentials()}};
    const auto kept = f.call(&ClearpostPublisherV1::refresh_credentials, request);
    REQUIRE(kept.status == CLEARPOST_OK);
    CHECK(json::parse(kept.result_json)["credentials"] == f.credentials());
    // Both refused: a person must sign in again.
    f.standin.control({{"revoke", "page-token-1"}});
    const auto refused = f.call(&ClearpostPublisherV1::refresh_credentials, request);
    CHECK(refused.status == CLEARPOST_ERR_AUTH);
    CHECK(contains(refused.message, "Facebook refused both the stored Page token and the user token"));
    CHECK(contains(refused.message, "Facebook error 190/460"));
}

TEST_CASE("revoked Facebook tokens need reauthorisation with exactly one notice and no retry storm") {
    FacebookFixture f;
    // A password change ends the person's session and the Page tokens made from it.
    f.standin.control({{"revoke", "page-token-1"}});
    f.standin.control({{"revoke", "user-long-1"}});
    const auto p1 = f.scheduled_post("First");
    const auto p2 = f.scheduled_post("Second");
    CHECK(f.run().needs_attention == 2);
    CHECK(f.target_of(p1).state == State::NeedsAttention);
    CHECK(f.target_of(p2).state == State::NeedsAttention);
    CHECK(contains(f.target_of(p1).last_error, "the user changed their password"));
    CHECK((*f.store->find_account(f.account.id))->status == "needs_reauthorization");
    const auto notices = *f.store->open_notices();
    REQUIRE(notices.size() == 1);
    CHECK(notices[0].kind == "needs_reauthorization");
    CHECK(f.standin.requests("POST", kFeed) == 1);  // the second post never tried
    f.advance(3600);
    CHECK(f.run().claimed == 0);
    CHECK(f.standin.requests("POST", kFeed) == 1);
    CHECK(f.posts().empty());
}

TEST_CASE("a throttled Page waits for estimated_time_to_regain_access and holds the account's other posts") {
    FacebookFixture f;
    f.standin.control({{"buc_limit", {2, 3600}}});  // two Page-token calls an hour
    const auto first = f.scheduled_post("One");
    CHECK(f.run().published == 1);                  // the feed post and its permalink: both calls
    f.advance(630);  // the stand-in's clock also runs in real time: half a minute of margin
    const auto second = f.scheduled_post("Two");
    const auto third = f.scheduled_post("Three");
    CHECK(f.run().retrying == 2);
    // The oldest call leaves the hour in 49.5 minutes; the header says 50.
    const json throttle = f.standin.state()["last_throttle"];
    REQUIRE(throttle.is_object());
    const json usage = json::parse(throttle["headers"]["X-Business-Use-Case-Usage"].get<std::string>());
    CHECK(usage[kPage][0]["estimated_time_to_regain_access"] == 50);
    CHECK(usage[kPage][0]["type"] == "pages");
    const auto t = f.target_of(second);
    CHECK(t.state == State::RetryWait);
    CHECK(t.scheduled_at == f.now + 50 * 60);
    CHECK(contains(t.last_error, "There have been too many calls to this Page account"));
    CHECK(f.target_of(third).scheduled_at >= f.now + 50 * 60);
    CHECK(f.standin.requests("POST", kFeed) == 2);  // the third waited without a request
    f.advance(50 * 60 - 1);
    CHECK(f.run().claimed == 0);
    f.standin.control({{"buc_limit", {100, 3600}}});
    f.advance(2);
    CHECK(f.run().published == 2);
    CHECK(f.target_of(first).state == State::Published);
    CHECK(f.posts().size() == 3);
}

TEST_CASE("a duplicate of the Page's last post fails at once and is not retried") {
    FacebookFixture f;
    const auto first = f.scheduled_post("Clinic closed Monday");
    CHECK(f.run().published == 1);
    const auto again = f.scheduled_post("Clinic closed Monday");
    CHECK(f.run().failed == 1);
    const auto t = f.target_of(again);
    CHECK(t.state == State::Failed);
    CHECK(contains(t.last_error, "Facebook error 506"));
    CHECK(contains(t.last_error, "the same text was just posted"));
    const auto notices = *f.store->open_notices();
    REQUIRE(notices.size() == 1);
    CHECK(notices[0].kind == "publish_failed");
    f.advance(86400);
    CHECK(f.run().claimed == 0);
    CHECK(f.standin.requests("POST", kFeed) == 2);
    CHECK(f.posts().size() == 1);
    CHECK(f.target_of(first).state == State::Published);
}

TEST_CASE("a policy block fails the post and a passing server error is retried") {
    FacebookFixture f;
    SECTION("368: blocked for a policy violation") {
        const json blocked{{"error",
                            {{"message", "It looks like you were misusing this feature by going too fast."},
                             {"type", "OAuthException"},
                             {"code", 368},
                             {"error_subcode", 1390008},
                             {"fbtrace_id", "Aabc"}}}};
        f.standin.control({{"fail_next", {{kFeed, json::array({json::array({400, blocked})})}}}});
        const auto post = f.scheduled_post("Blocked post");
        CHECK(f.run().failed == 1);
        CHECK(contains(f.target_of(post).last_error, "Facebook error 368/1390008: It looks like you were misusing"));
        f.advance(86400);
        CHECK(f.run().claimed == 0);
    }
    SECTION("503 with is_transient") {
        f.standin.control({{"fail_next", {{kFeed, json::array({503})}}}});
        const auto post = f.scheduled_post("Passing trouble");
        CHECK(f.run().retrying == 1);
        CHECK(contains(f.target_of(post).last_error, "HTTP 503, Facebook error 2"));
        f.now = f.target_of(post).scheduled_at;
        f.standin.control({{"clock", f.now}});
        CHECK(f.run().published == 1);
    }
    CHECK(f.posts().size() <= 1);
}

TEST_CASE("a lost answer is settled by finding the post among the Page's published posts, never by a second one") {
    FacebookFixture f;
    const auto post = f.scheduled_post("Clinic closed Monday\n\nSee you Tuesday");
    bool lose = true;
    f.inject = [&](const net::HttpRequest& r) -> std::optional<net::HttpResult> {
        if (lose && r.method == "POST" && contains(r.url, "/feed")) {
            lose = false;
            f.standin.forward(r);  // it arrives; its answer does not
            return net::HttpFailure{net::Failure::InDoubt, "connection reset after sending"};
        }
        return std::nullopt;
    };
    CHECK(f.run().retrying == 1);
    CHECK(*f.store->in_doubt_attempts(f.target_of(post).id) == 1);
    REQUIRE(f.posts().size() == 1);
    f.advance(10);
    CHECK(f.run().published == 1);
    const auto t = f.target_of(post);
    const auto posts = f.posts();
    REQUIRE(posts.size() == 1);
    CHECK(t.state == State::Published);
    CHECK(t.remote_id == posts[0]["id"]);
    CHECK(t.remote_url == "https://www.facebook.com/" + kPage + "/posts/" + posts[0]["id"].get<std::string>().substr(11));
    CHECK(f.standin.requests("POST", kFeed) == 1);  // found, not sent again
    CHECK(f.standin.requests("GET", "/v26.0/" + kPage + "/published_posts") == 1);
    CHECK(*f.store->in_doubt_attempts(t.id) == 0);
}

TEST_CASE("a lost request that never arrived is found absent and sent again once") {
    FacebookFixture f;
    // The same text went out an hour before this post's time: not this post.
    const auto old = f.scheduled_post("Clinic closed Monday");
    CHECK(f.run().published == 1);
    f.advance(60);
    f.scheduled_post("Flu shots Saturday");
    CHECK(f.run().published == 1);
    f.advance(3600);
    const auto post = f.scheduled_post("Clinic closed Monday");
    bool lose = true;
    f.inject = [&](const net::HttpRequest& r) -> std::optional<net::HttpResult> {
        if (lose && r.method == "POST" && contains(r.url, "/feed")) {
            lose = false;
            return net::HttpFailure{net::Failure::InDoubt, "timed out after sending"};
        }
        return std::nullopt;
    };
    CHECK(f.run().retrying == 1);
    f.advance(10);
    CHECK(f.run().published == 1);
    const auto posts = f.posts();
    REQUIRE(posts.size() == 3);
    CHECK(posts[2]["message"] == "Clinic closed Monday");
    CHECK(f.target_of(post).remote_id == posts[2]["id"]);
    CHECK(f.target_of(old).remote_id == posts[0]["id"]);
    CHECK(f.standin.requests("POST", kFeed) == 3);  // the lost one never arrived
    CHECK(f.standin.requests("GET", "/v26.0/" + kPage + "/published_posts") == 1);
}

TEST_CASE("signing in keeps a long-lived user token and the Page token of the Page the account names") {
    FacebookFixture f;
    f.standin.control({{"page_size", 1}});  // Riverside Clinic is on the third page of /me/accounts
    std::string handle;
    SECTION("by name, in any case") { handle = "riverside CLINIC"; }
    SECTION("by username") { handle = "@riversideclinic"; }
    SECTION("by id") { handle = kPage; }
    const auto done = f.authorize(handle);
    REQUIRE(done.status == CLEARPOST_OK);
    const auto result = json::parse(done.result_json);
    const json creds = result["credentials"];
    const auto state = f.standin.state();
    const std::string user_token = creds["user_access_token"];
    CHECK(user_token != "short-user-1");
    CHECK(state["tokens"]["access"][user_token]["account"]["user"] == "u-1001");
    CHECK(creds["page_access_token"] == state["page_tokens"][user_token + "|" + kPage]);
    CHECK(state["tokens"]["access"][creds["page_access_token"].get<std::string>()]["expires_at"].is_null());
    CHECK(creds["page_id"] == kPage);
    CHECK(creds["client_id"] == "clearpost-app");
    CHECK(creds["api_url"] == f.standin.url + "/v26.0");
    CHECK_FALSE(creds.contains("access_token"));  // the short-lived token is not kept
    CHECK_FALSE(creds.contains("token_type"));
    CHECK_FALSE(creds.contains("expires_at"));
    CHECK(result["account"]["display"] == "Riverside Clinic (Facebook Page)");
    CHECK(f.standin.requests("GET", "/v26.0/me/accounts") == 3);
    // The new credentials publish.
    f.connect(creds);
    f.scheduled_post("Connected through the browser");
    CHECK(f.run().published == 1);
}

TEST_CASE("signing in as someone who does not manage the Page names the Pages they do") {
    FacebookFixture f;
    SECTION("a Page they do not manage") {
        const auto refused = f.authorize("Seaside Hospice");
        CHECK(refused.status == CLEARPOST_ERR_AUTH);
        CHECK(refused.message ==
              "the person who signed in to Facebook does not manage the Page 'Seaside Hospice'; they manage "
              "'Hillside Pharmacy' (1000000002), 'Lakeside Dental' (1000000003), 'Riverside Clinic' (1000000001); "
              "sign in as someone who manages it, or correct the account's handle");
    }
    SECTION("a Page they manage without the task to post") {
        const auto refused = f.authorize("Lakeside Dental");
        CHECK(refused.status == CLEARPOST_ERR_AUTH);
        CHECK(contains(refused.message, "may not create content on the Page 'Lakeside Dental'"));
    }
    SECTION("the organisation's app secret is wrong") {
        f.standin.control({{"add_token", "short-user-2"}, {"account", {{"user", "u-1001"}}}});
        auto request = json{{"account", {{"network", "facebook"}, {"handle", "Riverside Clinic"}}},
                            {"credentials",
                             {{"access_token", "short-user-2"},
                              {"client_id", "clearpost-app"},
                              {"client_secret", "wrong"},
                              {"api_url", f.standin.url + "/v26.0"}}}};
        const auto refused = f.call(&ClearpostPublisherV1::authorize_complete, request);
        CHECK(refused.status == CLEARPOST_ERR_INVALID);
        CHECK(contains(refused.message, "Facebook error 1: Error validating client secret.; check the organisation's "
                                        "Meta app id and app secret"));
    }
    CHECK(f.standin.requests("POST", kFeed) == 0);
}

TEST_CASE("removing a post deletes it and a second removal finds it gone") {
    FacebookFixture f;
    const auto post = f.scheduled_post("Soon removed");
    CHECK(f.run().published == 1);
    const std::string id = f.target_of(post).remote_id;
    const json request{{"credentials", f.credentials()}, {"remote_id", id}};
    CHECK(f.call(&ClearpostPublisherV1::remove, request).status == CLEARPOST_OK);
    CHECK(f.posts().empty());
    CHECK(f.standin.state()["deleted"] == json{id});
    CHECK(f.call(&ClearpostPublisherV1::remove, request).status == CLEARPOST_OK);
    CHECK(f.standin.requests("DELETE", "/v26.0/" + id) == 2);
    CHECK(f.call(&ClearpostPublisherV1::remove, {{"credentials", f.credentials()}, {"remote_id", "../me"}}).status ==
          CLEARPOST_ERR_INVALID);
}

TEST_CASE("metrics snapshots carry reactions, comments, shares and views as Facebook reports them") {
    FacebookFixture f;
    const auto post = f.scheduled_post("Measured");
    const UnixSeconds published_at = f.now;
    CHECK(f.run().published == 1);
    const auto t = f.target_of(post);
    f.standin.control({{"counts", {{t.remote_id, {{"reactions", 7}, {"comments", 3}, {"views", 120}, {"reach", 80}}}}}});
    f.now = published_at + 3600;
    REQUIRE(f.dispatcher().collect_metrics(25)->metrics_snapshots == 1);
    auto history = *f.store->metric_snapshots(t.id);
    REQUIRE(history.size() == 1);
    auto m = json::parse(history[0].metrics_json);
    CHECK(m == json{{"likes", 7}, {"replies", 3}, {"views", 120}, {"reach", 80}});  // nobody shared: no reposts
    // Later: shared twice, and insights refused (no ANALYZE task): the counts stay, views are absent.
    f.standin.control({{"counts", {{t.remote_id, {{"shares", 2}, {"reactions", 9}}}}}, {"insights_refused", true}});
    f.now = published_at + 6 * 3600;
    REQUIRE(f.dispatcher().collect_metrics(25)->metrics_snapshots == 1);
    history = *f.store->metric_snapshots(t.id);
    REQUIRE(history.size() == 2);
    m = json::parse(history[1].metrics_json);
    CHECK(m == json{{"likes", 9}, {"replies", 3}, {"reposts", 2}});
    // A post deleted on Facebook gets no snapshot.
    CHECK(f.call(&ClearpostPublisherV1::remove, {{"credentials", f.credentials()}, {"remote_id", t.remote_id}}).status ==
          CLEARPOST_OK);
    const auto none = f.call(&ClearpostPublisherV1::fetch_metrics,
                             {{"credentials", f.credentials()}, {"remote_ids", {t.remote_id}}});
    REQUIRE(none.status == CLEARPOST_OK);
    CHECK(json::parse(none.result_json)["metrics"] == json::object());
}

TEST_CASE("account metrics are the Page's followers_count, and fan_count as page_likes, read with the Page token") {
    FacebookFixture f;
    auto plugin = f.plugins.find("facebook");
    REQUIRE(plugin.ok());
    CHECK(json::parse((*plugin)->capabilities())["account_metrics"] == true);
    REQUIRE((*plugin)->table().fetch_account_metrics != nullptr);
    f.standin.control({{"followers", 1520}, {"page_likes", 1390}});
    f.standin.control({{"followers", 75}, {"page", "1000000002"}});  // another Page the person manages
    std::vector<net::HttpRequest> sent;
    f.inject = [&](const net::HttpRequest& r) -> std::optional<net::HttpResult> {
        sent.push_back(r);
        return std::nullopt;
    };

    SECTION("the counts Facebook reports, read again on each call; a count it leaves out stays out") {
        const auto first = f.call(&ClearpostPublisherV1::fetch_account_metrics, f.account_request());
        REQUIRE(first.status == CLEARPOST_OK);
        CHECK(json::parse(first.result_json) == json{{"metrics", {{"followers", 1520}, {"page_likes", 1390}}}});
        f.standin.control({{"followers", 1531}, {"page_likes", nullptr}});  // Graph leaves fan_count out
        const auto second = f.call(&ClearpostPublisherV1::fetch_account_metrics, f.account_request());
        REQUIRE(second.status == CLEARPOST_OK);
        CHECK(json::parse(second.result_json) == json{{"metrics", {{"followers", 1531}}}});
        REQUIRE(sent.size() == 2);
        for (const auto& r : sent) {
            CHECK(r.method == "GET");
            // The Page token as the access_token parameter, as every Graph call here sends it.
            CHECK(r.url == f.standin.url + "/v26.0/" + kPage + "?fields=followers_count%2Cfan_count&access_token=page-token-1");
            CHECK(testing::header(r, "Authorization").empty());
        }
        CHECK(f.standin.requests("GET", "/v26.0/" + kPage) == 2);
    }
    SECTION("a refused Page token is AUTH; the Page token the host makes again then reads the counts") {
        f.standin.control({{"expire", "page-token-1"}});
        const auto refused = f.call(&ClearpostPublisherV1::fetch_account_metrics, f.account_request());
        CHECK(refused.status == CLEARPOST_ERR_AUTH);
        CHECK(contains(refused.message, "Facebook error 190/463"));
        // What the host does on AUTH: refresh_credentials, sealed in the vault.
        const auto renewed = f.call(&ClearpostPublisherV1::refresh_credentials, f.account_request());
        REQUIRE(renewed.status == CLEARPOST_OK);
        f.connect(json::parse(renewed.result_json)["credentials"]);
        const std::string fresh = f.credentials()["page_access_token"];
        CHECK(fresh != "page-token-1");
        const auto counted = f.call(&ClearpostPublisherV1::fetch_account_metrics, f.account_request());
        REQUIRE(counted.status == CLEARPOST_OK);
        CHECK(json::parse(counted.result_json)["metrics"]["followers"] == 1520);
        CHECK(contains(sent.back().url, "access_token=" + fresh));
        CHECK_FALSE(contains(f.logs, fresh));
        CHECK_FALSE(contains(refused.message, "page-token-1"));
    }
    SECTION("revoked tokens are AUTH") {
        f.standin.control({{"revoke", "page-token-1"}});
        const auto refused = f.call(&ClearpostPublisherV1::fetch_account_metrics, f.account_request());
        CHECK(refused.status == CLEARPOST_ERR_AUTH);
        CHECK(contains(refused.message, "the user changed their password"));
        CHECK(contains(refused.message, "reconnect the account"));
    }
    SECTION("a throttled Page waits for estimated_time_to_regain_access") {
        f.standin.control({{"buc_limit", {1, 3600}}});  // one Page-token call an hour
        REQUIRE(f.call(&ClearpostPublisherV1::fetch_account_metrics, f.account_request()).status == CLEARPOST_OK);
        const auto limited = f.call(&ClearpostPublisherV1::fetch_account_metrics, f.account_request());
        CHECK(limited.status == CLEARPOST_ERR_RATE_LIMITED);
        CHECK(contains(limited.message, "There have been too many calls to this Page account"));
        const json usage = json::parse(
            f.standin.state()["last_throttle"]["headers"]["X-Business-Use-Case-Usage"].get<std::string>());
        CHECK(limited.retry_after_ms == usage[kPage][0]["estimated_time_to_regain_access"].get<std::int64_t>() * 60000);
        CHECK(limited.retry_after_ms > 0);
    }
    for (const char* secret : {"page-token-1", "user-long-1", "app-secret"}) CHECK_FALSE(contains(f.logs, secret));
}
