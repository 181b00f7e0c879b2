// The dispatcher with the real Bluesky plugin, talking to a scripted PDS
// through the HTTP client's fault-injection hook: every failure mode of
// issue "unattended publishing" that does not need a real server.
// (tests/integration runs the same against the reference PDS.)

#include "clearpost/publish/dispatcher.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <deque>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "../core/workflow/fixture.h"
#include "clearpost/publisher.hpp"
#include "clearpost/security/vault.h"

using namespace clearpost;
using clearpost::testing::WorkflowFixture;
using model::State;
using nlohmann::json;

namespace {

net::HttpResponse reply(int status, const json& body, std::map<std::string, std::string> headers = {}) {
    net::HttpResponse r;
    r.status = status;
    r.body = body.dump();
    r.headers = std::move(headers);
    return r;
}

std::string query_param(const std::string& url, const std::string& name) {
    const auto at = url.find(name + "=");
    if (at == std::string::npos) return {};
    const auto end = url.find('&', at);
    return url.substr(at + name.size() + 1, end == std::string::npos ? std::string::npos : end - at - name.size() - 1);
}

// Just enough of a PDS, following the XRPC error shapes.
class FakePds {
public:
    std::optional<net::HttpResult> handle(const net::HttpRequest& req) {
        const auto path = req.url.substr(req.url.find("/xrpc/") + 6);
        const std::string method = path.substr(0, path.find('?'));
        ++calls[method];
        if (!scripted[method].empty()) {
            auto next = scripted[method].front();
            scripted[method].pop_front();
            if (next.index() == 1 && std::get<1>(next).kind == net::Failure::InDoubt) {
                // It went through; the answer was lost.
                if (method == "com.atproto.repo.putRecord") store_record(json::parse(req.body));
                if (method == "com.atproto.repo.applyWrites") apply_writes(json::parse(req.body));
            }
            return next;
        }
        if (method == "com.atproto.server.createSession") {
            const auto body = json::parse(req.body);
            if (body["password"] != password)
                return reply(401, {{"error", "AuthenticationRequired"}, {"message", "Invalid identifier or password"}});
            return reply(200, {{"did", "did:plc:clinic"}, {"handle", "clinic.example"},
                               {"accessJwt", access_jwt}, {"refreshJwt", "refresh-token-1"}});
        }
        if (method == "com.atproto.server.refreshSession") {
            return reply(200, {{"did", "did:plc:clinic"}, {"handle", "clinic.example"},
                               {"accessJwt", access_jwt}, {"refreshJwt", "refresh-token-2"}});
        }
        if (method == "com.atproto.repo.putRecord") {
            const auto body = json::parse(req.body);
            // swapRecord: null means "only if absent", as the reference PDS answers.
            if (records.count(body["rkey"].get<std::string>()) && body.contains("swapRecord"))
                return reply(400, {{"error", "InvalidSwap"}, {"message", "Record was at bafycid"}});
            return reply(200, store_record(body));
        }
        if (method == "com.atproto.repo.applyWrites") {
            // All or nothing; a create under a key already in use fails the
            // commit as a whole, as the reference PDS does (500).
            const auto body = json::parse(req.body);
            for (const auto& w : body["writes"])
                if (records.count(w["rkey"].get<std::string>()))
                    return reply(500, {{"error", "InternalServerError"}, {"message", "Internal Server Error"}});
            return reply(200, apply_writes(body));
        }
        if (method == "com.atproto.repo.getRecord") {
            const auto rkey = query_param(req.url, "rkey");
            auto it = records.find(rkey);
            if (it == records.end())
                return reply(400, {{"error", "RecordNotFound"}, {"message", "Could not locate record"}});
            return reply(200, {{"uri", uri(rkey)}, {"cid", "bafycid" + rkey}, {"value", it->second}});
        }
        if (method == "com.atproto.repo.deleteRecord") {
            records.erase(json::parse(req.body)["rkey"].get<std::string>());
            return reply(200, json::object());
        }
        if (method == "app.bsky.feed.getPosts") {  // the AppView's public counts
            json posts = json::array();
            for (const auto& [rkey, record] : records)
                if (req.url.find("%2F" + rkey) != std::string::npos)
                    posts.push_back({{"uri", uri(rkey)}, {"likeCount", likes}, {"repostCount", 1}, {"replyCount", 0}});
            return reply(200, {{"posts", posts}});
        }
        if (method == "app.bsky.actor.getProfile") {  // the AppView's public profile
            if (query_param(req.url, "actor") != "did%3Aplc%3Aclinic")
                return reply(400, {{"error", "InvalidRequest"}, {"message", "Profile not found"}});
            return reply(200, {{"did", "did:plc:clinic"}, {"handle", "clinic.example"},
                               {"followersCount", followers}, {"followsCount", 12}, {"postsCount", records.size()}});
        }
        return reply(501, {{"error", "MethodNotImplemented"}});
    }

