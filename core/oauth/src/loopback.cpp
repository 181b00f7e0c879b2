#include "clearpost/oauth/loopback.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include "clearpost/crypto/crypto.h"
#include "clearpost/oauth/client.h"

namespace clearpost::oauth {
namespace {

using SteadyClock = std::chrono::steady_clock;

// A browser may open spare connections that never send anything (Chrome
// preconnects), so several are read side by side, up to this many.
constexpr std::size_t kMaxConnections = 8;
constexpr std::size_t kMaxRequestBytes = 16 * 1024;

struct Connection {
    int fd = -1;
    std::string data;
};

struct Request {
    std::string method;
    std::string path;
    std::string query;
};

Error os_error(const std::string& what) {
    return make_error(ErrorCode::Io, what + ": " + std::strerror(errno));
}

// The request line of an HTTP/1.x request whose head is complete.
std::optional<Request> parse_request(const std::string& head) {
    const auto line_end = head.find("\r\n");
    const std::string line = head.substr(0, line_end);
    const auto sp1 = line.find(' ');
    const auto sp2 = line.rfind(' ');
    if (sp1 == std::string::npos || sp2 == sp1) return std::nullopt;
    Request r;
    r.method = line.substr(0, sp1);
    const std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    if (line.compare(sp2 + 1, 5, "HTTP/") != 0 || target.empty() || target[0] != '/') return std::nullopt;
    const auto q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = target.substr(q + 1);
    if (const auto hash = r.query.find('#'); hash != std::string::npos) r.query.resize(hash);
    return r;
}

void send_all(int fd, const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // the browser went away; nothing to tell it
        done += static_cast<std::size_t>(n);
    }
}

void answer(int fd, int status, const std::string& reason, const std::string& title, const std::string& text) {
    const std::string body =
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + title +
        "</title></head>\n<body style=\"font-family: sans-serif; margin: 3em\"><h1>" + title + "</h1>\n<p>" + text +
        "</p></body></html>\n";
    // no-store and no-referrer: the address held the authorisation code.
    send_all(fd, "HTTP/1.1 " + std::to_string(status) + " " + reason +
                     "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: " + std::to_string(body.size()) +
                     "\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n" +
                     body);
}

std::string value_of(const std::vector<std::pair<std::string, std::string>>& params, const std::string& name) {
    for (const auto& [k, v] : params)
        if (k == name) return v;
    return {};
}

bool has(const std::vector<std::pair<std::string, std::string>>& params, const std::string& name) {
    return std::any_of(params.begin(), params.end(), [&](const auto& p) { return p.first == name; });
}

// Only letters, digits and a few marks of a server's error code reach the page.
std::string safe_code(const std::string& text) {
    std::string out;
    for (const char c : text.substr(0, 64))
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.') out.push_back(c);
    return out;
}

}  // namespace

LoopbackListener::LoopbackListener(int fd, std::uint16_t port, std::string path)
    : m_fd(fd), m_port(port), m_path(std::move(path)) {
    m_redirect_uri = "http://127.0.0.1:" + std::to_string(m_port) + m_path;
}

LoopbackListener::LoopbackListener(LoopbackListener&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)),
      m_port(other.m_port),
      m_path(std::move(other.m_path)),
      m_redirect_uri(std::move(other.m_redirect_uri)) {}

LoopbackListener& LoopbackListener::operator=(LoopbackListener&& other) noexcept {
    if (this != &other) {
        close();
        m_fd = std::exchange(other.m_fd, -1);
        m_port = other.m_port;
        m_path = std::move(other.m_path);
        m_redirect_uri = std::move(other.m_redirect_uri);
    }
    return *this;
}

LoopbackListener::~LoopbackListener() { close(); }

void LoopbackListener::close() noexcept {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
}

Result<LoopbackListener> LoopbackListener::open(const LoopbackOptions& options) {
    if (options.path.empty() || options.path[0] != '/' ||
        options.path.find_first_of("?# ") != std::string::npos) {
        return make_error(ErrorCode::Invalid, "the redirect path '" + options.path +
                                                  "' must start with '/' and hold no '?', '#' or space");
    }
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return os_error("cannot make a socket for the sign-in answer");
    // A fixed port stays usable right after an earlier sign-in (TIME_WAIT);
    // on Linux this never lets two listeners share the port.
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(options.port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 || ::listen(fd, 16) != 0) {
        auto error = os_error("cannot listen on 127.0.0.1 port " + std::to_string(options.port) +
                              " for the sign-in answer" +
                              (options.port != 0 ? " (is another sign-in or program using it?)" : ""));
        ::close(fd);
        return error;
    }
    socklen_t length = sizeof address;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        auto error = os_error("cannot read the sign-in listener's port");
        ::close(fd);
        return error;
    }
    return LoopbackListener(fd, ntohs(address.sin_port), options.path);
}

