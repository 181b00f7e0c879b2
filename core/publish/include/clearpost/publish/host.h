#pragma once
// The services Clearpost offers plugins (HTTP, clock, logging) as the C table
// the ABI expects, and a typed way to call a plugin operation.

#include <functional>
#include <optional>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "clearpost/base/result.h"
#include "clearpost/base/time.h"
#include "clearpost/net/http.h"
#include "clearpost/oauth/dpop.h"
#include "clearpost/publisher.h"

namespace clearpost::publish {

enum class LogLevel { Debug = 0, Info = 1, Warn = 2, Error = 3 };
// Receives log lines already redacted.
using Logger = std::function<void(LogLevel, const std::string&)>;
// Structured lines on stderr: "level=info component=publish msg=...".
Logger stderr_logger();

struct OpCall {
    ClearpostStatus status = CLEARPOST_ERR_INTERNAL;
    std::string result_json;  // as the plugin returned it
    std::string message;      // error.message, redacted, when status is not OK
    std::int64_t retry_after_ms = 0;
};

// Milliseconds since the Unix epoch: the clock plugins get in production.
std::int64_t system_now_ms();

// One OpCall per post from a publish_batch answer for `count` posts: each
// post's own result, or the whole call's failure for every post. A post the
// answer leaves out is in doubt. Messages are redacted of `secrets`.
std::vector<OpCall> split_batch(const OpCall& call, std::size_t count, const std::vector<std::string>& secrets);

class PluginHost {
public:
    PluginHost(net::HttpClient& http, std::function<std::int64_t()> now_ms, Logger log);

    // Calls one plugin operation. `secrets` (the credentials in play) are
    // redacted from everything the plugin logs or the host reports.
    OpCall call(ClearpostOperation op, void (*free_string)(char*), const std::string& request_json,
                std::vector<std::string> secrets);

    void log(LogLevel level, const std::string& message) const;

    // Where plugins' durable notes live (ClearpostHostV1::note_put): the
    // dispatcher gives its store; without one, plugins are told notes are
    // not kept. `put` with nullopt deletes.
    struct NoteStore {
        std::function<Result<std::optional<std::string>>(const std::string&)> get;
        std::function<Result<void>(const std::string&, const std::optional<std::string>&)> put;
    };
    void set_note_store(NoteStore notes) { m_notes = std::move(notes); }

private:
    static int http_thunk(void* context, const char* request_json, char** response_json);
    static std::int64_t now_thunk(void* context);
    static void log_thunk(void* context, int level, const char* message);
    static void free_thunk(void* context, char* text);
    static int note_put_thunk(void* context, const char* key, const char* value);
    static int note_get_thunk(void* context, const char* key, char** value);

    net::HttpClient& m_http;
    std::function<std::int64_t()> m_now_ms;
    Logger m_log;
    std::vector<std::string> m_secrets;
    NoteStore m_notes;
    oauth::DpopNonces m_dpop_nonces;  // each server's latest DPoP nonce
    ClearpostHostV1 m_table;
};

}  // namespace clearpost::publish