    json store_record(const json& body) {
        const auto rkey = body["rkey"].get<std::string>();
        records[rkey] = body["record"];
        return {{"uri", uri(rkey)}, {"cid", "bafycid" + rkey}};
    }
    json apply_writes(const json& body) {
        json results = json::array();
        for (const auto& w : body["writes"]) {
            const auto rkey = w["rkey"].get<std::string>();
            records[rkey] = w["value"];
            results.push_back({{"$type", "com.atproto.repo.applyWrites#createResult"},
                               {"uri", uri(rkey)}, {"cid", "bafycid" + rkey}, {"validationStatus", "valid"}});
        }
        ++commits;
        return {{"commit", {{"cid", "bafycommit" + std::to_string(commits)}, {"rev", std::to_string(commits)}}},
                {"results", results}};
    }
    static std::string uri(const std::string& rkey) { return "at://did:plc:clinic/app.bsky.feed.post/" + rkey; }

    std::string password = "right-password";
    std::string access_jwt = "access-token-1";
    int likes = 0;
    int followers = 1500;
    int commits = 0;
    std::map<std::string, json> records;
    std::map<std::string, int> calls;
    std::map<std::string, std::deque<net::HttpResult>> scripted;
};

struct PublishFixture : WorkflowFixture {
    PublishFixture() {
        auto v = security::Vault::open(*store, dir / "config");
        REQUIRE(v.ok());
        vault = std::make_unique<security::Vault>(std::move(*v));
        REQUIRE(vault->put(bluesky.id, json{{"service", "https://pds.test"}, {"identifier", "clinic.example"},
                                            {"app_password", "right-password"}}.dump(), now).ok());
        plugins.discover({CLEARPOST_TEST_PLUGINS_DIR});
        http.set_fault_injector([this](const net::HttpRequest& r) { return pds.handle(r); });
        host = std::make_unique<publish::PluginHost>(http, [this] { return now * 1000; },
                                                     [this](publish::LogLevel, const std::string& line) { logs += line + "\n"; });
    }

    publish::Dispatcher dispatcher(const std::string& owner = "worker-1") {
        publish::DispatchOptions o;
        o.owner = owner;
        return publish::Dispatcher(*store, *vault, *audit, plugins, *host, [this] { return now; }, o);
    }

    // An approved post scheduled for `at`, targeting one Bluesky account.
    model::Id scheduled_post(const std::string& text, UnixSeconds at, std::optional<model::Id> account = {}) {
        auto c = content(text, at);
        c.targets = {{account.value_or(bluesky.id), ""}};
        return approved_and_scheduled(c);
    }

    model::Target target_of(model::Id post) { return store->targets_of(post)->at(0); }

    std::unique_ptr<security::Vault> vault;
    publish::PluginRegistry plugins;
    net::HttpClient http;
    FakePds pds;
    std::string logs;
    std::unique_ptr<publish::PluginHost> host;
};

}  // namespace

TEST_CASE("a due post is published once and a later run does nothing more") {
    PublishFixture f;
    const auto post = f.scheduled_post("Flu shots Saturday #health https://clinic.example/flu", f.now + 60);
    auto early = f.dispatcher().run_once();
    REQUIRE(early.ok());
    CHECK(early->claimed == 0);  // not due yet
    f.now += 60;
    auto run = f.dispatcher().run_once();
    REQUIRE(run.ok());
    CHECK(run->published == 1);
    const auto t = f.target_of(post);
    CHECK(t.state == State::Published);
    CHECK(t.remote_id.rfind("at://did:plc:clinic/app.bsky.feed.post/", 0) == 0);
    CHECK_THAT(t.remote_url, Catch::StartsWith("https://bsky.app/profile/clinic.example/post/"));
    REQUIRE(f.pds.records.size() == 1);
    const json record = f.pds.records.begin()->second;
    CHECK(record["text"] == "Flu shots Saturday #health https://clinic.example/flu");
    REQUIRE(record["facets"].size() == 2);
    // In text order, at UTF-8 byte offsets.
    CHECK(record["facets"][0]["features"][0]["tag"] == "health");
    CHECK(record["facets"][0]["index"]["byteStart"] == 19);
    CHECK(record["facets"][0]["index"]["byteEnd"] == 26);
    CHECK(record["facets"][1]["features"][0]["$type"] == "app.bsky.richtext.facet#link");
    CHECK(record["facets"][1]["index"]["byteStart"] == 27);
    CHECK(record["facets"][1]["features"][0]["uri"] == "https://clinic.example/flu");
    CHECK(f.dispatcher().run_once()->claimed == 0);
    CHECK(f.pds.calls["com.atproto.repo.putRecord"] == 1);
    // The session tokens were kept, sealed, for next time.
    CHECK(json::parse(*f.vault->get(f.bluesky.id))["access_jwt"] == "access-token-1");
    // Tokens never reach the log.
    CHECK(f.logs.find("access-token-1") == std::string::npos);
    CHECK(f.logs.find("right-password") == std::string::npos);
}

TEST_CASE("a lost answer is recognised at once when the record can be read back") {
    PublishFixture f;
    const auto post = f.scheduled_post("Clinic closed Monday", f.now);
    f.pds.scripted["com.atproto.repo.putRecord"].push_back(
        net::HttpFailure{net::Failure::InDoubt, "connection reset after sending"});
    REQUIRE(f.dispatcher().run_once()->published == 1);
    CHECK(f.target_of(post).state == State::Published);
    CHECK(f.pds.records.size() == 1);
    CHECK(f.pds.calls["com.atproto.repo.putRecord"] == 1);
}

