// The dispatcher with the real LinkedIn plugin against a stand-in for
// LinkedIn's REST API on 127.0.0.1 (linkedin/standin.py, which follows
// LinkedIn's Microsoft Learn pages), with the HTTP client's fault-injection
// hook for lost answers.

#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "support/network_fixture.h"

using namespace clearpost;
using clearpost::testing::PublisherFixture;
using model::State;
using nlohmann::json;

namespace {

constexpr const char* kPage = "urn:li:organization:2414183";

struct LinkedInFixture : PublisherFixture {
    LinkedInFixture() : PublisherFixture("linkedin", "riverside-clinic", CLEARPOST_STANDIN) { connect(creds()); }

    json creds(const std::string& token = "good-token") {
        return {{"access_token", token},
                {"api_url", standin.url},
                {"organization_urn", kPage},
                {"client_id", "app-1"},
                {"client_secret", "app-secret"}};
    }

    // The page's posts that were not deleted, oldest first.
    std::vector<json> posts() {
        std::vector<json> out;
        const json all = standin.state();  // kept: a range-for over state()["..."] would dangle
        for (const auto& [urn, p] : all["posts"].items())
            if (p["_deleted"] == false) out.push_back(p);
        std::sort(out.begin(), out.end(), [](const json& a, const json& b) {
            return std::pair(a["createdAt"].get<std::int64_t>(), a["id"].get<std::string>()) <
                   std::pair(b["createdAt"].get<std::int64_t>(), b["id"].get<std::string>());
        });
        return out;
    }

    json post_with_text(const std::string& text) {
        for (const auto& p : posts())
            if (p["_text"] == text) return p;
        FAIL("no post shows '" << text << "'");
        return {};
    }

    // Loses the answer to the first POST /rest/posts after it reached LinkedIn.
    void lose_first_post_answer() {
        inject = [this, lose = true](const net::HttpRequest& r) mutable -> std::optional<net::HttpResult> {
            if (lose && r.method == "POST" && r.url == standin.url + "/rest/posts") {
                lose = false;
                standin.forward(r);
                return net::HttpFailure{net::Failure::InDoubt, "connection reset after sending"};
            }
            return std::nullopt;
        };
    }

    json authorize(const std::string& handle) {
        return {{"account", {{"network", "linkedin"}, {"handle", handle}}},
                {"credentials", {{"access_token", "good-token"}, {"api_url", standin.url},
                                 {"client_id", "app-1"}, {"client_secret", "app-secret"}}}};
    }
};

}  // namespace

TEST_CASE("the LinkedIn plugin declares LinkedIn's limits, its sign-in and lookup as its idempotency") {
    LinkedInFixture f;
    auto plugin = f.plugins.find("linkedin");
    REQUIRE(plugin.ok());
    const auto caps = json::parse((*plugin)->capabilities());
    CHECK(caps["network"] == "linkedin");
    CHECK(caps["text"]["limit"] == 3000);
    CHECK(caps["text"]["counting"] == "code_points");
    CHECK(caps["media"]["max_images"] == 20);
    CHECK(caps["media"]["max_bytes"] == 5242880);
    CHECK(caps["media"]["max_alt_length"] == 4086);
    CHECK(caps["media"]["types"] == json::array({"image/jpeg", "image/png", "image/gif"}));
    CHECK(caps["threads"] == false);
    CHECK(caps["native_scheduling"] == false);
    CHECK(caps["metrics"] == true);
    CHECK(caps["idempotency"] == "lookup");
    CHECK(caps["rate_limits"]["posts_per_day"] == 150);
    const json oauth = caps["oauth"];
    CHECK(oauth["authorize_url"] == "https://www.linkedin.com/oauth/v2/authorization");
    CHECK(oauth["token_url"] == "https://www.linkedin.com/oauth/v2/accessToken");
    CHECK(oauth["scopes"] == json::array({"w_organization_social", "r_organization_social", "rw_organization_admin"}));
    CHECK(oauth["client_auth"] == "post");
    CHECK(oauth["redirect_port"] == 0);
    CHECK(oauth["redirect_path"] == "/callback");
    CHECK(oauth["needs_client_secret"] == true);
}