Result<std::string> LoopbackListener::wait_for_code(const std::string& expected_state,
                                                    std::chrono::milliseconds timeout, std::stop_token stop,
                                                    const std::string& expected_issuer) {
    if (m_fd < 0) return make_error(ErrorCode::Conflict, "the sign-in listener is already closed; start again");
    const auto deadline = SteadyClock::now() + timeout;
    std::vector<Connection> connections;
    struct Closer {
        LoopbackListener* self;
        std::vector<Connection>* connections;
        ~Closer() {
            for (auto& c : *connections) ::close(c.fd);
            self->close();
        }
    } closer{this, &connections};

    for (;;) {
        if (stop.stop_requested()) return make_error(ErrorCode::Io, "connecting was cancelled");
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
        if (left.count() <= 0) {
            return make_error(ErrorCode::Io, "no answer came from the browser in time; start connecting again "
                                             "and finish signing in within the time allowed");
        }
        std::vector<pollfd> fds;
        fds.push_back({m_fd, POLLIN, 0});
        for (const auto& c : connections) fds.push_back({c.fd, POLLIN, 0});
        const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(std::min<std::int64_t>(left.count(), 1000)));
        if (ready < 0) {
            if (errno == EINTR) continue;
            return os_error("waiting for the sign-in answer failed");
        }
        if (ready == 0) continue;

        // Read what arrived; a connection that closed or sent too much is dropped.
        for (std::size_t i = fds.size(); i-- > 1;) {
            if (fds[i].revents == 0) continue;
            auto& c = connections[i - 1];
            char buffer[4096];
            const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
            if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
            if (n <= 0 || c.data.size() + static_cast<std::size_t>(n) > kMaxRequestBytes) {
                ::close(c.fd);
                connections.erase(connections.begin() + static_cast<std::ptrdiff_t>(i - 1));
                continue;
            }
            c.data.append(buffer, static_cast<std::size_t>(n));
        }
        if (fds[0].revents & POLLIN) {
            const int conn = ::accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (conn >= 0) {
                if (connections.size() >= kMaxConnections) {  // the oldest is the likeliest idle one
                    ::close(connections.front().fd);
                    connections.erase(connections.begin());
                }
                connections.push_back({conn, {}});
            }
        }

        // Serve every connection whose request head is complete.
        for (std::size_t i = 0; i < connections.size();) {
            auto& c = connections[i];
            const auto head_end = c.data.find("\r\n\r\n");
            if (head_end == std::string::npos) {
                ++i;
                continue;
            }
            const auto request = parse_request(c.data.substr(0, head_end));
            const int fd = c.fd;
            connections.erase(connections.begin() + static_cast<std::ptrdiff_t>(i));
            struct FdCloser {
                int fd;
                ~FdCloser() { ::close(fd); }
            } conn_closer{fd};

            if (!request) {
                answer(fd, 400, "Bad Request", "Not understood", "This address only takes Clearpost's sign-in answer.");
                continue;
            }
            if (request->path != m_path) {
                answer(fd, 404, "Not Found", "Not found", "This address only takes Clearpost's sign-in answer.");
                continue;
            }
            if (request->method != "GET") {
                answer(fd, 405, "Method Not Allowed", "Not allowed", "Clearpost's sign-in answer comes as a GET.");
                continue;
            }
            // The redirect path: whatever it says ends the wait.
            const auto params = parse_query(request->query);
            if (!params) {
                answer(fd, 400, "Bad Request", "Sign-in not completed",
                       "The answer could not be read. Close this tab and connect again in Clearpost.");
                return make_error(ErrorCode::Invalid, "the browser brought back an answer that could not be read; "
                                                      "connect again");
            }
            const std::string state = value_of(*params, "state");
            if (!has(*params, "state") || !crypto::constant_time_equal(state, expected_state)) {
                answer(fd, 400, "Bad Request", "Sign-in not completed",
                       "This answer does not belong to the sign-in Clearpost started. Close this tab and connect "
                       "again in Clearpost.");
                return make_error(ErrorCode::Tampered,
                                  "the sign-in answer did not carry the state Clearpost sent (another page or program "
                                  "sent it); nothing was stored; connect again");
            }
            if (has(*params, "error")) {
                const std::string code = safe_code(value_of(*params, "error"));
                answer(fd, 200, "OK", "Sign-in not completed",
                       "The network said: " + code + ". You can close this tab and return to Clearpost.");
                if (code == "access_denied") {
                    return make_error(ErrorCode::Forbidden,
                                      "access was not granted at the network (access_denied); connect again and "
                                      "allow Clearpost's access to publish");
                }
                return make_error(ErrorCode::Invalid, "the network refused the sign-in (" + code +
                                                          "); check the app's settings and connect again");
            }
            if (!expected_issuer.empty() && value_of(*params, "iss") != expected_issuer) {
                answer(fd, 400, "Bad Request", "Sign-in not completed",
                       "This answer did not come from the server Clearpost asked. Close this tab and connect "
                       "again in Clearpost.");
                return make_error(ErrorCode::Tampered, "the sign-in answer came from another server than " +
                                                           expected_issuer + " (RFC 9207); nothing was stored; "
                                                                             "connect again");
            }
            const std::string code = value_of(*params, "code");
            if (code.empty()) {
                answer(fd, 400, "Bad Request", "Sign-in not completed",
                       "The answer carried no authorisation code. Close this tab and connect again in Clearpost.");
                return make_error(ErrorCode::Invalid, "the sign-in answer carried no authorisation code; connect again");
            }
            answer(fd, 200, "OK", "Clearpost is connected",
                   "You can close this tab and return to Clearpost.");
            return code;
        }
    }
}

}  // namespace clearpost::oauth