TEST_CASE("a lost answer is settled by looking the post up, never by posting twice") {
    PublishFixture f;
    const auto post = f.scheduled_post("Clinic closed Monday", f.now);
    f.pds.scripted["com.atproto.repo.putRecord"].push_back(
        net::HttpFailure{net::Failure::InDoubt, "connection reset after sending"});
    f.pds.scripted["com.atproto.repo.getRecord"].push_back(
        net::HttpFailure{net::Failure::NotSent, "Couldn't connect to server"});
    auto first = f.dispatcher().run_once();
    REQUIRE(first.ok());
    CHECK(first->retrying == 1);
    CHECK(f.target_of(post).state == State::RetryWait);
    CHECK(*f.store->in_doubt_attempts(f.target_of(post).id) == 1);
    f.now += 10;
    auto second = f.dispatcher().run_once();
    REQUIRE(second.ok());
    CHECK(second->published == 1);
    CHECK(f.pds.records.size() == 1);
    CHECK(f.pds.calls["com.atproto.repo.putRecord"] == 1);  // found by lookup, not sent again
    CHECK(*f.store->in_doubt_attempts(f.target_of(post).id) == 0);
}

TEST_CASE("a worker killed mid-publish is taken over after its lease and the post appears once") {
    PublishFixture f;
    const auto post = f.scheduled_post("Vaccination drive", f.now);
    // Worker 1 claims, records its attempt and sends, then dies before it
    // can write the outcome: the record exists on the PDS, the target is
    // still Publishing under worker 1's lease.
    auto claimed = *f.store->claim_due("worker-1", f.now, 120, 10);
    REQUIRE(claimed.size() == 1);
    REQUIRE(f.store->begin_attempt(claimed[0].id, claimed[0].idempotency_key, f.now).ok());
    // Replay what worker 1's request did on the server.
    f.pds.scripted["com.atproto.repo.putRecord"].push_back(
        net::HttpFailure{net::Failure::InDoubt, "worker killed"});
    // Another worker can not take it while the lease lives...
    CHECK(f.dispatcher("worker-2").run_once()->claimed == 0);
    // ...and after it expires it settles the attempt: lookup finds nothing
    // yet (worker 1 died before the request left), so it publishes once.
    f.now += 121;
    auto run = f.dispatcher("worker-2").run_once();
    REQUIRE(run.ok());
    f.now += 10;
    REQUIRE(f.dispatcher("worker-2").run_once().ok());
    CHECK(f.target_of(post).state == State::Published);
    CHECK(f.pds.records.size() == 1);
}

TEST_CASE("a wrong app password needs reauthorisation with one notice and no retry storm") {
    PublishFixture f;
    f.pds.password = "changed-on-the-server";
    const auto p1 = f.scheduled_post("First", f.now);
    const auto p2 = f.scheduled_post("Second", f.now);
    auto run = f.dispatcher().run_once();
    REQUIRE(run.ok());
    CHECK(run->needs_attention == 2);
    CHECK(f.target_of(p1).state == State::NeedsAttention);
    CHECK(f.target_of(p2).state == State::NeedsAttention);
    CHECK_THAT(f.target_of(p1).last_error, Catch::Contains("reconnect"));
    CHECK((*f.store->find_account(f.bluesky.id))->status == "needs_reauthorization");
    auto notices = *f.store->open_notices();
    REQUIRE(notices.size() == 1);
    CHECK(notices[0].kind == "needs_reauthorization");
    // The first post tries the password (and once more on the refresh); the
    // second does not try it again.
    CHECK(f.pds.calls["com.atproto.server.createSession"] == 2);
    const int sessions = f.pds.calls["com.atproto.server.createSession"];
    f.now += 3600;
    CHECK(f.dispatcher().run_once()->claimed == 0);
    CHECK(f.pds.calls["com.atproto.server.createSession"] == sessions);
}

TEST_CASE("a 429 with Retry-After waits at least that long") {
    PublishFixture f;
    const auto post = f.scheduled_post("Rate limited", f.now);
    f.pds.scripted["com.atproto.repo.putRecord"].push_back(
        reply(429, {{"error", "RateLimitExceeded"}, {"message", "Rate Limit Exceeded"}}, {{"retry-after", "90"}}));
    REQUIRE(f.dispatcher().run_once().ok());
    auto t = f.target_of(post);
    CHECK(t.state == State::RetryWait);
    CHECK(t.scheduled_at >= f.now + 90);
    f.now += 89;
    CHECK(f.dispatcher().run_once()->claimed == 0);
    f.now = t.scheduled_at;
    CHECK(f.dispatcher().run_once()->published == 1);
}