TEST_CASE("a text post goes to the page once, with little's reserved characters escaped so none of it is cut off") {
    LinkedInFixture f;
    const std::string text = "Flu shots (ages 5+) at the *new* east_wing #health @ 9am [walk-ins] {free} <3 ~ | a\\b ok#1";
    const auto post = f.scheduled_post(text);
    CHECK(f.run().published == 1);
    const auto t = f.target_of(post);
    CHECK(t.state == State::Published);
    const auto posts = f.posts();
    REQUIRE(posts.size() == 1);
    const json& p = posts[0];
    CHECK(p["commentary"] ==
          "Flu shots \\(ages 5+\\) at the \\*new\\* east\\_wing #health \\@ 9am \\[walk-ins\\] \\{free\\} \\<3 \\~ \\| a\\\\b ok\\#1");
    CHECK(p["_text"] == text);  // what the page shows: all of it
    CHECK(p["author"] == kPage);
    CHECK(p["visibility"] == "PUBLIC");
    CHECK(p["distribution"]["feedDistribution"] == "MAIN_FEED");
    CHECK(p["lifecycleState"] == "PUBLISHED");
    CHECK(p["content"] == json::object());  // no card: the text has no link
    CHECK(t.remote_id == p["id"]);
    CHECK_THAT(t.remote_id, Catch::StartsWith("urn:li:share:"));
    CHECK(t.remote_url == "https://www.linkedin.com/feed/update/" + t.remote_id + "/");
    CHECK_FALSE(f.store->setting("plugin-note:linkedin-sent-" + t.idempotency_key)->has_value());
    CHECK(f.run().claimed == 0);
    CHECK(f.standin.requests("POST", "/rest/posts") == 1);
    const json state = f.standin.state();
    REQUIRE_FALSE(state["versions"].empty());
    for (const auto& v : state["versions"]) CHECK(v == "202605");
    CHECK(f.logs.find("good-token") == std::string::npos);
}

TEST_CASE("one image goes as content.media and several as a multiImage, each with its alt text, in order") {
    LinkedInFixture f;
    const auto jpeg = f.image("exif_rotated.jpg", "Waiting room, portrait");
    const auto png = f.image("text.png", "Reception desk");
    const auto one = f.scheduled_post("Our new waiting room", {jpeg});
    const auto two = f.scheduled_post("Before and after", {jpeg, png});
    CHECK(f.run().published == 2);
    const json state = f.standin.state();
    const json single = f.post_with_text("Our new waiting room");
    const json media = single["content"]["media"];
    CHECK(media["altText"] == "Waiting room, portrait");
    const json first = state["images"][media["id"].get<std::string>()];
    CHECK(first["_sha256"] == jpeg.sha256);  // the stripped, approved bytes are what left
    CHECK(first["_type"] == "image/jpeg");
    CHECK(first["owner"] == kPage);
    CHECK(f.target_of(one).remote_id == single["id"]);

    const json multi = f.post_with_text("Before and after");
    const json images = multi["content"]["multiImage"]["images"];
    REQUIRE(images.size() == 2);
    CHECK(images[0]["altText"] == "Waiting room, portrait");
    CHECK(images[1]["altText"] == "Reception desk");
    CHECK(state["images"][images[0]["id"].get<std::string>()]["_sha256"] == jpeg.sha256);
    CHECK(state["images"][images[1]["id"].get<std::string>()]["_sha256"] == png.sha256);
    CHECK(state["images"][images[1]["id"].get<std::string>()]["_type"] == "image/png");
    CHECK_THAT(f.target_of(two).remote_id, Catch::StartsWith("urn:li:ugcPost:"));
    CHECK(f.standin.requests("POST", "/rest/images") == 3);
    CHECK(f.logs.find("good-token") == std::string::npos);
}

