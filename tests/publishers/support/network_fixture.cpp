#include "network_fixture.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "clearpost/media/library.h"

namespace clearpost::testing {

using nlohmann::json;

Standin::Standin(const std::string& script) {
    int out[2];
    REQUIRE(::pipe(out) == 0);
    m_pid = ::fork();
    REQUIRE(m_pid >= 0);
    if (m_pid == 0) {
        ::dup2(out[1], STDOUT_FILENO);
        ::close(out[0]);
        ::close(out[1]);
        ::execl(CLEARPOST_PYTHON, CLEARPOST_PYTHON, script.c_str(), "--port", "0", nullptr);
        ::_exit(127);
    }
    ::close(out[1]);
    std::string line;
    char c;
    while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
    ::close(out[0]);
    REQUIRE(line.rfind("port ", 0) == 0);
    url = "http://127.0.0.1:" + line.substr(5);
}

Standin::~Standin() {
    ::kill(m_pid, SIGTERM);
    ::waitpid(m_pid, nullptr, 0);
}

void Standin::control(const json& c) {
    net::HttpRequest r;
    r.method = "POST";
    r.url = url + "/_standin/control";
    r.headers = {{"Content-Type", "application/json"}};
    r.body = c.dump();
    auto result = m_http.send(r);
    REQUIRE(std::holds_alternative<net::HttpResponse>(result));
    REQUIRE(std::get<net::HttpResponse>(result).status == 200);
}

json Standin::state() {
    net::HttpRequest r;
    r.url = url + "/_standin/state";
    auto result = m_http.send(r);
    REQUIRE(std::holds_alternative<net::HttpResponse>(result));
    return json::parse(std::get<net::HttpResponse>(result).body);
}

int Standin::requests(const std::string& method, const std::string& path) {
    int n = 0;
    const json all = state();  // kept: a range-for over state()["..."] would dangle
    for (const auto& r : all["requests"])
        if (r[0] == method && r[1] == path) ++n;
    return n;
}

std::string header(const net::HttpRequest& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
        if (k == name) return v;
    return {};
}

PublisherFixture::PublisherFixture(const std::string& network_name, const std::string& handle, const std::string& script)
    : network(network_name), standin(script) {
    ::setenv("NO_PROXY", "127.0.0.1,localhost", 1);
    ::setenv("no_proxy", "127.0.0.1,localhost", 1);
    auto added = admin_service->add_account(admin, network, handle);
    REQUIRE(added.ok());
    account = *added;
    auto v = security::Vault::open(*store, dir / "config");
    REQUIRE(v.ok());
    vault = std::make_unique<security::Vault>(std::move(*v));
    standin.control({{"clock", now}});  // the network's time is the test's
    plugins.discover({CLEARPOST_TEST_PLUGINS_DIR});
    http.set_fault_injector([this](const net::HttpRequest& r) -> std::optional<net::HttpResult> {
        return inject ? inject(r) : std::nullopt;
    });
    host = std::make_unique<publish::PluginHost>(http, [this] { return now * 1000; },
                                                 [this](publish::LogLevel, const std::string& line) { logs += line + "\n"; });
}

void PublisherFixture::connect(const json& creds) { REQUIRE(vault->put(account.id, creds.dump(), now).ok()); }

json PublisherFixture::credentials() { return json::parse(*vault->get(account.id)); }

publish::Dispatcher PublisherFixture::dispatcher(const std::string& owner) {
    publish::DispatchOptions o;
    o.owner = owner;
    return publish::Dispatcher(*store, *vault, *audit, plugins, *host, [this] { return now; }, o);
}

publish::DispatchStats PublisherFixture::run(const std::string& owner) {
    auto stats = dispatcher(owner).run_once();
    REQUIRE(stats.ok());
    return *stats;
}

model::MediaRef PublisherFixture::image(const std::string& fixture, const std::string& alt) {
    std::ifstream in(std::string(CLEARPOST_MEDIA_FIXTURES_DIR) + "/" + fixture, std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(in), {}};
    REQUIRE(!bytes.empty());
    const auto source = dir / ("source-" + fixture);
    std::ofstream(source, std::ios::binary) << bytes;
    auto stored = media::import_image(source, dir / "media");
    REQUIRE(stored.ok());
    return {stored->sha256, stored->path.string(), alt};
}

model::Id PublisherFixture::scheduled_post(const std::string& text, std::vector<model::MediaRef> images) {
    auto c = content(text, now);
    c.targets = {{account.id, ""}};
    c.media = std::move(images);
    return approved_and_scheduled(c);
}

model::Target PublisherFixture::target_of(model::Id post) { return store->targets_of(post)->at(0); }

publish::OpCall PublisherFixture::call(ClearpostOperation ClearpostPublisherV1::*op, const json& request) {
    auto plugin = plugins.find(network);
    REQUIRE(plugin.ok());
    const auto& table = (*plugin)->table();
    return host->call(table.*op, table.free_string, request.dump(), {});
}

json PublisherFixture::request_for(const std::string& text, const std::string& key) {
    return {{"account", {{"network", network}, {"handle", account.handle}}},
            {"credentials", credentials()},
            {"post", {{"text", text}, {"media", json::array()}}},
            {"idempotency_key", key},
            {"scheduled_at_ms", now * 1000}};
}

json PublisherFixture::account_request() {
    return {{"account", {{"network", network}, {"handle", account.handle}}}, {"credentials", credentials()}};
}

}  // namespace clearpost::testing
