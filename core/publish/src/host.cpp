#include "clearpost/publish/host.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "clearpost/base/utf8.h"
#include "clearpost/oauth/dpop.h"
#include "clearpost/publisher.hpp"  // base64 helpers shared with plugins

namespace clearpost::publish {
namespace {

using nlohmann::json;

char* duplicate(const std::string& s) {
    auto* out = static_cast<char*>(std::malloc(s.size() + 1));
    if (out) std::memcpy(out, s.c_str(), s.size() + 1);
    return out;
}

std::string error_json(const std::string& message) {
    return json{{"error", {{"message", message}, {"retry_after_ms", 0}}}}.dump();
}

// Bodies that are UTF-8 text travel as "body"; anything else as base64.
bool is_text(const std::string& body) {
    return body.find('\0') == std::string::npos && is_valid_utf8(body);
}

}  // namespace

Logger stderr_logger() {
    return [](LogLevel level, const std::string& message) {
        static constexpr const char* kNames[] = {"debug", "info", "warn", "error"};
        // One write per line: the service's workers log from several threads.
        static std::mutex mutex;
        // Milliseconds in the timestamp: the service's timing is read from it.
        const std::int64_t ms = system_now_ms();
        const std::string line = "ts=" + format_utc(ms / 1000).insert(19, "." + std::to_string(1000 + ms % 1000).substr(1)) +
                                 " level=" + kNames[static_cast<int>(level)] +
                                 " msg=" + json(message).dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
        const std::lock_guard lock(mutex);
        std::cerr << line << std::flush;
    };
}

PluginHost::PluginHost(net::HttpClient& http, std::function<std::int64_t()> now_ms, Logger log)
    : m_http(http), m_now_ms(std::move(now_ms)), m_log(std::move(log)) {
    m_table.struct_size = sizeof(ClearpostHostV1);
    m_table.abi_major = CLEARPOST_PUBLISHER_ABI_MAJOR;
    m_table.context = this;
    m_table.http = &PluginHost::http_thunk;
    m_table.now_ms = &PluginHost::now_thunk;
    m_table.log = &PluginHost::log_thunk;
    m_table.free_string = &PluginHost::free_thunk;
    m_table.note_put = &PluginHost::note_put_thunk;
    m_table.note_get = &PluginHost::note_get_thunk;
}

// Notes live in the settings, under one prefix. A failure is logged (the
// key only: values may name remote ids, never secrets) and reported as
// transient, so the plugin does not go on as if the note were kept.
namespace {
constexpr const char* kNotePrefix = "plugin-note:";
}

int PluginHost::note_put_thunk(void* context, const char* key, const char* value) {
    auto* self = static_cast<PluginHost*>(context);
    if (!key || !*key) return CLEARPOST_ERR_INVALID;
    if (!self->m_notes.put) return CLEARPOST_ERR_UNSUPPORTED;
    auto done = self->m_notes.put(kNotePrefix + std::string(key), value ? std::optional<std::string>(value) : std::nullopt);
    if (!done) {
        self->log(LogLevel::Warn, "keeping the publisher's note " + std::string(key) + " failed: " + done.error().message);
        return CLEARPOST_ERR_TRANSIENT;
    }
    return CLEARPOST_OK;
}

int PluginHost::note_get_thunk(void* context, const char* key, char** value) {
    auto* self = static_cast<PluginHost*>(context);
    if (!value) return CLEARPOST_ERR_INVALID;
    *value = nullptr;
    if (!key || !*key) return CLEARPOST_ERR_INVALID;
    if (!self->m_notes.get) return CLEARPOST_ERR_UNSUPPORTED;
    auto found = self->m_notes.get(kNotePrefix + std::string(key));
    if (!found) {
        self->log(LogLevel::Warn, "reading the publisher's note " + std::string(key) + " failed: " + found.error().message);
        return CLEARPOST_ERR_TRANSIENT;
    }
    if (*found) *value = duplicate(**found);
    return CLEARPOST_OK;
}

void PluginHost::log(LogLevel level, const std::string& message) const {
    if (m_log) m_log(level, net::redact(message, m_secrets));
}

OpCall PluginHost::call(ClearpostOperation op, void (*free_string)(char*), const std::string& request_json,
                        std::vector<std::string> secrets) {
    m_secrets = std::move(secrets);
    OpCall out;
    char* raw = nullptr;
    out.status = static_cast<ClearpostStatus>(op(&m_table, request_json.c_str(), &raw));
    out.result_json = raw ? raw : "";
    if (raw && free_string) free_string(raw);
    if (out.status != CLEARPOST_OK) {
        const auto doc = json::parse(out.result_json, nullptr, false);
        if (doc.is_object() && doc.contains("error") && doc["error"].is_object()) {
            out.message = doc["error"].value("message", std::string());
            out.retry_after_ms = doc["error"].value("retry_after_ms", std::int64_t{0});
        }
        if (out.message.empty()) out.message = "the publisher failed without saying why";
        out.message = net::redact(out.message, m_secrets);
    }
    m_secrets.clear();
    return out;
}

std::int64_t system_now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::vector<OpCall> split_batch(const OpCall& call, std::size_t count, const std::vector<std::string>& secrets) {
    if (call.status != CLEARPOST_OK) return std::vector<OpCall>(count, call);
    const auto doc = json::parse(call.result_json, nullptr, false);
    const json results = doc.is_object() ? doc.value("results", json::array()) : json::array();
    std::vector<OpCall> out(count);
    for (std::size_t k = 0; k < count; ++k) {
        OpCall& one = out[k];
        const bool answered = results.is_array() && k < results.size() && results[k].is_object();
        if (!answered) {
            one.status = CLEARPOST_ERR_IN_DOUBT;
            one.message = "the publisher gave no answer for this post in its batch";
            continue;
        }
        const json& entry = results[k];
        if (!entry.contains("error")) {
            one.status = CLEARPOST_OK;
            one.result_json = entry.dump();
            continue;
        }
        const json error = entry["error"].is_object() ? entry["error"] : json::object();
        const int status = error.value("status", static_cast<int>(CLEARPOST_ERR_INTERNAL));
        one.status = status > CLEARPOST_OK && status <= CLEARPOST_ERR_INTERNAL ? static_cast<ClearpostStatus>(status)
                                                                              : CLEARPOST_ERR_INTERNAL;
        one.result_json = entry.dump();
        one.message = error.value("message", std::string());
        if (one.message.empty()) one.message = "the publisher failed without saying why";
        one.message = net::redact(one.message, secrets);
        one.retry_after_ms = error.value("retry_after_ms", std::int64_t{0});
    }
    return out;
}

int PluginHost::http_thunk(void* context, const char* request_json, char** response_json) {
    auto* self = static_cast<PluginHost*>(context);
    try {
        const auto doc = json::parse(request_json ? request_json : "", nullptr, false);
        if (!doc.is_object() || !doc.contains("url")) {
            *response_json = duplicate(error_json("the HTTP request is not a JSON object with a url"));
            return CLEARPOST_ERR_INVALID;
        }
        net::HttpRequest request;
        request.method = doc.value("method", std::string("GET"));
        request.url = doc["url"].get<std::string>();
        if (doc.contains("headers") && doc["headers"].is_object())
            for (const auto& [k, v] : doc["headers"].items())
                if (v.is_string()) request.headers.emplace_back(k, v.get<std::string>());
        if (doc.contains("body_base64")) {
            if (!sdk::base64_decode(doc["body_base64"].get<std::string>(), request.body)) {
                *response_json = duplicate(error_json("body_base64 is not base64"));
                return CLEARPOST_ERR_INVALID;
            }
        } else {
            request.body = doc.value("body", std::string());
        }
        request.timeout = std::chrono::milliseconds(doc.value("timeout_ms", std::int64_t{15000}));
        request.secrets = self->m_secrets;
        // An S3-compatible media host: libcurl signs the request (SigV4).
        request.aws.provider = doc.value("aws_sigv4", std::string());
        request.aws.credentials = doc.value("aws_credentials", std::string());
        if (const auto colon = request.aws.credentials.find(':'); colon != std::string::npos)
            request.secrets.push_back(request.aws.credentials.substr(colon + 1));
        if (doc.contains("secrets") && doc["secrets"].is_array())
            for (const auto& s : doc["secrets"])
                if (s.is_string()) request.secrets.push_back(s.get<std::string>());

        // A DPoP-bound session (atproto OAuth): the host signs the proof
        // with the session's key and takes the server's nonces.
        const json dpop = doc.value("dpop", json());
        net::HttpResult result;
        if (dpop.is_object() && dpop.contains("key") && dpop["key"].is_string()) {
            const std::string key = dpop["key"].get<std::string>();
            const std::string token = dpop.value("access_token", std::string());
            request.secrets.push_back(key);
            if (!token.empty()) request.secrets.push_back(token);
            result = oauth::dpop_send(self->m_http, request, key, token, self->m_dpop_nonces,
                                      [self] { return self->m_now_ms() / 1000; });
        } else {
            result = self->m_http.send(request);
        }
        if (auto* failure = std::get_if<net::HttpFailure>(&result)) {
            self->log(LogLevel::Warn, request.method + " " + net::redact(request.url, request.secrets) +
                                          " failed: " + failure->message);
            *response_json = duplicate(error_json(failure->message));
            return failure->kind == net::Failure::InDoubt ? CLEARPOST_ERR_IN_DOUBT
                   : failure->kind == net::Failure::Refused ? CLEARPOST_ERR_INVALID
                                                            : CLEARPOST_ERR_TRANSIENT;
        }
        auto& response = std::get<net::HttpResponse>(result);
        self->log(LogLevel::Debug, request.method + " " + net::redact(request.url, request.secrets) + " -> " +
                                       std::to_string(response.status) + " in " +
                                       std::to_string(response.elapsed_ms) + " ms");
        json reply{{"status", response.status}, {"headers", response.headers}, {"elapsed_ms", response.elapsed_ms}};
        if (is_text(response.body)) {
            reply["body"] = response.body;
        } else {
            reply["body_base64"] = sdk::base64_encode(response.body);
        }
        *response_json = duplicate(reply.dump(-1, ' ', false, json::error_handler_t::replace));
        return CLEARPOST_OK;
    } catch (const std::exception& e) {
        *response_json = duplicate(error_json(std::string("host HTTP error: ") + e.what()));
        return CLEARPOST_ERR_INTERNAL;
    }
}

std::int64_t PluginHost::now_thunk(void* context) { return static_cast<PluginHost*>(context)->m_now_ms(); }

void PluginHost::log_thunk(void* context, int level, const char* message) {
    static_cast<PluginHost*>(context)->log(static_cast<LogLevel>(std::clamp(level, 0, 3)), message ? message : "");
}

void PluginHost::free_thunk(void*, char* text) { std::free(text); }

}  // namespace clearpost::publish