TEST_CASE("a post with a link and no image goes out as an article of that link, titled with its site") {
    LinkedInFixture f;
    const std::string text = "Read our flu_guide before Saturday: https://www.clinic.example/flu_guide?lang=en.";
    f.scheduled_post(text);
    CHECK(f.run().published == 1);
    const json p = f.post_with_text(text);
    CHECK(p["content"]["article"]["source"] == "https://www.clinic.example/flu_guide?lang=en");
    CHECK(p["content"]["article"]["title"] == "clinic.example");
}

TEST_CASE("a text or images LinkedIn cannot take fail before any request") {
    LinkedInFixture f;
    SECTION("validate names each problem") {
        json request = f.request_for(std::string(3001, 'a'));
        const auto gif = f.image("plain.jpg", std::string(4087, 'x'));
        request["post"]["media"] = {{{"path", gif.path}, {"mime", "image/webp"}, {"bytes", 6000000u}, {"alt", gif.alt_text},
                                     {"width", 7000}, {"height", 6000}}};
        const auto call = f.call(&ClearpostPublisherV1::validate, request);
        REQUIRE(call.status == CLEARPOST_OK);
        const auto problems = json::parse(call.result_json)["problems"];
        REQUIRE(problems.size() == 5);
        CHECK(problems[0] == "the text is 3,001 characters and LinkedIn takes at most 3,000; shorten it by 1");
        CHECK_THAT(problems[1].get<std::string>(), Catch::Contains("image/webp; LinkedIn takes JPEG, PNG and GIF images"));
        CHECK_THAT(problems[2].get<std::string>(), Catch::Contains("6,000,000 bytes"));
        CHECK_THAT(problems[3].get<std::string>(), Catch::Contains("alt text is 4087 characters and LinkedIn takes at most 4,086"));
        CHECK_THAT(problems[4].get<std::string>(), Catch::Contains("42,000,000 pixels"));
    }
    SECTION("publish refuses an over-long text with the limit in the message and sends nothing") {
        const auto call = f.call(&ClearpostPublisherV1::publish, f.request_for(std::string(3010, 'a')));
        CHECK(call.status == CLEARPOST_ERR_INVALID);
        CHECK(call.message == "the text is 3,010 characters and LinkedIn takes at most 3,000; shorten it by 10");
        CHECK(f.standin.requests("POST", "/rest/posts") == 0);
    }
}

TEST_CASE("an expired token is refreshed with the stored refresh token, which LinkedIn does not rotate") {
    LinkedInFixture f;
    f.standin.control({{"add_token", "old-token"}, {"add_refresh_token", "refresh-1"}});
    f.standin.control({{"expire", "old-token"}});
    json creds = f.creds("old-token");
    creds["refresh_token"] = "refresh-1";
    f.connect(creds);
    const auto post = f.scheduled_post("After a refresh");
    CHECK(f.run().published == 1);
    CHECK(f.target_of(post).state == State::Published);
    CHECK(f.posts().size() == 1);
    const auto stored = f.credentials();
    CHECK(stored["access_token"] == "li-access-1");
    CHECK(stored["refresh_token"] == "refresh-1");
    CHECK(stored["expires_at"] == f.now + 60 * 86400);
    CHECK(stored["refresh_expires_at"].get<std::int64_t>() >= f.now + 365 * 86400 - 10);
    CHECK(stored["refresh_expires_at"].get<std::int64_t>() <= f.now + 365 * 86400);
    CHECK(stored["organization_urn"] == kPage);
    CHECK((*f.store->find_account(f.account.id))->status == "connected");
    CHECK(f.store->open_notices()->empty());
    CHECK(f.standin.requests("POST", "/oauth/v2/accessToken") == 1);
    CHECK(f.standin.requests("POST", "/rest/posts") == 2);
    for (const char* secret : {"old-token", "refresh-1", "li-access-1", "app-secret"}) CHECK(f.logs.find(secret) == std::string::npos);
}