TEST_CASE("a 429 holds the whole account: its other posts wait too, without a request") {
    PublishFixture f;
    const auto first = f.scheduled_post("Rate limited one", f.now);
    const auto second = f.scheduled_post("Rate limited two", f.now);
    // Both go in one commit, which the network refuses for now.
    f.pds.scripted["com.atproto.repo.applyWrites"].push_back(
        reply(429, {{"error", "RateLimitExceeded"}, {"message", "Rate Limit Exceeded"}}, {{"retry-after", "90"}}));
    auto stats = f.dispatcher().run_once();
    REQUIRE(stats.ok());
    CHECK(stats->retrying == 2);
    CHECK(f.pds.calls["com.atproto.repo.applyWrites"] == 1);
    CHECK(f.pds.calls["com.atproto.repo.putRecord"] == 0);
    CHECK(f.target_of(first).scheduled_at >= f.now + 90);
    CHECK(f.target_of(second).scheduled_at >= f.now + 90);
    // A post that falls due during the hold waits for it without a request.
    f.now += 30;
    const auto third = f.scheduled_post("Due during the hold", f.now);
    CHECK(f.dispatcher().run_once()->claimed == 0);
    CHECK(f.target_of(third).attempts == 0);
    // Another process sees the hold too: nothing is due before it ends.
    CHECK(**f.store->next_due_at() >= f.now + 60);
    f.now += 200;
    CHECK(f.dispatcher("worker-2").run_once()->published == 3);
    CHECK(f.pds.records.size() == 3);
}

TEST_CASE("an account that spent its hourly budget waits for it, without a request") {
    PublishFixture f;
    // 1,666 attempts (Bluesky's published budget) in the last hour, made by
    // earlier posts of the same account.
    const auto busy = f.scheduled_post("Earlier post", f.now - 4000);
    const auto busy_target = f.target_of(busy);
    REQUIRE(f.store->transaction([&]() -> Result<void> {
        for (int i = 0; i < 1666; ++i)
            CLEARPOST_CHECK(f.store->begin_attempt(busy_target.id, busy_target.idempotency_key, f.now - 3000 + i));
        return ok();
    }).ok());
    REQUIRE(f.store->set_target_state(busy_target.id, State::Published, "", f.now).ok());
    const auto post = f.scheduled_post("Over budget", f.now);
    REQUIRE(f.dispatcher().run_once().ok());
    const auto t = f.target_of(post);
    CHECK(t.state == State::RetryWait);
    CHECK(t.scheduled_at == f.now - 3000 + 3600);  // when the oldest attempt leaves the window
    CHECK_THAT(t.last_error, Catch::Contains("1666 posts per hour"));
    CHECK(f.pds.calls["com.atproto.repo.putRecord"] == 0);
    f.now = t.scheduled_at;
    CHECK(f.dispatcher().run_once()->published == 1);
}

TEST_CASE("metrics snapshots follow a decaying schedule and keep their history") {
    PublishFixture f;
    const auto post = f.scheduled_post("Measured", f.now);
    const UnixSeconds published_at = f.now;
    REQUIRE(f.dispatcher().run_once()->published == 1);
    const auto t = f.target_of(post);
    CHECK(f.dispatcher().collect_metrics(25)->metrics_snapshots == 0);  // the first is due after an hour
    f.now = published_at + 3600;
    f.pds.likes = 3;
    REQUIRE(f.dispatcher().collect_metrics(25)->metrics_snapshots == 1);
    f.now = published_at + 6 * 3600;
    f.pds.likes = 7;
    REQUIRE(f.dispatcher().collect_metrics(25)->metrics_snapshots == 1);
    auto history = *f.store->metric_snapshots(t.id);
    REQUIRE(history.size() == 2);
    const auto first = json::parse(history[0].metrics_json);
    CHECK(first["likes"] == 3);
    CHECK(first["reposts"] == 1);
    CHECK_FALSE(first.contains("quotes"));  // not reported: absent, not zero
    CHECK(json::parse(history[1].metrics_json)["likes"] == 7);
    CHECK(history[1].fetched_at == published_at + 6 * 3600);
    // Not due again before 24 h; a deleted post gets no snapshot but moves on.
    CHECK(f.dispatcher().collect_metrics(25)->metrics_snapshots == 0);
    f.pds.records.clear();
    f.now = published_at + 24 * 3600;
    CHECK(f.dispatcher().collect_metrics(25)->metrics_snapshots == 0);
    CHECK(f.store->metric_snapshots(t.id)->size() == 2);
    CHECK(f.store->metrics_due(published_at + 3 * 86400 - 1, 10)->empty());
    CHECK(f.store->metrics_due(published_at + 3 * 86400, 10)->size() == 1);
}

// A JWT whose payload says it expires at `exp` (the signature is not checked by clients).
std::string jwt_expiring_at(UnixSeconds exp) {
    std::string payload = sdk::base64_encode(json{{"exp", exp}, {"sub", "did:plc:clinic"}}.dump());
    for (char& c : payload) c = c == '+' ? '-' : c == '/' ? '_' : c;
    while (!payload.empty() && payload.back() == '=') payload.pop_back();
    return "eyJhbGciOiJFUzI1NksifQ." + payload + ".c2ln";
}

TEST_CASE("sessions are made ahead of a post's time and refreshed before they run out") {
    PublishFixture f;
    f.scheduled_post("In five minutes", f.now + 300);
    f.pds.access_jwt = jwt_expiring_at(f.now + 7200);
    CHECK(*f.dispatcher().refresh_ahead(60) == 0);  // nothing due within a minute
    auto dispatcher = f.dispatcher();
    CHECK(*dispatcher.refresh_ahead(600) == 1);  // no session yet: sign in now
    CHECK(f.pds.calls["com.atproto.server.createSession"] == 1);
    auto creds = json::parse(*f.vault->get(f.bluesky.id));
    CHECK(creds["expires_at"] == f.now + 7200);
    CHECK(*dispatcher.refresh_ahead(600) == 0);  // still good for two hours

    f.now += 6900;  // 5 minutes left on the token, a post due in 5 minutes
    f.scheduled_post("Later", f.now + 300);
    f.pds.access_jwt = jwt_expiring_at(f.now + 7200);
    CHECK(*dispatcher.refresh_ahead(600) == 1);
    CHECK(f.pds.calls["com.atproto.server.refreshSession"] == 1);
    creds = json::parse(*f.vault->get(f.bluesky.id));
    CHECK(creds["refresh_jwt"] == "refresh-token-2");
    // The posts then go out without another sign-in.
    f.now += 600;
    CHECK(f.dispatcher().run_once()->published == 2);
    CHECK(f.pds.calls["com.atproto.server.createSession"] == 1);
}

