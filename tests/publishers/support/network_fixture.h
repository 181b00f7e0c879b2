#pragma once
// The dispatcher with one real publisher plugin against a stand-in for its
// network on 127.0.0.1 (a Python server under tests/publishers/<network>/,
// built on support/standin_base.py), plus the HTTP client's fault-injection
// hook for lost answers. Shared by the tests of the networks that cannot
// run here.

#include <sys/types.h>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "../../core/workflow/fixture.h"
#include "clearpost/net/http.h"
#include "clearpost/publish/dispatcher.h"
#include "clearpost/publish/plugins.h"
#include "clearpost/security/vault.h"

namespace clearpost::testing {

// A stand-in server, started for one test and stopped with it.
class Standin {
public:
    explicit Standin(const std::string& script);
    ~Standin();
    Standin(const Standin&) = delete;
    Standin& operator=(const Standin&) = delete;

    // POST /_standin/control: sets the scene (see standin_base.py).
    void control(const nlohmann::json& c);
    // GET /_standin/state: what the network holds and saw.
    nlohmann::json state();
    // How many requests of `method` to exactly `path` arrived.
    int requests(const std::string& method, const std::string& path);
    // Sends a request on as it was meant to go (to let a request arrive
    // whose answer the test then loses).
    net::HttpResult forward(const net::HttpRequest& r) { return m_http.send(r); }

    std::string url;  // http://127.0.0.1:PORT

private:
    pid_t m_pid = -1;
    net::HttpClient m_http;
};

// The value of header `name` in a request the client sends (exact name).
std::string header(const net::HttpRequest& r, const std::string& name);

struct PublisherFixture : WorkflowFixture {
    // Adds an account of `network` named `handle`, starts `script` and sets
    // its clock to the test's.
    PublisherFixture(const std::string& network, const std::string& handle, const std::string& script);

    void connect(const nlohmann::json& creds);
    nlohmann::json credentials();

    publish::Dispatcher dispatcher(const std::string& owner = "worker-1");
    publish::DispatchStats run(const std::string& owner = "worker-1");

    // An image from tests/core/media/fixtures, stripped and stored as the studio would.
    model::MediaRef image(const std::string& fixture, const std::string& alt);
    // An approved post for the account alone, due now.
    model::Id scheduled_post(const std::string& text, std::vector<model::MediaRef> images = {});
    model::Target target_of(model::Id post);

    // One plugin operation called directly, as the dispatcher calls it.
    publish::OpCall call(ClearpostOperation ClearpostPublisherV1::*op, const nlohmann::json& request);
    // {"account", "credentials", "post", "idempotency_key", "scheduled_at_ms"} for `text`.
    nlohmann::json request_for(const std::string& text, const std::string& key = "0123456789abcdef");
    // {"account", "credentials"} with the vault's credentials: what
    // fetch_account_metrics is asked.
    nlohmann::json account_request();

    std::string network;
    model::Account account;
    Standin standin;
    std::unique_ptr<security::Vault> vault;
    publish::PluginRegistry plugins;
    net::HttpClient http;
    std::function<std::optional<net::HttpResult>(const net::HttpRequest&)> inject;
    std::string logs;
    std::unique_ptr<publish::PluginHost> host;
};

}  // namespace clearpost::testing