TEST_CASE("an expired token without a refresh token asks for a reconnect, naming LinkedIn's 60 days") {
    LinkedInFixture f;
    f.standin.control({{"add_token", "old-token"}});
    f.standin.control({{"expire", "old-token"}});
    f.connect(f.creds("old-token"));
    const auto post = f.scheduled_post("Too late");
    CHECK(f.run().needs_attention == 1);
    CHECK(f.target_of(post).state == State::NeedsAttention);
    CHECK_THAT(f.target_of(post).last_error, Catch::Contains("65602 EXPIRED_ACCESS_TOKEN"));
    CHECK((*f.store->find_account(f.account.id))->status == "needs_reauthorization");
    const auto refresh = f.call(&ClearpostPublisherV1::refresh_credentials, f.request_for("x"));
    CHECK(refresh.status == CLEARPOST_ERR_AUTH);
    CHECK(refresh.message == "LinkedIn access tokens last 60 days and LinkedIn gave this app no refresh token; reconnect the account");
    CHECK(f.standin.requests("POST", "/oauth/v2/accessToken") == 0);
}

TEST_CASE("a revoked LinkedIn token needs reauthorisation with exactly one notice and no retry storm") {
    LinkedInFixture f;
    f.standin.control({{"revoke", "good-token"}});
    const auto p1 = f.scheduled_post("First");
    const auto p2 = f.scheduled_post("Second");
    CHECK(f.run().needs_attention == 2);
    CHECK(f.target_of(p1).state == State::NeedsAttention);
    CHECK(f.target_of(p2).state == State::NeedsAttention);
    CHECK_THAT(f.target_of(p1).last_error, Catch::Contains("65601 REVOKED_ACCESS_TOKEN"));
    CHECK((*f.store->find_account(f.account.id))->status == "needs_reauthorization");
    const auto notices = *f.store->open_notices();
    REQUIRE(notices.size() == 1);
    CHECK(notices[0].kind == "needs_reauthorization");
    CHECK(f.standin.requests("POST", "/rest/posts") == 1);  // the second post never tried
    f.now += 3600;
    CHECK(f.run().claimed == 0);
    CHECK(f.standin.requests("POST", "/rest/posts") == 1);
    CHECK(f.posts().empty());
}

TEST_CASE("a member without a posting role on the page is told which role and scopes to get") {
    LinkedInFixture f;
    f.standin.control({{"acls", {{{"roleAssignee", "urn:li:person:clinic-admin"}, {"role", "ANALYST"},
                                  {"organization", kPage}, {"state", "APPROVED"}}}}});
    const auto post = f.scheduled_post("No role");
    CHECK(f.run().needs_attention == 1);
    CHECK_THAT(f.target_of(post).last_error, Catch::Contains("HTTP 403"));
    CHECK_THAT(f.target_of(post).last_error, Catch::Contains("needs the ADMINISTRATOR or CONTENT_ADMIN role on the page"));
    CHECK((*f.store->find_account(f.account.id))->status == "needs_reauthorization");
    CHECK(f.posts().empty());
}

TEST_CASE("a 429 waits until the next midnight UTC by LinkedIn's clock and holds the page's other posts") {
    LinkedInFixture f;
    REQUIRE(f.now % 86400 == 8 * 3600);  // 08:00 UTC: the daily limit resets in 16 hours
    const UnixSeconds midnight = f.now + 16 * 3600;
    f.standin.control({{"daily_post_limit", 1}});
    const auto first = f.scheduled_post("One");
    CHECK(f.run().published == 1);
    const auto second = f.scheduled_post("Two");
    const auto third = f.scheduled_post("Three");
    CHECK(f.run().retrying == 2);
    REQUIRE(f.standin.state()["last_429"].is_object());
    const auto t = f.target_of(second);
    CHECK(t.state == State::RetryWait);
    CHECK(t.scheduled_at >= midnight - 1);  // LinkedIn's Date may be a second on
    CHECK(t.scheduled_at <= midnight);
    CHECK_THAT(t.last_error, Catch::Contains("APPLICATION DAY limit"));
    CHECK(f.target_of(third).scheduled_at >= midnight - 1);
    CHECK(f.standin.requests("POST", "/rest/posts") == 2);  // the third waited without a request
    f.now = midnight - 2;
    CHECK(f.run().claimed == 0);
    f.now = midnight + 1;
    f.standin.control({{"clock", f.now}});  // a new day on LinkedIn too
    f.standin.control({{"daily_post_limit", 10}});
    CHECK(f.run().published == 2);
    CHECK(f.target_of(first).state == State::Published);
    CHECK(f.posts().size() == 3);
}