TEST_CASE("tokens ending within the week are renewed once a day with no post due, and only those") {
    PublishFixture f;  // no post at all
    auto creds = json::parse(*f.vault->get(f.bluesky.id));
    creds["access_jwt"] = jwt_expiring_at(f.now + 3 * 86400);
    creds["refresh_jwt"] = "refresh-token-1";
    creds["expires_at"] = f.now + 3 * 86400;
    REQUIRE(f.vault->put(f.bluesky.id, creds.dump(), f.now).ok());
    f.pds.access_jwt = jwt_expiring_at(f.now + 60 * 86400);
    auto dispatcher = f.dispatcher();
    CHECK(*dispatcher.renew_ending_tokens(86400) == 0);  // three days left: not yet
    CHECK(*dispatcher.renew_ending_tokens(7 * 86400) == 1);
    CHECK(f.pds.calls["com.atproto.server.refreshSession"] == 1);
    CHECK(json::parse(*f.vault->get(f.bluesky.id))["expires_at"] == f.now + 60 * 86400);
    f.now += 3600;
    CHECK(*dispatcher.renew_ending_tokens(90 * 86400) == 0);  // once a day per account
    // Also for the next dispatcher: the studio and `run --once` make one per round.
    CHECK(*f.dispatcher().renew_ending_tokens(90 * 86400) == 0);
    CHECK(f.pds.calls["com.atproto.server.refreshSession"] == 1);
    f.now += 86400;
    CHECK(*dispatcher.renew_ending_tokens(90 * 86400) == 1);
    CHECK(f.pds.calls["com.atproto.server.refreshSession"] == 2);
    CHECK(f.store->open_notices()->empty());
    // Credentials without an end (a token that never expires) are left alone.
    creds = json::parse(*f.vault->get(f.bluesky.id));
    creds.erase("expires_at");
    REQUIRE(f.vault->put(f.bluesky.id, creds.dump(), f.now).ok());
    f.now += 2 * 86400;
    CHECK(*f.dispatcher().renew_ending_tokens(90 * 86400) == 0);
    CHECK(*f.dispatcher().refresh_ahead(600) == 0);
    CHECK(f.pds.calls["com.atproto.server.refreshSession"] == 2);
}

TEST_CASE("a password refused ahead of time asks for a reconnect once, before the post is due") {
    PublishFixture f;
    const auto post = f.scheduled_post("In five minutes", f.now + 300);
    f.pds.password = "changed-elsewhere";
    CHECK(*f.dispatcher().refresh_ahead(600) == 0);
    CHECK(f.store->find_account(f.bluesky.id)->value().status == "needs_reauthorization");
    auto notices = *f.store->open_notices();
    REQUIRE(notices.size() == 1);
    CHECK_THAT(notices[0].message, Catch::Contains("before its next post is due"));
    CHECK(*f.dispatcher().refresh_ahead(600) == 0);
    CHECK(f.pds.calls["com.atproto.server.createSession"] == 1);  // no retry storm
    CHECK(f.target_of(post).state == State::Scheduled);  // the post keeps its time
}

TEST_CASE("a published post is taken down by an approver, with the reason audited") {
    PublishFixture f;
    const auto post = f.scheduled_post("Oops, this names someone", f.now);
    REQUIRE(f.dispatcher().run_once()->published == 1);
    const auto t = f.target_of(post);
    REQUIRE(f.pds.records.size() == 1);

    auto by_author = f.dispatcher().take_down(f.author, t.id, "names a patient");
    REQUIRE_FALSE(by_author.ok());
    CHECK(by_author.error().code == ErrorCode::Forbidden);
    CHECK(f.dispatcher().take_down(f.approver, t.id, "").error().code == ErrorCode::Invalid);

    // The network fails: nothing changes here, and the error says to try again.
    f.pds.scripted["com.atproto.repo.deleteRecord"].push_back(reply(503, {{"error", "InternalServerError"}}));
    auto failed = f.dispatcher().take_down(f.approver, t.id, "names a patient");
    REQUIRE_FALSE(failed.ok());
    CHECK_THAT(failed.error().message, Catch::Contains("try again"));
    CHECK(f.target_of(post).state == State::Published);

    REQUIRE(f.dispatcher().take_down(f.approver, t.id, "names a patient").ok());
    CHECK(f.pds.records.empty());
    const auto removed = f.target_of(post);
    CHECK(removed.state == State::Removed);
    CHECK_THAT(removed.last_error, Catch::Contains("names a patient"));
    CHECK(f.store->metrics_due(f.now + 86400, 10)->empty());  // nothing more to measure
    auto last = *f.store->last_audit();
    CHECK(last->action == "target.take_down");
    CHECK(last->actor == f.approver.name);
    CHECK(f.dispatcher().take_down(f.approver, t.id, "again").error().code == ErrorCode::Conflict);
}

