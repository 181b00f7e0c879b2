// An example publisher for a webhook: publishing POSTs the post as JSON to
// the URL stored as the account's "service", with the idempotency key as a
// header so the receiver can drop repeats. Small on purpose: it shows the
// SDK's shape (capabilities, operations, host HTTP, error statuses).

#include <clearpost/publisher.hpp>

namespace {

using clearpost::sdk::Host;
using clearpost::sdk::json;
using clearpost::sdk::OpResult;

class Webhook final : public clearpost::sdk::Publisher {
public:
    const char* capabilities() const override {
        return R"json({"network": "webhook", "display_name": "Webhook (example)",
                   "text": {"limit": 10000, "counting": "code_points"},
                   "media": {"max_images": 0}, "threads": false, "native_scheduling": false,
                   "metrics": false, "idempotency": "idempotency_key"})json";
    }

    OpResult publish(const Host& host, const json& request) override {
        const auto creds = request.value("credentials", json::object());
        const std::string url = creds.value("service", std::string());
        if (url.empty()) return OpResult::error(CLEARPOST_ERR_INVALID, "the account has no webhook URL; reconnect it with --service");
        auto r = host.http({{"method", "POST"},
                            {"url", url},
                            {"headers", {{"Content-Type", "application/json"},
                                         {"Idempotency-Key", request.value("idempotency_key", std::string())}}},
                            {"body", json{{"text", request["post"].value("text", std::string())}}.dump()},
                            {"timeout_ms", 10000}});
        if (r.status != CLEARPOST_OK) return OpResult::error(r.status, "webhook: " + r.error);
        if (r.http_status == 429) return OpResult::error(CLEARPOST_ERR_RATE_LIMITED, "webhook asked to slow down", 60000);
        if (r.http_status >= 500) return OpResult::error(CLEARPOST_ERR_TRANSIENT, "webhook answered " + std::to_string(r.http_status));
        if (r.http_status >= 400) return OpResult::error(CLEARPOST_ERR_PERMANENT, "webhook refused: HTTP " + std::to_string(r.http_status));
        return OpResult::ok({{"remote_id", request.value("idempotency_key", std::string())}, {"remote_url", url}});
    }
};

}  // namespace

CLEARPOST_PUBLISHER(Webhook)