TEST_CASE("a 503 leaves nothing posted and the post goes out on the retry") {
    LinkedInFixture f;
    f.standin.control({{"fail_next", {{"/rest/posts", {503}}}}});
    const auto post = f.scheduled_post("Through a hiccup");
    CHECK(f.run().retrying == 1);
    CHECK_THAT(f.target_of(post).last_error, Catch::Contains("HTTP 503"));
    CHECK(f.posts().empty());
    f.now = f.target_of(post).scheduled_at;
    CHECK(f.run().published == 1);
    CHECK(f.posts().size() == 1);
}

TEST_CASE("a duplicate of a post already on the page fails at once, naming it, and is not retried") {
    LinkedInFixture f;
    const auto original = f.scheduled_post("Same words twice");
    CHECK(f.run().published == 1);
    const std::string existing = f.target_of(original).remote_id;
    const auto again = f.scheduled_post("Same words twice");
    CHECK(f.run().failed == 1);
    const auto t = f.target_of(again);
    CHECK(t.state == State::Failed);
    CHECK_THAT(t.last_error, Catch::Contains("Content is a duplicate of " + existing));
    CHECK_THAT(t.last_error, Catch::Contains("as https://www.linkedin.com/feed/update/" + existing + "/, so it was not posted again"));
    const auto notices = *f.store->open_notices();
    REQUIRE(notices.size() == 1);
    CHECK(notices[0].kind == "publish_failed");
    f.now += 86400;
    CHECK(f.run().claimed == 0);
    CHECK(f.standin.requests("POST", "/rest/posts") == 2);
    CHECK(f.posts().size() == 1);
}

TEST_CASE("a lost answer is settled by finding the post among the page's posts, never by a second one") {
    LinkedInFixture f;
    const std::string text = "Clinic closed Monday (holiday) #community\n\nSee you Tuesday";
    const auto post = f.scheduled_post(text);
    f.lose_first_post_answer();
    CHECK(f.run().retrying == 1);
    CHECK(*f.store->in_doubt_attempts(f.target_of(post).id) == 1);
    REQUIRE(f.posts().size() == 1);
    const std::string note = "plugin-note:linkedin-sent-" + f.target_of(post).idempotency_key;
    CHECK(*f.store->setting(note) == "sent");  // kept in the database before the request left
    f.now += 10;
    CHECK(f.run().published == 1);
    const auto t = f.target_of(post);
    CHECK(t.state == State::Published);
    CHECK(t.remote_id == f.posts()[0]["id"]);
    CHECK_FALSE(f.store->setting(note)->has_value());  // settled: the note is gone
    CHECK(f.posts().size() == 1);
    CHECK(f.standin.requests("POST", "/rest/posts") == 1);  // found by lookup, not sent again
    CHECK(f.standin.requests("GET", "/rest/posts") == 1);
    CHECK(*f.store->in_doubt_attempts(t.id) == 0);
}