TEST_CASE("the metrics schedule is 1 h, 6 h, 24 h, 3 d, 7 d and 30 d after publishing") {
    CHECK(publish::next_metrics_at(1000, 0) == 1000 + 3600);
    CHECK(publish::next_metrics_at(1000, 2) == 1000 + 86400);
    CHECK(publish::next_metrics_at(1000, 5) == 1000 + 30 * 86400);
    CHECK_FALSE(publish::next_metrics_at(1000, 6).has_value());
}

TEST_CASE("a dead network retries with backoff, then fails with one notice") {
    PublishFixture f;
    const auto post = f.scheduled_post("Network down", f.now);
    for (int i = 0; i < 20; ++i)
        f.pds.scripted["com.atproto.server.createSession"].push_back(
            net::HttpFailure{net::Failure::NotSent, "Couldn't connect to server"});
    UnixSeconds last_delay = 0;
    for (int i = 0; i < 8; ++i) {
        REQUIRE(f.dispatcher().run_once().ok());
        const auto t = f.target_of(post);
        if (t.state != State::RetryWait) break;
        CHECK(t.scheduled_at - f.now >= last_delay);  // never shorter than before
        last_delay = t.scheduled_at - f.now;
        f.now = t.scheduled_at;
    }
    // Signing in failed every time; the account is not marked dead for it.
    CHECK((*f.store->find_account(f.bluesky.id))->status == "connected");
    CHECK(last_delay >= 30);
}

TEST_CASE("malformed, oversized and silent answers give a clear error and no crash") {
    PublishFixture f;
    const auto post = f.scheduled_post("Odd servers", f.now);
    net::HttpResponse garbage;
    garbage.status = 200;
    garbage.body = "{not json";
    f.pds.scripted["com.atproto.server.createSession"].push_back(garbage);
    REQUIRE(f.dispatcher().run_once().ok());
    CHECK(f.target_of(post).state == State::RetryWait);
    CHECK_THAT(f.target_of(post).last_error, Catch::Contains("malformed"));
    f.now = f.target_of(post).scheduled_at;
    f.pds.scripted["com.atproto.server.createSession"].push_back(
        net::HttpFailure{net::Failure::TooLarge, "the server's answer was larger than 8192 KiB"});
    REQUIRE(f.dispatcher().run_once().ok());
    CHECK_THAT(f.target_of(post).last_error, Catch::Contains("larger than"));
    f.now = f.target_of(post).scheduled_at;
    REQUIRE(f.dispatcher().run_once().ok());
    CHECK(f.target_of(post).state == State::Published);
}

TEST_CASE("a post edited after approval is not published") {
    PublishFixture f;
    const auto post = f.scheduled_post("Approved text", f.now);
    // Tampering with the queue directly: point the target at content that
    // no longer matches (the workflow itself cancels targets on edit).
    REQUIRE(f.flow->pause(f.approver, post).ok());
    REQUIRE(f.store->transaction([&]() -> Result<void> {
        return f.store->update_post(post, State::Scheduled, f.target_of(post).version_id, f.now);
    }).ok());
    REQUIRE(f.flow->edit_post(f.author, post, f.content("Edited text")).ok());
    const auto t = f.target_of(post);
    CHECK(t.state == State::Cancelled);
    CHECK(f.dispatcher().run_once()->claimed == 0);
    CHECK(f.pds.records.empty());
}

TEST_CASE("stopping finishes the request in flight and hands the other claims back at once") {
    PublishFixture f;
    auto other = f.admin_service->add_account(f.admin, "bluesky", "second.example");
    REQUIRE(other.ok());
    REQUIRE(f.vault->put(other->id, json{{"service", "https://pds.test"}, {"identifier", "second.example"},
                                          {"app_password", "right-password"}}.dump(), f.now).ok());
    const auto first = f.scheduled_post("First of three", f.now);
    const auto second = f.scheduled_post("Second of three", f.now, other->id);
    const auto third = f.scheduled_post("Third of three", f.now, other->id);
    std::atomic<bool> stop{false};
    // SIGTERM arrives while the first account's post is on its way.
    f.http.set_fault_injector([&](const net::HttpRequest& r) {
        if (r.url.find("putRecord") != std::string::npos || r.url.find("applyWrites") != std::string::npos) stop = true;
        return f.pds.handle(r);
    });
    auto stats = f.dispatcher().run_once(&stop);
    REQUIRE(stats.ok());
    CHECK(stats->claimed == 3);
    CHECK(stats->published == 1);
    CHECK(f.target_of(first).state == State::Published);
    for (auto post : {second, third}) {
        const auto t = f.target_of(post);
        CHECK(t.state == State::Scheduled);
        CHECK(t.lease_owner.empty());
        CHECK(t.scheduled_at == f.now);
        CHECK(t.attempts == 0);
    }
    // Another worker takes them without waiting for a lease to expire.
    CHECK(f.dispatcher("worker-2").run_once()->published == 2);
}

