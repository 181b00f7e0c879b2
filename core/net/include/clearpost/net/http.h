#pragma once
// HTTP for publishers, through libcurl: TLS verification always on, bounded
// time and size, proxies from the environment, secrets redacted from every
// message, and a fault-injection hook for tests.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <variant>
#include <string>
#include <vector>

#include "clearpost/base/result.h"

namespace clearpost::net {

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::chrono::milliseconds timeout{15000};
    std::vector<std::string> secrets;  // values to redact from errors and logs
    // AWS Signature Version 4 (S3-compatible storage): the provider string
    // libcurl takes ("aws:amz:REGION:s3") and "ACCESS_KEY:SECRET_KEY".
    // Empty: the request is not signed.
    struct AwsSigning {
        std::string provider;
        std::string credentials;
    } aws{};
};

struct HttpResponse {
    int status = 0;
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;
    std::int64_t elapsed_ms = 0;
};

// Why no response arrived. NotSent is safe to retry; InDoubt means the
// request may have reached the server (a POST may have taken effect).
enum class Failure { NotSent, InDoubt, TooLarge, Refused };

struct HttpFailure {
    Failure kind = Failure::NotSent;
    std::string message;  // for people; secrets already redacted
};

using HttpResult = std::variant<HttpResponse, HttpFailure>;

// Tests install one of these to fail or answer requests without a network.
// Returning nullopt lets the request go out as usual.
using FaultInjector = std::function<std::optional<HttpResult>(const HttpRequest&)>;

struct HttpOptions {
    std::chrono::milliseconds connect_timeout{5000};
    std::size_t max_response_bytes = 8 * 1024 * 1024;
    std::string user_agent = "Clearpost";
};

class HttpClient {
public:
    explicit HttpClient(HttpOptions options = {});
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Sends one request. Only http and https; redirects are not followed.
    HttpResult send(const HttpRequest& request);
    void set_fault_injector(FaultInjector injector) { m_injector = std::move(injector); }

private:
    HttpOptions m_options;
    FaultInjector m_injector;
    void* m_curl;  // CURL*, reused so connections stay alive
};

// Replaces every occurrence of each non-empty secret with "[redacted]".
std::string redact(std::string text, const std::vector<std::string>& secrets);

}  // namespace clearpost::net