TEST_CASE("a lost answer LinkedIn's list does not show yet is settled by the duplicate it names on the resend") {
    LinkedInFixture f;
    f.standin.control({{"finder_lag_s", 3600}});
    const auto post = f.scheduled_post("Pharmacy hours change (from June)", {f.image("text.png", "New hours")});
    f.lose_first_post_answer();
    CHECK(f.run().retrying == 1);
    REQUIRE(f.posts().size() == 1);
    const std::string made = f.posts()[0]["id"];
    f.now += 10;
    CHECK(f.run().published == 1);
    const auto t = f.target_of(post);
    CHECK(t.state == State::Published);
    CHECK(t.remote_id == made);
    CHECK(f.posts().size() == 1);
    CHECK(f.standin.requests("GET", "/rest/posts") == 1);   // looked, did not see it
    CHECK(f.standin.requests("POST", "/rest/posts") == 2);  // the resend was refused as its duplicate
    CHECK_THAT(f.logs, Catch::Contains("an earlier try made it"));
    CHECK_FALSE(f.store->setting("plugin-note:linkedin-sent-" + t.idempotency_key)->has_value());
}

TEST_CASE("connecting finds the page the handle names among those the member may post for") {
    LinkedInFixture f;
    for (const std::string handle : {"riverside-clinic", "2414183", "urn:li:organization:2414183",
                                     "HTTPS://www.LinkedIn.com/company/Riverside-Clinic/"}) {
        const auto call = f.call(&ClearpostPublisherV1::authorize_complete, f.authorize(handle));
        REQUIRE(call.status == CLEARPOST_OK);
        const auto result = json::parse(call.result_json);
        CHECK(result["credentials"]["organization_urn"] == kPage);
        CHECK(result["credentials"]["access_token"] == "good-token");
        CHECK(result["credentials"]["client_secret"] == "app-secret");
        CHECK(result["account"]["display"] == "Riverside Clinic (riverside-clinic)");
    }
    CHECK(f.standin.requests("GET", "/rest/organizationAcls") == 4);
    CHECK(f.standin.requests("GET", "/rest/organizations/2414183") == 4);
}

TEST_CASE("connecting refuses a member who may not post for the page the handle names, saying what they administer") {
    LinkedInFixture f;
    SECTION("another page") {
        const auto call = f.call(&ClearpostPublisherV1::authorize_complete, f.authorize("hillside-hospital"));
        CHECK(call.status == CLEARPOST_ERR_AUTH);
        CHECK(call.message == "the LinkedIn member who signed in may post for Riverside Clinic (riverside-clinic) "
                              "urn:li:organization:2414183, not for 'hillside-hospital'; sign in as an administrator of "
                              "that page or correct the account's handle");
    }
    SECTION("no page at all: an analyst may not post") {
        f.standin.control({{"acls", {{{"roleAssignee", "urn:li:person:clinic-admin"}, {"role", "ANALYST"},
                                      {"organization", kPage}, {"state", "APPROVED"}}}}});
        const auto call = f.call(&ClearpostPublisherV1::authorize_complete, f.authorize("riverside-clinic"));
        CHECK(call.status == CLEARPOST_ERR_AUTH);
        CHECK_THAT(call.message, Catch::StartsWith("the LinkedIn member who signed in may post for no page"));
    }
    SECTION("a content administrator of the other page may connect it") {
        f.standin.control({{"acls", {{{"roleAssignee", "urn:li:person:clinic-admin"}, {"role", "CONTENT_ADMINISTRATOR"},
                                      {"organization", "urn:li:organization:5583111"}, {"state", "APPROVED"}}}}});
        const auto call = f.call(&ClearpostPublisherV1::authorize_complete, f.authorize("hillside-hospital"));
        REQUIRE(call.status == CLEARPOST_OK);
        CHECK(json::parse(call.result_json)["credentials"]["organization_urn"] == "urn:li:organization:5583111");
    }
}

TEST_CASE("removing a post deletes it on LinkedIn and a second removal is harmless") {
    LinkedInFixture f;
    const auto post = f.scheduled_post("Posted by mistake");
    CHECK(f.run().published == 1);
    const std::string urn = f.target_of(post).remote_id;
    json request = f.request_for("");
    request["remote_id"] = urn;
    CHECK(f.call(&ClearpostPublisherV1::remove, request).status == CLEARPOST_OK);
    CHECK(f.posts().empty());
    CHECK(f.standin.state()["posts"][urn]["_deleted"] == true);
    CHECK(f.call(&ClearpostPublisherV1::remove, request).status == CLEARPOST_OK);  // 404: already gone
    CHECK(f.standin.requests("DELETE", "/rest/posts/urn%3Ali%3Ashare%3A" + urn.substr(13)) == 2);
    request["remote_id"] = "7400000000000000001";
    CHECK(f.call(&ClearpostPublisherV1::remove, request).status == CLEARPOST_ERR_INVALID);
}