TEST_CASE("the emergency pause holds every post, which keeps its schedule") {
    PublishFixture f;
    const auto post = f.scheduled_post("Paused by crisis", f.now);
    REQUIRE(f.admin_service->pause_publishing(f.author, "incident in progress").ok());
    CHECK(f.dispatcher().run_once()->claimed == 0);
    CHECK(f.target_of(post).state == State::Scheduled);
    CHECK(f.admin_service->resume_publishing(f.author).error().code == ErrorCode::Forbidden);
    REQUIRE(f.admin_service->resume_publishing(f.approver).ok());
    CHECK(f.dispatcher().run_once()->published == 1);
}

TEST_CASE("a thread cut short by a lost answer is completed, not marked published") {
    PublishFixture f;
    std::string text;
    for (int i = 0; i < 70; ++i) text += "word" + std::to_string(i) + " ";
    text += "end";
    const auto post = f.scheduled_post(text, f.now);
    // Part 1 reaches the server but its answer is lost, and reading it back
    // fails too: the attempt is in doubt with only part 1 on the server.
    f.pds.scripted["com.atproto.repo.putRecord"].push_back(
        net::HttpFailure{net::Failure::InDoubt, "connection reset after sending"});
    f.pds.scripted["com.atproto.repo.getRecord"].push_back(
        net::HttpFailure{net::Failure::NotSent, "Couldn't connect to server"});
    REQUIRE(f.dispatcher().run_once()->retrying == 1);
    REQUIRE(f.pds.records.size() == 1);
    // The lookup finds part 1 but not part 2: the thread is completed, part 1 reused.
    f.now += 10;
    REQUIRE(f.dispatcher().run_once()->published == 1);
    CHECK(f.target_of(post).state == State::Published);
    REQUIRE(f.pds.records.size() == 2);
    json root, reply_part;
    for (const auto& [rkey, record] : f.pds.records) (record.contains("reply") ? reply_part : root) = record;
    CHECK(reply_part["reply"]["root"]["uri"] == f.target_of(post).remote_id);
    CHECK(root["text"].get<std::string>() + " " + reply_part["text"].get<std::string>() == text);
}

TEST_CASE("a long text becomes a thread with correct reply references") {
    PublishFixture f;
    std::string text;
    for (int i = 0; i < 70; ++i) text += "word" + std::to_string(i) + " ";
    text += "ünïcödé 🩺 end";
    const auto post = f.scheduled_post(text, f.now);
    REQUIRE(f.dispatcher().run_once()->published == 1);
    REQUIRE(f.pds.records.size() == 2);
    json root, reply_part;
    for (const auto& [rkey, record] : f.pds.records) (record.contains("reply") ? reply_part : root) = record;
    CHECK(reply_part["reply"]["root"]["uri"] == f.target_of(post).remote_id);
    CHECK(reply_part["reply"]["parent"]["uri"] == f.target_of(post).remote_id);
    CHECK(root["text"].get<std::string>() + " " + reply_part["text"].get<std::string>() == text.substr(0, text.size()));
}

TEST_CASE("posts of one account due together go out in one commit, each with its own record") {
    PublishFixture f;
    std::vector<model::Id> posts;
    for (int i = 1; i <= 5; ++i) posts.push_back(f.scheduled_post("Clinic update " + std::to_string(i), f.now));
    auto run = f.dispatcher().run_once();
    REQUIRE(run.ok());
    CHECK(run->published == 5);
    CHECK(f.pds.calls["com.atproto.repo.applyWrites"] == 1);
    CHECK(f.pds.calls["com.atproto.repo.putRecord"] == 0);
    CHECK(f.pds.commits == 1);
    std::set<std::string> remote_ids;
    for (const auto post : posts) {
        const auto t = f.target_of(post);
        CHECK(t.state == State::Published);
        CHECK(t.attempts == 1);
        CHECK(*f.store->in_doubt_attempts(t.id) == 0);
        CHECK_THAT(t.remote_url, Catch::StartsWith("https://bsky.app/profile/clinic.example/post/"));
        remote_ids.insert(t.remote_id);
    }
    CHECK(remote_ids.size() == 5);
    REQUIRE(f.pds.records.size() == 5);
    for (const auto& [rkey, record] : f.pds.records) CHECK_THAT(record["text"].get<std::string>(), Catch::StartsWith("Clinic update "));
}

TEST_CASE("a lost commit answer is settled post by post by looking each up, never by posting twice") {
    PublishFixture f;
    const auto first = f.scheduled_post("Lost answer one", f.now);
    const auto second = f.scheduled_post("Lost answer two", f.now);
    f.pds.scripted["com.atproto.repo.applyWrites"].push_back(
        net::HttpFailure{net::Failure::InDoubt, "connection reset after sending"});
    auto run = f.dispatcher().run_once();
    REQUIRE(run.ok());
    CHECK(run->retrying == 2);
    CHECK(*f.store->in_doubt_attempts(f.target_of(first).id) == 1);
    CHECK(*f.store->in_doubt_attempts(f.target_of(second).id) == 1);
    f.now += 10;
    run = f.dispatcher().run_once();
    REQUIRE(run.ok());
    CHECK(run->published == 2);
    CHECK(f.pds.calls["com.atproto.repo.applyWrites"] == 1);
    CHECK(f.pds.calls["com.atproto.repo.getRecord"] == 2);
    CHECK(f.pds.records.size() == 2);
}

