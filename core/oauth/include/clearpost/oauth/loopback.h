#pragma once
// The loopback redirect of a native app (RFC 8252 section 7.3): a tiny HTTP
// listener on 127.0.0.1 only, on a port the system picks at run time (or a
// fixed one where the network accepts only a registered port). It serves
// exactly one request to the redirect path, answers a small "you can close
// this tab" page, and closes, or gives up when the time is up.

#include <chrono>
#include <cstdint>
#include <stop_token>
#include <string>

#include "clearpost/base/result.h"

namespace clearpost::oauth {

struct LoopbackOptions {
    std::uint16_t port = 0;          // 0: chosen at run time
    std::string path = "/callback";  // the redirect path, starting with '/'
};

class LoopbackListener {
public:
    // Binds 127.0.0.1 (never another interface). Io when the port is taken
    // or the socket cannot be made; Invalid when the path is not a path.
    static Result<LoopbackListener> open(const LoopbackOptions& options);

    LoopbackListener(LoopbackListener&& other) noexcept;
    LoopbackListener& operator=(LoopbackListener&& other) noexcept;
    LoopbackListener(const LoopbackListener&) = delete;
    LoopbackListener& operator=(const LoopbackListener&) = delete;
    ~LoopbackListener();

    std::uint16_t port() const { return m_port; }
    // "http://127.0.0.1:<port><path>": what the authorisation request names.
    const std::string& redirect_uri() const { return m_redirect_uri; }
    bool is_open() const { return m_fd >= 0; }

    // Waits for the one request to the redirect path and returns its `code`.
    // Requests to other paths (a browser's /favicon.ico) are answered 404 and
    // the wait goes on. The request to the redirect path ends the wait either
    // way: a `state` other than `expected_state` is Tampered (the answer
    // belongs to another request), an `error` from the server is Forbidden
    // (access_denied: the person said no) or Invalid (anything else), a
    // missing code is Invalid. Io when `timeout` passes first. The listener
    // is closed when this returns. A stop request (checked at least once a
    // second) ends the wait with Io, for a window closed meanwhile. With an
    // `expected_issuer`, the answer's `iss` must name it (RFC 9207: a code
    // from another authorisation server is Tampered).
    Result<std::string> wait_for_code(const std::string& expected_state, std::chrono::milliseconds timeout,
                                      std::stop_token stop = {}, const std::string& expected_issuer = {});

    void close() noexcept;

private:
    LoopbackListener(int fd, std::uint16_t port, std::string path);

    int m_fd = -1;
    std::uint16_t m_port = 0;
    std::string m_path;
    std::string m_redirect_uri;
};

}  // namespace clearpost::oauth
