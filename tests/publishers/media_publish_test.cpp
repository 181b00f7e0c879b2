// Images and link cards through the dispatcher and the real Bluesky plugin,
// against a scripted PDS and web site behind the HTTP client's
// fault-injection hook. (tests/integration/bluesky/media_test.sh runs the
// same against the reference PDS.)

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>

#include "../core/workflow/fixture.h"
#include "clearpost/crypto/crypto.h"
#include "clearpost/media/library.h"
#include "clearpost/publish/dispatcher.h"
#include "clearpost/publisher.hpp"
#include "clearpost/security/vault.h"

using namespace clearpost;
using clearpost::testing::WorkflowFixture;
using model::State;
using nlohmann::json;

namespace {

net::HttpResponse answer(int status, std::string body, std::map<std::string, std::string> headers = {}) {
    net::HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    return r;
}

std::string fixture(const std::string& name) {
    std::ifstream in(std::string(CLEARPOST_MEDIA_FIXTURES_DIR) + "/" + name, std::ios::binary);
    REQUIRE(in);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// A PDS that keeps records and blobs, and a web site of fixed pages.
struct FakeNetwork {
    std::optional<net::HttpResult> handle(const net::HttpRequest& req) {
        if (auto page = pages.find(req.url); page != pages.end()) {
            ++fetched[req.url];
            return page->second;
        }
        const auto at = req.url.find("/xrpc/");
        if (at == std::string::npos) return net::HttpFailure{net::Failure::NotSent, "Couldn't resolve host name"};
        const std::string method = req.url.substr(at + 6, req.url.find('?') - at - 6);
        ++calls[method];
        if (auto s = scripted.find(method); s != scripted.end() && !s->second.empty()) {
            auto next = s->second.front();
            s->second.erase(s->second.begin());
            if (method == "com.atproto.repo.putRecord") put(json::parse(req.body));  // it went through
            return next;
        }
        if (method == "com.atproto.server.createSession")
            return answer(200, json{{"did", "did:plc:clinic"}, {"handle", "clinic.example"},
                                    {"accessJwt", "access-1"}, {"refreshJwt", "refresh-1"}}.dump());
        if (method == "com.atproto.repo.uploadBlob") {
            std::string type;
            for (const auto& [k, v] : req.headers)
                if (k == "Content-Type") type = v;
            blobs.push_back({type, req.body});
            return answer(200, json{{"blob", {{"$type", "blob"}, {"ref", {{"$link", "bafyblob" + std::to_string(blobs.size())}}},
                                              {"mimeType", type}, {"size", req.body.size()}}}}.dump());
        }
        if (method == "com.atproto.repo.putRecord") {
            const auto body = json::parse(req.body);
            if (records.count(body["rkey"].get<std::string>()))
                return answer(400, R"({"error":"InvalidSwap","message":"Record was at bafycid"})");
            return answer(200, put(body).dump());
        }
        if (method == "com.atproto.repo.getRecord") {
            const auto rkey = req.url.substr(req.url.rfind("rkey=") + 5);
            auto it = records.find(rkey);
            if (it == records.end()) return answer(400, R"({"error":"RecordNotFound","message":"Could not locate record"})");
            return answer(200, json{{"uri", "at://did:plc:clinic/app.bsky.feed.post/" + rkey}, {"cid", "bafycid"},
                                    {"value", it->second}}.dump());
        }
        return answer(501, R"({"error":"MethodNotImplemented"})");
    }

    json put(const json& body) {
        records[body["rkey"].get<std::string>()] = body["record"];
        return {{"uri", "at://did:plc:clinic/app.bsky.feed.post/" + body["rkey"].get<std::string>()}, {"cid", "bafycid"}};
    }

    struct Blob {
        std::string type, bytes;
    };
    std::map<std::string, json> records;
    std::vector<Blob> blobs;
    std::map<std::string, int> calls, fetched;
    std::map<std::string, std::vector<net::HttpResult>> scripted;
    std::map<std::string, net::HttpResult> pages;
};

struct MediaFixture : WorkflowFixture {
    MediaFixture() {
        auto v = security::Vault::open(*store, dir / "config");
        REQUIRE(v.ok());
        vault = std::make_unique<security::Vault>(std::move(*v));
        REQUIRE(vault->put(bluesky.id, json{{"service", "https://pds.test"}, {"identifier", "clinic.example"},
                                            {"app_password", "app-password"}}.dump(), now).ok());
        plugins.discover({CLEARPOST_TEST_PLUGINS_DIR});
        http.set_fault_injector([this](const net::HttpRequest& r) { return net.handle(r); });
        host = std::make_unique<publish::PluginHost>(http, [this] { return now * 1000; },
                                                     [this](publish::LogLevel, const std::string& line) { logs += line + "\n"; });
    }

    // A fixture image imported into the media folder next to the database.
    model::MediaRef image(const std::string& name, const std::string& alt) {
        const auto source = dir / ("source-" + name);
        std::ofstream(source, std::ios::binary) << fixture(name);
        auto stored = media::import_image(source, dir / "media");
        REQUIRE(stored.ok());
        return {stored->sha256, stored->path.string(), alt};
    }

    model::Id scheduled_post(const std::string& text, std::vector<model::MediaRef> images = {}) {
        auto c = content(text, now);
        c.targets = {{bluesky.id, ""}};
        c.media = std::move(images);
        return approved_and_scheduled(c);
    }

    publish::DispatchStats run() {
        publish::DispatchOptions o;
        o.owner = "worker-1";
        auto stats = publish::Dispatcher(*store, *vault, *audit, plugins, *host, [this] { return now; }, o).run_once();
        REQUIRE(stats.ok());
        return *stats;
    }

    model::Target target_of(model::Id post) { return store->targets_of(post)->at(0); }
    json only_record() {
        REQUIRE(net.records.size() == 1);
        return net.records.begin()->second;
    }

    std::unique_ptr<security::Vault> vault;
    publish::PluginRegistry plugins;
    net::HttpClient http;
    FakeNetwork net;
    std::string logs;
    std::unique_ptr<publish::PluginHost> host;
};

}  // namespace

TEST_CASE("approved images go to Bluesky as blobs with alt text and aspect ratio on the first post") {
    MediaFixture f;
    std::string text;
    for (int i = 0; i < 70; ++i) text += "word" + std::to_string(i) + " ";  // a thread of 2
    const auto jpeg = f.image("exif_rotated.jpg", "Waiting room, portrait");
    const auto png = f.image("text.png", "Reception desk");
    const auto post = f.scheduled_post(text + "end", {jpeg, png});
    CHECK(f.run().published == 1);
    CHECK(f.target_of(post).state == State::Published);

    REQUIRE(f.net.blobs.size() == 2);
    CHECK(f.net.blobs[0].type == "image/jpeg");
    CHECK(f.net.blobs[1].type == "image/png");
    // The stripped, stored bytes are what leaves, read through the plugin.
    CHECK(crypto::sha256_hex(f.net.blobs[0].bytes) == jpeg.sha256);
    CHECK(crypto::sha256_hex(f.net.blobs[1].bytes) == png.sha256);
    CHECK(f.net.blobs[1].bytes.find("CLEARPOST-SECRET") == std::string::npos);

    REQUIRE(f.net.records.size() == 2);
    json root, reply;
    for (const auto& [rkey, record] : f.net.records) (record.contains("reply") ? reply : root) = record;
    CHECK_FALSE(reply.contains("embed"));
    const json& embed = root["embed"];
    CHECK(embed["$type"] == "app.bsky.embed.images");
    REQUIRE(embed["images"].size() == 2);
    CHECK(embed["images"][0]["alt"] == "Waiting room, portrait");
    CHECK(embed["images"][0]["aspectRatio"] == json{{"width", 6}, {"height", 8}});  // EXIF orientation 6
    CHECK(embed["images"][0]["image"]["ref"]["$link"] == "bafyblob1");
    CHECK(embed["images"][1]["alt"] == "Reception desk");
    CHECK(embed["images"][1]["aspectRatio"] == json{{"width", 5}, {"height", 3}});
}

TEST_CASE("a post with images whose answer was lost is found again, not posted twice") {
    MediaFixture f;
    const auto post = f.scheduled_post("New waiting room", {f.image("plain.jpg", "Chairs")});
    f.net.scripted["com.atproto.repo.putRecord"].push_back(net::HttpFailure{net::Failure::InDoubt, "connection reset"});
    f.net.scripted["com.atproto.repo.getRecord"].push_back(net::HttpFailure{net::Failure::NotSent, "Couldn't connect"});
    CHECK(f.run().retrying == 1);
    f.now += 10;
    CHECK(f.run().published == 1);
    CHECK(f.target_of(post).state == State::Published);
    CHECK(f.only_record()["embed"]["images"][0]["alt"] == "Chairs");
    CHECK(f.net.calls["com.atproto.repo.putRecord"] == 1);
}

TEST_CASE("an approved image that is gone or changed fails the post with a notice and sends nothing") {
    MediaFixture f;
    const auto gone = f.image("plain.jpg", "Chairs");
    const auto changed = f.image("text.png", "Desk");
    const auto p1 = f.scheduled_post("Gone", {gone});
    const auto p2 = f.scheduled_post("Changed", {changed});
    std::filesystem::remove(gone.path);
    std::ofstream(changed.path, std::ios::binary) << fixture("progressive.jpg");
    CHECK(f.run().failed == 2);
    CHECK(f.target_of(p1).state == State::Failed);
    CHECK_THAT(f.target_of(p1).last_error, Catch::Contains("image 1 of post " + std::to_string(p1) +
                                                           " is not the approved image any more") &&
                                               Catch::Contains("is gone"));
    CHECK_THAT(f.target_of(p2).last_error, Catch::Contains("was changed"));
    CHECK(f.store->open_notices()->size() == 2);
    CHECK(f.net.calls["com.atproto.repo.uploadBlob"] == 0);
    CHECK(f.net.calls["com.atproto.repo.putRecord"] == 0);
}

TEST_CASE("Bluesky's image limits fail the post with the network's words before anything is sent") {
    MediaFixture f;
    const auto img = f.image("plain.jpg", "Chairs");
    const auto five = f.scheduled_post("Five", {img, img, img, img, img});
    // ICC profile segments survive stripping: 17 of them make a JPEG over 1,000,000 bytes.
    std::string big = fixture("plain.jpg");
    std::string icc;
    for (int i = 0; i < 17; ++i)
        icc += std::string("\xFF\xE2\xFD\xE8ICC_PROFILE\0", 16) + std::string(65000 - 14, 'x');
    big.insert(2, icc);
    {
        std::ofstream(f.dir / "big.jpg", std::ios::binary) << big;
    }
    auto stored = media::import_image(f.dir / "big.jpg", f.dir / "media");
    REQUIRE(stored.ok());
    REQUIRE(stored->bytes > 1'000'000);
    const auto large = f.scheduled_post("Large", {{stored->sha256, stored->path.string(), "Noise"}});
    CHECK(f.run().failed == 2);
    CHECK_THAT(f.target_of(five).last_error, Catch::Contains("the post has 5 images and Bluesky takes at most 4 per post"));
    CHECK_THAT(f.target_of(large).last_error,
               Catch::Contains("image 1 is " + std::to_string(stored->bytes / 1000000) + ",") &&
                   Catch::Contains("Bluesky takes at most 1,000,000 bytes per image"));
    CHECK(f.net.calls["com.atproto.repo.uploadBlob"] == 0);
    CHECK(f.net.calls["com.atproto.repo.putRecord"] == 0);
}

TEST_CASE("a link card is made from the page's og tags with its image as thumb, through a redirect") {
    MediaFixture f;
    f.net.pages["https://www.harborclinics.org/flu"] = answer(301, "", {{"location", "/flu/"}});
    f.net.pages["https://www.harborclinics.org/flu/"] = answer(
        200,
        "<html><head><title>Fallback</title>\n"
        "<META content='Walk-in shots, Saturdays 9&#8211;12 &amp; no appointment.' PROPERTY=\"og:description\">\n"
        "<meta property=\"og:title\" content=\"Flu   shots &quot;2026&quot;\">\n"
        "<meta property=og:image content=\"card.png\"></head><body>...</body></html>",
        {{"content-type", "text/html; charset=utf-8"}});
    f.net.pages["https://www.harborclinics.org/flu/card.png"] = answer(200, fixture("text.png"), {{"content-type", "image/png"}});
    const auto post = f.scheduled_post("Flu shots this Saturday: https://www.harborclinics.org/flu");
    CHECK(f.run().published == 1);
    CHECK(f.target_of(post).state == State::Published);
    const json embed = f.only_record()["embed"];
    CHECK(embed["$type"] == "app.bsky.embed.external");
    CHECK(embed["external"]["uri"] == "https://www.harborclinics.org/flu");
    CHECK(embed["external"]["title"] == "Flu shots \"2026\"");
    CHECK(embed["external"]["description"] == "Walk-in shots, Saturdays 9\u201312 & no appointment.");
    CHECK(embed["external"]["thumb"]["mimeType"] == "image/png");
    REQUIRE(f.net.blobs.size() == 1);
    CHECK(f.net.blobs[0].bytes == fixture("text.png"));
}

TEST_CASE("a link whose page fails publishes the post without a card and says why") {
    MediaFixture f;
    const auto down = f.scheduled_post("Hours: https://down.harborclinics.org/hours");  // no such host
    const auto reserved = f.scheduled_post("See https://example.org/flu");  // never fetched
    f.net.pages["https://www.harborclinics.org/pdf"] = answer(200, "%PDF-1.7", {{"content-type", "application/pdf"}});
    const auto pdf = f.scheduled_post("Leaflet: https://www.harborclinics.org/pdf");
    f.net.pages["https://www.harborclinics.org/bare"] = answer(200, "<html><head><title>Opening hours</title>"
                                                             "<meta property=\"og:image\" content=\"https://www.harborclinics.org/huge.jpg\">",
                                                        {{"content-type", "text/html"}});
    f.net.pages["https://www.harborclinics.org/huge.jpg"] = answer(200, "\xFF\xD8\xFF" + std::string(1'000'001, 'x'));
    const auto bare = f.scheduled_post("Hours: https://www.harborclinics.org/bare");
    CHECK(f.run().published == 4);
    for (auto p : {down, reserved, pdf, bare}) CHECK(f.target_of(p).state == State::Published);
    REQUIRE(f.net.records.size() == 4);
    int cards = 0;
    for (const auto& [rkey, record] : f.net.records) {
        if (!record.contains("embed")) continue;
        ++cards;
        // Only a title from <title>, and no thumb: the image is over the limit.
        CHECK(record["embed"]["external"]["title"] == "Opening hours");
        CHECK(record["embed"]["external"]["description"] == "");
        CHECK_FALSE(record["embed"]["external"].contains("thumb"));
    }
    CHECK(cards == 1);
    CHECK_THAT(f.logs, Catch::Contains("no link card for https://down.harborclinics.org/hours (fetching"));
    CHECK_THAT(f.logs, Catch::Contains("no link card for https://example.org/flu (its host is reserved for examples)"));
    CHECK_FALSE(Catch::Contains("GET https://example.org").match(f.logs));
    CHECK_THAT(f.logs, Catch::Contains("no link card for https://www.harborclinics.org/pdf (the link is not a web page)"));
    CHECK_THAT(f.logs, Catch::Contains("has no preview image: https://www.harborclinics.org/huge.jpg is 1,000,004 bytes"));
    CHECK(f.net.blobs.empty());
}

TEST_CASE("a post with images gets no link card, and its images are validated by the plugin's validate") {
    MediaFixture f;
    f.net.pages["https://www.harborclinics.org/flu"] = answer(200, "<title>Flu</title>", {{"content-type", "text/html"}});
    f.scheduled_post("See https://www.harborclinics.org/flu", {f.image("plain.jpg", "Chairs")});
    CHECK(f.run().published == 1);
    CHECK(f.only_record()["embed"]["$type"] == "app.bsky.embed.images");
    CHECK(f.net.fetched.empty());

    auto plugin = f.plugins.find("bluesky");
    REQUIRE(plugin.ok());
    const auto caps = json::parse((*plugin)->capabilities());
    CHECK(caps["media"]["max_images"] == 4);
    CHECK(caps["media"]["max_bytes"] == 1000000);
    const auto& table = (*plugin)->table();
    json media = json::array();
    for (int i = 0; i < 5; ++i) media.push_back({{"path", "x.jpg"}, {"mime", "image/gif"}, {"bytes", 2000000}});
    auto call = f.host->call(table.validate, table.free_string, json{{"post", {{"text", "x"}, {"media", media}}}}.dump(), {});
    REQUIRE(call.status == CLEARPOST_OK);
    const auto problems = json::parse(call.result_json)["problems"];
    CHECK(problems.size() == 11);  // too many, then each image's type and size
    CHECK_THAT(problems[0].get<std::string>(), Catch::Contains("at most 4"));
    CHECK_THAT(problems[1].get<std::string>(), Catch::Contains("image 1 is image/gif"));
}