TEST_CASE("a commit refused as a whole is made post by post, and a record key in use finds its own post") {
    PublishFixture f;
    const auto first = f.scheduled_post("Refused commit one", f.now);
    const auto second = f.scheduled_post("Refused commit two", f.now);
    // The commit went through but its answer was lost, and (the worst case)
    // the attempts were then wrongly settled as never made.
    f.pds.scripted["com.atproto.repo.applyWrites"].push_back(
        net::HttpFailure{net::Failure::InDoubt, "connection reset after sending"});
    REQUIRE(f.dispatcher().run_once()->retrying == 2);
    for (const auto post : {first, second})
        REQUIRE(f.store->resolve_in_doubt_attempts(f.target_of(post).id, "absent", f.now).ok());
    f.now += 10;
    // Creating the same keys again fails the commit; each post alone then
    // finds the record its key already names.
    auto run = f.dispatcher().run_once();
    REQUIRE(run.ok());
    CHECK(run->published == 2);
    CHECK(f.pds.calls["com.atproto.repo.applyWrites"] == 2);
    CHECK(f.pds.calls["com.atproto.repo.putRecord"] == 2);
    CHECK(f.pds.records.size() == 2);
    CHECK(f.target_of(first).state == State::Published);
    CHECK(f.target_of(second).state == State::Published);
}

TEST_CASE("a thread in a batch is made part by part while the single posts share a commit") {
    PublishFixture f;
    std::string long_text;
    while (long_text.size() < 450) long_text += "Our vaccination clinic is open late this week. ";
    const auto thread = f.scheduled_post(long_text, f.now);
    const auto a = f.scheduled_post("Single post A", f.now);
    const auto b = f.scheduled_post("Single post B", f.now);
    auto run = f.dispatcher().run_once();
    REQUIRE(run.ok());
    CHECK(run->published == 3);
    CHECK(f.pds.calls["com.atproto.repo.putRecord"] == 2);  // the thread's two parts
    CHECK(f.pds.calls["com.atproto.repo.applyWrites"] == 1);
    CHECK(f.pds.records.size() == 4);
    for (const auto post : {thread, a, b}) CHECK(f.target_of(post).state == State::Published);
}

TEST_CASE("accounts are sampled once a UTC day, a failure is retried an hour later, and history is kept") {
    PublishFixture f;
    const auto lapsed = *f.store->insert_account({0, "bluesky", "old.example", "needs_reauthorization"});
    (void)lapsed;
    f.now = 20000 * 86400 + 3600;  // 01:00 UTC
    auto d = f.dispatcher();
    // The session's DID is what the profile is read by: publish once first.
    f.scheduled_post("Hello", f.now);
    REQUIRE(d.run_once()->published == 1);

    auto first = d.sample_accounts(25);
    REQUIRE(first.ok());
    CHECK(first->account_snapshots == 1);  // the reconnect-needing account is not asked
    CHECK(f.pds.calls["app.bsky.actor.getProfile"] == 1);
    f.pds.followers = 1520;
    f.now += 6 * 3600;
    CHECK(d.sample_accounts(25)->account_snapshots == 0);  // one a day
    CHECK(f.pds.calls["app.bsky.actor.getProfile"] == 1);

    // The next day the AppView is down: logged, no sample, not asked again
    // for an hour, then sampled.
    f.now = 20001 * 86400 + 60;
    f.pds.scripted["app.bsky.actor.getProfile"].push_back(
        reply(502, {{"error", "UpstreamFailure"}, {"message", "Upstream Failure"}}));
    CHECK(d.sample_accounts(25)->account_snapshots == 0);
    CHECK_THAT(f.logs, Catch::Contains("not sampled") && Catch::Contains("reading the profile"));
    f.now += 1800;
    CHECK(d.sample_accounts(25)->account_snapshots == 0);
    CHECK(f.dispatcher().sample_accounts(25)->account_snapshots == 0);  // nor the next round's dispatcher
    CHECK(f.pds.calls["app.bsky.actor.getProfile"] == 2);
    f.now += 1800;
    CHECK(f.dispatcher().sample_accounts(25)->account_snapshots == 1);

    const auto history = *f.store->account_snapshots(0, f.now + 1, f.bluesky.id);
    REQUIRE(history.size() == 2);
    CHECK(json::parse(history[0].metrics_json) == json{{"followers", 1500}, {"following", 12}, {"posts", 1}});
    CHECK(json::parse(history[1].metrics_json) == json{{"followers", 1520}, {"following", 12}, {"posts", 1}});
    CHECK(history[1].fetched_at == 20001 * 86400 + 3660);

    // A person may ask at any time, as often as they like.
    f.pds.followers = 1525;
    auto now_taken = d.sample_account(f.bluesky.id);
    REQUIRE(now_taken.ok());
    CHECK(json::parse(now_taken->metrics_json)["followers"] == 1525);
    CHECK(f.store->account_snapshots(0, f.now + 1, f.bluesky.id)->size() == 3);
    const auto refused = d.sample_account(lapsed);
    REQUIRE_FALSE(refused.ok());
    CHECK_THAT(refused.error().message, Catch::Contains("needs_reauthorization") && Catch::Contains("connect"));
}
