#include "clearpost/net/http.h"

#include "curl_global.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>

namespace clearpost::net {
namespace {

struct Sink {
    std::string* body;
    std::size_t limit;
    bool overflow = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto* sink = static_cast<Sink*>(user);
    const std::size_t n = size * count;
    if (sink->body->size() + n > sink->limit) {
        sink->overflow = true;
        return 0;  // aborts the transfer
    }
    sink->body->append(data, n);
    return n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
    auto* headers = static_cast<std::map<std::string, std::string>*>(user);
    const std::size_t n = size * count;
    std::string line(data, n);
    const auto colon = line.find(':');
    if (colon == std::string::npos) {
        if (line.rfind("HTTP/", 0) == 0) headers->clear();  // a new response (after 100 Continue)
        return n;
    }
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string value = line.substr(colon + 1);
    const auto first = value.find_first_not_of(" \t");
    const auto last = value.find_last_not_of(" \t\r\n");
    value = first == std::string::npos ? std::string() : value.substr(first, last - first + 1);
    (*headers)[name] = value;
    return n;
}

}  // namespace

std::string redact(std::string text, const std::vector<std::string>& secrets) {
    for (const auto& secret : secrets) {
        if (secret.size() < 4) continue;  // redacting "a" would shred the text
        for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos))
            text.replace(pos, secret.size(), "[redacted]");
    }
    return text;
}

HttpClient::HttpClient(HttpOptions options) : m_options(std::move(options)) {
    detail::curl_global_init_once();
    m_curl = curl_easy_init();
}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(m_curl)); }

HttpResult HttpClient::send(const HttpRequest& request) {
    if (m_injector) {
        if (auto injected = m_injector(request)) return *injected;
    }
    auto* curl = static_cast<CURL*>(m_curl);
    if (!curl) return HttpFailure{Failure::NotSent, "libcurl could not start"};
    curl_easy_reset(curl);

    HttpResponse response;
    Sink sink{&response.body, m_options.max_response_bytes};
    curl_slist* headers = nullptr;
    for (const auto& [name, value] : request.headers) headers = curl_slist_append(headers, (name + ": " + value).c_str());
    // No "Expect: 100-continue" round trip on uploads.
    headers = curl_slist_append(headers, "Expect:");

    curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(m_options.connect_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
    curl_easy_setopt(curl, CURLOPT_USERAGENT, m_options.user_agent.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    if (!request.aws.provider.empty()) {
        curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, request.aws.provider.c_str());
        curl_easy_setopt(curl, CURLOPT_USERPWD, request.aws.credentials.c_str());
    }
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    }

    const CURLcode rc = curl_easy_perform(curl);
    curl_slist_free_all(headers);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_off_t total_us = 0;
    curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME_T, &total_us);
    response.elapsed_ms = static_cast<std::int64_t>(total_us / 1000);

    if (sink.overflow) {
        return HttpFailure{Failure::TooLarge, "the server's answer was larger than " +
                                                  std::to_string(m_options.max_response_bytes / 1024) + " KiB"};
    }
    if (rc != CURLE_OK) {
        const std::string what = redact(request.url, request.secrets) + ": " + curl_easy_strerror(rc);
        switch (rc) {
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
            return HttpFailure{Failure::Refused, what};
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_COULDNT_CONNECT:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
            return HttpFailure{Failure::NotSent, what};
        default: {
            // Anything after the request left (timeouts while waiting, a
            // dropped connection) may have taken effect on the server.
            long sent = 0;
            curl_easy_getinfo(curl, CURLINFO_REQUEST_SIZE, &sent);
            return HttpFailure{sent > 0 ? Failure::InDoubt : Failure::NotSent, what};
        }
        }
    }
    response.status = static_cast<int>(status);
    return response;
}

}  // namespace clearpost::net