TEST_CASE("metrics snapshots carry the page's share statistics as LinkedIn reports them, over time") {
    LinkedInFixture f;
    const auto text_post = f.scheduled_post("Measured");
    const auto gallery = f.scheduled_post("Measured gallery", {f.image("plain.jpg", "One"), f.image("text.png", "Two")});
    const UnixSeconds published_at = f.now;
    CHECK(f.run().published == 2);
    const auto share = f.target_of(text_post);
    const auto ugc = f.target_of(gallery);
    REQUIRE_THAT(share.remote_id, Catch::StartsWith("urn:li:share:"));
    REQUIRE_THAT(ugc.remote_id, Catch::StartsWith("urn:li:ugcPost:"));
    f.standin.control({{"stats", {{share.remote_id, {{"impressionCount", 120}, {"uniqueImpressionsCount", 90}, {"clickCount", 7},
                                                     {"likeCount", 5}, {"commentCount", 2}, {"shareCount", 1}}},
                                  {ugc.remote_id, {{"impressionCount", 40}, {"likeCount", 3}}}}}});
    f.now = published_at + 3600;
    REQUIRE(f.dispatcher().collect_metrics(25)->metrics_snapshots == 2);
    auto history = *f.store->metric_snapshots(share.id);
    REQUIRE(history.size() == 1);
    auto m = json::parse(history[0].metrics_json);
    CHECK(m["impressions"] == 120);
    CHECK(m["unique_impressions"] == 90);
    CHECK(m["clicks"] == 7);
    CHECK(m["likes"] == 5);
    CHECK(m["replies"] == 2);
    CHECK(m["reposts"] == 1);
    CHECK(m["engagement_rate"].get<double>() == Approx(15.0 / 120.0));
    CHECK(m.size() == 7);  // nothing LinkedIn does not report (no views, no quotes)
    const auto gallery_history = *f.store->metric_snapshots(ugc.id);
    REQUIRE(gallery_history.size() == 1);
    CHECK(json::parse(gallery_history[0].metrics_json)["likes"] == 3);

    f.standin.control({{"stats", {{share.remote_id, {{"impressionCount", 400}, {"likeCount", 19}}}}}});
    f.now = published_at + 6 * 3600;
    REQUIRE(f.dispatcher().collect_metrics(25)->metrics_snapshots == 2);
    history = *f.store->metric_snapshots(share.id);
    REQUIRE(history.size() == 2);
    m = json::parse(history[1].metrics_json);
    CHECK(m["impressions"] == 400);
    CHECK(m["likes"] == 19);
    CHECK(f.logs.find("good-token") == std::string::npos);
}

TEST_CASE("account metrics are the page's follower count from networkSizes, and only that") {
    LinkedInFixture f;
    auto plugin = f.plugins.find("linkedin");
    REQUIRE(plugin.ok());
    CHECK(json::parse((*plugin)->capabilities())["account_metrics"] == true);
    REQUIRE((*plugin)->table().fetch_account_metrics != nullptr);
    f.standin.control({{"followers", 1520}});
    f.standin.control({{"followers", 75}, {"organization", "5583111"}});  // another page, not this account's
    std::vector<net::HttpRequest> sent;
    f.inject = [&](const net::HttpRequest& r) -> std::optional<net::HttpResult> {
        sent.push_back(r);
        return std::nullopt;
    };
    const std::string path = "/rest/networkSizes/urn%3Ali%3Aorganization%3A2414183";

    SECTION("the page's followers, read again on each call; a page has no following or posts count") {
        const auto first = f.call(&ClearpostPublisherV1::fetch_account_metrics, f.account_request());
        REQUIRE(first.status == CLEARPOST_OK);
        CHECK(json::parse(first.result_json) == json{{"metrics", {{"followers", 1520}}}});
        f.standin.control({{"followers", 1544}});
        const auto second = f.call(&ClearpostPublisherV1::fetch_account_metrics, f.account_request());
        REQUIRE(second.status == CLEARPOST_OK);
        CHECK(json::parse(second.result_json) == json{{"metrics", {{"followers", 1544}}}});
        REQUIRE(sent.size() == 2);
        for (const auto& r : sent) {
            CHECK(r.method == "GET");
            CHECK(r.url == f.standin.url + path + "?edgeType=COMPANY_FOLLOWED_BY_MEMBER");
            CHECK(testing::header(r, "Authorization") == "Bearer good-token");
            CHECK(testing::header(r, "LinkedIn-Version") == "202605");
            CHECK(testing::header(r, "X-Restli-Protocol-Version") == "2.0.0");
        }
        CHECK(f.standin.requests("GET", path) == 2);
    }
    SECTION("an expired token is AUTH; the host refreshes it where LinkedIn issued a refresh token, then it reads") {
        f.standin.control({{"add_token", "old-token"}, {"add_refresh_token", "refresh-1"}});
        f.standin.control({{"expire", "old-token"}});
        json creds = f.creds("old-token");
        creds["refresh_token"] = "refresh-1";
        creds["expires_at"] = f.now - 60;
        f.connect(creds);
        const auto refused = f.call(&ClearpostPublisherV1::fetch_account_metrics, f.account_request());
        CHECK(refused.status == CLEARPOST_ERR_AUTH);
        CHECK_THAT(refused.message, Catch::Contains("65602 EXPIRED_ACCESS_TOKEN"));
        CHECK(f.standin.requests("POST", "/oauth/v2/accessToken") == 0);
        REQUIRE(*f.dispatcher().renew_ending_tokens(3600) == 1);
        CHECK(f.credentials()["access_token"] == "li-access-1");
        CHECK(f.credentials()["refresh_token"] == "refresh-1");
        const auto counted = f.call(&ClearpostPublisherV1::fetch_account_metrics, f.account_request());
        REQUIRE(counted.status == CLEARPOST_OK);
        CHECK(json::parse(counted.result_json)["metrics"]["followers"] == 1520);
        CHECK(testing::header(sent.back(), "Authorization") == "Bearer li-access-1");
        for (const char* secret : {"old-token", "refresh-1", "li-access-1", "app-secret"}) {
            CHECK(f.logs.find(secret) == std::string::npos);
            CHECK(refused.message.find(secret) == std::string::npos);
        }
    }
    SECTION("a revoked token is AUTH") {
        f.standin.control({{"revoke", "good-token"}});
        const auto refused = f.call(&ClearpostPublisherV1::fetch_account_metrics, f.account_request());
        CHECK(refused.status == CLEARPOST_ERR_AUTH);
        CHECK_THAT(refused.message, Catch::Contains("HTTP 401"));
        CHECK_THAT(refused.message, Catch::Contains("65601 REVOKED_ACCESS_TOKEN"));
    }
    SECTION("a 429 waits until the next midnight UTC by LinkedIn's clock") {
        REQUIRE(f.now % 86400 == 8 * 3600);  // 08:00 UTC: the daily limit resets in 16 hours
        f.standin.control({{"daily_follower_count_limit", 0}});
        const auto limited = f.call(&ClearpostPublisherV1::fetch_account_metrics, f.account_request());
        CHECK(limited.status == CLEARPOST_ERR_RATE_LIMITED);
        CHECK_THAT(limited.message, Catch::Contains("APPLICATION DAY limit"));
        CHECK(limited.retry_after_ms >= (16 * 3600 - 1) * 1000);  // LinkedIn's Date may be a second on
        CHECK(limited.retry_after_ms <= 16 * 3600 * 1000);
    }
    CHECK(f.logs.find("good-token") == std::string::npos);
}
